/**
 * @module api/sign-in-next
 * Where the console may send the browser after sign-in: only the `next` query
 * parameter that names this server's own OAuth authorize endpoint. Anything
 * else (another origin, `//host`, `javascript:`, other paths) is refused, so
 * the sign-in page cannot be used as an open redirect.
 */

const authorizePath = '/oauth/authorize';

/**
 * The same-origin URL to continue to, or null. `search` is `location.search`,
 * `origin` is `location.origin`.
 */
export function signInNextTarget(search: string, origin: string): string | null {
  const next = new URLSearchParams(search).get('next');
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return null;
  let target: URL;
  try {
    target = new URL(next, origin);
  } catch {
    return null;
  }
  if (target.origin !== origin) return null;
  if (target.pathname !== authorizePath) return null;
  return `${target.pathname}${target.search}`;
}
