/**
 * @module dropbox/dropbox-context
 * What every Dropbox route needs: state, tokens, the account, and
 * `dropboxRoute()`, which reads the argument (RPC: JSON body; content:
 * `Dropbox-API-Arg` header or `arg` query), checks the bearer token, and
 * renders thrown DropboxApiErrors. Also the metadata renderers.
 */
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { EmulatorRequest, RouteHandler } from '../http/http-kit.js';
import { parseJsonText } from '../http/http-kit.js';
import type { TokenStore } from '../oauth/token-store.js';
import { badInput, DropboxApiError, sendDropboxError } from './dropbox-errors.js';
import type { DropboxEntry, DropboxState, Tombstone } from './dropbox-state.js';

export interface DropboxAccount {
  accountId: string;
  email: string;
  givenName: string;
  surname: string;
}

export interface DropboxContext {
  readonly state: DropboxState;
  readonly tokens: TokenStore;
  readonly account: DropboxAccount;
}

export type ArgStyle = 'rpc' | 'content' | 'noauth';

export interface RouteCall {
  readonly route: string;
  readonly arg: unknown;
  readonly request: EmulatorRequest;
  readonly response: ServerResponse;
  /** Parses the argument with a schema, answering 400 as Dropbox does. */
  parse<T>(schema: z.ZodType<T>): T;
}

function routeName(request: EmulatorRequest): string {
  return request.url.pathname.replace(/^\/2\//, '');
}

async function readArg(request: EmulatorRequest, route: string, style: ArgStyle): Promise<unknown> {
  if (style === 'content') {
    const header = request.header('dropbox-api-arg') ?? request.url.searchParams.get('arg');
    if (header === undefined || header === null) return null;
    const parsed = parseJsonText(header);
    if (parsed === undefined) throw badInput(route, 'HTTP header "Dropbox-API-Arg": could not decode input as JSON');
    return parsed;
  }
  const text = (await request.body()).toString('utf8');
  if (text.trim() === '' || text.trim() === 'null') return null;
  const contentType = request.header('content-type') ?? '';
  if (!contentType.startsWith('application/json') && !contentType.startsWith('text/plain')) {
    throw badInput(route, `Bad HTTP "Content-Type" header: "${contentType}". Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".`);
  }
  const parsed = parseJsonText(text);
  if (parsed === undefined) throw badInput(route, 'request body: could not decode input as JSON');
  return parsed;
}

function checkAuth(context: DropboxContext, request: EmulatorRequest, route: string): void {
  const match = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '') ?? undefined;
  const token = match?.[1] ?? request.url.searchParams.get('authorization')?.replace(/^Bearer\s+/i, '');
  if (!token) throw badInput(route, 'Must provide HTTP header "Authorization" or URL parameter "authorization".');
  const check = context.tokens.check(token);
  if (check === 'valid') return;
  const tag = check === 'expired' ? 'expired_access_token' : 'invalid_access_token';
  throw new DropboxApiError(401, { '.tag': tag }, { 'www-authenticate': `Bearer realm="Dropbox-API", error="${tag}"` });
}

export function dropboxRoute(context: DropboxContext, style: ArgStyle, handler: (call: RouteCall) => Promise<void> | void): RouteHandler {
  return async (request, response) => {
    const route = routeName(request);
    try {
      if (style !== 'noauth') checkAuth(context, request, route);
      const arg = await readArg(request, route, style);
      const where = style === 'content' ? 'HTTP header "Dropbox-API-Arg"' : 'request body';
      await handler({
        route,
        arg,
        request,
        response,
        parse: (schema) => {
          const parsed = schema.safeParse(arg ?? {});
          if (parsed.success) return parsed.data;
          const issue = parsed.error.issues[0];
          throw badInput(route, `${where}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid input'}`);
        },
      });
    } catch (error) {
      if (!(error instanceof DropboxApiError)) throw error;
      sendDropboxError(response, error);
    }
  };
}

/** FileMetadata; `tagged` adds `.tag` where the result type is the Metadata union. */
export function fileMetadata(entry: DropboxEntry, tagged: boolean): Record<string, unknown> {
  return {
    ...(tagged ? { '.tag': 'file' } : {}),
    name: entry.name,
    path_lower: entry.pathLower,
    path_display: entry.pathDisplay,
    id: entry.id,
    client_modified: entry.clientModified,
    server_modified: entry.serverModified,
    rev: entry.rev,
    size: entry.content?.length ?? 0,
    is_downloadable: true,
    content_hash: entry.contentHash,
  };
}

export function folderMetadata(entry: DropboxEntry, tagged: boolean): Record<string, unknown> {
  return {
    ...(tagged ? { '.tag': 'folder' } : {}),
    name: entry.name,
    path_lower: entry.pathLower,
    path_display: entry.pathDisplay,
    id: entry.id,
  };
}

export function metadata(entry: DropboxEntry): Record<string, unknown> {
  return entry.kind === 'file' ? fileMetadata(entry, true) : folderMetadata(entry, true);
}

export function deletedMetadata(stone: Tombstone): Record<string, unknown> {
  return { '.tag': 'deleted', name: stone.name, path_lower: stone.pathLower, path_display: stone.pathDisplay };
}

/** JSON safe for an HTTP header: every non-ASCII character as `\uXXXX`. */
export function headerSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const writePathPattern = /^\/(.|[\r\n])*$/;

/** Validates a write path (`/a/b`, no trailing slash). */
export function requireWritePath(route: string, field: string, path: string): string {
  if (!writePathPattern.test(path) || path.endsWith('/')) {
    throw badInput(route, `request body: ${field}: '${path}' did not match pattern '(/(.|[\\r\\n])*)|(ns:[0-9]+(/.*)?)'`);
  }
  return path;
}
