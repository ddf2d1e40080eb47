/**
 * @module analytics/usage-bucket
 * One aggregate of integration calls (a workspace, integration and operation
 * over one hour): counts, errors by kind, a latency histogram of fixed
 * buckets, bytes and files moved, and the users whose actions made the calls.
 * Pure functions to add a call, merge two aggregates, and convert to and from
 * a database row.
 */
import { latencyBucketBoundsMs, type IntegrationErrorKind } from '@ferry/core';
import { z } from 'zod';
import type { IntegrationUsageTable } from '../db/schema.js';

/** The most user ids one bucket remembers (active users are a count; beyond this it undercounts). */
export const maxUsersPerBucket = 1000;

export interface IntegrationCall {
  workspaceId: string;
  /** The integration id of the marketplace, e.g. `webhooks`, `google-drive`. */
  integration: string;
  /** What was done, e.g. `deliver`, `test`, `upload`, `list`. */
  operation: string;
  ok: boolean;
  errorKind?: IntegrationErrorKind | null;
  durationMs: number;
  bytesIn?: number;
  bytesOut?: number;
  files?: number;
  /** The user whose action made the call, when there is one. */
  userId?: string | null;
}

export interface UsageBucket {
  workspaceId: string;
  integration: string;
  operation: string;
  bucketStart: string;
  calls: number;
  errors: number;
  errorKinds: Record<string, number>;
  latencyCounts: number[];
  latencySumMs: number;
  bytesIn: number;
  bytesOut: number;
  files: number;
  users: Set<string>;
}

/** The start of the hour `at` falls in (UTC), as ISO text. */
export function hourStart(at: Date): string {
  const hour = new Date(at.getTime());
  hour.setUTCMinutes(0, 0, 0);
  return hour.toISOString();
}

export function latencyBucketIndex(durationMs: number): number {
  const index = latencyBucketBoundsMs.findIndex((bound) => durationMs <= bound);
  return index === -1 ? latencyBucketBoundsMs.length : index;
}

export function emptyBucket(key: Pick<UsageBucket, 'workspaceId' | 'integration' | 'operation' | 'bucketStart'>): UsageBucket {
  return {
    ...key,
    calls: 0,
    errors: 0,
    errorKinds: {},
    latencyCounts: new Array<number>(latencyBucketBoundsMs.length + 1).fill(0),
    latencySumMs: 0,
    bytesIn: 0,
    bytesOut: 0,
    files: 0,
    users: new Set(),
  };
}

export function addCall(bucket: UsageBucket, call: IntegrationCall): void {
  bucket.calls += 1;
  if (!call.ok) {
    bucket.errors += 1;
    const kind = call.errorKind ?? 'other';
    bucket.errorKinds[kind] = (bucket.errorKinds[kind] ?? 0) + 1;
  }
  const durationMs = Math.max(0, call.durationMs);
  const index = latencyBucketIndex(durationMs);
  bucket.latencyCounts[index] = (bucket.latencyCounts[index] ?? 0) + 1;
  bucket.latencySumMs += durationMs;
  bucket.bytesIn += Math.max(0, Math.round(call.bytesIn ?? 0));
  bucket.bytesOut += Math.max(0, Math.round(call.bytesOut ?? 0));
  bucket.files += Math.max(0, Math.round(call.files ?? 0));
  if (call.userId && bucket.users.size < maxUsersPerBucket) bucket.users.add(call.userId);
}

/** Adds `from` into `into` (same key). */
export function mergeBuckets(into: UsageBucket, from: UsageBucket): void {
  into.calls += from.calls;
  into.errors += from.errors;
  for (const [kind, count] of Object.entries(from.errorKinds)) into.errorKinds[kind] = (into.errorKinds[kind] ?? 0) + count;
  for (const [index, count] of from.latencyCounts.entries()) into.latencyCounts[index] = (into.latencyCounts[index] ?? 0) + count;
  into.latencySumMs += from.latencySumMs;
  into.bytesIn += from.bytesIn;
  into.bytesOut += from.bytesOut;
  into.files += from.files;
  for (const user of from.users) {
    if (into.users.size >= maxUsersPerBucket) break;
    into.users.add(user);
  }
}

const errorKindsSchema = z.record(z.string(), z.number().int().nonnegative());
const countsSchema = z.array(z.number().int().nonnegative());
const usersSchema = z.array(z.string());

function parseJson<T>(schema: z.ZodType<T>, text: string, fallback: T): T {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

export function bucketFromRow(row: IntegrationUsageTable): UsageBucket {
  const bucket = emptyBucket({ workspaceId: row.workspace_id, integration: row.integration, operation: row.operation, bucketStart: row.bucket_start });
  bucket.calls = row.calls;
  bucket.errors = row.errors;
  bucket.errorKinds = parseJson(errorKindsSchema, row.error_kinds, {});
  const counts = parseJson(countsSchema, row.latency_counts, []);
  for (const [index, count] of counts.entries()) if (index < bucket.latencyCounts.length) bucket.latencyCounts[index] = count;
  bucket.latencySumMs = row.latency_sum_ms;
  bucket.bytesIn = row.bytes_in;
  bucket.bytesOut = row.bytes_out;
  bucket.files = row.files;
  bucket.users = new Set(parseJson(usersSchema, row.users, []));
  return bucket;
}

export function rowFromBucket(bucket: UsageBucket): IntegrationUsageTable {
  return {
    workspace_id: bucket.workspaceId,
    integration: bucket.integration,
    operation: bucket.operation,
    bucket_start: bucket.bucketStart,
    calls: bucket.calls,
    errors: bucket.errors,
    error_kinds: JSON.stringify(bucket.errorKinds),
    latency_counts: JSON.stringify(bucket.latencyCounts),
    latency_sum_ms: bucket.latencySumMs,
    bytes_in: bucket.bytesIn,
    bytes_out: bucket.bytesOut,
    files: bucket.files,
    users: JSON.stringify([...bucket.users]),
  };
}

export function bucketKey(bucket: Pick<UsageBucket, 'workspaceId' | 'integration' | 'operation' | 'bucketStart'>): string {
  return JSON.stringify([bucket.workspaceId, bucket.bucketStart, bucket.integration, bucket.operation]);
}
