/**
 * @module oauth/authorization-request
 * Validates `GET /oauth/authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3). A bad
 * client_id or redirect_uri is shown to the user and never redirected to
 * (§4.1.2.1: the redirect target cannot be trusted); every other error is
 * sent back to the client's redirect URI with `error` and `state`.
 */
import type { ServerContext } from '../context.js';
import { findClient, redirectUrisOf, type OAuthClientRow } from './clients.js';
import { OAuthParameters } from './form-parameters.js';
import { isS256Challenge } from './pkce.js';
import { findRegisteredRedirectUri } from './redirect-uris.js';
import { isSubset, parseScopeParameter, storedScopes, type OAuthScope } from './scopes.js';

export type AuthorizationErrorCode = 'invalid_request' | 'unsupported_response_type' | 'invalid_scope' | 'access_denied' | 'unauthorized_client';

export interface ValidAuthorizationRequest {
  kind: 'valid';
  client: OAuthClientRow;
  redirectUri: string;
  scopes: OAuthScope[];
  state: string | undefined;
  codeChallenge: string | null;
  /** `prompt=consent`: ask even when an earlier consent covers the scopes. */
  forceConsent: boolean;
}

export type AuthorizationRequest =
  | ValidAuthorizationRequest
  | { kind: 'show-error'; message: string }
  | { kind: 'redirect-error'; redirectUri: string; state: string | undefined; error: AuthorizationErrorCode; description: string };

class RepeatedParameter extends Error {}

export async function parseAuthorizationRequest(ctx: ServerContext, query: URLSearchParams): Promise<AuthorizationRequest> {
  const params = new OAuthParameters(query, (name) => new RepeatedParameter(`The "${name}" parameter was sent more than once.`));
  const read = (name: string): { value: string | undefined } | { repeated: string } => {
    try {
      return { value: params.optional(name) };
    } catch (error) {
      if (error instanceof RepeatedParameter) return { repeated: error.message };
      throw error;
    }
  };

  const clientId = read('client_id');
  if ('repeated' in clientId) return { kind: 'show-error', message: clientId.repeated };
  if (clientId.value === undefined) return { kind: 'show-error', message: 'The request names no application (client_id is missing).' };
  const client = clientId.value.length <= 64 ? await findClient(ctx, clientId.value) : undefined;
  if (!client) return { kind: 'show-error', message: 'The application asking for access is not registered with this Ferry server.' };
  const redirect = read('redirect_uri');
  if ('repeated' in redirect) return { kind: 'show-error', message: redirect.repeated };
  if (redirect.value === undefined) return { kind: 'show-error', message: 'The request has no redirect_uri.' };
  if (!findRegisteredRedirectUri(redirectUrisOf(client), redirect.value)) {
    return { kind: 'show-error', message: `The address to return to is not one registered for ${client.name}.` };
  }
  const redirectUri = redirect.value;

  const stateRead = read('state');
  const state = 'value' in stateRead ? stateRead.value : undefined;
  const fail = (error: AuthorizationErrorCode, description: string): AuthorizationRequest => ({ kind: 'redirect-error', redirectUri, state, error, description });
  if ('repeated' in stateRead) return fail('invalid_request', stateRead.repeated);

  const values: Record<string, string | undefined> = {};
  for (const name of ['response_type', 'scope', 'code_challenge', 'code_challenge_method', 'prompt']) {
    const value = read(name);
    if ('repeated' in value) return fail('invalid_request', value.repeated);
    values[name] = value.value;
  }
  const responseType = values.response_type;
  if (responseType === undefined) return fail('invalid_request', 'The "response_type" parameter is missing.');
  if (responseType !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');

  const challenge = values.code_challenge;
  const method = values.code_challenge_method;
  if (challenge === undefined) {
    if (method !== undefined) return fail('invalid_request', 'code_challenge_method was sent without a code_challenge.');
    if (client.type === 'public') return fail('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256.');
  } else {
    if (method !== 'S256') return fail('invalid_request', 'Only code_challenge_method=S256 is supported ("plain" is refused).');
    if (!isS256Challenge(challenge)) return fail('invalid_request', 'code_challenge must be 43 base64url characters (S256).');
  }

  if (values.scope === undefined) return fail('invalid_scope', 'The "scope" parameter is missing.');
  const scopes = parseScopeParameter(values.scope);
  if (scopes === null || scopes.length === 0) return fail('invalid_scope', 'The request names an unknown scope.');
  if (!isSubset(scopes, storedScopes(client.scopes))) return fail('invalid_scope', 'The request asks for a scope this client is not registered for.');

  return {
    kind: 'valid',
    client,
    redirectUri,
    scopes,
    state,
    codeChallenge: challenge ?? null,
    forceConsent: values.prompt?.split(' ').includes('consent') ?? false,
  };
}

/** Appends response parameters to the redirect URI, keeping its own query intact (RFC 6749 §3.1.2). */
export function redirectWith(redirectUri: string, parameters: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) query.set(name, value);
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${query.toString()}`;
}
