import { eventSchema } from '@ferry/core';
import { Agent, fetch as undiciFetch } from 'undici';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestUser } from '../testing/index.js';
import { streamEvents } from './event-stream.js';
import { appendTestEvents } from './test-events.js';

interface SseMessage {
  id: string;
  event: string;
  data: string;
}

/** An SSE client on a connection of its own, reading frames as they come. */
class SseReader {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  readonly status: number;
  readonly contentType: string | null;
  #buffer = '';
  #done = false;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #controller: AbortController;
  readonly #agent: Agent;

  private constructor(status: number, contentType: string | null, reader: ReadableStreamDefaultReader<Uint8Array>, controller: AbortController, agent: Agent) {
    this.status = status;
    this.contentType = contentType;
    this.#reader = reader;
    this.#controller = controller;
    this.#agent = agent;
  }

  static async open(url: string, headers: Record<string, string>): Promise<SseReader> {
    const controller = new AbortController();
    const agent = new Agent();
    const response = await undiciFetch(url, { headers, signal: controller.signal, dispatcher: agent });
    if (!response.body) throw new Error('no body');
    return new SseReader(response.status, response.headers.get('content-type'), response.body.getReader(), controller, agent);
  }

  /** Reads until `count` messages in total have arrived. */
  async waitFor(count: number): Promise<SseMessage[]> {
    const decoder = new TextDecoder();
    while (this.messages.length < count && !this.#done) {
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#done = true;
        break;
      }
      this.#buffer += decoder.decode(value, { stream: true });
      let end = this.#buffer.indexOf('\n\n');
      while (end >= 0) {
        this.#parse(this.#buffer.slice(0, end));
        this.#buffer = this.#buffer.slice(end + 2);
        end = this.#buffer.indexOf('\n\n');
      }
    }
    return this.messages;
  }

  #parse(frame: string): void {
    const message: SseMessage = { id: '', event: '', data: '' };
    let isMessage = false;
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      const match = /^(id|event|data): ?(.*)$/.exec(line);
      if (match?.[1] === 'id' || match?.[1] === 'event' || match?.[1] === 'data') {
        message[match[1]] = match[1] === 'data' && message.data !== '' ? `${message.data}\n${match[2] ?? ''}` : (match[2] ?? '');
        isMessage = true;
      }
    }
    if (isMessage) this.messages.push(message);
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#reader.cancel().catch(() => undefined);
    await this.#agent.close();
  }
}

function seqsOf(messages: SseMessage[]): number[] {
  return messages.map((message) => Number(message.id));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

describe('the event stream (SSE)', () => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let streamUrl: string;

  beforeAll(async () => {
    server = await startTestServer();
    alice = await server.newUser();
    bob = await server.newUser();
    streamUrl = `${server.url}/api/v1/workspaces/${alice.workspace.id}/events/stream`;
  });
  afterAll(async () => {
    await server.close();
  });

  it('catches up, then sends new events live, each as id/event/data', async () => {
    await appendTestEvents(server.ctx, alice.workspace.id, 5);
    const stream = await SseReader.open(streamUrl, { authorization: `Bearer ${alice.token}` });
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toMatch(/^text\/event-stream/);
      expect(seqsOf(await stream.waitFor(5))).toEqual(range(1, 5));
      await appendTestEvents(server.ctx, alice.workspace.id, 3, 'live');
      const messages = await stream.waitFor(8);
      expect(seqsOf(messages)).toEqual(range(1, 8));
      const last = messages[7];
      expect(last?.event).toBe('share.created');
      const event = eventSchema.parse(JSON.parse(last?.data ?? ''));
      expect(event).toMatchObject({ seq: 8, workspaceId: alice.workspace.id, data: { label: 'live', note: 'line one\nline two "quoted"' } });
    } finally {
      await stream.close();
    }
  });

  it('resumes after Last-Event-ID, or after ?cursor=', async () => {
    const byHeader = await SseReader.open(streamUrl, { authorization: `Bearer ${alice.token}`, 'last-event-id': '6' });
    const byQuery = await SseReader.open(`${streamUrl}?cursor=7`, { authorization: `Bearer ${alice.token}` });
    try {
      expect(seqsOf(await byHeader.waitFor(2))).toEqual([7, 8]);
      expect(seqsOf(await byQuery.waitFor(1))).toEqual([8]);
    } finally {
      await byHeader.close();
      await byQuery.close();
    }
  });

  it('has no gaps and no duplicates while events are written during catch-up and across a reconnect', async () => {
    const start = Number((await server.ctx.db.selectFrom('workspaces').select('event_seq').where('id', '=', alice.workspace.id).executeTakeFirstOrThrow()).event_seq);
    const batches = 40;
    const writer = (async () => {
      for (let batch = 0; batch < batches; batch += 1) {
        await appendTestEvents(server.ctx, alice.workspace.id, 1 + (batch % 7), `batch-${batch}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const total = start + Array.from({ length: batches }, (_, batch) => 1 + (batch % 7)).reduce((sum, count) => sum + count, 0);

    const first = await SseReader.open(streamUrl, { authorization: `Bearer ${alice.token}` });
    const firstPart = await first.waitFor(start + 40);
    await first.close();
    const lastSeen = firstPart.at(-1)?.id ?? '0';
    const second = await SseReader.open(streamUrl, { authorization: `Bearer ${alice.token}`, 'last-event-id': lastSeen });
    try {
      await writer;
      const secondPart = await second.waitFor(total - Number(lastSeen));
      expect([...seqsOf(firstPart), ...seqsOf(secondPart)]).toEqual(range(1, total));
    } finally {
      await second.close();
    }
  });

  it('lets go of the hub when the client disconnects', async () => {
    const stream = await SseReader.open(`${streamUrl}?cursor=latest`, { authorization: `Bearer ${alice.token}` });
    await stream.waitFor(0);
    for (let attempt = 0; attempt < 50 && server.ctx.hub.listenerCount(alice.workspace.id) === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.ctx.hub.listenerCount(alice.workspace.id)).toBe(1);
    await stream.close();
    for (let attempt = 0; attempt < 100 && server.ctx.hub.listenerCount(alice.workspace.id) > 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(server.ctx.hub.listenerCount(alice.workspace.id)).toBe(0);
  });

  it('answers a non-member with a JSON 404, not a stream', async () => {
    const response = await fetch(streamUrl, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.text()).not.toContain('share.created');
  });
});

describe('streamEvents on an idle feed', () => {
  it('sends a keep-alive comment while nothing happens, then the next event', async () => {
    const server = await startTestServer();
    const alice = await server.newUser();
    const closing = new AbortController();
    const app = Fastify();
    app.get('/stream', async (_request, reply) => {
      await streamEvents(server.ctx, { workspaceId: alice.workspace.id, afterSeq: 0, reply, closing: closing.signal, keepAliveMs: 100 });
      return reply;
    });
    app.addHook('preClose', async () => closing.abort());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const stream = await SseReader.open(`http://127.0.0.1:${port}/stream`, {});
    try {
      const waiting = stream.waitFor(1);
      for (let attempt = 0; attempt < 100 && !stream.comments.includes('keep-alive'); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(stream.comments).toContain('keep-alive');
      await appendTestEvents(server.ctx, alice.workspace.id, 1);
      expect(seqsOf(await waiting)).toEqual([1]);
    } finally {
      await stream.close();
      await app.close();
      await server.close();
    }
  });
});
