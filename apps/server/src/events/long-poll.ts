/**
 * @module events/long-poll
 * One page of the feed, waiting up to `wait` seconds for the first event when
 * there is none yet. The wake-up subscription starts before the first read,
 * so an event committed in between still ends the wait at once.
 */
import type { EventRow } from '../db/schema.js';
import type { ServerContext } from '../context.js';
import { readEventsAfter } from './event-reader.js';
import { WakeLatch } from './wake-latch.js';

export interface PageRequest {
  workspaceId: string;
  afterSeq: number;
  limit: number;
  waitMs: number;
  /** Aborts when the client disconnects or the server closes. */
  signal: AbortSignal;
}

export async function readPageWaiting(ctx: ServerContext, page: PageRequest): Promise<EventRow[]> {
  if (page.waitMs <= 0) return readEventsAfter(ctx.db, page.workspaceId, page.afterSeq, page.limit);
  const latch = new WakeLatch(ctx.hub, page.workspaceId);
  try {
    let rows = await readEventsAfter(ctx.db, page.workspaceId, page.afterSeq, page.limit);
    const deadline = performance.now() + page.waitMs;
    while (rows.length === 0 && !page.signal.aborted) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      if (!(await latch.wait(remaining, page.signal))) break;
      rows = await readEventsAfter(ctx.db, page.workspaceId, page.afterSeq, page.limit);
    }
    return rows;
  } finally {
    latch.close();
  }
}
