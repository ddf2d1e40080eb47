/**
 * @module connections/provider-catalog
 * What Ferry knows about each provider it connects to, declared once: the
 * OAuth endpoints, default scopes, extra authorize parameters, how the client
 * authenticates at the token endpoint, where the account identity comes
 * from, and each provider's quirks. Every URL can be overridden (one by one,
 * or all at once with `origin`) so the emulators stand in; client ids and
 * secrets come from the config or `FERRY_<PROVIDER>_CLIENT_ID` / `_SECRET`.
 * A provider without credentials is listed as not configured.
 */
import { FerryError, providerIds, type ProviderId } from '@ferry/core';

export type TokenEndpointAuth = 'client_secret_basic' | 'client_secret_post';

/** How a provider's token answers and revocation look, where they differ from RFC 6749 / RFC 7009. */
export type ProviderDialect =
  /** RFC 6749 token answers; revocation takes the token as a form field (RFC 7009). */
  | 'standard'
  /** Dropbox: revocation is an authenticated call with the access token as Bearer and no body. */
  | 'dropbox'
  /** Slack OAuth v2: `oauth.v2.access` answers 200 with `{ok, error}`; tokens may not expire. */
  | 'slack'
  /**
   * Microsoft identity platform: a refresh must name its scopes; there is no
   * RFC 7009 endpoint, so revocation is Graph's `revokeSignInSessions` with
   * the access token as Bearer (it needs User.RevokeSessions.All).
   */
  | 'microsoft';

export interface ProviderSpec {
  id: ProviderId;
  name: string;
  /** The authorization server's issuer (checked against an `iss` in the callback). */
  issuer: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** null: the provider has no revocation endpoint (disconnecting forgets the tokens only). */
  revokeUrl: string | null;
  /** Where the connected account's identity is read with the access token. */
  accountUrl: string;
  accountMethod: 'GET' | 'POST';
  /** The base of the provider's API, for drivers. */
  apiBaseUrl: string;
  scopes: readonly string[];
  /** The authorize parameter that carries the scopes (Slack's user scopes go in `user_scope`). */
  scopeParameter: 'scope' | 'user_scope';
  extraAuthorizeParams: Readonly<Record<string, string>>;
  tokenEndpointAuth: TokenEndpointAuth;
  dialect: ProviderDialect;
  /** Calls per second Ferry makes for one connection (the provider's own limits are lower per user). */
  rateLimitPerSecond: number;
  /** The prefix of the short env names: `FERRY_<prefix>_CLIENT_ID`. */
  envPrefix: string;
}

/** What a deployment (or a test) may change per provider. */
export interface ProviderOverrides {
  clientId?: string;
  clientSecret?: string;
  /** Put every endpoint at this origin, keeping the paths (an emulator of the provider). */
  origin?: string;
  authorizeUrl?: string;
  tokenUrl?: string;
  revokeUrl?: string | null;
  accountUrl?: string;
  apiBaseUrl?: string;
  scopes?: readonly string[];
  rateLimitPerSecond?: number;
}

export type ProviderOverridesById = Partial<Record<ProviderId, ProviderOverrides>>;

/** A provider as this server uses it: endpoints after overrides, and credentials when configured. */
export interface ResolvedProvider extends ProviderSpec {
  credentials: { clientId: string; clientSecret: string } | null;
}

export const providerCatalog: Readonly<Record<ProviderId, ProviderSpec>> = {
  'google-drive': {
    id: 'google-drive',
    name: 'Google Drive',
    issuer: 'https://accounts.google.com',
    authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    revokeUrl: 'https://oauth2.googleapis.com/revoke',
    accountUrl: 'https://www.googleapis.com/drive/v3/about?fields=user',
    accountMethod: 'GET',
    apiBaseUrl: 'https://www.googleapis.com',
    scopes: ['https://www.googleapis.com/auth/drive'],
    scopeParameter: 'scope',
    // A refresh token is issued only for offline access, and again only when consent is asked again.
    extraAuthorizeParams: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'true' },
    tokenEndpointAuth: 'client_secret_post',
    dialect: 'standard',
    rateLimitPerSecond: 10,
    envPrefix: 'GOOGLE',
  },
  dropbox: {
    id: 'dropbox',
    name: 'Dropbox',
    issuer: 'https://www.dropbox.com',
    authorizeUrl: 'https://www.dropbox.com/oauth2/authorize',
    tokenUrl: 'https://api.dropboxapi.com/oauth2/token',
    revokeUrl: 'https://api.dropboxapi.com/2/auth/token/revoke',
    accountUrl: 'https://api.dropboxapi.com/2/users/get_current_account',
    accountMethod: 'POST',
    apiBaseUrl: 'https://api.dropboxapi.com',
    scopes: ['account_info.read', 'files.metadata.read', 'files.metadata.write', 'files.content.read', 'files.content.write'],
    scopeParameter: 'scope',
    // Short-lived access tokens plus a refresh token.
    extraAuthorizeParams: { token_access_type: 'offline' },
    tokenEndpointAuth: 'client_secret_basic',
    dialect: 'dropbox',
    rateLimitPerSecond: 10,
    envPrefix: 'DROPBOX',
  },
  slack: {
    id: 'slack',
    name: 'Slack',
    issuer: 'https://slack.com',
    authorizeUrl: 'https://slack.com/oauth/v2/authorize',
    tokenUrl: 'https://slack.com/api/oauth.v2.access',
    revokeUrl: 'https://slack.com/api/auth.revoke',
    accountUrl: 'https://slack.com/api/auth.test',
    accountMethod: 'POST',
    apiBaseUrl: 'https://slack.com/api',
    // Acting as the user who connects: user token scopes (OAuth v2 `user_scope`).
    scopes: ['files:read', 'files:write', 'chat:write', 'channels:read'],
    scopeParameter: 'user_scope',
    extraAuthorizeParams: {},
    tokenEndpointAuth: 'client_secret_basic',
    dialect: 'slack',
    rateLimitPerSecond: 1,
    envPrefix: 'SLACK',
  },
  microsoft: {
    id: 'microsoft',
    name: 'Microsoft 365',
    issuer: 'https://login.microsoftonline.com/common/v2.0',
    authorizeUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    // The identity platform has no per-grant revocation endpoint; Graph's revokeSignInSessions ends every
    // refresh token of the user (all apps) and needs User.RevokeSessions.All, which is not asked for by
    // default (admin consent): without it Graph answers 403 and disconnecting only forgets the tokens.
    revokeUrl: 'https://graph.microsoft.com/v1.0/me/revokeSignInSessions',
    accountUrl: 'https://graph.microsoft.com/v1.0/me',
    accountMethod: 'GET',
    apiBaseUrl: 'https://graph.microsoft.com/v1.0',
    // offline_access is the scope that yields a refresh token.
    scopes: ['offline_access', 'User.Read', 'Files.ReadWrite', 'Mail.ReadWrite'],
    scopeParameter: 'scope',
    extraAuthorizeParams: { response_mode: 'query' },
    tokenEndpointAuth: 'client_secret_post',
    dialect: 'microsoft',
    rateLimitPerSecond: 10,
    envPrefix: 'MICROSOFT',
  },
};

function rebase(url: string, origin: string | undefined): string {
  if (origin === undefined) return url;
  const parsed = new URL(url);
  const base = new URL(origin);
  return `${base.origin}${parsed.pathname}${parsed.search}`;
}

export function resolveProvider(id: ProviderId, overrides: ProviderOverridesById): ResolvedProvider {
  const spec = providerCatalog[id];
  const own = overrides[id] ?? {};
  const at = (url: string) => rebase(url, own.origin);
  const revokeUrl = own.revokeUrl === undefined ? (spec.revokeUrl === null ? null : at(spec.revokeUrl)) : own.revokeUrl;
  return {
    ...spec,
    authorizeUrl: own.authorizeUrl ?? at(spec.authorizeUrl),
    tokenUrl: own.tokenUrl ?? at(spec.tokenUrl),
    revokeUrl,
    accountUrl: own.accountUrl ?? at(spec.accountUrl),
    apiBaseUrl: own.apiBaseUrl ?? (own.origin === undefined ? spec.apiBaseUrl : at(spec.apiBaseUrl)),
    scopes: own.scopes ?? spec.scopes,
    rateLimitPerSecond: own.rateLimitPerSecond ?? spec.rateLimitPerSecond,
    credentials: own.clientId && own.clientSecret ? { clientId: own.clientId, clientSecret: own.clientSecret } : null,
  };
}

/** The provider with its credentials, or provider_not_configured. */
export function configuredProvider(id: ProviderId, overrides: ProviderOverridesById): ResolvedProvider & { credentials: { clientId: string; clientSecret: string } } {
  const provider = resolveProvider(id, overrides);
  const { credentials } = provider;
  if (credentials === null) {
    throw new FerryError(
      'provider_not_configured',
      `${provider.name} is not configured on this server: set FERRY_${provider.envPrefix}_CLIENT_ID and FERRY_${provider.envPrefix}_CLIENT_SECRET.`,
    );
  }
  return { ...provider, credentials };
}

const envFields = {
  CLIENT_ID: 'clientId',
  CLIENT_SECRET: 'clientSecret',
  ORIGIN: 'origin',
  AUTHORIZE_URL: 'authorizeUrl',
  TOKEN_URL: 'tokenUrl',
  REVOKE_URL: 'revokeUrl',
  ACCOUNT_URL: 'accountUrl',
  API_BASE_URL: 'apiBaseUrl',
} as const;

/**
 * Overrides from the environment: `FERRY_<PREFIX>_CLIENT_ID` / `_CLIENT_SECRET`
 * (e.g. FERRY_GOOGLE_CLIENT_ID), and `FERRY_PROVIDER_<ID>_<FIELD>` for any field
 * (ID upper-cased with `-` as `_`, e.g. FERRY_PROVIDER_GOOGLE_DRIVE_TOKEN_URL;
 * SCOPES space- or comma-separated; RATE_LIMIT_PER_SECOND a number;
 * REVOKE_URL `none` for no revocation call).
 */
export function providerOverridesFromEnv(env: NodeJS.ProcessEnv): ProviderOverridesById {
  const result: ProviderOverridesById = {};
  for (const id of providerIds) {
    const own: ProviderOverrides = {};
    const short = `FERRY_${providerCatalog[id].envPrefix}_`;
    const long = `FERRY_PROVIDER_${id.toUpperCase().replaceAll('-', '_')}_`;
    for (const [suffix, field] of Object.entries(envFields)) {
      const value = env[`${long}${suffix}`] ?? (suffix.startsWith('CLIENT_') ? env[`${short}${suffix}`] : undefined);
      if (value !== undefined && value !== '') own[field] = value;
    }
    // REVOKE_URL=none: disconnecting only forgets the tokens (e.g. Microsoft without User.RevokeSessions.All).
    if (own.revokeUrl === 'none') own.revokeUrl = null;
    const scopes = env[`${long}SCOPES`];
    if (scopes !== undefined && scopes.trim() !== '') own.scopes = scopes.split(/[\s,]+/).filter((scope) => scope !== '');
    const rate = Number(env[`${long}RATE_LIMIT_PER_SECOND`] ?? '');
    if (Number.isFinite(rate) && rate > 0) own.rateLimitPerSecond = rate;
    if (Object.keys(own).length > 0) result[id] = own;
  }
  return result;
}

/** Code options over env, per provider and per field. */
export function mergeProviderOverrides(fromEnv: ProviderOverridesById, fromOptions: ProviderOverridesById | undefined): ProviderOverridesById {
  const merged: ProviderOverridesById = { ...fromEnv };
  for (const id of providerIds) {
    const own = fromOptions?.[id];
    if (own !== undefined) merged[id] = { ...fromEnv[id], ...own };
  }
  return merged;
}
