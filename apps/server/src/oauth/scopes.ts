/**
 * @module oauth/scopes
 * The scopes an OAuth client may ask for, each with the plain words the
 * consent page shows. `offline_access` grants a refresh token (access that
 * lasts while the user is away); the others name what API routes may do.
 */
import type { ApiScope } from '@ferry/core';

export type OAuthScope = ApiScope | 'offline_access';

export const scopeCatalog = {
  'files:read': 'See your files and folders, download them, and follow changes to them',
  'files:write': 'Create, change, move and delete files and folders',
  'shares:write': 'See, create and revoke share links',
  'webhooks:manage': 'Send notifications of changes to other services (webhooks)',
  offline_access: 'Keep this access while you are away, until you withdraw it',
} as const satisfies Record<OAuthScope, string>;

export const supportedScopes = Object.keys(scopeCatalog) as OAuthScope[];

export function isOAuthScope(value: string): value is OAuthScope {
  return Object.hasOwn(scopeCatalog, value);
}

/** Splits a `scope` parameter (RFC 6749 §3.3: space-delimited); null when it names an unknown scope. */
export function parseScopeParameter(raw: string): OAuthScope[] | null {
  const names = raw.split(' ').filter((name) => name.length > 0);
  if (!names.every(isOAuthScope)) return null;
  return [...new Set(names)].sort() as OAuthScope[];
}

/** Scopes are stored and answered as one space-separated string. */
export function formatScopes(scopes: readonly string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}

export function storedScopes(stored: string): OAuthScope[] {
  return parseScopeParameter(stored) ?? [];
}

export function isSubset(requested: readonly string[], granted: readonly string[]): boolean {
  return requested.every((scope) => granted.includes(scope));
}
