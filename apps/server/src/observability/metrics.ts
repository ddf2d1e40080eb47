/**
 * @module observability/metrics
 * The server's Prometheus metrics in a registry of its own (several servers
 * may share one process in tests): HTTP requests by method, route pattern and
 * status, their durations, the Node process metrics, and counts of what the
 * database holds.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServerContext } from '../context.js';

export interface ServerMetrics {
  registry: Registry;
}

function countGauge(registry: Registry, name: string, help: string, count: () => Promise<number>): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await count());
    },
  });
}

async function countRows(ctx: ServerContext, table: 'users' | 'workspaces'): Promise<number> {
  const row = await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

const registries = new WeakMap<ServerContext, Registry>();

/** The registry `/metrics` shows for a server, for modules that add metrics of their own (undefined before the routes are built). */
export function serverMetricsRegistry(ctx: ServerContext): Registry | undefined {
  return registries.get(ctx);
}

export function createServerMetrics(ctx: ServerContext): ServerMetrics {
  const registry = new Registry();
  registries.set(ctx, registry);
  collectDefaultMetrics({ register: registry });
  countGauge(registry, 'ferry_users', 'Users with an account.', () => countRows(ctx, 'users'));
  countGauge(registry, 'ferry_workspaces', 'Workspaces.', () => countRows(ctx, 'workspaces'));
  countGauge(registry, 'ferry_nodes', 'Files and folders not in the trash, over all workspaces.', async () => {
    const row = await ctx.db
      .selectFrom('nodes')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  });
  countGauge(registry, 'ferry_event_seq_max', 'The highest event seq of any workspace.', async () => {
    const row = await ctx.db.selectFrom('workspaces').select((eb) => eb.fn.max('event_seq').as('max')).executeTakeFirst();
    return Number(row?.max ?? 0);
  });
  countGauge(registry, 'ferry_events_total', 'Events in the feeds of all workspaces.', async () => {
    const row = await ctx.db.selectFrom('workspaces').select((eb) => eb.fn.sum<number>('event_seq').as('sum')).executeTakeFirst();
    return Number(row?.sum ?? 0);
  });
  countGauge(registry, 'ferry_event_waiters', 'Open event streams and long-polls waiting for events.', async () => ctx.hub.totalListenerCount());
  return { registry };
}

/** Counts and times every answered request by its route pattern (never the raw URL, which holds ids). */
export function installRequestMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered.', labelNames, registers: [metrics.registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request.',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}
