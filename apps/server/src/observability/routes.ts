/**
 * @module observability/routes
 * `/healthz` (the database answers) and `/metrics` (Prometheus text format).
 */
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { createServerMetrics, installRequestMetrics } from './metrics.js';

export function registerObservabilityRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const metrics = createServerMetrics(ctx);
  installRequestMetrics(app, metrics);

  app.get('/healthz', async () => {
    await sql`select 1`.execute(ctx.db);
    return { ok: true };
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
