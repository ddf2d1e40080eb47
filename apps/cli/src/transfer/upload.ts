/**
 * @module transfer/upload
 * Sending one local file into a workspace folder: streamed in one request,
 * or, above a threshold, through a resumable upload session in chunks that
 * is resumed from the server's offset after a dropped connection.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { FerryError, isUnavailable, type FerryClient, type FerryNode } from '@ferry/core';
import { countingStream } from '../progress.js';
import { sha256OfFile } from './file-hash.js';

export interface UploadSettings {
  /** Files larger than this go through a resumable session. */
  resumableAboveBytes: number;
  /** Size of each chunk of a resumable session (the server allows up to 64 MiB). */
  chunkBytes: number;
}

export const defaultUploadSettings: UploadSettings = { resumableAboveBytes: 64 * 1024 ** 2, chunkBytes: 16 * 1024 ** 2 };

function positiveNumber(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new FerryError('bad_request', `${name} must be a positive whole number of bytes, not "${raw}".`);
  return value;
}

/** The settings, with FERRY_RESUMABLE_ABOVE_BYTES and FERRY_UPLOAD_CHUNK_BYTES applied. */
export function uploadSettingsFrom(env: Record<string, string | undefined>): UploadSettings {
  return {
    resumableAboveBytes: positiveNumber(env.FERRY_RESUMABLE_ABOVE_BYTES, defaultUploadSettings.resumableAboveBytes, 'FERRY_RESUMABLE_ABOVE_BYTES'),
    chunkBytes: positiveNumber(env.FERRY_UPLOAD_CHUNK_BYTES, defaultUploadSettings.chunkBytes, 'FERRY_UPLOAD_CHUNK_BYTES'),
  };
}

export interface UploadRequest {
  client: FerryClient;
  localPath: string;
  parentId: string;
  name: string;
  size: number;
  settings: UploadSettings;
  onBytes(count: number): void;
}

export interface UploadResult {
  node: FerryNode;
  resumable: boolean;
}

async function uploadInOneRequest(request: UploadRequest, sha256: string): Promise<FerryNode> {
  const fileStream = Readable.toWeb(createReadStream(request.localPath, { highWaterMark: 1024 * 1024 })) as ReadableStream<Uint8Array>;
  const body = fileStream.pipeThrough(countingStream(request.onBytes));
  return request.client.call('putFileByName', {
    params: { nodeId: request.parentId, name: request.name },
    body,
    headers: { 'x-ferry-sha256': sha256 },
  });
}

const retryDelaysMs = [250, 1000, 3000];

function isRetryable(error: unknown): boolean {
  return isUnavailable(error) || (error instanceof FerryError && (error.code === 'offset_mismatch' || error.status >= 500));
}

async function uploadInChunks(request: UploadRequest, sha256: string): Promise<FerryNode> {
  const { client } = request;
  const session = await client.call('createUpload', { body: { parentId: request.parentId, name: request.name, size: request.size, sha256 } });
  const file = await open(request.localPath, 'r');
  let finished = false;
  try {
    let offset = session.offset;
    let failures = 0;
    while (offset < request.size) {
      const length = Math.min(request.settings.chunkBytes, request.size - offset);
      const chunk = Buffer.alloc(length);
      const { bytesRead } = await file.read(chunk, 0, length, offset);
      if (bytesRead !== length) throw new FerryError('size_mismatch', `${request.localPath} changed while it was being uploaded.`);
      try {
        const next = await client.call('appendUpload', { params: { uploadId: session.id }, body: chunk, headers: { 'upload-offset': String(offset) } });
        request.onBytes(next.offset - offset);
        offset = next.offset;
        failures = 0;
      } catch (error) {
        const delay = retryDelaysMs[failures];
        if (!isRetryable(error) || delay === undefined) throw error;
        failures += 1;
        await new Promise((resolve) => setTimeout(resolve, delay));
        // Resume from where the server says it stands.
        offset = (await client.call('getUpload', { params: { uploadId: session.id } })).offset;
      }
    }
    const node = await client.call('finishUpload', { params: { uploadId: session.id } });
    finished = true;
    return node;
  } finally {
    await file.close();
    if (!finished) await client.call('cancelUpload', { params: { uploadId: session.id } }).catch(() => undefined);
  }
}

/** Uploads one file (a new file, or a new version of the file of that name). */
export async function uploadFile(request: UploadRequest): Promise<UploadResult> {
  const sha256 = await sha256OfFile(request.localPath);
  if (request.size > request.settings.resumableAboveBytes) {
    return { node: await uploadInChunks(request, sha256), resumable: true };
  }
  return { node: await uploadInOneRequest(request, sha256), resumable: false };
}
