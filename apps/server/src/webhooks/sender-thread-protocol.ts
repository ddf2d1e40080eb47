/**
 * @module webhooks/sender-thread-protocol
 * The messages between the delivery pump's thread and the sender thread.
 * The settings are parsed with a schema once. The hot messages (signed
 * requests out, results back) travel as flat arrays of strings, numbers and nulls,
 * a fixed number of slots per item: copying nested objects between threads
 * cost about three times as much per delivery (every object's property
 * names are copied and its shape rebuilt on the other side). Both ends are
 * this code, and the decoders check every slot's type: a message that does
 * not fit is refused whole, never guessed at. Each request carries a number
 * `n` its result comes back with. Requests arrive signed: no secret crosses.
 */
import { z } from 'zod';
import type { AttemptResult, SignedRequest } from './attempt-exchange.js';

export const senderSettingsSchema = z.object({
  allowList: z.array(z.string()),
  timeoutMs: z.number().int().positive(),
  maxResponseBytes: z.number().int().positive(),
  connectionsPerOrigin: z.number().int().positive(),
});

export type SenderSettings = z.infer<typeof senderSettingsSchema>;

/** One signed request to send, numbered. */
export interface NumberedRequest {
  n: number;
  request: SignedRequest;
}

/** Each request's result, or why it could not be sent (an error before sending: the attempt fails as if it threw here). */
export type NumberedResult = { n: number; result: AttemptResult } | { n: number; error: string };

type Slot = string | number | null;

/** Requests, flat: see `requestSlots` for the order. */
export interface SenderRequests {
  requests: Slot[];
}

/** Results, flat: see `resultSlots` for the order. */
export interface SenderResults {
  results: Slot[];
}

/** The thread's first message: it has built its client and takes attempts. */
export interface SenderReady {
  ready: true;
}

/** A request's slots: n, url, deliveryId, timestamp, signature, body. */
const requestSlots = 6;
/**
 * A result's slots: n, outcome (0 sent, 1 error before sending), durationMs, flags (1 refused, 2 timed out), error,
 * then the answer's status (null: no answer), headers, body, bytes, retryAfter, location.
 */
const resultSlots = 11;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function isSenderReady(value: unknown): value is SenderReady {
  return isObject(value) && value.ready === true;
}

/** Requests as a message. */
export function encodeRequests(items: readonly NumberedRequest[]): SenderRequests {
  const slots: Slot[] = [];
  for (const { n, request } of items) slots.push(n, request.url, request.deliveryId, request.timestamp, request.signature, request.body);
  return { requests: slots };
}

/**
 * The items of a flat list: `read` turns each run of `stride` slots into an item, or null when they do not fit;
 * null for the whole list when it is not an array of whole runs or any run does not fit.
 */
function readItems<Item>(list: unknown, stride: number, read: (slots: unknown[]) => Item | null): Item[] | null {
  if (!Array.isArray(list) || list.length % stride !== 0) return null;
  const items: Item[] = [];
  for (let at = 0; at < list.length; at += stride) {
    const item = read(list.slice(at, at + stride));
    if (item === null) return null;
    items.push(item);
  }
  return items;
}

/** The requests of a message, or null when it is not a well-formed list of them. */
export function decodeRequests(message: unknown): NumberedRequest[] | null {
  if (!isObject(message)) return null;
  return readItems(message.requests, requestSlots, ([n, url, deliveryId, timestamp, signature, body]) => {
    if (typeof n !== 'number' || typeof url !== 'string' || typeof deliveryId !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string' || typeof body !== 'string') return null;
    return { n, request: { url, deliveryId, timestamp, signature, body } };
  });
}

export function encodeResults(items: readonly NumberedResult[]): SenderResults {
  const slots: Slot[] = [];
  for (const item of items) {
    if ('error' in item) {
      slots.push(item.n, 1, 0, 0, item.error, null, null, null, 0, null, null);
      continue;
    }
    const { result } = item;
    const { answer } = result;
    const flags = (result.refused ? 1 : 0) | (result.timedOut ? 2 : 0);
    slots.push(item.n, 0, result.durationMs, flags, result.error);
    if (answer === null) slots.push(null, null, null, 0, null, null);
    else slots.push(answer.status, answer.headers, answer.body, answer.bytes, answer.retryAfter, answer.location);
  }
  return { results: slots };
}

/** The results of a message, or null when it is not a well-formed list of them. */
export function decodeResults(message: unknown): NumberedResult[] | null {
  if (!isObject(message)) return null;
  return readItems<NumberedResult>(message.results, resultSlots, ([n, outcome, durationMs, flags, error, status, headers, body, bytes, retryAfter, location]) => {
    if (typeof n !== 'number') return null;
    if (outcome === 1) return typeof error === 'string' ? { n, error } : null;
    if (outcome !== 0 || typeof durationMs !== 'number' || typeof flags !== 'number' || !isOptionalString(error)) return null;
    let answer: AttemptResult['answer'] = null;
    if (status !== null) {
      if (typeof status !== 'number' || typeof headers !== 'string' || typeof body !== 'string' || typeof bytes !== 'number' || !isOptionalString(retryAfter) || !isOptionalString(location)) return null;
      answer = { status, headers, body, bytes, retryAfter, location };
    }
    return { n, result: { durationMs, answer, error, refused: (flags & 1) !== 0, timedOut: (flags & 2) !== 0 } };
  });
}

function isOptionalString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
