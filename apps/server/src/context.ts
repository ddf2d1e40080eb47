/**
 * @module context
 * What every route and service receives: config, database, clock, the
 * in-process event hub, and the logger. Built once per server.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from './config.js';
import type { Db } from './db/open.js';
import type { EventHub } from './events/event-hub.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ServerContext {
  config: ServerConfig;
  db: Db;
  clock: Clock;
  hub: EventHub;
  log: FastifyBaseLogger;
}

export function isoNow(ctx: Pick<ServerContext, 'clock'>): string {
  return ctx.clock.now().toISOString();
}
