/**
 * @module webhooks/sender-thread-protocol.test
 * The flat messages between the pump's thread and the sender thread carry
 * every field of a signed request and of its result across a real thread
 * boundary (a MessageChannel copies them as postMessage does), whatever is
 * null; a message that does not fit is refused whole.
 */
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { decodeRequests, decodeResults, encodeRequests, encodeResults, type NumberedRequest, type NumberedResult } from './sender-thread-protocol.js';

/** What arrives on the other side of a message port. */
async function across(message: unknown): Promise<unknown> {
  const { port1, port2 } = new MessageChannel();
  const arrived = new Promise<unknown>((resolve) => port2.once('message', resolve));
  port1.postMessage(message);
  const value = await arrived;
  port1.close();
  return value;
}

const requests: NumberedRequest[] = [
  { n: 0, request: { url: 'https://example.com/hook', deliveryId: 'msg_1', timestamp: '1764129600', signature: 'v1,abc=', body: '{"data":{"name":"ré sumé.pdf"}}' } },
  { n: 7, request: { url: 'https://example.com/hook?x=1', deliveryId: 'msg_2', timestamp: '5', signature: 'v1,new= v1,old=', body: '{"type":"webhook.test"}' } },
  { n: 8, request: { url: 'https://example.com/', deliveryId: 'msg_3', timestamp: '6', signature: '', body: '' } },
];

const results: NumberedResult[] = [
  {
    n: 0,
    result: { durationMs: 1.3, answer: { status: 429, headers: '{"retry-after":"120"}', body: 'slow down', bytes: 9, retryAfter: '120', location: null }, error: null, refused: false, timedOut: false },
  },
  { n: 7, result: { durationMs: 10_000, answer: null, error: 'No answer within 10000 ms.', refused: false, timedOut: true } },
  { n: 8, result: { durationMs: 0.2, answer: null, error: 'The address 10.0.0.1 is private.', refused: true, timedOut: false } },
  { n: 9, result: { durationMs: 3, answer: { status: 302, headers: '{}', body: '', bytes: 0, retryAfter: null, location: 'http://127.0.0.1/' }, error: null, refused: false, timedOut: false } },
  { n: 10, error: 'The request could not be sent.' },
];

describe('sender thread messages', () => {
  it('carry every request field across a thread boundary, with one, two or no signatures', async () => {
    expect(decodeRequests(await across(encodeRequests(requests)))).toEqual(requests);
  });

  it('carry every result field back, answered or not, refused, timed out, or failed before sending', async () => {
    expect(decodeResults(await across(encodeResults(results)))).toEqual(results);
  });

  it('refuse a message that does not fit, whole', async () => {
    const good = encodeRequests(requests).requests;
    expect(decodeRequests({ requests: good.slice(0, -1) })).toBeNull();
    expect(decodeRequests({ requests: good.map((slot) => (slot === 'msg_2' ? 2 : slot)) })).toBeNull();
    expect(decodeRequests({ requests: 'nope' })).toBeNull();
    expect(decodeRequests(null)).toBeNull();
    const back = encodeResults(results).results;
    expect(decodeResults({ results: back.slice(1) })).toBeNull();
    expect(decodeResults({ results: back.map((slot) => (slot === 429 ? '429' : slot)) })).toBeNull();
    expect(decodeResults({ results: back.map((slot) => (slot === 'The request could not be sent.' ? null : slot)) })).toBeNull();
    expect(decodeResults({ requests: back })).toBeNull();
  });

  it('keep an empty list empty', async () => {
    expect(decodeRequests(await across(encodeRequests([])))).toEqual([]);
    expect(decodeResults(await across(encodeResults([])))).toEqual([]);
  });
});
