/**
 * @module marketplace/analytics-api
 * Integration analytics as they cross the wire: the query (integration, time
 * range, bucket size), the totals per integration and operation, and series
 * of points over time for charts. Latency is kept as a histogram of fixed
 * buckets; p50/p95 are estimated from it the way Prometheus does.
 */
import { z } from 'zod';
import { timestampSchema } from '../schemas.js';

/** Upper bounds (ms) of the latency histogram buckets; a last, open bucket holds anything slower. */
export const latencyBucketBoundsMs = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;

/** How a failed integration call failed. */
export const integrationErrorKinds = ['http_3xx', 'http_4xx', 'http_5xx', 'rate_limited', 'timeout', 'network', 'refused', 'too_large', 'other'] as const;
export const integrationErrorKindSchema = z.enum(integrationErrorKinds);
export type IntegrationErrorKind = z.infer<typeof integrationErrorKindSchema>;

export const analyticsBucketSchema = z.enum(['hour', 'day']);
export type AnalyticsBucket = z.infer<typeof analyticsBucketSchema>;

export const analyticsQuerySchema = z.object({
  integration: z.string().max(64).optional().describe('one integration; all when left out'),
  from: z.iso.datetime().optional().describe('start of the range; 24 hours before `to` when left out'),
  to: z.iso.datetime().optional().describe('end of the range; now when left out'),
  bucket: analyticsBucketSchema.default('hour'),
});

export const usageTotalsSchema = z.object({
  calls: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  errorRate: z.number().min(0).max(1).describe('errors / calls (0 without calls)'),
  errorsByKind: z.record(z.string(), z.number().int().nonnegative()),
  p50Ms: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
  activeUsers: z.number().int().nonnegative().describe('distinct users whose actions made calls'),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

export const usagePointSchema = z.object({
  at: timestampSchema.describe('start of the bucket'),
  calls: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  p50Ms: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
  files: z.number().int().nonnegative(),
});
export type UsagePoint = z.infer<typeof usagePointSchema>;

export const integrationUsageSchema = usageTotalsSchema.extend({
  integration: z.string(),
  operations: z.array(usageTotalsSchema.extend({ operation: z.string() })),
  latencyHistogram: z.array(z.number().int().nonnegative()).describe('counts per latencyBucketBoundsMs bucket, plus the open last one'),
  points: z.array(usagePointSchema).describe('one per bucket of the range, oldest first, zeros included'),
});
export type IntegrationUsage = z.infer<typeof integrationUsageSchema>;

export const analyticsReportSchema = z.object({
  from: timestampSchema,
  to: timestampSchema,
  bucket: analyticsBucketSchema,
  retentionDays: z.number().int().positive(),
  latencyBucketBoundsMs: z.array(z.number()),
  totals: usageTotalsSchema,
  points: z.array(usagePointSchema).describe('all integrations together, one per bucket'),
  integrations: z.array(integrationUsageSchema),
});
export type AnalyticsReport = z.infer<typeof analyticsReportSchema>;

/**
 * Estimates a quantile (0..1) of latencies from histogram counts, interpolating
 * inside the bucket it falls in (the open last bucket answers its lower bound).
 * Null without observations.
 */
export function quantileFromHistogram(counts: readonly number[], quantile: number, bounds: readonly number[] = latencyBucketBoundsMs): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = quantile * total;
  let seen = 0;
  for (const [index, count] of counts.entries()) {
    if (count === 0) continue;
    if (seen + count >= rank) {
      const lower = index === 0 ? 0 : (bounds[index - 1] ?? 0);
      const upper = bounds[index];
      if (upper === undefined) return lower;
      return Math.round((lower + ((upper - lower) * (rank - seen)) / count) * 10) / 10;
    }
    seen += count;
  }
  return bounds[bounds.length - 1] ?? null;
}
