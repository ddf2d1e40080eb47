/**
 * @module outbound/outbound-http
 * The one HTTP client for requests Ferry makes to user-given URLs (webhooks).
 * Every request passes the SSRF guard: the URL's form first, then every
 * connection's DNS answer inside the connector (the checked address is the
 * one connected to). Redirects are never followed (a 3xx is an answer like
 * any other), the connect and the whole exchange have timeouts, and at most
 * `maxResponseBytes` of the answer are read. Connections are kept alive.
 *
 * Per-request costs are kept small for webhook fan-outs of thousands of
 * calls: a URL's form is checked once (the verdict cannot change: the
 * allow-list is fixed; names are still checked at every connect); requests go
 * through undici's `dispatch` with a small handler that collects the answer
 * (no response stream, no abort signal per request); and one sweep timer,
 * running only while requests are in flight, aborts those older than
 * `timeoutMs` (at most `timeoutSweepMs` late).
 *
 * A caller may hand over more requests than there are connections (the
 * webhook pump does, so that a freed connection takes the next request at
 * once): the rest wait in the client's queue. A request's time limit and its
 * duration count from when it is written to a connection; a request still
 * waiting for one after `timeoutMs` fails as timed out too.
 */
import { Agent, type Dispatcher } from 'undici';
import { findRefusal, type SsrfGuard } from './ssrf-guard.js';

export interface OutboundOptions {
  guard: SsrfGuard;
  /** Connect timeout and total time for one exchange (ms). */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Open connections per origin. */
  connectionsPerOrigin?: number;
}

export interface OutboundRequest {
  url: string;
  method?: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
}

export interface OutboundAnswer {
  status: number;
  headers: Record<string, string>;
  /** The first `maxResponseBytes` bytes of the answer, as UTF-8. */
  body: string;
  truncated: boolean;
}

export type OutboundResult =
  | { ok: true; answer: OutboundAnswer; durationMs: number }
  | { ok: false; error: string; refused: boolean; timedOut: boolean; durationMs: number };

/** How often requests in flight are checked against the timeout (so a timeout may come up to this much late). */
const timeoutSweepMs = 50;
/** URLs whose form passed the guard, remembered (then forgotten all at once past this many). */
const checkedUrlLimit = 1000;

export class OutboundHttp {
  readonly #guard: SsrfGuard;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #agent: Agent;
  readonly #checkedUrls = new Map<string, { origin: string; path: string }>();
  /** Exchanges in flight, oldest first (a Set keeps insertion order). */
  readonly #inFlight = new Set<Exchange>();
  #sweeper: NodeJS.Timeout | null = null;

  constructor(options: OutboundOptions) {
    this.#guard = options.guard;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxBytes = options.maxResponseBytes ?? 64 * 1024;
    this.#agent = new Agent({
      connect: { lookup: options.guard.lookup, timeout: this.#timeoutMs },
      connections: options.connectionsPerOrigin ?? 64,
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
      keepAliveTimeout: 30_000,
      // undici 7 follows no redirects unless a redirect interceptor is composed in; none is.
    });
  }

  async send(outbound: OutboundRequest): Promise<OutboundResult> {
    const exchange = new Exchange(this.#maxBytes);
    try {
      // A literal IP in the URL never reaches the connector's lookup: check the form here.
      const target = this.#checkUrlOnce(outbound.url);
      this.#track(exchange);
      this.#agent.dispatch({ origin: target.origin, path: target.path, method: outbound.method ?? 'POST', headers: outbound.headers, body: outbound.body ?? null }, exchange);
      const answer = await exchange.done;
      return { ok: true, answer, durationMs: exchange.elapsed() };
    } catch (error) {
      const refusal = findRefusal(error);
      if (refusal !== null) return { ok: false, error: refusal.message, refused: true, timedOut: false, durationMs: exchange.elapsed() };
      const timedOut = exchange.timedOut || isTimeout(error);
      const waited = exchange.timedOut && exchange.sentAt === null;
      const message = waited ? `Not sent within ${this.#timeoutMs} ms: every connection to the receiver stayed busy.` : timedOut ? `No answer within ${this.#timeoutMs} ms.` : describe(error);
      return { ok: false, error: message, refused: false, timedOut, durationMs: exchange.elapsed() };
    } finally {
      this.#inFlight.delete(exchange);
    }
  }

  /** Watches an exchange for the timeout; the sweep timer runs while any is in flight. */
  #track(exchange: Exchange): void {
    this.#inFlight.add(exchange);
    if (this.#sweeper !== null) return;
    this.#sweeper = setInterval(() => {
      const cutoff = performance.now() - this.#timeoutMs;
      // Every one is looked at: those sent later may have been handed over earlier (order is by handing over).
      for (const old of this.#inFlight) {
        if ((old.sentAt ?? old.handedAt) > cutoff) continue;
        this.#inFlight.delete(old);
        old.timeOut();
      }
      if (this.#inFlight.size === 0 && this.#sweeper !== null) {
        clearInterval(this.#sweeper);
        this.#sweeper = null;
      }
    }, timeoutSweepMs);
    this.#sweeper.unref();
  }

  /** The guard's check of the URL's form; a URL that passed once passes again (same guard, same allow-list). Answers where to send. */
  #checkUrlOnce(url: string): { origin: string; path: string } {
    let target = this.#checkedUrls.get(url);
    if (target === undefined) {
      const checked = this.#guard.checkUrl(url);
      target = { origin: checked.origin, path: `${checked.pathname}${checked.search}` };
      if (this.#checkedUrls.size >= checkedUrlLimit) this.#checkedUrls.clear();
      this.#checkedUrls.set(url, target);
    }
    return target;
  }

  async close(): Promise<void> {
    if (this.#sweeper !== null) clearInterval(this.#sweeper);
    this.#sweeper = null;
    await this.#agent.close();
  }
}

class TimeoutError extends Error {}
class TruncatedError extends Error {}

/**
 * One request's handler for undici's `dispatch`: keeps the status, the
 * headers and the first `maxBytes` of the body, and settles `done` once.
 * Past the size limit it aborts the exchange and answers what it has.
 */
class Exchange implements Dispatcher.DispatchHandler {
  /** When the request was handed to the client (it may wait there for a connection). */
  readonly handedAt = performance.now();
  /** When it was written to a connection, or null while it waits. */
  sentAt: number | null = null;
  readonly done: Promise<OutboundAnswer>;
  timedOut = false;
  #resolve: (answer: OutboundAnswer) => void = () => undefined;
  #reject: (error: Error) => void = () => undefined;
  #controller: Dispatcher.DispatchController | null = null;
  #settled = false;
  readonly #maxBytes: number;
  #status = 0;
  #headers: Record<string, string> = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.done = new Promise<OutboundAnswer>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Since the request was sent (or handed over, if it never was), in ms to a tenth. */
  elapsed(): number {
    return Math.round((performance.now() - (this.sentAt ?? this.handedAt)) * 10) / 10;
  }

  /** Gives up on the exchange (called by the sweep timer). */
  timeOut(): void {
    if (this.#settled) return;
    this.timedOut = true;
    const error = new TimeoutError('timed out');
    if (this.#controller !== null) this.#controller.abort(error);
    this.#fail(error);
  }

  /** Called as the request is about to be written to a connection. */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.sentAt = performance.now();
    this.#controller = controller;
    if (this.#settled) controller.abort(new TimeoutError('timed out'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx answers come before the final one: only the last start counts.
    this.#status = statusCode;
    const flat: Record<string, string> = {};
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined) flat[name] = typeof value === 'string' ? value : value.join(', ');
    }
    this.#headers = flat;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#settled) return;
    const room = this.#maxBytes - this.#size;
    if (chunk.length <= room) {
      this.#chunks.push(chunk);
      this.#size += chunk.length;
      return;
    }
    this.#chunks.push(chunk.subarray(0, room));
    this.#size += room;
    this.#answer(true);
    controller.abort(new TruncatedError('answer cut at the size limit'));
  }

  onResponseEnd(): void {
    this.#answer(false);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#fail(error);
  }

  #answer(truncated: boolean): void {
    if (this.#settled) return;
    this.#settled = true;
    const body = this.#chunks.length === 0 ? '' : this.#chunks.length === 1 ? (this.#chunks[0]?.toString('utf8') ?? '') : Buffer.concat(this.#chunks).toString('utf8');
    this.#resolve({ status: this.#status, headers: this.#headers, body, truncated });
  }

  #fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }
}

function isTimeout(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const code = 'code' in error ? ` (${String(error.code)})` : '';
  return `${error.message}${code}${cause}`.slice(0, 500);
}
