/**
 * @module files/request-body
 * Reading a raw upload body from a request: the announced length (checked
 * against the limit before a byte is read), the digest the client vouches
 * for (RFC 9530 `Content-Digest: sha-256=:<base64>:` or `X-Ferry-Sha256:
 * <hex>`), and the streamed, verified receive into the blob store's temp folder.
 */
import { FerryError } from '@ferry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BlobStore, TempBlob } from './blob-store.js';

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
export async function receiveVerifiedBody(store: BlobStore, request: FastifyRequest, maxBytes: number): Promise<TempBlob> {
  const expectedBytes = checkAnnouncedLength(request, maxBytes);
  const expectedSha = announcedSha256(request);
  const temp = await store.receive(request.raw, { maxBytes, expectedBytes });
  if (expectedSha !== null && expectedSha !== temp.sha256) {
    await store.discard(temp);
    throw new FerryError('digest_mismatch', 'The body does not match the sha-256 digest sent with it; nothing was stored.', {
      expected: expectedSha,
      actual: temp.sha256,
    });
  }
  return temp;
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
