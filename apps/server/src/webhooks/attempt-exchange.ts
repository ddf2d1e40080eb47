/**
 * @module webhooks/attempt-exchange
 * The HTTP part of one delivery attempt, the same in the main thread and in
 * the sender thread: a fresh `webhook-timestamp`, the Standard Webhooks
 * signature by each secret, the request through the guarded outbound client,
 * and the request headers as the delivery log records them (signatures,
 * never secrets).
 */
import type { EventRow } from '../db/schema.js';
import type { OutboundHttp, OutboundResult } from '../outbound/outbound-http.js';
import { deliveryBody } from './delivery-body.js';
import { signatureHeaderAt, webhookTimestamp } from './signing.js';

/**
 * What an attempt sends: the delivery's id (`webhook-id`), its body — built from `event` when there is one
 * (the same bytes for every endpoint and attempt, see delivery-body), else `body` as stored — and the
 * endpoint's signing secrets, newest first.
 */
export interface AttemptSpec {
  url: string;
  deliveryId: string;
  body: string;
  event: EventRow | null;
  secrets: string[];
  /** When the attempt starts (epoch ms): the `webhook-timestamp`. */
  startedAtMs: number;
}

/** What came of an attempt, shaped as the delivery log keeps it (small to send between threads). */
export interface AttemptExchange {
  /** The request headers as sent, as JSON. */
  requestHeaders: string;
  /** The size of the body sent (bytes). */
  bodyBytes: number;
  durationMs: number;
  /** The receiver's answer, or null when none came (then `error` says why). */
  answer: AttemptAnswer | null;
  error: string | null;
  /** The SSRF guard refused the address. */
  refused: boolean;
  timedOut: boolean;
}

export interface AttemptAnswer {
  status: number;
  /** The answer's headers, as JSON. */
  headers: string;
  /** The start of the answer body, as the log keeps it. */
  body: string;
  /** The size of the answer body read (bytes). */
  bytes: number;
  retryAfter: string | null;
  location: string | null;
}

/** The part of the answer kept in the delivery log (characters). */
const loggedBodyLength = 4096;

const userAgent = 'Ferry-Webhooks/1';
/** The start of the logged request headers: those that never change, in the order they are sent. */
const constantHeadersJson = JSON.stringify({ 'content-type': 'application/json', 'user-agent': userAgent }).slice(0, -1);

export async function exchangeAttempt(http: OutboundHttp, spec: AttemptSpec): Promise<AttemptExchange> {
  const body = spec.event === null ? spec.body : deliveryBody(spec.event);
  const timestamp = webhookTimestamp(new Date(spec.startedAtMs));
  const signature = signatureHeaderAt(spec.secrets, spec.deliveryId, timestamp, body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': userAgent,
    'webhook-id': spec.deliveryId,
    'webhook-timestamp': timestamp,
    'webhook-signature': signature,
  };
  const result = await http.send({ url: spec.url, headers, body });
  // What JSON.stringify(headers) gives, with only the three values that change written out.
  const requestHeaders = `${constantHeadersJson},"webhook-id":${JSON.stringify(spec.deliveryId)},"webhook-timestamp":${JSON.stringify(timestamp)},"webhook-signature":${JSON.stringify(signature)}}`;
  return { requestHeaders, bodyBytes: Buffer.byteLength(body), ...describeResult(result) };
}

/** The exchange's result as the log keeps it. */
function describeResult(result: OutboundResult): Pick<AttemptExchange, 'durationMs' | 'answer' | 'error' | 'refused' | 'timedOut'> {
  if (!result.ok) return { durationMs: result.durationMs, answer: null, error: result.error, refused: result.refused, timedOut: result.timedOut };
  const { status, headers, body } = result.answer;
  return {
    durationMs: result.durationMs,
    answer: { status, headers: JSON.stringify(headers), body: body.slice(0, loggedBodyLength), bytes: Buffer.byteLength(body), retryAfter: headers['retry-after'] ?? null, location: headers.location ?? null },
    error: null,
    refused: false,
    timedOut: false,
  };
}

/** Sends attempts: in this thread (`OutboundHttp`) or from the sender thread (`SenderThread`). */
export interface AttemptSender {
  exchange(spec: AttemptSpec): Promise<AttemptExchange>;
  close(): Promise<void>;
}

/** The sender that runs attempts in this thread. */
export class LocalAttemptSender implements AttemptSender {
  readonly #http: OutboundHttp;

  constructor(http: OutboundHttp) {
    this.#http = http;
  }

  exchange(spec: AttemptSpec): Promise<AttemptExchange> {
    return exchangeAttempt(this.#http, spec);
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}
