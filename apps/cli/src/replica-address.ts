/**
 * @module replica-address
 * The addresses `ferry sync` takes for its two sides, parsed with errors a
 * user can act on (exit code 2), and where a pair keeps its state:
 *   /path or ./path                      a local folder
 *   ferry://host:port/<workspace>/<path> a folder on a Ferry server (http)
 *   ferrys://host:port/<workspace>/<path> the same over https (TLS)
 *   gdrive:<connection>/<path>           a folder in a Google Drive
 *   dropbox:<connection>/<path>          a folder in a Dropbox
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from './exit-codes.js';

export type ReplicaAddress =
  | { readonly kind: 'local'; readonly path: string }
  | { readonly kind: 'ferry'; readonly baseUrl: string; readonly workspace: string; readonly path: string }
  | { readonly kind: 'gdrive'; readonly connection: string; readonly path: string }
  | { readonly kind: 'dropbox'; readonly connection: string; readonly path: string };

export const addressHelp = `Replica addresses:
  /path, ./path                          a local folder (a path with ":" in it: write ./name:x)
  ferry://host:port/<workspace>/<path>   a folder on a Ferry server over http; the workspace is its id or name
  ferrys://host:port/<workspace>/<path>  the same over https (TLS)
  gdrive:<connection>/<path>             a folder in Google Drive (created when missing)
  dropbox:<connection>/<path>            a folder in Dropbox (created when missing)`;

const schemePattern = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;

/** Splits `a/b/c` into decoded segments; rejects `.` and `..` (paths are from the root). */
function segmentsOf(raw: string, address: string): string[] {
  const segments: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      throw new UsageError(`"${address}": "${part}" is not valid percent-encoding.`);
    }
    if (segment === '.' || segment === '..') throw new UsageError(`"${address}": the path must be absolute from the root of the replica, without "." or ".." segments.`);
    segments.push(segment);
  }
  return segments;
}

function parseFerry(scheme: 'ferry' | 'ferrys', rest: string, address: string): ReplicaAddress {
  if (!rest.startsWith('//')) throw new UsageError(`"${address}": write ${scheme}://host:port/<workspace>/<path>.`);
  const afterSlashes = rest.slice(2);
  const slash = afterSlashes.indexOf('/');
  const host = slash === -1 ? afterSlashes : afterSlashes.slice(0, slash);
  const pathPart = slash === -1 ? '' : afterSlashes.slice(slash);
  if (host === '') throw new UsageError(`"${address}": the server's host is missing; write ${scheme}://host:port/<workspace>/<path>.`);
  const protocol = scheme === 'ferrys' ? 'https' : 'http';
  let baseUrl: URL;
  try {
    baseUrl = new URL(`${protocol}://${host}`);
  } catch {
    throw new UsageError(`"${address}": "${host}" is not a host[:port].`);
  }
  if (baseUrl.username !== '' || baseUrl.password !== '') throw new UsageError(`"${address}": put no credentials in the address; use --token or FERRY_TOKEN.`);
  if (pathPart.includes('?') || pathPart.includes('#')) throw new UsageError(`"${address}": a replica address takes no query or fragment; percent-encode "?" and "#" in names.`);
  if (pathPart !== '' && !pathPart.startsWith('/')) throw new UsageError(`"${address}": the path must start with "/".`);
  const [workspace, ...folders] = segmentsOf(pathPart, address);
  if (workspace === undefined) throw new UsageError(`"${address}": the workspace is missing; write ${scheme}://${host}/<workspace>/<path> (its id or name).`);
  return { kind: 'ferry', baseUrl: baseUrl.origin, workspace, path: `/${folders.join('/')}` };
}

function parseProvider(kind: 'gdrive' | 'dropbox', rest: string, address: string): ReplicaAddress {
  if (rest.startsWith('/')) throw new UsageError(`"${address}": write ${kind}:<connection>/<path>, with the connection's name first (no slashes after "${kind}:").`);
  const [connection, ...folders] = segmentsOf(rest, address);
  if (connection === undefined) throw new UsageError(`"${address}": the connection is missing; write ${kind}:<connection>/<path>.`);
  return { kind, connection, path: `/${folders.join('/')}` };
}

/** Parses one replica address; a local path is resolved against `cwd`. */
export function parseReplicaAddress(address: string, cwd: string): ReplicaAddress {
  if (address.trim() === '') throw new UsageError('A replica address is empty.');
  const match = schemePattern.exec(address);
  // "C:\x" style paths never reach here on POSIX; a one-letter scheme is still a scheme.
  if (match === null || isAbsolute(address) || address.startsWith('.')) return { kind: 'local', path: resolve(cwd, address) };
  const scheme = (match[1] ?? '').toLowerCase();
  const rest = match[2] ?? '';
  switch (scheme) {
    case 'ferry':
    case 'ferrys':
      return parseFerry(scheme, rest, address);
    case 'gdrive':
    case 'dropbox':
      return parseProvider(scheme, rest, address);
    case 'ferry+https':
    case 'https':
    case 'http':
      throw new UsageError(`"${address}": for a Ferry server write ferry://host:port/<workspace>/<path> (http) or ferrys://host:port/<workspace>/<path> (https).`);
    default:
      throw new UsageError(`"${address}": unknown scheme "${scheme}:"; use a local path, ferry://, ferrys://, gdrive: or dropbox: (for a local name with ":" write ./${address}).`);
  }
}

/** One stable string per replica, the same however it was typed (workspace as its id once resolved). */
export function canonicalAddress(address: ReplicaAddress, workspaceId?: string): string {
  switch (address.kind) {
    case 'local':
      return `file://${address.path}`;
    case 'ferry':
      return `${address.baseUrl.replace(/^http/, 'ferry')}/${encodeURIComponent(workspaceId ?? address.workspace)}${address.path}`;
    case 'gdrive':
    case 'dropbox':
      return `${address.kind}:${address.connection}${address.path}`;
  }
}

/** The state file of a pair: `<dir>/<sha256 of "a\nb">.db`, `dir` defaulting to `$XDG_STATE_HOME/ferry/sync`. */
export function stateFileFor(canonicalA: string, canonicalB: string, env: Record<string, string | undefined>, dir?: string): string {
  const xdg = env.XDG_STATE_HOME;
  const base = dir ?? (xdg !== undefined && isAbsolute(xdg) ? join(xdg, 'ferry', 'sync') : join(env.HOME ?? homedir(), '.local', 'state', 'ferry', 'sync'));
  const key = createHash('sha256').update(`${canonicalA}\n${canonicalB}`).digest('hex');
  return join(resolve(base), `${key}.db`);
}
