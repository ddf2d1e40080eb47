/**
 * @module microsoft/microsoft-context
 * What the Microsoft emulator's routes share: the directory (tenant) and its
 * signed-in user, the registered clients, the consent decision and the token
 * store; and Microsoft's two error shapes — the identity platform's
 * `{error, error_description: "AADSTS…", error_codes, timestamp, trace_id,
 * correlation_id, error_uri}` and Graph's `{error: {code, message, innerError}}`.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FaultRenderer } from '../http/emulator-server.js';
import { sendJson } from '../http/http-kit.js';
import type { AuthorizationDecider, OAuthClient } from '../oauth/oauth-routes.js';
import type { TokenStore } from '../oauth/token-store.js';

export interface MicrosoftUser {
  /** The directory object id (a GUID), Graph's `id`. */
  id: string;
  displayName: string;
  givenName: string;
  surname: string;
  mail: string | null;
  userPrincipalName: string;
}

export interface MicrosoftContext {
  /** The tenant's id (a GUID); `common`, `organizations` and the domain also reach it. */
  readonly tenantId: string;
  readonly tenantDomain: string;
  readonly user: MicrosoftUser;
  readonly clients: readonly OAuthClient[];
  readonly approve: AuthorizationDecider;
  readonly tokens: TokenStore;
}

/** The identity platform's timestamp format: `2026-11-25 16:05:00Z`. */
function stsTimestamp(): string {
  return `${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** An error of the token endpoint (or an authorize redirect's description), AADSTS code first. */
export function identityError(error: string, code: number, message: string): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = stsTimestamp();
  return {
    error,
    error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

export function sendIdentityError(response: ServerResponse, status: number, error: string, code: number, message: string): void {
  sendJson(response, status, identityError(error, code, message), { 'cache-control': 'no-store' });
}

export function sendGraphError(response: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const requestId = randomUUID();
  sendJson(
    response,
    status,
    { error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': requestId } } },
    { 'request-id': requestId, ...headers },
  );
}

/** AADSTS codes for the error names a fault may ask for on the OAuth endpoints. */
const identityFaults: Readonly<Record<string, { code: number; message: string }>> = {
  temporarily_unavailable: { code: 90033, message: 'The service is temporarily unavailable (emulated fault).' },
  interaction_required: { code: 50076, message: 'The user must sign in again with multi-factor authentication to use this resource.' },
  invalid_grant: { code: 50173, message: 'The provided grant has expired due to it being revoked, a fresh auth token is needed.' },
};

/** Injected faults: Graph's error object on /v1.0, the identity platform's on the OAuth endpoints. */
export const renderMicrosoftFault: FaultRenderer = (response, status, rule, request) => {
  const headers: Record<string, string> = rule.retryAfter !== undefined || status === 429 ? { 'retry-after': String(rule.retryAfter ?? 1) } : {};
  if (request.url.pathname.includes('/oauth2/')) {
    const error = status === 429 || status >= 500 ? 'temporarily_unavailable' : (rule.reason ?? 'invalid_request');
    const known = identityFaults[error] ?? { code: 90033, message: `The request failed (emulated fault, HTTP ${status}).` };
    sendJson(response, status, identityError(error, known.code, known.message), headers);
    return;
  }
  const code = rule.reason ?? (status === 429 ? 'TooManyRequests' : status === 503 ? 'serviceNotAvailable' : status >= 500 ? 'generalException' : 'badRequest');
  sendGraphError(response, status, code, `Emulated fault (HTTP ${status}).`, headers);
};
