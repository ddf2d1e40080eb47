/**
 * @module connections/oauth-client
 * The OAuth 2.0 client side of a connection, with oauth4webapi: the
 * authorization URL (code + PKCE S256 + state), the code exchange, refresh,
 * and revocation, each sent through the guarded provider HTTP client.
 * Slack's OAuth v2 answers are not RFC 6749 token answers (HTTP 200 with
 * `{ok: false, error}`), so they are parsed by their own schema. Microsoft's
 * refresh names its scopes. Revocation follows each provider's own way
 * (RFC 7009 form, Dropbox/Slack bearer calls, Graph's revokeSignInSessions),
 * refreshing once first when the stored access token has expired.
 */
import { FerryError } from '@ferry/core';
import * as oauth from 'oauth4webapi';
import { z } from 'zod';
import type { ResolvedProvider } from './provider-catalog.js';
import type { ProviderHttp } from './provider-http.js';

export type ConfiguredProvider = ResolvedProvider & { credentials: { clientId: string; clientSecret: string } };

/** Tokens as a provider issued them. */
export interface TokenSet {
  accessToken: string;
  /** Absent when the provider kept the old one (Google refreshes never repeat it). */
  refreshToken?: string;
  expiresInSeconds?: number;
  scope?: string;
  /** Slack: the team the user connected. */
  team?: { id: string; name: string | null };
}

/** What a refresh came to: new tokens, the grant being gone (reconnect), or a passing problem. */
export type RefreshOutcome =
  | { kind: 'refreshed'; tokens: TokenSet }
  | { kind: 'invalid_grant'; message: string }
  | { kind: 'failed'; message: string; retryAfterMs: number | null };

function authorizationServer(provider: ConfiguredProvider): oauth.AuthorizationServer {
  return {
    issuer: provider.issuer,
    authorization_endpoint: provider.authorizeUrl,
    token_endpoint: provider.tokenUrl,
    ...(provider.revokeUrl !== null ? { revocation_endpoint: provider.revokeUrl } : {}),
  };
}

function clientAuth(provider: ConfiguredProvider): oauth.ClientAuth {
  const secret = provider.credentials.clientSecret;
  return provider.tokenEndpointAuth === 'client_secret_basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
}

function requestOptions(provider: ConfiguredProvider, http: ProviderHttp, paceKey: string): oauth.TokenEndpointRequestOptions {
  return {
    [oauth.customFetch]: (url, options) =>
      http.fetch(paceKey, provider.rateLimitPerSecond, url, {
        method: options.method,
        headers: options.headers,
        body: options.body === undefined ? '' : String(options.body),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    // Only an operator-configured http:// endpoint (an emulator on this machine) is ever plain HTTP.
    [oauth.allowInsecureRequests]: new URL(provider.tokenUrl).protocol === 'http:',
  };
}

export interface AuthorizationStart {
  url: string;
  state: string;
  codeVerifier: string;
}

export async function buildAuthorizationUrl(provider: ConfiguredProvider, redirectUri: string): Promise<AuthorizationStart> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(provider.authorizeUrl);
  url.searchParams.set('client_id', provider.credentials.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set(provider.scopeParameter, provider.scopes.join(provider.dialect === 'slack' ? ',' : ' '));
  url.searchParams.set('state', state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  for (const [name, value] of Object.entries(provider.extraAuthorizeParams)) url.searchParams.set(name, value);
  return { url: url.toString(), state, codeVerifier };
}

const slackTokenAnswerSchema = z.union([
  z.object({
    ok: z.literal(true),
    access_token: z.string().optional(),
    refresh_token: z.string().optional(),
    expires_in: z.number().optional(),
    scope: z.string().optional(),
    team: z.object({ id: z.string(), name: z.string().nullish() }).nullish(),
    authed_user: z
      .object({ id: z.string(), access_token: z.string().optional(), refresh_token: z.string().optional(), expires_in: z.number().optional(), scope: z.string().optional() })
      .optional(),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

/** Slack's error names for a grant that is gone. */
const slackDeadGrant = new Set(['invalid_refresh_token', 'invalid_code', 'token_revoked', 'invalid_grant']);

async function slackTokens(response: Response): Promise<TokenSet> {
  const parsed = slackTokenAnswerSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new FerryError('provider_error', `Slack answered the token request with HTTP ${response.status} and an unexpected body.`);
  const answer = parsed.data;
  if (!answer.ok) {
    throw slackDeadGrant.has(answer.error) ? new GrantGone(`Slack refused the grant (${answer.error}).`) : new FerryError('provider_error', `Slack refused the token request (${answer.error}).`);
  }
  // User-scope installs carry the user's token in authed_user; a refresh answers at the top level.
  const user = answer.authed_user;
  const accessToken = user?.access_token ?? answer.access_token;
  if (accessToken === undefined) throw new FerryError('provider_error', 'Slack answered without an access token.');
  const refreshToken = user?.refresh_token ?? answer.refresh_token;
  const expiresIn = user?.expires_in ?? answer.expires_in;
  const scope = user?.scope ?? answer.scope;
  return {
    accessToken,
    ...(refreshToken !== undefined ? { refreshToken } : {}),
    ...(expiresIn !== undefined ? { expiresInSeconds: expiresIn } : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(answer.team ? { team: { id: answer.team.id, name: answer.team.name ?? null } } : {}),
  };
}

/** The provider no longer honours the grant (invalid_grant): the user must connect again. */
export class GrantGone extends Error {}

function fromTokenResponse(answer: oauth.TokenEndpointResponse): TokenSet {
  return {
    accessToken: answer.access_token,
    ...(answer.refresh_token !== undefined ? { refreshToken: answer.refresh_token } : {}),
    ...(answer.expires_in !== undefined ? { expiresInSeconds: answer.expires_in } : {}),
    ...(answer.scope !== undefined ? { scope: answer.scope } : {}),
  };
}

function describeFailure(provider: ConfiguredProvider, error: unknown): FerryError {
  if (error instanceof FerryError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    return new FerryError('provider_error', `${provider.name} refused the token request (${error.error}, HTTP ${error.status}).`);
  }
  return new FerryError('provider_error', `${provider.name} sent an unusable token answer: ${error instanceof Error ? error.message : String(error)}`);
}

/** Checks the callback (state, error, iss) and trades the code for tokens. */
export async function exchangeCode(
  provider: ConfiguredProvider,
  http: ProviderHttp,
  input: { callbackUrl: URL; expectedState: string; codeVerifier: string; redirectUri: string },
): Promise<TokenSet> {
  const as = authorizationServer(provider);
  const client: oauth.Client = { client_id: provider.credentials.clientId };
  let parameters: URLSearchParams;
  try {
    parameters = oauth.validateAuthResponse(as, client, input.callbackUrl, input.expectedState);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      const denied = error.error === 'access_denied';
      throw new FerryError('bad_request', denied ? `${provider.name} access was not allowed, so nothing was connected.` : `${provider.name} answered the sign-in with an error (${error.error}).`);
    }
    throw new FerryError('bad_request', `The answer from ${provider.name} does not belong to this sign-in: ${error instanceof Error ? error.message : String(error)}`);
  }
  const paceKey = `provider:${provider.id}`;
  try {
    const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth(provider), parameters, input.redirectUri, input.codeVerifier, requestOptions(provider, http, paceKey));
    if (provider.dialect === 'slack') return await slackTokens(response);
    return fromTokenResponse(await oauth.processAuthorizationCodeResponse(as, client, response));
  } catch (error) {
    if (error instanceof GrantGone || (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant')) {
      throw new FerryError('bad_request', `${provider.name} did not accept the sign-in code (it expired or was used already); start connecting again.`);
    }
    throw describeFailure(provider, error);
  }
}

export async function refreshTokens(provider: ConfiguredProvider, http: ProviderHttp, paceKey: string, refreshToken: string): Promise<RefreshOutcome> {
  const as = authorizationServer(provider);
  const client: oauth.Client = { client_id: provider.credentials.clientId };
  try {
    // Microsoft's refresh grant must name the scopes it renews.
    const additionalParameters = provider.dialect === 'microsoft' ? { scope: provider.scopes.join(' ') } : undefined;
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth(provider), refreshToken, {
      ...requestOptions(provider, http, paceKey),
      ...(additionalParameters !== undefined ? { additionalParameters } : {}),
    });
    const retryAfter = response.status === 429 || response.status === 503 ? http.blockedUntil(paceKey) - Date.now() : null;
    if (retryAfter !== null) return { kind: 'failed', message: `${provider.name} asked Ferry to slow down (HTTP ${response.status}).`, retryAfterMs: Math.max(0, retryAfter) };
    const tokens = provider.dialect === 'slack' ? await slackTokens(response) : fromTokenResponse(await oauth.processRefreshTokenResponse(as, client, response));
    return { kind: 'refreshed', tokens };
  } catch (error) {
    if (error instanceof GrantGone) return { kind: 'invalid_grant', message: error.message };
    if (error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant') {
      return { kind: 'invalid_grant', message: `${provider.name} no longer accepts this connection (invalid_grant): reconnect it.` };
    }
    // Microsoft asks for the user to sign in again (MFA, conditional access) with interaction_required: only a reconnect helps.
    if (provider.dialect === 'microsoft' && error instanceof oauth.ResponseBodyError && error.error === 'interaction_required') {
      return { kind: 'invalid_grant', message: `${provider.name} wants the user to sign in again (interaction_required): reconnect it.` };
    }
    return { kind: 'failed', message: describeFailure(provider, error).message, retryAfterMs: null };
  }
}

const slackRevokeAnswerSchema = z.union([z.object({ ok: z.literal(true), revoked: z.boolean() }), z.object({ ok: z.literal(false), error: z.string() })]);
/** Slack's answers for a token that no longer works (after a refresh, a new one may). */
export const slackAuthErrors: ReadonlySet<string> = new Set(['not_authed', 'invalid_auth', 'token_revoked', 'token_expired', 'account_inactive']);
const graphRevokeAnswerSchema = z.object({ value: z.boolean() });
const graphErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });

type BearerRevocation = { kind: 'revoked' } | { kind: 'unauthorized' } | { kind: 'refused'; message: string };

/** One revocation call that carries the access token as Bearer (Dropbox, Slack auth.revoke, Graph revokeSignInSessions). */
async function revokeWithBearer(provider: ConfiguredProvider, http: ProviderHttp, paceKey: string, accessToken: string): Promise<BearerRevocation> {
  const response = await http.fetch(paceKey, provider.rateLimitPerSecond, provider.revokeUrl ?? '', {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  const body: unknown = await response.json().catch(() => null);
  if (provider.dialect === 'slack') {
    // Slack answers HTTP 200 either way: `{ok: true, revoked}` or `{ok: false, error}`.
    const parsed = slackRevokeAnswerSchema.safeParse(body);
    if (!parsed.success) return { kind: 'refused', message: `Slack answered auth.revoke with HTTP ${response.status} and an unexpected body.` };
    if (parsed.data.ok) return parsed.data.revoked ? { kind: 'revoked' } : { kind: 'refused', message: 'Slack answered auth.revoke without revoking the token.' };
    return slackAuthErrors.has(parsed.data.error) ? { kind: 'unauthorized' } : { kind: 'refused', message: `Slack refused auth.revoke (${parsed.data.error}).` };
  }
  if (response.status === 401) return { kind: 'unauthorized' };
  if (provider.dialect === 'microsoft') {
    const parsed = graphRevokeAnswerSchema.safeParse(body);
    if (response.ok && parsed.success && parsed.data.value) return { kind: 'revoked' };
    const error = graphErrorSchema.safeParse(body);
    const why = error.success ? `${error.data.error.code}, HTTP ${response.status}` : `HTTP ${response.status}`;
    const hint = response.status === 403 ? ': revoking sign-in sessions needs the User.RevokeSessions.All permission' : '';
    return { kind: 'refused', message: `Microsoft refused to revoke the sign-in sessions (${why})${hint}.` };
  }
  return response.ok ? { kind: 'revoked' } : { kind: 'refused', message: `${provider.name} refused the revocation (HTTP ${response.status}).` };
}

/**
 * Revokes the grant at the provider; false when it has no revocation endpoint
 * or (Google, Dropbox) refused. A stored access token that expired is
 * refreshed once and the call repeated. Slack and Microsoft refusals throw a
 * FerryError saying why (the caller records it and forgets the tokens anyway).
 */
export async function revokeGrant(provider: ConfiguredProvider, http: ProviderHttp, paceKey: string, tokens: { accessToken: string | null; refreshToken: string | null }): Promise<boolean> {
  if (provider.revokeUrl === null) return false;
  if (provider.dialect !== 'standard') {
    if (tokens.accessToken === null) return false;
    let outcome = await revokeWithBearer(provider, http, paceKey, tokens.accessToken);
    if (outcome.kind === 'unauthorized' && tokens.refreshToken !== null) {
      const refreshed = await refreshTokens(provider, http, paceKey, tokens.refreshToken);
      if (refreshed.kind === 'refreshed') outcome = await revokeWithBearer(provider, http, paceKey, refreshed.tokens.accessToken);
    }
    if (outcome.kind === 'revoked') return true;
    if (outcome.kind === 'refused' && provider.dialect !== 'dropbox') throw new FerryError('provider_error', outcome.message);
    return false;
  }
  // RFC 7009: revoking the refresh token ends the whole grant (Google: and its access tokens).
  const token = tokens.refreshToken ?? tokens.accessToken;
  if (token === null) return false;
  const form = new URLSearchParams({ token, ...(tokens.refreshToken !== null ? { token_type_hint: 'refresh_token' } : {}) });
  const response = await http.fetch(paceKey, provider.rateLimitPerSecond, provider.revokeUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return response.ok;
}
