/**
 * @module @ferry/server
 * Start a Ferry server on a data folder: `startServer({ dataDir, port })`.
 */
import { buildApp, createFastify } from './app.js';
import { resolveConfig, type ServerConfig, type ServerOptions } from './config.js';
import { systemClock, type Clock, type ServerContext } from './context.js';
import { openDatabase } from './db/open.js';
import { EventHub } from './events/event-hub.js';
import { closeWebhookServices } from './webhooks/webhook-services.js';
import { WebhookWorker } from './webhooks/webhook-worker.js';

export type { ServerConfig, ServerOptions } from './config.js';
export type { Clock, ServerContext } from './context.js';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  ctx: ServerContext;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions & { clock?: Clock }): Promise<RunningServer> {
  const config: ServerConfig = resolveConfig(options);
  const app = createFastify(config.logLevel);
  const db = await openDatabase(config.dataDir);
  const ctx: ServerContext = { config, db, clock: options.clock ?? systemClock, hub: new EventHub(), log: app.log };
  await buildApp(app, ctx);
  // Webhook deliveries: started after the routes, stopped before the database closes.
  const webhookWorker = config.webhookWorker ? new WebhookWorker(ctx) : null;
  app.addHook('preClose', async () => {
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
  return { url, port, ctx, close: () => app.close() };
}

export { withDataDir } from './admin.js';
export { runWebhookWorker, type StandaloneWebhookWorker } from './webhooks/worker-main.js';
export { createUser, createApiToken, findUserByEmail } from './auth/users.js';
