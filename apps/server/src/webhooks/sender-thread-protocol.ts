/**
 * @module webhooks/sender-thread-protocol
 * The messages between the delivery pump's thread and the sender thread.
 * The settings are parsed with a schema once. The hot messages (attempts
 * out, exchanges back) travel as flat arrays of strings, numbers and nulls,
 * a fixed number of slots per item: copying nested objects between threads
 * cost about three times as much per delivery (every object's property
 * names are copied and its shape rebuilt on the other side). Both ends are
 * this code, and the decoders check every slot's type: a message that does
 * not fit is refused whole, never guessed at. Each attempt carries a number
 * `n` its exchange comes back with.
 */
import { z } from 'zod';
import type { EventRow } from '../db/schema.js';
import type { AttemptExchange, AttemptSpec } from './attempt-exchange.js';

export const senderSettingsSchema = z.object({
  allowList: z.array(z.string()),
  timeoutMs: z.number().int().positive(),
  maxResponseBytes: z.number().int().positive(),
  connectionsPerOrigin: z.number().int().positive(),
});

export type SenderSettings = z.infer<typeof senderSettingsSchema>;

/** One attempt to make, numbered. */
export interface NumberedSpec {
  n: number;
  spec: AttemptSpec;
}

/** Each attempt's exchange, or why it could not be made (an error before sending: the attempt fails as if it threw here). */
export type NumberedExchange = { n: number; exchange: AttemptExchange } | { n: number; error: string };

type Slot = string | number | null;

/** Attempts, flat: see `attemptSlots` for the order. */
export interface SenderRequests {
  attempts: Slot[];
}

/** Exchanges, flat: see `exchangeSlots` for the order. */
export interface SenderResults {
  exchanges: Slot[];
}

/** The thread's first message: it has built its client and takes attempts. */
export interface SenderReady {
  ready: true;
}

/**
 * An attempt's slots: n, url, deliveryId, body, startedAtMs, newest secret, older secret (or null), then the
 * event's workspace_id, seq, id, type, at, actor_id, source, payload (all null when the body is the stored one).
 */
const attemptSlots = 15;
/**
 * An exchange's slots: n, outcome (0 made, 1 error before sending), requestHeaders or the error, bodyBytes,
 * durationMs, flags (1 refused, 2 timed out), error, then the answer's status (null: no answer), headers, body, bytes,
 * retryAfter, location.
 */
const exchangeSlots = 13;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function isSenderReady(value: unknown): value is SenderReady {
  return isObject(value) && value.ready === true;
}

/** The most signing secrets an attempt carries: the newest, and the one being rotated out. */
export const maxSecrets = 2;

/** Attempts as a message (each with at most `maxSecrets` secrets: the caller checks). */
export function encodeAttempts(items: readonly NumberedSpec[]): SenderRequests {
  const slots: Slot[] = [];
  for (const { n, spec } of items) {
    const { event } = spec;
    slots.push(n, spec.url, spec.deliveryId, spec.body, spec.startedAtMs, spec.secrets[0] ?? null, spec.secrets[1] ?? null);
    if (event === null) slots.push(null, null, null, null, null, null, null, null);
    else slots.push(event.workspace_id, event.seq, event.id, event.type, event.at, event.actor_id, event.source, event.payload);
  }
  return { attempts: slots };
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

/** The attempts of a message, or null when it is not a well-formed list of them. */
export function decodeAttempts(message: unknown): NumberedSpec[] | null {
  if (!isObject(message)) return null;
  return readItems(message.attempts, attemptSlots, ([n, url, deliveryId, body, startedAtMs, newest, older, workspaceId, seq, id, type, eventAt, actorId, source, payload]) => {
    if (typeof n !== 'number' || typeof url !== 'string' || typeof deliveryId !== 'string' || typeof body !== 'string' || typeof startedAtMs !== 'number') return null;
    if (!isOptionalString(newest) || !isOptionalString(older) || (newest === null && older !== null)) return null;
    let event: EventRow | null = null;
    if (workspaceId !== null) {
      if (typeof workspaceId !== 'string' || typeof seq !== 'number' || typeof id !== 'string' || typeof type !== 'string' || typeof eventAt !== 'string') return null;
      if (!isOptionalString(actorId) || typeof source !== 'string' || typeof payload !== 'string') return null;
      event = { workspace_id: workspaceId, seq, id, type, at: eventAt, actor_id: actorId, source, payload };
    }
    const secrets = newest === null ? [] : older === null ? [newest] : [newest, older];
    return { n, spec: { url, deliveryId, body, event, secrets, startedAtMs } };
  });
}

export function encodeExchanges(items: readonly NumberedExchange[]): SenderResults {
  const slots: Slot[] = [];
  for (const item of items) {
    if ('error' in item) {
      slots.push(item.n, 1, item.error, 0, 0, 0, null, null, null, null, 0, null, null);
      continue;
    }
    const { exchange } = item;
    const { answer } = exchange;
    const flags = (exchange.refused ? 1 : 0) | (exchange.timedOut ? 2 : 0);
    slots.push(item.n, 0, exchange.requestHeaders, exchange.bodyBytes, exchange.durationMs, flags, exchange.error);
    if (answer === null) slots.push(null, null, null, 0, null, null);
    else slots.push(answer.status, answer.headers, answer.body, answer.bytes, answer.retryAfter, answer.location);
  }
  return { exchanges: slots };
}

/** The exchanges of a message, or null when it is not a well-formed list of them. */
export function decodeExchanges(message: unknown): NumberedExchange[] | null {
  if (!isObject(message)) return null;
  return readItems<NumberedExchange>(message.exchanges, exchangeSlots, ([n, outcome, text, bodyBytes, durationMs, flags, error, status, headers, body, bytes, retryAfter, location]) => {
    if (typeof n !== 'number' || typeof text !== 'string') return null;
    if (outcome === 1) return { n, error: text };
    if (outcome !== 0 || typeof bodyBytes !== 'number' || typeof durationMs !== 'number' || typeof flags !== 'number' || !isOptionalString(error)) return null;
    let answer: AttemptExchange['answer'] = null;
    if (status !== null) {
      if (typeof status !== 'number' || typeof headers !== 'string' || typeof body !== 'string' || typeof bytes !== 'number' || !isOptionalString(retryAfter) || !isOptionalString(location)) return null;
      answer = { status, headers, body, bytes, retryAfter, location };
    }
    return { n, exchange: { requestHeaders: text, bodyBytes, durationMs, answer, error, refused: (flags & 1) !== 0, timedOut: (flags & 2) !== 0 } };
  });
}

function isOptionalString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
