/**
 * @module webhooks/webhook-worker
 * The webhook delivery engine of one process: the delivery pump, which fans
 * the event feed out into deliveries and runs their jobs (one transaction per
 * cycle). It is woken by the event hub — each workspace with an enabled
 * endpoint, and `$webhooks` for endpoint changes and replays — and polls as a
 * safety net (events written by another process, jobs whose time has come).
 * Several processes may run it on the same database: leases and the fan-out's
 * write lock keep them from stepping on each other.
 */
import type { ServerContext } from '../context.js';
import { pruneDeliveryLog } from './delivery-log.js';
import { DeliveryPump } from './delivery-pump.js';
import type { RandomSource } from './retry-schedule.js';
import { webhookWakeKey } from './webhook-services.js';

export interface WebhookWorkerOptions {
  /**
   * Attempts handed to the sender at once. More than its connections per receiver (64): a connection that frees
   * takes the next request from the client's queue at once, without a round trip through the pump. Measured in a
   * burst: 56.6% of the plain-client ceiling against 46.1% with 64 (bench/README.md, seventh round).
   */
  concurrency?: number;
  /** Jobs claimed per cycle (one transaction) at most. */
  batchSize?: number;
  pollMs?: number;
  leaseMs?: number;
  /** Jitter source of the retry schedule (tests pin it). */
  random?: RandomSource;
}

export class WebhookWorker {
  readonly pump: DeliveryPump;
  readonly #ctx: ServerContext;
  readonly #pollMs: number;
  readonly #subscriptions = new Map<string, () => void>();
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #lastPrune = 0;
  #pruning: Promise<void> | null = null;

  constructor(ctx: ServerContext, options: WebhookWorkerOptions = {}) {
    this.#ctx = ctx;
    this.#pollMs = options.pollMs ?? 1000;
    this.pump = new DeliveryPump(ctx, {
      concurrency: options.concurrency ?? 192,
      batchSize: options.batchSize ?? 128,
      pollMs: this.#pollMs,
      leaseMs: options.leaseMs ?? Math.max(60_000, ctx.config.outboundTimeoutMs * 3),
      random: options.random ?? Math.random,
    });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#subscriptions.set(webhookWakeKey, this.#ctx.hub.subscribe(webhookWakeKey, () => this.#onChange()));
    this.pump.start();
    this.#onChange();
    this.#timer = setInterval(() => this.#onChange(), this.#pollMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) clearInterval(this.#timer);
    for (const unsubscribe of this.#subscriptions.values()) unsubscribe();
    this.#subscriptions.clear();
    await this.#pruning;
    await this.pump.stop();
  }

  /**
   * Fans out and runs everything due at the clock's current time, until
   * nothing is left (tests walking a simulated clock; the loop need not run).
   */
  async runDue(): Promise<{ deliveries: number; jobs: number }> {
    return this.pump.runDue();
  }

  #onChange(): void {
    if (!this.#running) return;
    this.pump.wake();
    this.#maybePrune();
    void this.#refreshSubscriptions().catch((error: unknown) => this.#ctx.log.warn({ err: error }, 'webhooks: refreshing subscriptions failed'));
  }

  /** Trims the delivery log (finished deliveries older than 30 days), every 10 minutes at most. */
  #maybePrune(): void {
    const now = Date.now();
    if (now - this.#lastPrune < 10 * 60_000) return;
    this.#lastPrune = now;
    this.#pruning = pruneDeliveryLog(this.#ctx).then(
      () => undefined,
      (error: unknown) => this.#ctx.log.warn({ err: error }, 'webhooks: pruning the delivery log failed'),
    );
  }

  /** Listens to the workspaces that have enabled endpoints, and only those. */
  async #refreshSubscriptions(): Promise<void> {
    const rows = await this.#ctx.db.selectFrom('webhook_endpoints').select('workspace_id').distinct().where('enabled', '=', 1).execute();
    if (!this.#running) return;
    const wanted = new Set(rows.map((row) => row.workspace_id));
    for (const [key, unsubscribe] of this.#subscriptions) {
      if (key !== webhookWakeKey && !wanted.has(key)) {
        unsubscribe();
        this.#subscriptions.delete(key);
      }
    }
    for (const workspaceId of wanted) {
      if (!this.#subscriptions.has(workspaceId)) {
        this.#subscriptions.set(workspaceId, this.#ctx.hub.subscribe(workspaceId, () => this.pump.wake()));
      }
    }
  }
}
