/**
 * @module transfer/download
 * Fetching one file to disk: streamed into a temp file next to the target,
 * checked against the file's sha256, flushed, then renamed into place, so an
 * interrupted download never leaves a half file under the real name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { FerryError, type FerryClient, type FerryNode } from '@ferry/core';

export interface DownloadRequest {
  client: FerryClient;
  node: FerryNode;
  onBytes(count: number): void;
}

async function contentStream(request: DownloadRequest): Promise<Readable> {
  const response = await request.client.call('getFileContent', { params: { nodeId: request.node.id } });
  if (response.body === null) return Readable.from([]);
  return Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
}

function measuring(onBytes: (count: number) => void, hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
}

function checkDigest(node: FerryNode, actual: string): void {
  if (node.sha256 !== null && node.sha256 !== actual) {
    throw new FerryError('digest_mismatch', `The content of ${node.path ?? node.name} does not match its sha256 (got ${actual}, expected ${node.sha256}).`);
  }
}

/** Downloads `node` to `target` (replacing a file there), atomically. */
export async function downloadToFile(request: DownloadRequest, target: string): Promise<void> {
  const temp = join(dirname(target), `.${basename(target)}.ferry-${randomBytes(4).toString('hex')}.partial`);
  const hash = createHash('sha256');
  try {
    await pipeline(await contentStream(request), measuring(request.onBytes, hash), createWriteStream(temp, { flags: 'wx' }));
    checkDigest(request.node, hash.digest('hex'));
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes the content of `node` to a stream (stdout), checking the digest at the end. */
export async function downloadToStream(request: DownloadRequest, destination: NodeJS.WritableStream): Promise<void> {
  const hash = createHash('sha256');
  await pipeline(await contentStream(request), measuring(request.onBytes, hash), destination, { end: false });
  checkDigest(request.node, hash.digest('hex'));
}
