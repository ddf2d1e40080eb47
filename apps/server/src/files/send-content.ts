/**
 * @module files/send-content
 * Sending a blob as a download: Range (206 / 416), Accept-Ranges,
 * Content-Length, a safe Content-Disposition (RFC 6266 with an RFC 8187
 * `filename*`), `application/octet-stream` and `nosniff`, so that a stored
 * HTML file can never run as a page of the server.
 */
import { createReadStream } from 'node:fs';
import { FerryError } from '@ferry/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseRange } from './range.js';

export interface Download {
  /** The blob's path on disk. */
  path: string;
  size: number;
  name: string;
  sha256: string;
  etag: string | null;
}

/** ASCII-only fallback for old clients: anything outside printable ASCII, quotes and backslashes become "_". */
function asciiFallback(name: string): string {
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}

/** RFC 8187 value-chars: percent-encode everything but attr-char. */
function encodeExtValue(name: string): string {
  return encodeURIComponent(name).replace(/['()*!]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function contentDisposition(name: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  return `${disposition}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}

export function sendDownload(request: FastifyRequest, reply: FastifyReply, download: Download): FastifyReply {
  const range = parseRange(request.headers.range, download.size);
  reply.header('accept-ranges', 'bytes');
  if (download.etag !== null) reply.header('etag', `"${download.etag}"`);
  if (range.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${download.size}`);
    throw new FerryError('range_not_satisfiable', `The range is outside the file (${download.size} bytes).`, { size: download.size });
  }
  reply.header('content-type', 'application/octet-stream');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-disposition', contentDisposition(download.name));
  reply.header('repr-digest', `sha-256=:${Buffer.from(download.sha256, 'hex').toString('base64')}:`);
  if (range.kind === 'partial') {
    reply.code(206);
    reply.header('content-range', `bytes ${range.start}-${range.end}/${download.size}`);
    reply.header('content-length', String(range.end - range.start + 1));
    return reply.send(createReadStream(download.path, { start: range.start, end: range.end }));
  }
  reply.code(200);
  reply.header('content-length', String(download.size));
  if (download.size === 0) return reply.send(Buffer.alloc(0));
  return reply.send(createReadStream(download.path));
}
