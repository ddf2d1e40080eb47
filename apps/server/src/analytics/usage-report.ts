/**
 * @module analytics/usage-report
 * Turns hourly usage rows into the analytics report: totals (with error rate,
 * errors by kind, p50/p95 from the latency histogram, active users), the same
 * per integration and per operation, and a zero-filled series per hour or day.
 */
import { FerryError, latencyBucketBoundsMs, quantileFromHistogram, type AnalyticsBucket, type AnalyticsReport, type UsagePoint, type UsageTotals } from '@ferry/core';
import { emptyBucket, hourStart, mergeBuckets, type UsageBucket } from './usage-bucket.js';

/** The most points one series may have (a year of days, a month of hours). */
export const maxPoints = 1000;

export interface ReportRange {
  from: Date;
  to: Date;
  bucket: AnalyticsBucket;
}

/** Defaults and checks the range: `to` now, `from` a day (hours) or 30 days (days) before it. */
export function resolveRange(now: Date, query: { from?: string | undefined; to?: string | undefined; bucket: AnalyticsBucket }): ReportRange {
  const to = query.to === undefined ? now : new Date(query.to);
  const span = query.bucket === 'hour' ? 24 * 3600_000 : 30 * 24 * 3600_000;
  const from = query.from === undefined ? new Date(to.getTime() - span) : new Date(query.from);
  if (from.getTime() >= to.getTime()) throw new FerryError('validation_failed', '`from` must be before `to`.');
  if (bucketStarts({ from, to, bucket: query.bucket }).length > maxPoints) {
    throw new FerryError('validation_failed', `That range has more than ${maxPoints} ${query.bucket}s; choose a shorter range or bucket=day.`);
  }
  return { from, to, bucket: query.bucket };
}

function bucketStart(at: Date, bucket: AnalyticsBucket): string {
  if (bucket === 'hour') return hourStart(at);
  const day = new Date(at.getTime());
  day.setUTCHours(0, 0, 0, 0);
  return day.toISOString();
}

/** The start of every bucket the range touches, oldest first. */
export function bucketStarts(range: ReportRange): string[] {
  const step = range.bucket === 'hour' ? 3600_000 : 24 * 3600_000;
  const starts: string[] = [];
  for (let at = new Date(bucketStart(range.from, range.bucket)).getTime(); at < range.to.getTime() && starts.length <= maxPoints; at += step) {
    starts.push(new Date(at).toISOString());
  }
  return starts;
}

function sum(buckets: readonly UsageBucket[]): UsageBucket {
  const total = emptyBucket({ workspaceId: '', integration: '', operation: '', bucketStart: '' });
  for (const bucket of buckets) mergeBuckets(total, bucket);
  // Active users are distinct over the whole set, not capped per bucket.
  total.users = new Set(buckets.flatMap((bucket) => [...bucket.users]));
  return total;
}

function totalsOf(bucket: UsageBucket): UsageTotals {
  return {
    calls: bucket.calls,
    errors: bucket.errors,
    errorRate: bucket.calls === 0 ? 0 : Math.round((bucket.errors / bucket.calls) * 10_000) / 10_000,
    errorsByKind: bucket.errorKinds,
    p50Ms: quantileFromHistogram(bucket.latencyCounts, 0.5),
    p95Ms: quantileFromHistogram(bucket.latencyCounts, 0.95),
    bytesIn: bucket.bytesIn,
    bytesOut: bucket.bytesOut,
    files: bucket.files,
    activeUsers: bucket.users.size,
  };
}

function pointsOf(buckets: readonly UsageBucket[], range: ReportRange): UsagePoint[] {
  const byStart = new Map<string, UsageBucket[]>();
  for (const bucket of buckets) {
    const start = bucketStart(new Date(bucket.bucketStart), range.bucket);
    byStart.set(start, [...(byStart.get(start) ?? []), bucket]);
  }
  return bucketStarts(range).map((at) => {
    const totals = totalsOf(sum(byStart.get(at) ?? []));
    return { at, calls: totals.calls, errors: totals.errors, p50Ms: totals.p50Ms, p95Ms: totals.p95Ms, bytesIn: totals.bytesIn, bytesOut: totals.bytesOut, files: totals.files };
  });
}

function groupBy(buckets: readonly UsageBucket[], key: (bucket: UsageBucket) => string): Map<string, UsageBucket[]> {
  const groups = new Map<string, UsageBucket[]>();
  for (const bucket of buckets) groups.set(key(bucket), [...(groups.get(key(bucket)) ?? []), bucket]);
  return groups;
}

export function buildReport(buckets: readonly UsageBucket[], range: ReportRange, retentionDays: number): AnalyticsReport {
  const integrations = [...groupBy(buckets, (bucket) => bucket.integration)]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([integration, group]) => {
      const total = sum(group);
      return {
        integration,
        ...totalsOf(total),
        latencyHistogram: total.latencyCounts,
        operations: [...groupBy(group, (bucket) => bucket.operation)]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([operation, ofOperation]) => ({ operation, ...totalsOf(sum(ofOperation)) })),
        points: pointsOf(group, range),
      };
    });
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    bucket: range.bucket,
    retentionDays,
    latencyBucketBoundsMs: [...latencyBucketBoundsMs],
    totals: totalsOf(sum(buckets)),
    points: pointsOf(buckets, range),
    integrations,
  };
}
