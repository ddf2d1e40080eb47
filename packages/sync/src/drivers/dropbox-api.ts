/**
 * @module drivers/dropbox-api
 * What the Dropbox driver needs around the `dropbox` SDK: the metadata
 * schemas every answer is parsed with, the failure classifier for the retry
 * policy (429 + Retry-After, 5xx, network, expired tokens), reading Dropbox's
 * endpoint errors (`error_summary` tags), the mapping of what is left to
 * `FerryError`, and the `fetch` handed to the SDK (a response deadline, and
 * the node-fetch `buffer()` the SDK's download path calls in Node).
 */
import { FerryError } from '@ferry/core/errors';
import { z } from 'zod';
import { isNetworkFailure, parseRetryAfter, type ProviderFailure, responseDeadline } from './provider-retry.js';

export const providerName = 'Dropbox';

export const fileMetadataSchema = z.object({
  '.tag': z.literal('file').optional(),
  id: z.string(),
  name: z.string(),
  path_lower: z.string().optional(),
  path_display: z.string().optional(),
  rev: z.string(),
  size: z.number(),
  client_modified: z.string().optional(),
  server_modified: z.string().optional(),
  content_hash: z.string().optional(),
});
export const folderMetadataSchema = z.object({
  '.tag': z.literal('folder'),
  id: z.string(),
  name: z.string(),
  path_lower: z.string().optional(),
  path_display: z.string().optional(),
});
export const deletedMetadataSchema = z.object({
  '.tag': z.literal('deleted'),
  name: z.string(),
  path_lower: z.string().optional(),
  path_display: z.string().optional(),
});
export const metadataSchema = z.discriminatedUnion('.tag', [fileMetadataSchema.extend({ '.tag': z.literal('file') }), folderMetadataSchema, deletedMetadataSchema]);
export type DropboxMetadata = z.infer<typeof metadataSchema>;
export type DropboxFileMetadata = z.infer<typeof fileMetadataSchema>;

export const listFolderResultSchema = z.object({ entries: z.array(metadataSchema), cursor: z.string(), has_more: z.boolean() });
export const createFolderResultSchema = z.object({ metadata: folderMetadataSchema.omit({ '.tag': true }) });
export const relocationResultSchema = z.object({ metadata: metadataSchema });
export const sessionStartSchema = z.object({ session_id: z.string() });
export const cursorResultSchema = z.object({ cursor: z.string() });
export const longpollResultSchema = z.object({ changes: z.boolean(), backoff: z.number().optional() });
export const downloadResultSchema = fileMetadataSchema.extend({
  fileBinary: z.instanceof(Buffer).optional(),
  fileBlob: z.instanceof(Blob).optional(),
});

const responseErrorSchema = z.object({
  status: z.number(),
  headers: z.custom<{ get(name: string): string | null }>((value) => typeof value === 'object' && value !== null && 'get' in value),
  error: z.unknown(),
});
const endpointErrorSchema = z.object({ error_summary: z.string(), error: z.record(z.string(), z.unknown()).optional() });
const rateLimitBodySchema = z.object({ error: z.object({ retry_after: z.number().optional() }) });

export interface DropboxFailure {
  readonly status: number;
  /** `error_summary` without the trailing `/...` (e.g. `path/conflict/file`); plain-text bodies as they came. */
  readonly summary: string;
  readonly error: Record<string, unknown> | undefined;
  readonly retryAfterMs: number | undefined;
}

/** Status and error of a failed SDK call, or undefined when there was no HTTP answer. */
export function dropboxFailure(error: unknown): DropboxFailure | undefined {
  const parsed = responseErrorSchema.safeParse(error);
  if (!parsed.success) return undefined;
  const { status, headers, error: body } = parsed.data;
  const endpoint = endpointErrorSchema.safeParse(body);
  const rateLimit = rateLimitBodySchema.safeParse(body);
  const headerWait = parseRetryAfter(headers.get('retry-after'));
  const bodyWait = rateLimit.success && rateLimit.data.error.retry_after !== undefined ? rateLimit.data.error.retry_after * 1000 : undefined;
  return {
    status,
    summary: endpoint.success ? endpoint.data.error_summary.replace(/\/?\.\.\.$/, '').replace(/\/$/, '') : typeof body === 'string' ? body.slice(0, 200) : `HTTP ${status}`,
    error: endpoint.success ? endpoint.data.error : undefined,
    retryAfterMs: headerWait ?? bodyWait,
  };
}

/** True when the failure is an endpoint error whose summary starts with `prefix` (e.g. `path/not_found`). */
export function isEndpointError(error: unknown, prefix: string): boolean {
  const failure = dropboxFailure(error);
  return failure !== undefined && failure.status === 409 && (failure.summary === prefix || failure.summary.startsWith(`${prefix}/`));
}

/** The retry policy's view of a Dropbox failure. */
export function classifyDropboxFailure(error: unknown): ProviderFailure {
  const failure = dropboxFailure(error);
  if (failure === undefined) {
    return isNetworkFailure(error) ? { kind: 'transient', message: error instanceof Error ? error.message : String(error) } : { kind: 'fatal' };
  }
  const retryAfter = failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {};
  if (failure.status === 429) return { kind: 'rate_limited', message: `429 ${failure.summary}`, ...retryAfter };
  if (failure.status === 401 && /^(expired_access_token|invalid_access_token)/.test(failure.summary)) return { kind: 'auth', message: failure.summary };
  if (failure.status === 408 || failure.status >= 500) return { kind: 'transient', message: `${failure.status} ${failure.summary}`, ...retryAfter };
  return { kind: 'fatal' };
}

/** A `FerryError` for a failure the retry policy handed back. */
export function describeDropboxFailure(error: unknown, label: string): FerryError {
  if (error instanceof FerryError) return error;
  const failure = dropboxFailure(error);
  if (failure === undefined) {
    const message = error instanceof Error ? error.message : String(error);
    return new FerryError(isNetworkFailure(error) ? 'unavailable' : 'internal', `${providerName} ${label} failed: ${message}`);
  }
  const message = `${providerName} ${label} failed (${failure.status} ${failure.summary})`;
  if (failure.status === 401) return new FerryError('unauthenticated', `${message}: reconnect the account.`);
  if (failure.status === 409) {
    if (/(^|\/)not_found$/.test(failure.summary)) return new FerryError('node_not_found', message);
    if (/(^|\/)conflict(\/|$)/.test(failure.summary)) return new FerryError('precondition_failed', message);
    if (/(malformed_path|disallowed_name)/.test(failure.summary)) return new FerryError('invalid_name', message);
    if (/insufficient_space/.test(failure.summary)) return new FerryError('payload_too_large', `${message}: the Dropbox account is full.`);
    return new FerryError('conflict', message);
  }
  if (failure.status === 403) return new FerryError('forbidden', message);
  return new FerryError(failure.status === 400 ? 'bad_request' : 'internal', message);
}

/** What the SDK calls to send a request (the `fetch` option). */
export type DropboxFetch = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * The SDK's fetch: `base` (global fetch by default) with a deadline for the
 * response headers, and `buffer()` on responses for the SDK's download path.
 */
export function sdkFetch(base: DropboxFetch, timeoutMs: () => number): DropboxFetch {
  return async (url, init) => {
    const deadline = responseDeadline(timeoutMs());
    try {
      const response = await base(url, { ...init, signal: deadline.signal });
      return Object.assign(response, { buffer: async () => Buffer.from(await response.arrayBuffer()) });
    } finally {
      deadline.done();
    }
  };
}

/** Dropbox times have second precision: `2025-01-02T03:04:05Z`. */
export function dropboxTime(milliseconds: number): string {
  return new Date(Math.floor(milliseconds / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
