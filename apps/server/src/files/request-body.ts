/**
 * @module files/request-body
 * Reading a raw upload body from a request: the announced length (checked
 * against the limit before a byte is read), the digest the client vouches
 * for (RFC 9530 `Content-Digest: sha-256=:<base64>:` or `X-Ferry-Sha256:
 * <hex>`), and the streamed, verified receive into the blob store's temp folder.
 */
import { FerryError } from '@ferry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { toBodyError, type BlobStore, type TempBlob } from './blob-store.js';

/** Bodies announced at up to this size are read into memory and stored by the blob writer threads. */
export const inMemoryBodyMaxBytes = 256 * 1024;

/** A verified body stored at its content address already (`path: null`), or waiting in a temp file. */
export type ReceivedBody = TempBlob | { path: null; sha256: string; size: number };

/** Reads a whole small body into memory, hashing it; throws bad_request unless it is exactly `size` bytes. */
export async function readExactly(stream: Readable, size: number): Promise<{ sha256: string; size: number; data: Buffer }> {
  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > size) throw new FerryError('bad_request', `The body is longer than the ${size} bytes announced.`);
      hash.update(chunk);
      chunks.push(chunk);
    }
  } catch (error) {
    throw toBodyError(error);
  }
  if (length !== size) throw new FerryError('bad_request', `The body ended after ${length} of ${size} bytes.`);
  return { sha256: hash.digest('hex'), size, data: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks) };
}

/** The Content-Length of the request, or null for a chunked body. */
export function announcedLength(request: FastifyRequest): number | null {
  const raw = request.headers['content-length'];
  if (raw === undefined) return null;
  if (!/^\d+$/.test(raw)) throw new FerryError('bad_request', 'Content-Length must be a number of bytes.');
  return Number(raw);
}

function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The sha256 (hex) the client announced, or null when it sent none. */
export function announcedSha256(request: FastifyRequest): string | null {
  const ferry = singleHeader(request, 'x-ferry-sha256');
  if (ferry !== undefined) {
    const hex = ferry.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new FerryError('bad_request', 'X-Ferry-Sha256 must be 64 hex digits.');
    return hex;
  }
  const digest = singleHeader(request, 'content-digest');
  if (digest === undefined) return null;
  const match = /(?:^|,)\s*sha-256\s*=\s*:([A-Za-z0-9+/]+={0,2}):/i.exec(digest);
  if (!match?.[1]) return null;
  const bytes = Buffer.from(match[1], 'base64');
  if (bytes.length !== 32) throw new FerryError('bad_request', 'Content-Digest sha-256 must hold 32 bytes.');
  return bytes.toString('hex');
}

/** Fails before reading when the announced length is over the limit. */
export function checkAnnouncedLength(request: FastifyRequest, maxBytes: number): number | null {
  const length = announcedLength(request);
  if (length !== null && length > maxBytes) throw new FerryError('payload_too_large', `The body is larger than ${maxBytes} bytes.`);
  return length;
}

/**
 * Streams the request body into a temp blob and checks it against the
 * announced digest. Nothing stays on disk when it fails.
 */
export async function receiveVerifiedBody(store: BlobStore, request: FastifyRequest, maxBytes: number): Promise<ReceivedBody> {
  const expectedBytes = checkAnnouncedLength(request, maxBytes);
  const expectedSha = announcedSha256(request);
  if (expectedBytes !== null && expectedBytes <= inMemoryBodyMaxBytes) {
    // Small bodies: hashed in memory, checked, then written and fsynced by the blob writer threads
    // (with other uploads' blobs of the same moment), straight to their content address.
    const body = await readExactly(request.raw, expectedBytes);
    if (expectedSha !== null && expectedSha !== body.sha256) throw digestMismatch(expectedSha, body.sha256);
    await store.placeAll([body]);
    return { path: null, sha256: body.sha256, size: body.size };
  }
  const temp = await store.receive(request.raw, { maxBytes, expectedBytes });
  if (expectedSha !== null && expectedSha !== temp.sha256) {
    await store.discard(temp);
    throw digestMismatch(expectedSha, temp.sha256);
  }
  return temp;
}

function digestMismatch(expected: string, actual: string): FerryError {
  return new FerryError('digest_mismatch', 'The body does not match the sha-256 digest sent with it; nothing was stored.', { expected, actual });
}

/**
 * Registers routes whose bodies stream raw: in their own scope every content
 * type (text/plain and JSON included) is left unread for the handler.
 */
export function withRawBodies(app: FastifyInstance, register: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    register(scope);
  });
}
