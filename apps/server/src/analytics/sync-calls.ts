/**
 * @module analytics/sync-calls
 * Integration analytics of server-side sync pairs, which reach Drive and
 * Dropbox through the sync engine's SDK drivers rather than ProviderHttp:
 * - each run is one `sync_run` call of the provider's integration, with the
 *   files copied and the bytes moved (either way), or the kind of failure;
 * - each HTTP call a driver makes with the `fetch` Ferry hands it is measured
 *   as `api:<endpoint>`: Dropbox's SDK takes a fetch, and the Drive driver
 *   hands its fetch to gaxios (`fetchImplementation`) for every request of
 *   the SDK and its OAuth client (see sync-pairs/pair-drivers.ts).
 */
import type { IntegrationErrorKind } from '@ferry/core';
import type { ServerContext } from '../context.js';
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

/** `send`, with every call measured as `api:<endpoint>` (see `driverOperation`) of the integration in the workspace. */
export function measuredDriverFetch(ctx: ServerContext, owner: { workspaceId: string; integration: string; userId: string | null }, send: DriverFetch): DriverFetch {
  return async (url, init) => {
    const startedAt = performance.now();
    const operation = driverOperation(url);
    const measure = (status: number | null, failure: 'timeout' | 'network' | null, bytesIn: number) => {
      const errorKind = providerErrorKind({ status, failure });
      integrationRecorder(ctx).record({ ...owner, operation, ok: errorKind === null, errorKind, durationMs: performance.now() - startedAt, bytesOut: status === null ? 0 : bodyBytes(init?.body), bytesIn });
    };
    try {
      const response = await send(url, init);
      measure(response.status, null, Number(response.headers.get('content-length') ?? 0) || 0);
      return response;
    } catch (error) {
      measure(null, error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'network', 0);
      throw error;
    }
  };
}
