/**
 * @module events/event-stream
 * The feed as Server-Sent Events. The stream first catches up from the
 * cursor, then waits for wake-ups from the hub; after each wake-up it reads
 * the database from the last seq it sent, so events that land while it is
 * catching up are sent once, in order, with no gap. A comment line keeps
 * idle connections (and proxies) alive.
 */
import type { FastifyReply } from 'fastify';
import type { ServerContext } from '../context.js';
import { eventJson, readEventsAfter } from './event-reader.js';
import { WakeLatch } from './wake-latch.js';

export const keepAliveMs = 15_000;
const batchSize = 500;

export interface StreamRequest {
  workspaceId: string;
  afterSeq: number;
  reply: FastifyReply;
  /** Aborts when the server shuts down. */
  closing: AbortSignal;
  /** How long an idle stream waits before a keep-alive comment; 15 s unless said. */
  keepAliveMs?: number;
}

function headersFor(reply: FastifyReply): Record<string, string | number | string[]> {
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
  return {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  };
}

/** Takes over the reply and streams until the client goes away or the server closes. */
export async function streamEvents(ctx: ServerContext, stream: StreamRequest): Promise<void> {
  const { reply, workspaceId } = stream;
  const raw = reply.raw;
  const stop = new AbortController();
  const abort = () => stop.abort();
  raw.on('close', abort);
  stream.closing.addEventListener('abort', abort, { once: true });
  const latch = new WakeLatch(ctx.hub, workspaceId);
  reply.hijack();
  const write = async (text: string): Promise<void> => {
    if (stop.signal.aborted || raw.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        raw.off('drain', done);
        stop.signal.removeEventListener('abort', done);
        resolve();
      };
      raw.once('drain', done);
      stop.signal.addEventListener('abort', done, { once: true });
    });
  };
  try {
    raw.writeHead(200, headersFor(reply));
    await write('retry: 3000\n\n');
    let lastSeq = stream.afterSeq;
    while (!stop.signal.aborted) {
      const rows = await readEventsAfter(ctx.db, workspaceId, lastSeq, batchSize);
      if (rows.length > 0) {
        let chunk = '';
        for (const row of rows) chunk += `id: ${row.seq}\nevent: ${row.type}\ndata: ${eventJson(row)}\n\n`;
        lastSeq = rows[rows.length - 1]?.seq ?? lastSeq;
        await write(chunk);
        if (rows.length === batchSize) continue;
      }
      const woken = await latch.wait(stream.keepAliveMs ?? keepAliveMs, stop.signal);
      if (!woken && !stop.signal.aborted) await write(': keep-alive\n\n');
    }
  } catch (error) {
    ctx.log.error({ err: error, workspaceId }, 'event stream failed');
  } finally {
    latch.close();
    raw.off('close', abort);
    stream.closing.removeEventListener('abort', abort);
    if (!raw.writableEnded) raw.end();
  }
}
