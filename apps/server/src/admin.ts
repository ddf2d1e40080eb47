/**
 * @module admin
 * Work on a data folder without an HTTP server: what `ferry admin` runs.
 */
import { resolveConfig } from './config.js';
import { systemClock, type ServerContext } from './context.js';
import { openDatabase } from './db/open.js';
import { EventHub } from './events/event-hub.js';
import { createFastify } from './app.js';

/** Opens the data folder's database, runs `work`, and closes it again. */
export async function withDataDir<T>(dataDir: string, work: (ctx: ServerContext) => Promise<T>): Promise<T> {
  const config = resolveConfig({ dataDir, logLevel: 'silent' });
  const db = await openDatabase(config.dataDir);
  const ctx: ServerContext = { config, db, clock: systemClock, hub: new EventHub(), log: createFastify('silent').log };
  try {
    return await work(ctx);
  } finally {
    await db.destroy();
  }
}
