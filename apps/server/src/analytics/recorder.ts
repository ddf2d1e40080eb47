/**
 * @module analytics/recorder
 * The one place integration code reports a call: `integrationRecorder(ctx).record(call)`.
 * The hot path only adds to an in-memory aggregate per (workspace, integration,
 * operation, hour) and to the Prometheus metrics; `flush()` writes the
 * aggregates into the hourly usage rows in one transaction (every few seconds,
 * before a report is read, and when the server closes). A failed flush keeps
 * the aggregates for the next one.
 *
 * Outbound calls to user-given URLs (webhook attempts) are counted with
 * `recordOutboundCall(ctx, tag, bytesOut, result)` once their result is known.
 */
import { Registry } from 'prom-client';
import type { IntegrationErrorKind } from '@ferry/core';
import type { ServerContext } from '../context.js';
import { serverMetricsRegistry } from '../observability/metrics.js';
import { IntegrationMetrics } from './integration-metrics.js';
import { addCall, bucketKey, emptyBucket, hourStart, mergeBuckets, type IntegrationCall, type UsageBucket } from './usage-bucket.js';
import { mergeIntoStore, readRecentUsage } from './usage-store.js';

export type { IntegrationCall } from './usage-bucket.js';

export class IntegrationRecorder {
  readonly #ctx: ServerContext;
  readonly #metrics: IntegrationMetrics;
  #pending = new Map<string, UsageBucket>();
  #flushing: Promise<void> = Promise.resolve();
  /** The bucket of the last call, reused while calls keep its key and hour (a burst of webhook deliveries to one workspace). */
  #last: { workspaceId: string; integration: string; operation: string; hour: number; pending: Map<string, UsageBucket>; bucket: UsageBucket } | null = null;

  constructor(ctx: ServerContext, registry: Registry) {
    this.#ctx = ctx;
    this.#metrics = new IntegrationMetrics(registry, () => this.#activeUsers());
  }

  /** Distinct users per integration over the last 24 hours (stored hours and what is not flushed yet). */
  async #activeUsers(): Promise<Map<string, number>> {
    const since = hourStart(new Date(this.#ctx.clock.now().getTime() - 23 * 3600_000));
    const buckets = [...(await readRecentUsage(this.#ctx, since)), ...this.#pending.values()];
    const users = new Map<string, Set<string>>();
    for (const bucket of buckets) {
      const seen = users.get(bucket.integration) ?? new Set<string>();
      for (const user of bucket.users) seen.add(`${bucket.workspaceId}\n${user}`);
      users.set(bucket.integration, seen);
    }
    return new Map([...users].map(([integration, seen]) => [integration, seen.size]));
  }

  /** Counts one call. Cheap: no I/O. */
  record(call: IntegrationCall): void {
    const at = this.#ctx.clock.now();
    // UTC hours are whole multiples of 3,600,000 ms since the epoch: the same hour is the same bucket start.
    const hour = Math.floor(at.getTime() / 3_600_000);
    const last = this.#last;
    let bucket: UsageBucket | undefined;
    if (last !== null && last.pending === this.#pending && last.hour === hour && last.workspaceId === call.workspaceId && last.integration === call.integration && last.operation === call.operation) {
      bucket = last.bucket;
    } else {
      const key = { workspaceId: call.workspaceId, integration: call.integration, operation: call.operation, bucketStart: hourStart(at) };
      const id = bucketKey(key);
      bucket = this.#pending.get(id);
      if (bucket === undefined) {
        bucket = emptyBucket(key);
        this.#pending.set(id, bucket);
      }
      this.#last = { workspaceId: call.workspaceId, integration: call.integration, operation: call.operation, hour, pending: this.#pending, bucket };
    }
    addCall(bucket, call);
    this.#metrics.observe(call);
  }

  /** Counts a call in `/metrics` only: one that belongs to no workspace yet (e.g. a provider's code exchange). */
  observeOnly(call: Omit<IntegrationCall, 'workspaceId' | 'userId'>): void {
    this.#metrics.observe({ ...call, workspaceId: '' });
  }

  /** Aggregates not yet written. */
  get pendingBuckets(): number {
    return this.#pending.size;
  }

  /** Writes the pending aggregates (flushes run one after another). */
  flush(): Promise<void> {
    const run = this.#flushing.then(() => this.#flushNow());
    this.#flushing = run.catch(() => undefined);
    return run;
  }

  async #flushNow(): Promise<void> {
    if (this.#pending.size === 0) return;
    const taken = this.#pending;
    this.#pending = new Map();
    try {
      await mergeIntoStore(this.#ctx, [...taken.values()]);
    } catch (error) {
      // Keep what was taken: merged back in, it goes with the next flush (the buckets in the map change: forget the last one).
      this.#last = null;
      for (const [id, bucket] of taken) {
        const newer = this.#pending.get(id);
        if (newer !== undefined) mergeBuckets(bucket, newer);
        this.#pending.set(id, bucket);
      }
      throw error;
    }
  }
}

const recorders = new WeakMap<ServerContext, IntegrationRecorder>();

/** The recorder of a server (one per ServerContext); its metrics go to the server's `/metrics` registry. */
export function integrationRecorder(ctx: ServerContext): IntegrationRecorder {
  let recorder = recorders.get(ctx);
  if (recorder === undefined) {
    recorder = new IntegrationRecorder(ctx, serverMetricsRegistry(ctx) ?? new Registry());
    recorders.set(ctx, recorder);
  }
  return recorder;
}

/** An outbound call as analytics count it: the answer's status (null when none came, then why), time and bytes. */
export interface OutboundCall {
  status: number | null;
  refused: boolean;
  timedOut: boolean;
  durationMs: number;
  /** The request body's size. */
  bytesOut: number;
  /** The answer body's size. */
  bytesIn: number;
}

/** How an outbound HTTP exchange turned out, as analytics count it. */
export function outboundOutcome(call: Pick<OutboundCall, 'status' | 'refused' | 'timedOut'>): { ok: boolean; errorKind: IntegrationErrorKind | null } {
  const { status } = call;
  if (status === null) return { ok: false, errorKind: call.refused ? 'refused' : call.timedOut ? 'timeout' : 'network' };
  if (status >= 200 && status < 300) return { ok: true, errorKind: null };
  if (status === 429) return { ok: false, errorKind: 'rate_limited' };
  if (status >= 300 && status < 400) return { ok: false, errorKind: 'http_3xx' };
  if (status >= 400 && status < 500) return { ok: false, errorKind: 'http_4xx' };
  if (status >= 500) return { ok: false, errorKind: 'http_5xx' };
  return { ok: false, errorKind: 'other' };
}

/** Whom and what an outbound call was for. */
export interface OutboundCallTag {
  workspaceId: string;
  integration: string;
  operation: string;
  userId?: string | null;
}

/** Counts one outbound call. */
export function recordOutboundCall(ctx: ServerContext, tag: OutboundCallTag, call: OutboundCall): void {
  const answered = call.status !== null;
  integrationRecorder(ctx).record({
    workspaceId: tag.workspaceId,
    integration: tag.integration,
    operation: tag.operation,
    userId: tag.userId ?? null,
    ...outboundOutcome(call),
    durationMs: call.durationMs,
    // Bytes count as moved only when the other side answered (a refused or failed call moved nothing we know of).
    bytesOut: answered ? call.bytesOut : 0,
    bytesIn: answered ? call.bytesIn : 0,
  });
}
