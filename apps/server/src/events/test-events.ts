/**
 * @module events/test-events
 * For tests: append feed events directly, the way a change does (in a
 * transaction, then a hub notification after commit).
 */
import type { ServerContext } from '../context.js';
import { appendEvent } from './event-log.js';

export async function appendTestEvents(ctx: ServerContext, workspaceId: string, count: number, label = 'test'): Promise<number[]> {
  const seqs = await ctx.db.transaction().execute(async (trx) => {
    const appended: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const event = await appendEvent(trx, {
        workspaceId,
        type: 'share.created',
        at: ctx.clock.now().toISOString(),
        actorId: null,
        source: 'test',
        data: { label, index, note: 'line one\nline two "quoted"' },
      });
      appended.push(event.seq);
    }
    return appended;
  });
  ctx.hub.notify(workspaceId);
  return seqs;
}
