/**
 * @module connections/provider-http
 * How connections talk to providers: every request passes the SSRF guard
 * (the URL's form, then each resolved address at connect time), follows no
 * redirects and has a time-out; calls for one connection are paced by the
 * provider's per-connection rate, and a provider's `Retry-After` (429/503)
 * holds back that connection's next calls. Answers come back as standard
 * `Response`s, the shape oauth4webapi's `customFetch` expects.
 * Every call — answered, failed, or refused before it left (SSRF guard,
 * Retry-After wait too long) — is reported to `onCall` (integration analytics).
 * `paced()` puts an SDK's own fetch (the Dropbox sync driver's) under the same
 * per-connection pace and Retry-After; `guardedFetch` is a fetch for such an
 * SDK that keeps the SSRF guard, no-redirect rule and time-outs, with bodies
 * streamed both ways (file content).
 * Answers have a size limit: `fetch` buffers at most `maxAnswerBytes` (token
 * endpoints, JSON answers; 4 MiB by default) and refuses a larger answer
 * without reading it all (`provider_error`, reported as `too_large`);
 * `guardedFetch` streams at most `maxStreamedAnswerBytes` (the server's largest
 * upload), counted after decompression, so a gzip bomb errors the stream
 * instead of growing it.
 */
import { pipeline, Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { FerryError, parseRetryAfter } from '@ferry/core';
import { Agent, request } from 'undici';
import { SsrfGuard } from '../outbound/ssrf-guard.js';

/** The most a call waits for its turn before it is refused as rate limited. */
const maxWaitMs = 30_000;

/** Default cap of an answer `fetch` buffers (token endpoints, JSON API answers). */
export const defaultMaxAnswerBytes = 4 * 1024 ** 2;
/** Default cap of an answer `guardedFetch` streams, decoded: the config's default largest upload. */
export const defaultMaxStreamedAnswerBytes = 10 * 1024 ** 3;

interface Pace {
  /** When the next call may start (rate spacing). */
  nextAt: number;
  /** A provider's Retry-After: nothing starts before this. */
  blockedUntil: number;
}

/** One provider call as analytics count it: `status` when the provider answered, else why not. */
export interface ProviderCallReport {
  paceKey: string;
  url: string;
  method: string;
  status: number | null;
  failure: 'refused' | 'rate_limited' | 'timeout' | 'network' | 'too_large' | null;
  durationMs: number;
  bytesOut: number;
  bytesIn: number;
}

interface SendOutcome {
  failure: 'timeout' | 'network' | 'too_large';
  bytesIn: number;
}

export interface ProviderRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** A fetch body as undici's `request` takes it (the bodies SDKs send: text, bytes, Node or web streams). */
function requestBody(body: unknown): string | Uint8Array | Readable | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Readable) return body;
  if (body instanceof ReadableStream) return Readable.fromWeb(body);
  throw new FerryError('bad_request', 'This request body cannot be sent to a provider.');
}

export interface ProviderHttpOptions {
  allowList: readonly string[];
  timeoutMs: number;
  /** Most bytes `fetch` reads of one answer (default 4 MiB). */
  maxAnswerBytes?: number;
  /** Most bytes (decoded) `guardedFetch` streams of one answer (default 10 GiB; the server passes its `maxUploadBytes`). */
  maxStreamedAnswerBytes?: number;
  onCall?: (report: ProviderCallReport) => void;
}

function sizeText(bytes: number): string {
  if (bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`;
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** A provider's answer past the size limit (`provider_error`); analytics count the call as `too_large`. */
export class AnswerTooLargeError extends FerryError {
  constructor(url: string, limit: number, decoded: boolean) {
    const what = decoded ? 'decompressed answer' : 'answer';
    super('provider_error', `The ${what} from ${new URL(url).host} is larger than ${sizeText(limit)}, the most Ferry reads of a provider's answer; it was not read further.`);
  }
}

function answerTooLarge(url: string, limit: number, decoded: boolean): FerryError {
  return new AnswerTooLargeError(url, limit, decoded);
}

/** Passes chunks on until more than `limit` bytes went through, then errors (the pipeline then stops reading the answer). */
function answerLimiter(url: string, limit: number, decoded: boolean): Transform {
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      passed += chunk.byteLength;
      if (passed > limit) done(answerTooLarge(url, limit, decoded));
      else done(null, chunk);
    },
  });
}

function decoderOf(encoding: string | null): Transform | null {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === 'gzip' || name === 'x-gzip') return createGunzip();
  if (name === 'deflate') return createInflate();
  if (name === 'br') return createBrotliDecompress();
  return null;
}

export class ProviderHttp {
  readonly #guard: SsrfGuard;
  readonly #agent: Agent;
  readonly #timeoutMs: number;
  readonly #paces = new Map<string, Pace>();
  readonly #onCall: ((report: ProviderCallReport) => void) | undefined;
  readonly #maxAnswerBytes: number;
  readonly #maxStreamedAnswerBytes: number;

  constructor(options: ProviderHttpOptions) {
    this.#guard = new SsrfGuard({ allowList: options.allowList });
    this.#timeoutMs = options.timeoutMs;
    this.#maxAnswerBytes = options.maxAnswerBytes ?? defaultMaxAnswerBytes;
    this.#maxStreamedAnswerBytes = options.maxStreamedAnswerBytes ?? defaultMaxStreamedAnswerBytes;
    this.#onCall = options.onCall;
    this.#agent = new Agent({
      connect: { lookup: this.#guard.lookup, timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** Waits for the connection's turn (rate and Retry-After); refuses when that is too far away. */
  async #takeTurn(paceKey: string, perSecond: number): Promise<void> {
    const now = Date.now();
    const pace = this.#paces.get(paceKey) ?? { nextAt: now, blockedUntil: 0 };
    const startAt = Math.max(now, pace.nextAt, pace.blockedUntil);
    if (startAt - now > maxWaitMs) {
      throw new FerryError('rate_limited', `The provider asked Ferry to slow down for this connection; try again in ${Math.ceil((startAt - now) / 1000)} s.`);
    }
    pace.nextAt = startAt + 1000 / perSecond;
    this.#paces.set(paceKey, pace);
    if (startAt > now) await new Promise((resolve) => setTimeout(resolve, startAt - now));
  }

  /** Sends one request for a connection (or a provider, before a connection exists), and reports it. */
  async fetch(paceKey: string, perSecond: number, url: string, init: ProviderRequestInit = {}): Promise<Response> {
    const startedAt = performance.now();
    const method = init.method ?? 'GET';
    const report = (status: number | null, failure: ProviderCallReport['failure'], bytesIn: number) => {
      const bytesOut = status === null || init.body === undefined ? 0 : Buffer.byteLength(init.body);
      this.#onCall?.({ paceKey, url, method, status, failure, durationMs: performance.now() - startedAt, bytesOut, bytesIn });
    };
    const outcome: SendOutcome = { failure: 'network', bytesIn: 0 };
    let response: Response;
    try {
      response = await this.#send(paceKey, perSecond, url, init, outcome);
    } catch (error) {
      const code = error instanceof FerryError ? error.code : null;
      report(null, code === 'rate_limited' ? 'rate_limited' : code === 'url_not_allowed' ? 'refused' : outcome.failure, outcome.bytesIn);
      throw error;
    }
    report(response.status, null, outcome.bytesIn);
    return response;
  }

  async #send(paceKey: string, perSecond: number, url: string, init: ProviderRequestInit, outcome: SendOutcome): Promise<Response> {
    await this.#takeTurn(paceKey, perSecond);
    this.#guard.checkUrl(url);
    const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(this.#timeoutMs)]) : AbortSignal.timeout(this.#timeoutMs);
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(url, {
        dispatcher: this.#agent,
        method: (init.method ?? 'GET') as 'GET',
        headers: init.headers ?? {},
        body: init.body ?? null,
        signal,
      });
    } catch (error) {
      if (signal.aborted && signal.reason instanceof Error && signal.reason.name === 'TimeoutError') outcome.failure = 'timeout';
      const cause = error instanceof FerryError ? error : error instanceof Error && error.cause instanceof FerryError ? error.cause : null;
      if (cause !== null) throw cause;
      throw new FerryError('provider_error', `The provider could not be reached (${new URL(url).host}): ${error instanceof Error ? error.message : String(error)}`);
    }
    const body = await this.#readCapped(url, answer, outcome);
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    this.#noteAnswer(paceKey, answer.statusCode, headers.get('retry-after'));
    const nullBody = answer.statusCode === 204 || answer.statusCode === 304 || answer.statusCode < 200;
    return new Response(nullBody ? null : body, { status: answer.statusCode, headers });
  }

  /** The whole answer, unless it passes `maxAnswerBytes`: then reading stops (the connection is closed) and the call fails. */
  async #readCapped(url: string, answer: Awaited<ReturnType<typeof request>>, outcome: SendOutcome): Promise<Buffer> {
    const limit = this.#maxAnswerBytes;
    const declared = Number(answer.headers['content-length'] ?? Number.NaN);
    const refuse = (): FerryError => {
      answer.body.destroy();
      outcome.failure = 'too_large';
      return answerTooLarge(url, limit, false);
    };
    if (declared > limit) throw refuse();
    const chunks: Buffer[] = [];
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      outcome.bytesIn += chunk.byteLength;
      if (outcome.bytesIn > limit) throw refuse();
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, outcome.bytesIn);
  }

  /**
   * A fetch for an SDK (the Google Drive sync driver's): the SSRF guard checks the URL and every
   * address it resolves to, a redirect comes back as it is (never followed), the agent's time-outs
   * apply; request and answer bodies stream. The answer's body errors once more than
   * `maxStreamedAnswerBytes` (decoded) went through. Pace it with `paced()`; it reports nothing by itself.
   */
  readonly guardedFetch = async (url: string, init: RequestInit = {}): Promise<Response> => {
    this.#guard.checkUrl(url);
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      answer = await request(url, {
        dispatcher: this.#agent,
        method: (init.method ?? 'GET') as 'GET',
        headers: Object.fromEntries(new Headers(init.headers).entries()),
        body: requestBody(init.body),
        signal: init.signal ?? undefined,
      });
    } catch (error) {
      const cause = error instanceof FerryError ? error : error instanceof Error && error.cause instanceof FerryError ? error.cause : null;
      throw cause ?? error;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    if (answer.statusCode === 204 || answer.statusCode === 304 || answer.statusCode < 200) {
      await answer.body.dump();
      return new Response(null, { status: answer.statusCode, headers });
    }
    // As fetch does: a compressed answer (Google's SDK asks for gzip) is handed on decoded.
    const decoder = decoderOf(headers.get('content-encoding'));
    const limiter = answerLimiter(url, this.#maxStreamedAnswerBytes, decoder !== null);
    if (decoder === null) return new Response(Readable.toWeb(pipeline(answer.body, limiter, () => undefined)), { status: answer.statusCode, headers });
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(Readable.toWeb(pipeline(answer.body, decoder, limiter, () => undefined)), { status: answer.statusCode, headers });
  };

  /** A 429/503 holds the connection back for its Retry-After (1 s when it names none). */
  #noteAnswer(paceKey: string, status: number, retryAfter: string | null): void {
    if (status !== 429 && status !== 503) return;
    const wait = parseRetryAfter(retryAfter) ?? 1000;
    const pace = this.#paces.get(paceKey);
    if (pace !== undefined) pace.blockedUntil = Math.max(pace.blockedUntil, Date.now() + wait);
  }

  /**
   * `send` (a fetch an SDK calls, e.g. a sync driver's) under the same pace as
   * this client's own calls for the connection: it waits its turn, and a
   * 429/503 Retry-After it gets holds back the connection's next calls.
   */
  paced(paceKey: string, perSecond: number, send: (url: string, init?: RequestInit) => Promise<Response>): (url: string, init?: RequestInit) => Promise<Response> {
    return async (url, init) => {
      await this.#takeTurn(paceKey, perSecond);
      const response = await send(url, init);
      this.#noteAnswer(paceKey, response.status, response.headers.get('retry-after'));
      return response;
    };
  }

  /** When a connection may call again after a Retry-After (0 when it may now). */
  blockedUntil(paceKey: string): number {
    return this.#paces.get(paceKey)?.blockedUntil ?? 0;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
