/**
 * @module microsoft/microsoft-oauth-routes
 * The Microsoft identity platform's v2.0 endpoints under any tenant
 * (`common`, `organizations`, the tenant id or domain):
 * `GET /{tenant}/oauth2/v2.0/authorize` (code flow with PKCE S256 or plain,
 * `response_mode` query or fragment, consent, `access_denied` with
 * AADSTS65004 when the user declines) and `POST /{tenant}/oauth2/v2.0/token`
 * for the authorization_code and refresh_token grants. A refresh token is
 * issued only for `offline_access`; each refresh answers a new one (the old
 * one stays valid, as Microsoft documents, and clients should drop it); the
 * refresh grant must name its `scope`. Errors carry AADSTS codes: 70000 (bad
 * code), 54005 (code already redeemed), 70008 (expired), 501481 (PKCE),
 * 50173 (grant revoked), 9002313 (malformed token), 7000215 (bad secret),
 * 700016 (unknown app), 900144 (missing parameter), 70003 (grant type).
 */
import type { ServerResponse } from 'node:http';
import { sendText, type EmulatorRequest, type Router } from '../http/http-kit.js';
import { clientCredentialsOf, readFields } from '../oauth/client-request.js';
import type { CodeRefusal } from '../oauth/token-store.js';
import { identityError, sendIdentityError, type MicrosoftContext } from './microsoft-context.js';

const oidcScopes = new Set(['openid', 'profile', 'email', 'offline_access']);

function scopeList(value: string | undefined | null): string[] {
  return (value ?? '').split(/\s+/).filter((scope) => scope !== '');
}

/** The scopes an answer names: the resource scopes granted, without offline_access. */
function answeredScope(scope: string): string {
  return scopeList(scope)
    .filter((name) => name !== 'offline_access')
    .join(' ');
}

const codeFailures: Readonly<Record<CodeRefusal, { code: number; message: string }>> = {
  unknown: { code: 70000, message: "The provided value for the 'code' parameter is not valid." },
  already_redeemed: { code: 54005, message: 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.' },
  expired: { code: 70008, message: 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.' },
  client_mismatch: { code: 70000, message: "The provided value for the 'code' parameter is not valid: it was issued to another application." },
  redirect_mismatch: { code: 50011, message: "The redirect URI in the request does not match the one used when the code was issued." },
  verifier_missing: { code: 501481, message: 'The Code_Verifier does not match the code_challenge supplied in the authorization request (no code_verifier was sent).' },
  verifier_mismatch: { code: 501481, message: 'The Code_Verifier does not match the code_challenge supplied in the authorization request.' },
};

function knownTenant(context: MicrosoftContext, tenant: string): boolean {
  return ['common', 'organizations', context.tenantId, context.tenantDomain].includes(tenant);
}

function registerAuthorize(router: Router, context: MicrosoftContext): void {
  router.on('GET', '/:tenant/oauth2/v2.0/authorize', async (request, response) => {
    const query = request.url.searchParams;
    const tenant = request.params.tenant ?? '';
    const clientId = query.get('client_id');
    const redirectUri = query.get('redirect_uri');
    // Without a trusted client and redirect URI, Microsoft shows its error page instead of redirecting.
    if (!knownTenant(context, tenant)) {
      sendText(response, 400, `AADSTS90002: Tenant '${tenant}' not found.`);
      return;
    }
    if (!clientId || (context.clients.length > 0 && !context.clients.some((client) => client.clientId === clientId))) {
      sendText(response, 400, `AADSTS700016: Application with identifier '${clientId ?? ''}' was not found in the directory.`);
      return;
    }
    if (!redirectUri) {
      sendText(response, 400, "AADSTS900144: The request body must contain the following parameter: 'redirect_uri'.");
      return;
    }
    const responseMode = query.get('response_mode') ?? 'query';
    if (responseMode !== 'query' && responseMode !== 'fragment') {
      sendText(response, 400, `This emulator answers response_mode query and fragment, not ${responseMode}.`);
      return;
    }
    const answer = new URLSearchParams();
    const state = query.get('state') ?? undefined;
    const fail = (error: string, code: number, message: string) => {
      const body = identityError(error, code, message);
      answer.set('error', error);
      answer.set('error_description', String(body.error_description));
      answer.set('error_uri', String(body.error_uri));
    };
    const scope = scopeList(query.get('scope')).join(' ');
    const codeChallenge = query.get('code_challenge');
    const method = query.get('code_challenge_method') ?? 'plain';
    if (query.get('response_type') !== 'code') {
      fail('unsupported_response_type', 700054, "The app requested a response_type this flow does not support; use 'code'.");
    } else if (scope === '') {
      fail('invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
    } else if (codeChallenge !== null && method !== 'S256' && method !== 'plain') {
      fail('invalid_request', 501491, `Invalid code_challenge_method '${method}'.`);
    } else {
      const authorization = { clientId, redirectUri, scope, ...(codeChallenge !== null ? { codeChallenge, codeChallengeMethod: method } : {}) };
      if (await context.approve({ ...authorization, ...(state !== undefined ? { state } : {}) })) {
        answer.set('code', context.tokens.createCode(authorization));
      } else {
        fail('access_denied', 65004, 'User declined to consent to access the app.');
      }
    }
    if (state !== undefined) answer.set('state', state);
    const target = new URL(redirectUri);
    if (responseMode === 'fragment') target.hash = answer.toString();
    else for (const [name, value] of answer) target.searchParams.set(name, value);
    response.writeHead(302, { location: target.toString(), 'content-length': 0 });
    response.end();
  });
}

/** Checks the client: its id, or undefined after answering the error. */
function authenticateClient(context: MicrosoftContext, request: EmulatorRequest, fields: Record<string, string>, response: ServerResponse): string | undefined {
  const credentials = clientCredentialsOf(request, fields);
  const clientId = credentials.clientId ?? fields.client_id;
  if (!clientId) {
    sendIdentityError(response, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    return undefined;
  }
  const known = context.clients.find((client) => client.clientId === clientId);
  if (context.clients.length > 0 && !known) {
    sendIdentityError(response, 400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${context.tenantDomain}'.`);
    return undefined;
  }
  if (known && credentials.clientSecret === undefined) {
    sendIdentityError(response, 401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    return undefined;
  }
  if (known && credentials.clientSecret !== known.clientSecret) {
    sendIdentityError(response, 401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.');
    return undefined;
  }
  return clientId;
}

function tokenAnswer(tokens: { accessToken: string; refreshToken?: string; expiresIn?: number; scope: string }): Record<string, unknown> {
  const expiresIn = tokens.expiresIn ?? 3600;
  return {
    token_type: 'Bearer',
    scope: answeredScope(tokens.scope),
    expires_in: expiresIn,
    ext_expires_in: expiresIn,
    access_token: tokens.accessToken,
    ...(tokens.refreshToken !== undefined ? { refresh_token: tokens.refreshToken } : {}),
  };
}

function missing(response: ServerResponse, name: string): void {
  sendIdentityError(response, 400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
}

function redeemCode(context: MicrosoftContext, fields: Record<string, string>, clientId: string, response: ServerResponse): void {
  if (!fields.code) return missing(response, 'code');
  if (!fields.redirect_uri) return missing(response, 'redirect_uri');
  const taken = context.tokens.takeCode(fields.code, clientId, fields.redirect_uri, fields.code_verifier);
  if (!taken.ok) {
    const failure = codeFailures[taken.reason];
    sendIdentityError(response, 400, 'invalid_grant', failure.code, failure.message);
    return;
  }
  const scope = taken.request.scope;
  const tokens = context.tokens.issueGrant(scope, clientId, { refresh: scopeList(scope).includes('offline_access') });
  sendIdentityAnswer(response, tokenAnswer(tokens));
}

function refresh(context: MicrosoftContext, fields: Record<string, string>, response: ServerResponse): void {
  const refreshToken = fields.refresh_token;
  if (!refreshToken) return missing(response, 'refresh_token');
  if (!fields.scope) return missing(response, 'scope');
  if (!context.tokens.knowsRefreshToken(refreshToken)) {
    sendIdentityError(response, 400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
    return;
  }
  if (context.tokens.isRevoked(refreshToken)) {
    sendIdentityError(response, 400, 'invalid_grant', 50173, 'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.');
    return;
  }
  const rotated = context.tokens.rotate(refreshToken, { revokeUsed: false });
  if (!rotated) {
    sendIdentityError(response, 400, 'invalid_grant', 50173, 'The provided grant has expired due to it being revoked, a fresh auth token is needed.');
    return;
  }
  const granted = new Set(scopeList(rotated.scope));
  const extra = scopeList(fields.scope).filter((scope) => !oidcScopes.has(scope) && !granted.has(scope));
  if (extra.length > 0) {
    sendIdentityError(response, 400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application for: ${extra.join(' ')}.`);
    return;
  }
  sendIdentityAnswer(response, tokenAnswer(rotated));
}

function sendIdentityAnswer(response: ServerResponse, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store, no-cache', pragma: 'no-cache' });
  response.end(text);
}

export function registerMicrosoftOAuthRoutes(router: Router, context: MicrosoftContext): void {
  registerAuthorize(router, context);
  router.on('POST', '/:tenant/oauth2/v2.0/token', async (request, response) => {
    const tenant = request.params.tenant ?? '';
    if (!knownTenant(context, tenant)) {
      sendIdentityError(response, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
      return;
    }
    const fields = await readFields(request);
    const clientId = authenticateClient(context, request, fields, response);
    if (clientId === undefined) return;
    const grantType = fields.grant_type;
    if (!grantType) return missing(response, 'grant_type');
    if (grantType === 'authorization_code') return redeemCode(context, fields, clientId, response);
    if (grantType === 'refresh_token') return refresh(context, fields, response);
    sendIdentityError(response, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  });
}
