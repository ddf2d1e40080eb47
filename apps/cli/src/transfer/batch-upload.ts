/**
 * @module transfer/batch-upload
 * Many small files into one workspace folder with one request
 * (`POST /api/v1/nodes/:folder/files`): the files of a folder are grouped
 * into batches under the server's limits, each file read once, hashed, and
 * sent with its sha256 so the server verifies it. Each entry of the answer
 * succeeds or fails on its own.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { FerryError, isErrorCode, splitIntoBatches, type FerryClient, type FerryNode } from '@ferry/core';

/** Files up to this size travel in batches; larger ones go alone (streamed, or resumable). */
export const batchFileMaxBytes = 1024 * 1024;
/** Bytes of content per batch request: small enough to hold in memory, big enough to amortise the request. */
const batchMaxBytes = 16 * 1024 * 1024;

export interface BatchFile {
  localPath: string;
  name: string;
  size: number;
}

export interface BatchOutcome<T extends BatchFile> {
  written: { file: T; node: FerryNode }[];
  /** Entries the server refused (a folder of that name, a changed file...), each with its error naming the local file. */
  failed: { file: T; error: FerryError }[];
}

/** Splits the small files of one folder into batches within the server's limits. */
export function batchesOf<T extends BatchFile>(files: readonly T[]): T[][] {
  return splitIntoBatches(files, (file) => file.size, batchMaxBytes);
}

/**
 * Uploads one batch into the folder `parentId` and tells which files were
 * written and which were refused; throws when the request as a whole failed.
 */
export async function uploadBatch<T extends BatchFile>(client: FerryClient, parentId: string, files: readonly T[]): Promise<BatchOutcome<T>> {
  const form = new FormData();
  const contents = await Promise.all(files.map((file) => readFile(file.localPath)));
  const manifest = files.map((file, index) => {
    const data = contents[index] ?? Buffer.alloc(0);
    if (data.length !== file.size) throw new FerryError('size_mismatch', `${file.localPath} changed while it was being uploaded.`);
    return { name: file.name, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  });
  form.append('manifest', JSON.stringify({ files: manifest }));
  files.forEach((file, index) => form.append('file', new Blob([contents[index] ?? Buffer.alloc(0)]), file.name));
  const answer = await client.call('uploadFiles', { params: { nodeId: parentId }, body: form });
  const outcome: BatchOutcome<T> = { written: [], failed: [] };
  files.forEach((file, index) => {
    const entry = answer.entries[index];
    if (entry?.node) outcome.written.push({ file, node: entry.node });
    else {
      const code = entry?.error && isErrorCode(entry.error.code) ? entry.error.code : 'internal';
      const message = entry?.error?.message ?? 'The server did not answer for this file.';
      outcome.failed.push({ file, error: new FerryError(code, `${file.localPath}: ${message}`, entry?.error?.details) });
    }
  });
  return outcome;
}
