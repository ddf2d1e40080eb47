/**
 * @module analytics/integration-metrics
 * The Prometheus side of integration analytics, on the server's `/metrics`
 * registry: calls by integration, operation and outcome (`ok` or the error
 * kind), call durations, bytes by direction, files moved, and the users
 * active per integration over the last 24 hours (read at scrape time). Labels never
 * carry workspace or user ids (bounded cardinality).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IntegrationCall } from './usage-bucket.js';

export class IntegrationMetrics {
  readonly #calls: Counter<'integration' | 'operation' | 'outcome'>;
  readonly #duration: Histogram<'integration' | 'operation'>;
  readonly #bytes: Counter<'integration' | 'direction'>;
  readonly #files: Counter<'integration'>;

  constructor(registry: Registry, activeUsers: () => Promise<Map<string, number>>) {
    const registers = [registry];
    new Gauge({
      name: 'ferry_integration_active_users',
      help: 'Distinct users whose actions made integration calls in the last 24 hours.',
      labelNames: ['integration'],
      registers,
      async collect() {
        this.reset();
        for (const [integration, count] of await activeUsers()) this.set({ integration }, count);
      },
    });
    this.#calls = new Counter({
      name: 'ferry_integration_calls_total',
      help: 'Calls made by integrations, by outcome (ok or the kind of error).',
      labelNames: ['integration', 'operation', 'outcome'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'ferry_integration_call_duration_seconds',
      help: 'Time an integration call took.',
      labelNames: ['integration', 'operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.#bytes = new Counter({ name: 'ferry_integration_bytes_total', help: 'Bytes moved by integration calls (in: received, out: sent).', labelNames: ['integration', 'direction'], registers });
    this.#files = new Counter({ name: 'ferry_integration_files_total', help: 'Files moved by integrations.', labelNames: ['integration'], registers });
  }

  observe(call: IntegrationCall): void {
    const { integration, operation } = call;
    this.#calls.inc({ integration, operation, outcome: call.ok ? 'ok' : (call.errorKind ?? 'other') });
    this.#duration.observe({ integration, operation }, Math.max(0, call.durationMs) / 1000);
    if ((call.bytesIn ?? 0) > 0) this.#bytes.inc({ integration, direction: 'in' }, call.bytesIn);
    if ((call.bytesOut ?? 0) > 0) this.#bytes.inc({ integration, direction: 'out' }, call.bytesOut);
    if ((call.files ?? 0) > 0) this.#files.inc({ integration }, call.files);
  }
}
