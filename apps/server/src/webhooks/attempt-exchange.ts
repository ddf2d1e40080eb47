/**
 * @module webhooks/attempt-exchange
 * The HTTP part of one delivery attempt, in two steps. `signAttempt` runs in
 * the delivery pump's thread: the body (built from the event when there is
 * one), a fresh `webhook-timestamp` and the Standard Webhooks signature by
 * each secret — so secrets never leave that thread. `sendSigned` runs where
 * the request goes out (this thread, or the sender thread): the request
 * through the guarded outbound client, and the answer as the delivery log
 * keeps it. `exchangeOf` puts the two together, with the request headers as
 * the log records them (signatures, never secrets).
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

/** An attempt's request, signed: all that goes to where it is sent (no secrets). */
export interface SignedRequest {
  url: string;
  deliveryId: string;
  /** The `webhook-timestamp` value. */
  timestamp: string;
  /** The `webhook-signature` value. */
  signature: string;
  body: string;
}

/** How the request went: the receiver's answer as the log keeps it, or why none came. */
export interface AttemptResult {
  durationMs: number;
  /** The receiver's answer, or null when none came (then `error` says why). */
  answer: AttemptAnswer | null;
  error: string | null;
  /** The SSRF guard refused the address. */
  refused: boolean;
  timedOut: boolean;
}

/** What came of an attempt, shaped as the delivery log keeps it. */
export interface AttemptExchange extends AttemptResult {
  /** The request headers as sent, as JSON. */
  requestHeaders: string;
  /** The size of the body sent (bytes). */
  bodyBytes: number;
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

/** The body, timestamp and signature of an attempt. */
export function signAttempt(spec: AttemptSpec): SignedRequest {
  const body = spec.event === null ? spec.body : deliveryBody(spec.event);
  const timestamp = webhookTimestamp(new Date(spec.startedAtMs));
  return { url: spec.url, deliveryId: spec.deliveryId, timestamp, signature: signatureHeaderAt(spec.secrets, spec.deliveryId, timestamp, body), body };
}

/** Sends a signed request through the guarded client. */
export async function sendSigned(http: OutboundHttp, request: SignedRequest): Promise<AttemptResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': userAgent,
    'webhook-id': request.deliveryId,
    'webhook-timestamp': request.timestamp,
    'webhook-signature': request.signature,
  };
  return describeResult(await http.send({ url: request.url, headers, body: request.body }));
}

/** The whole exchange: the request as the log records it, and how it went. */
export function exchangeOf(request: SignedRequest, result: AttemptResult): AttemptExchange {
  // What JSON.stringify of the headers sent gives, with only the three values that change written out.
  const requestHeaders = `${constantHeadersJson},"webhook-id":${JSON.stringify(request.deliveryId)},"webhook-timestamp":${JSON.stringify(request.timestamp)},"webhook-signature":${JSON.stringify(request.signature)}}`;
  return { requestHeaders, bodyBytes: Buffer.byteLength(request.body), ...result };
}

/** The exchange's result as the log keeps it. */
function describeResult(result: OutboundResult): AttemptResult {
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

  async exchange(spec: AttemptSpec): Promise<AttemptExchange> {
    const request = signAttempt(spec);
    return exchangeOf(request, await sendSigned(this.#http, request));
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}
