/**
 * @module drivers/provider-tokens
 * Access tokens for the provider drivers. A driver is given either a refresh
 * token (it then refreshes at the provider's OAuth token endpoint itself) or
 * an `AccessTokenProvider` callback (the server's connection vault, which
 * refreshes single-flight with a lease and marks `invalid_grant`
 * connections). Either way the driver asks for a fresh token when the
 * provider says the current one expired.
 */
import { FerryError } from '@ferry/core/errors';
import { z } from 'zod';

/** Gives the current access token; `forceRefresh` when the provider just refused it. */
export type AccessTokenProvider = (request: { readonly forceRefresh: boolean }) => Promise<string>;

export interface RefreshTokenGrant {
  readonly refreshToken: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** The provider's token endpoint (overridable so an emulator can stand in). */
  readonly tokenUrl: string;
  /** An access token already at hand (skips the first refresh). */
  readonly accessToken?: string;
}

const tokenAnswerSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().optional() });
const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/**
 * A provider for a refresh-token grant (RFC 6749 section 6), single-flight:
 * concurrent callers share one refresh. `invalid_grant` becomes
 * `unauthenticated` (the user must reconnect); anything else `unavailable`.
 */
export function refreshTokenProvider(grant: RefreshTokenGrant, providerName: string, fetchImpl: typeof fetch = fetch): AccessTokenProvider {
  let current = grant.accessToken;
  let expiresAt = Number.POSITIVE_INFINITY;
  let inFlight: Promise<string> | undefined;
  const refresh = async (): Promise<string> => {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: grant.refreshToken, client_id: grant.clientId });
    if (grant.clientSecret !== undefined) form.set('client_secret', grant.clientSecret);
    let response: Response;
    try {
      response = await fetchImpl(grant.tokenUrl, { method: 'POST', body: form, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new FerryError('unavailable', `${providerName}'s token endpoint cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const problem = oauthErrorSchema.safeParse(body);
      if (problem.success && problem.data.error === 'invalid_grant') {
        throw new FerryError('unauthenticated', `${providerName} no longer accepts this connection's refresh token (invalid_grant): reconnect the account.`);
      }
      throw new FerryError('unavailable', `${providerName}'s token endpoint answered ${response.status}${problem.success ? ` (${problem.data.error})` : ''}.`);
    }
    const answer = tokenAnswerSchema.safeParse(body);
    if (!answer.success) throw new FerryError('unavailable', `${providerName}'s token endpoint sent an answer without an access token.`);
    current = answer.data.access_token;
    expiresAt = answer.data.expires_in === undefined ? Number.POSITIVE_INFINITY : Date.now() + answer.data.expires_in * 1000 - 60_000;
    return current;
  };
  return async ({ forceRefresh }) => {
    if (!forceRefresh && current !== undefined && Date.now() < expiresAt) return current;
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
