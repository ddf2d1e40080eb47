/**
 * @module webhooks/sender-thread-protocol
 * The messages between the delivery pump's thread and the sender thread.
 * The settings are parsed with a schema once; the hot messages (attempts
 * out, exchanges back) are checked by shape — both ends are this code, and
 * a message that does not fit is refused, never guessed at. Each attempt
 * carries a number `n` its exchange comes back with.
 */
import { z } from 'zod';
import type { AttemptExchange, AttemptSpec } from './attempt-exchange.js';

export const senderSettingsSchema = z.object({
  allowList: z.array(z.string()),
  timeoutMs: z.number().int().positive(),
  maxResponseBytes: z.number().int().positive(),
  connectionsPerOrigin: z.number().int().positive(),
});

export type SenderSettings = z.infer<typeof senderSettingsSchema>;

export interface SenderRequests {
  attempts: { n: number; spec: AttemptSpec }[];
}

/** Each attempt's exchange, or why it could not be made (an error before sending: the attempt fails as if it threw here). */
export interface SenderResults {
  exchanges: ({ n: number; exchange: AttemptExchange } | { n: number; error: string })[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The thread's first message: it has built its client and takes attempts. */
export interface SenderReady {
  ready: true;
}

export function isSenderReady(value: unknown): value is SenderReady {
  return isObject(value) && value.ready === true;
}

export function isSenderRequests(value: unknown): value is SenderRequests {
  return isObject(value) && Array.isArray(value.attempts) && value.attempts.every((item) => isObject(item) && typeof item.n === 'number' && isObject(item.spec) && typeof item.spec.url === 'string' && typeof item.spec.body === 'string' && (item.spec.event === null || isObject(item.spec.event)));
}

export function isSenderResults(value: unknown): value is SenderResults {
  return isObject(value) && Array.isArray(value.exchanges) && value.exchanges.every((item) => isObject(item) && typeof item.n === 'number' && ((isObject(item.exchange) && typeof item.exchange.requestHeaders === 'string') || typeof item.error === 'string'));
}
