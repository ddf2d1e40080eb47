/**
 * @module drivers/dropbox-upload
 * Uploads one file to Dropbox with a write mode that carries the
 * precondition (`add` for a new file, `update` with the expected rev), in
 * one `files/upload` up to the session threshold, else through an upload
 * session (start / append_v2 / finish) with one chunk in memory. Retries
 * never duplicate work: an append whose answer was lost is recognised by
 * the session's `incorrect_offset`, an upload whose answer was lost by the
 * file's content_hash. Both hashes of the content are computed on the way.
 */
import type { files } from 'dropbox';
import type { ByteStream } from '../driver.js';
import { ChunkReader } from './byte-chunks.js';
import { dropboxFailure, type DropboxFileMetadata, fileMetadataSchema, isEndpointError, metadataSchema, sessionStartSchema } from './dropbox-api.js';
import { DualHasher } from './dropbox-content-hash.js';
import type { DropboxSession } from './dropbox-session.js';

export interface UploadedFile {
  readonly metadata: DropboxFileMetadata;
  readonly contentHash: string;
  readonly sha256: string;
}

export interface UploadLimits {
  readonly sessionThreshold: number;
  readonly chunkSize: number;
}

/** Uploads `content` with `commit`; a conflict is thrown as Dropbox answered it (409 `path/conflict/...`). */
export async function uploadFile(session: DropboxSession, commit: files.CommitInfo, content: ByteStream, limits: UploadLimits): Promise<UploadedFile> {
  const reader = new ChunkReader(content);
  const hasher = new DualHasher();
  const head = await reader.read(limits.sessionThreshold);
  if (await reader.hasMore()) {
    reader.putBack(head);
    const metadata = await uploadSession(session, reader, commit, hasher, limits.chunkSize);
    return { metadata, ...hasher.digest() };
  }
  hasher.update(head);
  const hashes = hasher.digest();
  const metadata = await session.callRaw('files/upload', async (client, attempt) => {
    try {
      return fileMetadataSchema.parse((await client.filesUpload({ ...commit, contents: head })).result);
    } catch (error) {
      if (attempt > 1 && isEndpointError(error, 'path/conflict')) {
        const current = metadataSchema.parse((await client.filesGetMetadata({ path: commit.path })).result);
        if (current['.tag'] === 'file' && current.content_hash === hashes.contentHash) return current; // the earlier attempt landed
      }
      throw error;
    }
  });
  return { metadata, ...hashes };
}

async function uploadSession(session: DropboxSession, reader: ChunkReader, commit: files.CommitInfo, hasher: DualHasher, chunkSize: number): Promise<DropboxFileMetadata> {
  const first = await reader.read(chunkSize);
  hasher.update(first);
  let offset = first.byteLength;
  const started = await session.callRaw('files/upload_session/start', async (client) => sessionStartSchema.parse((await client.filesUploadSessionStart({ close: false, contents: first })).result));
  const sessionId = started.session_id;
  for (;;) {
    const chunk = await reader.read(chunkSize);
    hasher.update(chunk);
    const at = offset;
    if (!(await reader.hasMore())) {
      return session.callRaw('files/upload_session/finish', async (client) =>
        fileMetadataSchema.parse((await client.filesUploadSessionFinish({ cursor: { session_id: sessionId, offset: at }, commit, contents: chunk })).result),
      );
    }
    await session.callRaw('files/upload_session/append_v2', async (client, attempt) => {
      try {
        await client.filesUploadSessionAppendV2({ cursor: { session_id: sessionId, offset: at }, close: false, contents: chunk });
      } catch (error) {
        const correct = dropboxFailure(error)?.error?.['correct_offset'];
        if (attempt > 1 && isEndpointError(error, 'incorrect_offset') && correct === at + chunk.byteLength) return; // the earlier attempt landed
        throw error;
      }
    });
    offset += chunk.byteLength;
  }
}
