/**
 * @module webhooks/test-receiver
 * A webhook receiver for tests: a real node:http server on 127.0.0.1 that
 * records every request (headers and raw body) and answers as the test
 * says (`respond`), plus a helper that appends events to a workspace's feed
 * the way a change would.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventType } from '@ferry/core';
import type { ServerContext } from '../context.js';
import { appendEvent } from '../events/event-log.js';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The three Standard Webhooks headers, as a record `Webhook.verify` takes. */
  webhookHeaders: Record<string, string>;
}

export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the sender must time out). */
  hang?: boolean;
}

export interface TestReceiver {
  url: string;
  received: ReceivedRequest[];
  /** How to answer the next requests (default 200). */
  respond: (request: ReceivedRequest) => ReceiverAnswer;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<TestReceiver> {
  const received: ReceivedRequest[] = [];
  const receiver: TestReceiver = {
    url: '',
    received,
    respond: () => ({ status: 200 }),
    close: async () => undefined,
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : '';
      };
      const entry: ReceivedRequest = {
        path: request.url ?? '/',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        webhookHeaders: { 'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature') },
      };
      received.push(entry);
      const answer = receiver.respond(entry);
      if (answer.hang) return;
      response.writeHead(answer.status, answer.headers ?? {});
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

/** Appends `count` events to the workspace's feed (one transaction) and notifies the hub, as a change would. */
export async function appendTestEvents(ctx: ServerContext, workspaceId: string, count: number, type: EventType = 'file.created'): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    for (let index = 0; index < count; index += 1) {
      await appendEvent(trx, { workspaceId, type, at: ctx.clock.now().toISOString(), actorId: null, source: 'test', data: { index } });
    }
  });
  ctx.hub.notify(workspaceId);
}
