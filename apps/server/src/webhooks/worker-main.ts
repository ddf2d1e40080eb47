/**
 * @module webhooks/worker-main
 * The webhook delivery worker on its own, without the HTTP server: for a
 * separate worker process on the same data folder (or database), and for the
 * crash tests that kill it. `runWebhookWorker({ dataDir })` opens the
 * database, starts fan-out + delivery, and returns `stop()`.
 */
import Fastify from 'fastify';
import { resolveConfig, type ServerOptions } from '../config.js';
import { systemClock, type Clock, type ServerContext } from '../context.js';
import { openDatabase } from '../db/open.js';
import { EventHub } from '../events/event-hub.js';
import { closeWebhookServices } from './webhook-services.js';
import { WebhookWorker, type WebhookWorkerOptions } from './webhook-worker.js';

export interface StandaloneWebhookWorker {
  ctx: ServerContext;
  worker: WebhookWorker;
  stop(): Promise<void>;
}

export async function runWebhookWorker(options: ServerOptions & { clock?: Clock; worker?: WebhookWorkerOptions }): Promise<StandaloneWebhookWorker> {
  const config = resolveConfig(options);
  const db = await openDatabase(config.dataDir);
  // Only for its logger (the server's pino); it never listens. Nothing of the HTTP app is loaded.
  const log = Fastify({ logger: { level: config.logLevel } }).log;
  const ctx: ServerContext = { config, db, clock: options.clock ?? systemClock, hub: new EventHub(), log };
  const worker = new WebhookWorker(ctx, options.worker);
  worker.start();
  return {
    ctx,
    worker,
    async stop() {
      await worker.stop();
      await closeWebhookServices(ctx);
      await db.destroy();
    },
  };
}
