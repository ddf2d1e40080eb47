/**
 * @module observability/routes
 * `/healthz` (the database answers) and, later, `/metrics`.
 */
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

export function registerObservabilityRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async () => {
    await sql`select 1`.execute(ctx.db);
    return { ok: true };
  });
}
