/**
 * @module webhooks/sender-thread-protocol.test
 * The flat messages between the pump's thread and the sender thread carry
 * every field of an attempt and of its exchange across a real thread
 * boundary (a MessageChannel copies them as postMessage does), whatever is
 * null; a message that does not fit is refused whole.
 */
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { decodeAttempts, decodeExchanges, encodeAttempts, encodeExchanges, type NumberedExchange, type NumberedSpec } from './sender-thread-protocol.js';

/** What arrives on the other side of a message port. */
async function across(message: unknown): Promise<unknown> {
  const { port1, port2 } = new MessageChannel();
  const arrived = new Promise<unknown>((resolve) => port2.once('message', resolve));
  port1.postMessage(message);
  const value = await arrived;
  port1.close();
  return value;
}

const event = { workspace_id: 'wsp_a', seq: 42, id: 'evt_a', type: 'file.created', at: '2026-11-26T04:00:00.000Z', actor_id: null, source: 'api', payload: '{"node":{"id":"nod_a","name":"ré sumé.pdf"}}' };

const specs: NumberedSpec[] = [
  { n: 0, spec: { url: 'https://example.com/hook', deliveryId: 'msg_1', body: '', event, secrets: ['whsec_new'], startedAtMs: 1_764_129_600_123 } },
  { n: 7, spec: { url: 'https://example.com/hook?x=1', deliveryId: 'msg_2', body: '{"type":"webhook.test"}', event: null, secrets: ['whsec_new', 'whsec_old'], startedAtMs: 5 } },
  { n: 8, spec: { url: 'https://example.com/', deliveryId: 'msg_3', body: '{}', event: { ...event, actor_id: 'usr_a' }, secrets: [], startedAtMs: 6 } },
];

const exchanges: NumberedExchange[] = [
  {
    n: 0,
    exchange: {
      requestHeaders: '{"webhook-id":"msg_1"}',
      bodyBytes: 589,
      durationMs: 1.3,
      answer: { status: 429, headers: '{"retry-after":"120"}', body: 'slow down', bytes: 9, retryAfter: '120', location: null },
      error: null,
      refused: false,
      timedOut: false,
    },
  },
  { n: 7, exchange: { requestHeaders: '{}', bodyBytes: 0, durationMs: 10_000, answer: null, error: 'No answer within 10000 ms.', refused: false, timedOut: true } },
  { n: 8, exchange: { requestHeaders: '{}', bodyBytes: 0, durationMs: 0.2, answer: null, error: 'The address 10.0.0.1 is private.', refused: true, timedOut: false } },
  { n: 9, exchange: { requestHeaders: '{}', bodyBytes: 2, durationMs: 3, answer: { status: 302, headers: '{}', body: '', bytes: 0, retryAfter: null, location: 'http://127.0.0.1/' }, error: null, refused: false, timedOut: false } },
  { n: 10, error: 'A secret could not be opened.' },
];

describe('sender thread messages', () => {
  it('carry every attempt field across a thread boundary, with or without an event and with 0 to 2 secrets', async () => {
    expect(decodeAttempts(await across(encodeAttempts(specs)))).toEqual(specs);
  });

  it('carry every exchange field back, answered or not, refused, timed out, or failed before sending', async () => {
    expect(decodeExchanges(await across(encodeExchanges(exchanges)))).toEqual(exchanges);
  });

  it('refuse a message that does not fit, whole', async () => {
    const good = encodeAttempts(specs).attempts;
    expect(decodeAttempts({ attempts: good.slice(0, -1) })).toBeNull();
    expect(decodeAttempts({ attempts: good.map((slot) => (slot === 'msg_2' ? 2 : slot)) })).toBeNull();
    expect(decodeAttempts({ attempts: 'nope' })).toBeNull();
    expect(decodeAttempts(null)).toBeNull();
    const back = encodeExchanges(exchanges).exchanges;
    expect(decodeExchanges({ exchanges: back.slice(1) })).toBeNull();
    expect(decodeExchanges({ exchanges: back.map((slot) => (slot === 429 ? '429' : slot)) })).toBeNull();
    expect(decodeExchanges({ attempts: back })).toBeNull();
  });

  it('keep an empty list empty', async () => {
    expect(decodeAttempts(await across(encodeAttempts([])))).toEqual([]);
    expect(decodeExchanges(await across(encodeExchanges([])))).toEqual([]);
  });
});
