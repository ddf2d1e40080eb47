/**
 * @module webhooks/sender-thread.test
 * The webhook sender thread against real receivers on 127.0.0.1: attempts
 * signed before they go to the thread verify with the standardwebhooks
 * library, an event's body is byte for byte what it is everywhere else; the
 * SSRF guard runs in the thread too (loopback refused without the allow-list); many
 * attempts at once each get their own answer; a thread that cannot start
 * hands its attempts to the fallback sender; attempts still out when the
 * sender closes end as failed sends instead of hanging.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventRow } from '../db/schema.js';
import { deliveryBody } from './delivery-body.js';
import { OutboundHttp } from '../outbound/outbound-http.js';
import { SsrfGuard } from '../outbound/ssrf-guard.js';
import { LocalAttemptSender } from './attempt-exchange.js';
import { SenderThread } from './sender-thread.js';
import { newSigningSecret } from './signing.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
const senders: SenderThread[] = [];

async function receiver(handler: (received: Received, response: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const item = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(item);
      handler(item, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/** A fallback that must not be needed: the thread starts. */
const noFallback = { fallback: () => { throw new Error('the sender thread should have started'); } };

function sender(allowList: string[], timeoutMs = 5_000): SenderThread {
  const made = new SenderThread({ allowList, timeoutMs, maxResponseBytes: 1024, connectionsPerOrigin: 8 }, noFallback);
  senders.push(made);
  return made;
}

afterEach(async () => {
  await Promise.all(senders.splice(0).map((made) => made.close()));
  for (const server of servers.splice(0)) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('webhook sender thread', () => {
  it('sends from its thread what was signed before: 50 attempts at once, each verified and answered', async () => {
    const target = await receiver(({ body }, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${JSON.parse(body).n}`));
    const secret = newSigningSecret();
    const thread = sender(['127.0.0.1']);
    const startedAtMs = Date.now();
    const exchanges = await Promise.all(
      Array.from({ length: 50 }, (_, n) => thread.exchange({ url: target.url, deliveryId: `msg_${n}`, body: JSON.stringify({ n }), event: null, secrets: [secret], startedAtMs })),
    );
    expect(exchanges.map(({ answer, error }) => answer?.body ?? error)).toEqual(Array.from({ length: 50 }, (_, n) => `got ${n}`));
    expect(target.received).toHaveLength(50);
    const verifier = new Webhook(secret);
    for (const { headers, body } of target.received) {
      const flat = { 'webhook-id': String(headers['webhook-id']), 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) };
      expect(verifier.verify(body, flat)).toEqual(JSON.parse(body));
    }
    const logged = JSON.parse(exchanges[7]?.requestHeaders ?? '{}') as Record<string, string>;
    expect(logged['webhook-id']).toBe('msg_7');
    expect(logged['webhook-signature']).toMatch(/^v1,/);
    expect(JSON.stringify(logged)).not.toContain(secret.slice('whsec_'.length));
  });

  it("builds an event's body in the thread, byte for byte the body the delivery log and other endpoints get", async () => {
    const target = await receiver((_received, response) => response.end('ok'));
    const event: EventRow = { workspace_id: 'wsp_1', seq: 41, id: 'evt_1', type: 'file.created', at: '2026-11-25T21:00:00.000Z', actor_id: 'usr_1', source: 'api', payload: JSON.stringify({ node: { id: 'nod_1', name: 'Résumé ✓.pdf', size: 12 } }) };
    const secret = newSigningSecret();
    const { bodyBytes, answer } = await sender(['127.0.0.1']).exchange({ url: target.url, deliveryId: 'msg_e', body: '', event, secrets: [secret], startedAtMs: Date.now() });
    expect(answer?.status).toBe(200);
    expect(target.received[0]?.body).toBe(deliveryBody(event));
    expect(bodyBytes).toBe(Buffer.byteLength(deliveryBody(event)));
    const { headers, body } = target.received[0] ?? { headers: {}, body: '' };
    expect(new Webhook(secret).verify(body, { 'webhook-id': 'msg_e', 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) })).toMatchObject({ type: 'file.created' });
  });

  it('keeps the SSRF guard in the thread: loopback is refused without the allow-list, and nothing arrives', async () => {
    const target = await receiver((_received, response) => response.end('should not be reached'));
    const refused = await sender([]).exchange({ url: target.url, deliveryId: 'msg_1', body: '{}', event: null, secrets: [newSigningSecret()], startedAtMs: Date.now() });
    expect(refused).toMatchObject({ answer: null, refused: true });
    expect(target.received).toHaveLength(0);
  });

  it('sends from this thread when its thread cannot start, the attempts already waiting included', async () => {
    const target = await receiver((_received, response) => response.end('ok'));
    const reasons: string[] = [];
    const guard = new SsrfGuard({ allowList: ['127.0.0.1'] });
    // Settings the thread refuses (a zero timeout) make it fail before it is ready.
    const broken = new SenderThread({ allowList: ['127.0.0.1'], timeoutMs: 0, maxResponseBytes: 1024, connectionsPerOrigin: 8 }, { fallback: () => new LocalAttemptSender(new OutboundHttp({ guard, timeoutMs: 5_000 })), onFallback: (reason) => reasons.push(reason) });
    senders.push(broken);
    const spec = (n: number) => ({ url: target.url, deliveryId: `msg_${n}`, body: '{}', event: null, secrets: [newSigningSecret()], startedAtMs: Date.now() });
    const first = await Promise.all([broken.exchange(spec(1)), broken.exchange(spec(2))]);
    const later = await broken.exchange(spec(3));
    expect([...first, later].map((exchange) => exchange.answer?.status)).toEqual([200, 200, 200]);
    expect(target.received.map((item) => item.headers['webhook-id'])).toEqual(expect.arrayContaining(['msg_1', 'msg_2', 'msg_3']));
    expect(reasons).toHaveLength(1);
  });

  it('ends attempts still waiting when it closes as failed sends, and refuses new ones', async () => {
    const target = await receiver(() => undefined);
    const thread = sender(['127.0.0.1'], 60_000);
    const waiting = thread.exchange({ url: target.url, deliveryId: 'msg_1', body: '{}', event: null, secrets: [newSigningSecret()], startedAtMs: Date.now() });
    while (target.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await thread.close();
    const cut = await waiting;
    expect(cut.answer).toBeNull();
    expect(cut.error).toMatch(/closed before the answer/);
    const after = await thread.exchange({ url: target.url, deliveryId: 'msg_2', body: '{}', event: null, secrets: [newSigningSecret()], startedAtMs: Date.now() });
    expect(after.answer).toBeNull();
    expect(target.received).toHaveLength(1);
  });
});
