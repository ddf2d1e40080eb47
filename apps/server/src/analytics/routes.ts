/**
 * @module analytics/routes
 * `GET /api/v1/workspaces/:workspaceId/analytics` (admins and owners), and the
 * recorder's life in the server: it exists from the start (so `/metrics` lists
 * the integration metrics), flushes every few seconds, prunes usage older than
 * `analyticsRetentionDays` every hour, and flushes once more when the server closes.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { requireRole } from '../workspaces/access.js';
import { integrationRecorder } from './recorder.js';
import { bucketStarts, buildReport, resolveRange } from './usage-report.js';
import { pruneUsage, readUsage } from './usage-store.js';

export const analyticsFlushIntervalMs = 5_000;
export const analyticsPruneIntervalMs = 3600_000;

export function registerAnalytics(app: FastifyInstance, ctx: ServerContext): void {
  const recorder = integrationRecorder(ctx);
  const timers: NodeJS.Timeout[] = [];
  const flushQuietly = () => recorder.flush().catch((error: unknown) => ctx.log.warn({ err: error }, 'analytics flush failed; kept for the next one'));
  const pruneQuietly = () =>
    pruneUsage(ctx).then(
      (deleted) => {
        if (deleted > 0) ctx.log.info({ deleted }, 'pruned integration usage past its retention');
      },
      (error: unknown) => ctx.log.warn({ err: error }, 'analytics prune failed'),
    );

  app.addHook('onReady', async () => {
    timers.push(setInterval(flushQuietly, analyticsFlushIntervalMs).unref(), setInterval(pruneQuietly, analyticsPruneIntervalMs).unref());
    void pruneQuietly();
  });
  app.addHook('preClose', async () => {
    for (const timer of timers) clearInterval(timer);
    await flushQuietly();
  });

  route(app, 'getAnalytics', async ({ params, query, actor }) => {
    await requireRole(ctx, actor, params.workspaceId, 'admin');
    const range = resolveRange(ctx.clock.now(), query);
    await recorder.flush();
    const buckets = await readUsage(ctx, {
      workspaceId: params.workspaceId,
      integration: query.integration,
      fromHour: bucketStarts(range)[0] ?? range.from.toISOString(),
      toHour: range.to.toISOString(),
    });
    return buildReport(buckets, range, ctx.config.analyticsRetentionDays);
  });
}
