/**
 * @module http/http-kit
 * The few HTTP helpers every emulator shares: reading a request body, writing
 * JSON or bytes, parsing a `Range` header, and a tiny method + path router with
 * `:param` segments. Plain node:http, so the emulators answer byte-exact.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request as the emulators see it: the raw message plus its parsed URL. */
export interface EmulatorRequest {
  readonly raw: IncomingMessage;
  readonly method: string;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  /** Reads the whole body once (cached). */
  body(): Promise<Buffer>;
  header(name: string): string | undefined;
}

export type RouteHandler = (request: EmulatorRequest, response: ServerResponse) => Promise<void> | void;

interface RouteEntry {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
}

/** Matches `METHOD /a/:b/c` patterns; the first registered match wins. */
export class Router {
  private readonly routes: RouteEntry[] = [];

  on(method: string, pattern: string, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  match(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string> } | undefined {
    const parts = pathname.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const matched = route.segments.every((segment, index) => {
        const part = parts[index] ?? '';
        if (segment.startsWith(':')) {
          params[segment.slice(1)] = decodeURIComponent(part);
          return true;
        }
        return segment === part;
      });
      if (matched) return { handler: route.handler, params };
    }
    return undefined;
  }
}

export function wrapRequest(raw: IncomingMessage, baseUrl: string, params: Record<string, string> = {}): EmulatorRequest {
  let cached: Promise<Buffer> | undefined;
  return {
    raw,
    method: (raw.method ?? 'GET').toUpperCase(),
    url: new URL(raw.url ?? '/', baseUrl),
    params,
    body: () => (cached ??= readBody(raw)),
    header: (name) => {
      const value = raw.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

export function withParams(request: EmulatorRequest, params: Record<string, string>): EmulatorRequest {
  return { ...request, params };
}

async function readBody(raw: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of raw) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

export function sendJson(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

export function sendEmpty(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-length': 0, ...headers });
  response.end();
}

/** A satisfiable byte range, inclusive at both ends, or 'unsatisfiable'. */
export type ByteRange = { start: number; end: number } | 'unsatisfiable';

/**
 * Parses a single-range `Range: bytes=a-b | a- | -n` header against a size.
 * Returns undefined when there is no usable header (serve the whole body).
 */
export function parseRangeHeader(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** Writes bytes honouring an optional Range header (200, 206 or 416). */
export function sendBytes(
  response: ServerResponse,
  content: Buffer,
  rangeHeader: string | undefined,
  headers: Record<string, string>,
): void {
  const range = parseRangeHeader(rangeHeader, content.length);
  if (range === 'unsatisfiable') {
    sendEmpty(response, 416, { 'content-range': `bytes */${content.length}` });
    return;
  }
  const base = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', ...headers };
  if (!range) {
    response.writeHead(200, { ...base, 'content-length': content.length });
    response.end(content);
    return;
  }
  const slice = content.subarray(range.start, range.end + 1);
  response.writeHead(206, {
    ...base,
    'content-length': slice.length,
    'content-range': `bytes ${range.start}-${range.end}/${content.length}`,
  });
  response.end(slice);
}

/** Parses JSON text, returning undefined instead of throwing. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
