/**
 * @module @ferry/server
 * Start a Ferry server on a data folder: `startServer({ dataDir, port })`.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp, createFastify } from './app.js';
import { resolveConfig, type ServerConfig, type ServerOptions } from './config.js';
import { systemClock, type Clock, type ServerContext } from './context.js';
import { openDatabase } from './db/open.js';
import { EventHub } from './events/event-hub.js';
import { closeWebhookServices } from './webhooks/webhook-services.js';
import { WebhookWorker } from './webhooks/webhook-worker.js';
import { SyncPairWorker } from './sync-pairs/sync-pair-worker.js';

export type { ServerConfig, ServerOptions } from './config.js';
export type { Clock, ServerContext } from './context.js';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  ctx: ServerContext;
  close(): Promise<void>;
}

/**
 * Stops accepting connections and lets requests in flight finish; connections
 * still open after `graceMs` (a download that finished just as the close began
 * stays in keep-alive) are closed so that shutdown never hangs.
 */
async function closeGracefully(app: FastifyInstance, graceMs: number): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

export interface StartOptions extends ServerOptions {
  clock?: Clock;
  /** How long close() waits for open connections before closing them (default 10 s). */
  shutdownGraceMs?: number;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const config: ServerConfig = resolveConfig(options);
  const app = createFastify(config.logLevel);
  const db = await openDatabase(config.dataDir);
  const ctx: ServerContext = { config, db, clock: options.clock ?? systemClock, hub: new EventHub(), log: app.log };
  await buildApp(app, ctx);
  // Webhook deliveries: started after the routes, stopped before the database closes.
  const webhookWorker = config.webhookWorker ? new WebhookWorker(ctx) : null;
  let syncPairWorker: SyncPairWorker | null = null;
  app.addHook('preClose', async () => {
    await syncPairWorker?.stop();
    await webhookWorker?.stop();
    await closeWebhookServices(ctx);
  });
  app.addHook('onClose', async () => {
    await db.destroy();
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  if (config.publicUrl === null) config.publicUrl = url;
  webhookWorker?.start();
  // Server-side sync pairs reach the workspace through this server's own API (see sync-pairs/pair-drivers.ts).
  if (config.syncPairWorker) {
    syncPairWorker = new SyncPairWorker(ctx, { selfUrl: url });
    syncPairWorker.start();
  }
  return { url, port, ctx, close: () => closeGracefully(app, options.shutdownGraceMs ?? 10_000) };
}

export { withDataDir } from './admin.js';
export { rotateSecretKey, type KeyRotationResult } from './connections/key-rotation.js';
export { getAccessToken } from './connections/token-refresher.js';
export { runWebhookWorker, type StandaloneWebhookWorker } from './webhooks/worker-main.js';
export { createUser, createApiToken, findUserByEmail } from './auth/users.js';
