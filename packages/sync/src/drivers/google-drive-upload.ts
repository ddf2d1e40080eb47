/**
 * @module drivers/google-drive-upload
 * Drive's resumable upload protocol for large files: start a session
 * (POST for a new file, PATCH to replace one) and get its Location, then PUT
 * chunks with `Content-Range: bytes a-b/*` (the total only on the last one);
 * 308 means "go on". A chunk that fails is retried after asking the session
 * how far it got (`Content-Range: bytes *\/*`), so nothing is sent twice and
 * nothing is lost. Only one chunk is in memory at a time.
 */
import { FerryError } from '@ferry/core/errors';
import type { OAuth2Client } from 'google-auth-library';
import type { ChunkReader } from './byte-chunks.js';
import { type DriveFile, driveFileSchema, fileFields, providerName } from './google-drive-api.js';

/** Runs one request under the driver's retry policy; `signal` carries its time-out. */
export type DriveCall = <T>(label: string, operation: (signal: AbortSignal, attempt: number) => Promise<T>) => Promise<T>;

export interface ResumableUploadRequest {
  readonly client: OAuth2Client;
  /** Drive's root URL with a trailing slash. */
  readonly rootUrl: string;
  /** Replace this file's content; a new file when undefined. */
  readonly fileId: string | undefined;
  readonly metadata: Record<string, unknown>;
  readonly reader: ChunkReader;
  /** A multiple of 256 KiB. */
  readonly chunkSize: number;
  readonly call: DriveCall;
  /** Runs right before the last chunk (which makes the upload visible): the driver's precondition re-check. */
  readonly beforeLastChunk: () => Promise<void>;
}

const incomplete = (status: number): boolean => status === 308;
const answered = (status: number): boolean => status === 308 || status === 200 || status === 201;

/** Bytes the session holds, from a 308's `Range: bytes=0-N` (none when absent). */
function committedBytes(range: string | null): number {
  const match = /^bytes=0-(\d+)$/.exec(range ?? '');
  return match === null ? 0 : Number(match[1]) + 1;
}

async function startSession(request: ResumableUploadRequest): Promise<string> {
  const { client, rootUrl, fileId } = request;
  const url = `${rootUrl}upload/drive/v3/files${fileId === undefined ? '' : `/${encodeURIComponent(fileId)}`}`;
  return request.call('resumable upload start', async (signal) => {
    const response = await client.request<unknown>({
      url,
      method: fileId === undefined ? 'POST' : 'PATCH',
      params: { uploadType: 'resumable', fields: fileFields },
      headers: { 'x-upload-content-type': 'application/octet-stream' },
      data: request.metadata,
      signal,
      retry: false,
    });
    const location = response.headers.get('location');
    if (location === null) throw new FerryError('internal', `${providerName} started an upload session without a Location.`);
    return location;
  });
}

/** Uploads everything `reader` holds through a resumable session; returns the file. */
export async function resumableUpload(request: ResumableUploadRequest): Promise<DriveFile> {
  const { client, reader, chunkSize } = request;
  if (chunkSize % (256 * 1024) !== 0) throw new FerryError('bad_request', 'The Drive upload chunk size must be a multiple of 256 KiB.');
  const location = await startSession(request);
  let offset = 0;
  for (;;) {
    const chunk = await reader.read(chunkSize);
    const last = !(await reader.hasMore());
    const start = offset;
    const total = last ? String(start + chunk.byteLength) : '*';
    if (last) await request.beforeLastChunk();
    const finished = await request.call('resumable upload chunk', async (signal, attempt) => {
      let skip = 0;
      if (attempt > 1) {
        const status = await client.request<unknown>({ url: location, method: 'PUT', headers: { 'content-range': `bytes */${total}` }, validateStatus: answered, signal, retry: false });
        if (!incomplete(status.status)) return driveFileSchema.parse(status.data);
        const committed = committedBytes(status.headers.get('range'));
        if (committed < start || committed > start + chunk.byteLength) {
          throw new FerryError('unavailable', `${providerName} lost track of the upload (it holds ${committed} bytes, ${start} were sent); the file will be sent again on the next run.`);
        }
        skip = committed - start;
        if (skip === chunk.byteLength && !last) return null;
      }
      const end = start + chunk.byteLength - 1;
      const response = await client.request<unknown>({
        url: location,
        method: 'PUT',
        headers: { 'content-range': `bytes ${start + skip}-${end}/${total}` },
        data: chunk.subarray(skip),
        validateStatus: answered,
        signal,
        retry: false,
      });
      return incomplete(response.status) ? null : driveFileSchema.parse(response.data);
    });
    offset += chunk.byteLength;
    if (finished !== null) return finished;
    if (last) throw new FerryError('internal', `${providerName} did not finish the upload after its last chunk.`);
  }
}
