/**
 * @module dropbox/dropbox-content-routes
 * Dropbox v2 content endpoints: files/upload (write modes add / overwrite /
 * update with rev, autorename, strict_conflict, content_hash check), the
 * upload sessions (start, append_v2, finish with offset checks) and
 * files/download (metadata in `Dropbox-API-Result`, Range supported).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sendBytes, sendJson, type Router } from '../http/http-kit.js';
import { dropboxContentHash } from './content-hash.js';
import { dropboxRoute, fileMetadata, headerSafeJson, requireWritePath, type DropboxContext } from './dropbox-context.js';
import { DropboxApiError, endpointError, lookupNotFound, type DropboxUnion } from './dropbox-errors.js';
import type { CommitInfo, WriteMode } from './dropbox-state.js';

/** Dropbox's limit for one files/upload call and one session request: 150 MiB. */
const maxRequestBytes = 150 * 1024 * 1024;

const writeModeSchema = z.union([
  z.enum(['add', 'overwrite']),
  z.object({ '.tag': z.enum(['add', 'overwrite']) }),
  z.object({ '.tag': z.literal('update'), update: z.string().min(9) }),
]);

const commitSchema = z.object({
  path: z.string(),
  mode: writeModeSchema.default('add'),
  autorename: z.boolean().default(false),
  client_modified: z.string().optional(),
  mute: z.boolean().default(false),
  strict_conflict: z.boolean().default(false),
  content_hash: z.string().optional(),
});

const sessionCursorSchema = z.object({ session_id: z.string(), offset: z.number().int().nonnegative() });

function toWriteMode(mode: z.infer<typeof writeModeSchema>): WriteMode {
  if (typeof mode === 'string') return { kind: mode };
  if (mode['.tag'] === 'update' && 'update' in mode) return { kind: 'update', rev: mode.update };
  return { kind: mode['.tag'] === 'overwrite' ? 'overwrite' : 'add' };
}

function toCommitInfo(route: string, commit: z.infer<typeof commitSchema>): CommitInfo {
  return {
    path: requireWritePath(route, 'path', commit.path),
    mode: toWriteMode(commit.mode),
    autorename: commit.autorename,
    strictConflict: commit.strict_conflict,
    ...(commit.client_modified !== undefined ? { clientModified: commit.client_modified } : {}),
  };
}

interface UploadSession {
  chunks: Buffer[];
  offset: number;
  closed: boolean;
}

function tooLarge(route: string): DropboxApiError {
  return new DropboxApiError(400, `Error in call to API function "${route}": request body is larger than ${maxRequestBytes} bytes`);
}

export function registerDropboxContentRoutes(router: Router, context: DropboxContext): void {
  const sessions = new Map<string, UploadSession>();

  router.on('POST', '/2/files/upload', dropboxRoute(context, 'content', async (call) => {
    const commit = call.parse(commitSchema);
    const content = await call.request.body();
    if (content.length > maxRequestBytes) throw tooLarge(call.route);
    if (commit.content_hash !== undefined && commit.content_hash !== dropboxContentHash(content)) {
      throw endpointError({ '.tag': 'content_hash_mismatch' });
    }
    const result = context.state.commitFile(toCommitInfo(call.route, commit), content);
    if (!result.ok) throw endpointError({ '.tag': 'path', reason: result.error, upload_session_id: randomBytes(12).toString('hex') });
    sendJson(call.response, 200, fileMetadata(result.entry, false));
  }));

  router.on('POST', '/2/files/upload_session/start', dropboxRoute(context, 'content', async (call) => {
    const arg = call.parse(z.object({ close: z.boolean().default(false), content_hash: z.string().optional() }));
    const content = await call.request.body();
    if (content.length > maxRequestBytes) throw tooLarge(call.route);
    if (arg.content_hash !== undefined && arg.content_hash !== dropboxContentHash(content)) {
      throw endpointError({ '.tag': 'content_hash_mismatch' });
    }
    const sessionId = `pid_upload_session:${randomBytes(18).toString('base64url')}`;
    sessions.set(sessionId, { chunks: [content], offset: content.length, closed: arg.close });
    sendJson(call.response, 200, { session_id: sessionId });
  }));

  /** Checks a session cursor; errors are UploadSessionLookupError values. */
  const lookupSession = (cursor: z.infer<typeof sessionCursorSchema>): { session: UploadSession } | { error: DropboxUnion } => {
    const session = sessions.get(cursor.session_id);
    if (!session) return { error: { '.tag': 'not_found' } };
    if (cursor.offset !== session.offset) return { error: { '.tag': 'incorrect_offset', correct_offset: session.offset } };
    return { session };
  };

  router.on('POST', '/2/files/upload_session/append_v2', dropboxRoute(context, 'content', async (call) => {
    const arg = call.parse(z.object({ cursor: sessionCursorSchema, close: z.boolean().default(false), content_hash: z.string().optional() }));
    const content = await call.request.body();
    if (content.length > maxRequestBytes) throw tooLarge(call.route);
    const found = lookupSession(arg.cursor);
    if ('error' in found) throw endpointError(found.error);
    if (found.session.closed) throw endpointError({ '.tag': 'closed' });
    if (arg.content_hash !== undefined && arg.content_hash !== dropboxContentHash(content)) {
      throw endpointError({ '.tag': 'content_hash_mismatch' });
    }
    found.session.chunks.push(content);
    found.session.offset += content.length;
    found.session.closed = arg.close;
    sendJson(call.response, 200, null);
  }));

  router.on('POST', '/2/files/upload_session/finish', dropboxRoute(context, 'content', async (call) => {
    const arg = call.parse(z.object({ cursor: sessionCursorSchema, commit: commitSchema, content_hash: z.string().optional() }));
    const content = await call.request.body();
    if (content.length > maxRequestBytes) throw tooLarge(call.route);
    const found = lookupSession(arg.cursor);
    if ('error' in found) throw endpointError({ '.tag': 'lookup_failed', lookup_failed: found.error });
    if (found.session.closed && content.length > 0) throw endpointError({ '.tag': 'lookup_failed', lookup_failed: { '.tag': 'closed' } });
    const whole = Buffer.concat([...found.session.chunks, content]);
    if (arg.content_hash !== undefined && arg.content_hash !== dropboxContentHash(whole)) {
      throw endpointError({ '.tag': 'lookup_failed', lookup_failed: { '.tag': 'content_hash_mismatch' } });
    }
    const result = context.state.commitFile(toCommitInfo(call.route, arg.commit), whole);
    if (!result.ok) throw endpointError({ '.tag': 'path', path: result.error });
    sessions.delete(arg.cursor.session_id);
    sendJson(call.response, 200, fileMetadata(result.entry, false));
  }));

  router.on('POST', '/2/files/download', dropboxRoute(context, 'content', (call) => {
    const arg = call.parse(z.object({ path: z.string(), rev: z.string().optional() }));
    const entry = context.state.lookup(arg.path);
    if (!entry) throw endpointError({ '.tag': 'path', path: lookupNotFound });
    if (entry.kind !== 'file' || !entry.content) throw endpointError({ '.tag': 'path', path: { '.tag': 'not_file' } });
    if (arg.rev !== undefined && arg.rev !== entry.rev) throw endpointError({ '.tag': 'path', path: lookupNotFound });
    sendBytes(call.response, entry.content, call.request.header('range'), {
      'dropbox-api-result': headerSafeJson(fileMetadata(entry, false)),
    });
  }));
}
