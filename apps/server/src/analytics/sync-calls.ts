/**
 * @module analytics/sync-calls
 * Integration analytics of server-side sync pairs, which reach Drive and
 * Dropbox through the sync engine's SDK drivers rather than ProviderHttp:
 * - each run is one `sync_run` call of the provider's integration, with the
 *   files copied and the bytes moved (either way), or the kind of failure;
 * - each HTTP call a driver makes with the `fetch` Ferry hands it is measured
 *   as `api:<endpoint>`: Dropbox's SDK takes a fetch, and the Drive driver
 *   hands its fetch to gaxios (`fetchImplementation`) for every request of
 *   the SDK and its OAuth client (see sync-pairs/pair-drivers.ts); a
 *   successful answer is counted once its body is read, with the bytes that
 *   came through (or `too_large` when the size limit cut it off).
 */
import type { IntegrationErrorKind } from '@ferry/core';
import type { ServerContext } from '../context.js';
import { AnswerTooLargeError } from '../connections/provider-http.js';
import { providerErrorKind, providerIntegration } from './provider-calls.js';
import { integrationRecorder } from './recorder.js';

export interface SyncRunMeasure {
  workspaceId: string;
  connectionId: string;
  userId: string | null;
  durationMs: number;
  /** The error code the run failed with (pair-runner's), or null when it succeeded. */
  errorCode: string | null;
  files: number;
  bytes: number;
}

const errorKinds: Record<string, IntegrationErrorKind> = {
  rate_limited: 'rate_limited',
  unavailable: 'http_5xx',
  provider_error: 'http_5xx',
  timeout: 'timeout',
  unauthenticated: 'http_4xx',
  connection_needs_reauth: 'http_4xx',
};

export async function recordSyncRun(ctx: ServerContext, run: SyncRunMeasure): Promise<void> {
  const connection = await ctx.db.selectFrom('connections').select('provider').where('id', '=', run.connectionId).executeTakeFirst();
  if (connection === undefined) return;
  integrationRecorder(ctx).record({
    workspaceId: run.workspaceId,
    integration: providerIntegration(ctx, connection.provider),
    operation: 'sync_run',
    userId: run.userId,
    ok: run.errorCode === null,
    errorKind: run.errorCode === null ? null : (errorKinds[run.errorCode] ?? 'other'),
    durationMs: run.durationMs,
    files: run.files,
    bytesOut: run.bytes,
  });
}

export type DriverFetch = (url: string, init?: RequestInit) => Promise<Response>;

function bodyBytes(body: RequestInit['body']): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  return 0;
}

/**
 * The operation a driver call counts under: its endpoint without the API version prefix of Dropbox
 * (`/2/`) and with a Drive file id folded to `:id` (`drive/v3/files/:id`), so operations stay few.
 */
export function driverOperation(url: string): string {
  const path = new URL(url).pathname.replace(/^\/2\//, '').replace(/^\/+/, '');
  return `api:${path.replace(/(^|\/)(drive\/v3\/files)\/[^/]+/, '$1$2/:id')}`;
}

/**
 * `send`, with every call measured as `api:<endpoint>` (see `driverOperation`) of the integration in the workspace.
 * A successful answer with a body is counted when its body has been read (or given up on), with the bytes that came
 * through — a streamed download has no length up front — and an answer cut off at the size limit counts as
 * `too_large`; the latency is the time to the answer's headers either way.
 */
export function measuredDriverFetch(ctx: ServerContext, owner: { workspaceId: string; integration: string; userId: string | null }, send: DriverFetch): DriverFetch {
  return async (url, init) => {
    const startedAt = performance.now();
    const operation = driverOperation(url);
    let durationMs = 0;
    const measure = (status: number | null, failure: 'timeout' | 'network' | 'too_large' | null, bytesIn: number) => {
      const errorKind = providerErrorKind({ status: failure === null ? status : null, failure });
      integrationRecorder(ctx).record({ ...owner, operation, ok: errorKind === null, errorKind, durationMs, bytesOut: status === null ? 0 : bodyBytes(init?.body), bytesIn });
    };
    let response: Response;
    try {
      response = await send(url, init);
    } catch (error) {
      durationMs = performance.now() - startedAt;
      measure(null, error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network', 0);
      throw error;
    }
    durationMs = performance.now() - startedAt;
    const { body, status } = response;
    if (body === null || status < 200 || status >= 300) {
      measure(status, null, Number(response.headers.get('content-length') ?? 0) || 0);
      return response;
    }
    return new Response(countedBody(body, (bytes, error) => measure(status, error === null ? null : error instanceof AnswerTooLargeError ? 'too_large' : 'network', bytes)), {
      status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** `body` passed on as read, and `done` told once — at its end, on its error, or when the reader gives up — with the bytes that went through. */
function countedBody(body: ReadableStream<Uint8Array>, done: (bytes: number, error: unknown) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let bytes = 0;
  let told = false;
  const tell = (error: unknown): void => {
    if (told) return;
    told = true;
    done(bytes, error);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          tell(null);
          controller.close();
          return;
        }
        bytes += value.byteLength;
        controller.enqueue(value);
      } catch (error) {
        tell(error);
        controller.error(error);
      }
    },
    async cancel(reason) {
      tell(null);
      await reader.cancel(reason);
    },
  });
}
