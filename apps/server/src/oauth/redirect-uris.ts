/**
 * @module oauth/redirect-uris
 * Which redirect URIs a client may register, and when a requested one matches.
 * Matching is exact string equality (RFC 6749 §3.1.2, OAuth 2.1), except that
 * for loopback IP literals (127.0.0.1, [::1]) any port matches, as native apps
 * listen on an ephemeral port (RFC 8252 §7.3). `localhost` is refused (§8.3).
 */
import type { Result } from '@ferry/core';

const loopbackHosts = new Set(['127.0.0.1', '[::1]']);

/** Checks a URI for registration; answers a reason when it is refused. */
export function checkRedirectUri(raw: string): Result<string, string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: `"${raw}" is not an absolute URL.` };
  }
  if (raw.includes('#')) return { ok: false, error: `"${raw}" has a fragment, which a redirect URI must not have.` };
  if (url.username !== '' || url.password !== '') return { ok: false, error: `"${raw}" carries user information.` };
  if (url.protocol === 'https:') return { ok: true, value: raw };
  if (url.protocol === 'http:' && loopbackHosts.has(url.hostname)) return { ok: true, value: raw };
  return { ok: false, error: `"${raw}" must use https, or http on the loopback addresses 127.0.0.1 or [::1].` };
}

/** The loopback URI without its port, for port-agnostic comparison; null for any other URI. */
function loopbackWithoutPort(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' || !loopbackHosts.has(url.hostname) || raw.includes('#')) return null;
  return `http://${url.hostname}${url.pathname}${url.search}`;
}

export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const registeredLoopback = loopbackWithoutPort(registered);
  return registeredLoopback !== null && registeredLoopback === loopbackWithoutPort(requested);
}

export function findRegisteredRedirectUri(registered: readonly string[], requested: string): boolean {
  return registered.some((uri) => redirectUriMatches(uri, requested));
}
