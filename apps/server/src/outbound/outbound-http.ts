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
 * allow-list is fixed; names are still checked at every connect), and
 * requests that start within the same `timeoutSlotMs` share one timeout
 * signal, which fires no earlier than `timeoutMs` after any of them started.
 */
import { setMaxListeners } from 'node:events';
import { Agent } from 'undici';
import { findRefusal, type SsrfGuard } from './ssrf-guard.js';

export interface OutboundOptions {
  guard: SsrfGuard;
  /** Connect timeout and total time for one exchange (ms). */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Open connections per origin. */
  connectionsPerOrigin?: number;
  /** Told after every request that carries a `tag` (integration analytics measure calls through this). */
  onCall?: (report: OutboundCallReport) => void;
}

/** Whom and what a request is for, so it can be measured. */
export interface OutboundCallTag {
  workspaceId: string;
  integration: string;
  operation: string;
  userId?: string | null;
}

export interface OutboundCallReport {
  tag: OutboundCallTag;
  request: OutboundRequest;
  result: OutboundResult;
}

export interface OutboundRequest {
  url: string;
  method?: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
  tag?: OutboundCallTag;
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

/** Requests starting within this long share one timeout signal (so a timeout may come up to this much late). */
const timeoutSlotMs = 50;
/** URLs whose form passed the guard, remembered (then forgotten all at once past this many). */
const checkedUrlLimit = 1000;

export class OutboundHttp {
  readonly #guard: SsrfGuard;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #agent: Agent;
  readonly #onCall: ((report: OutboundCallReport) => void) | undefined;
  readonly #checkedUrls = new Map<string, { origin: string; path: string }>();
  #timeoutSlot: { signal: AbortSignal; startedAt: number } | null = null;

  constructor(options: OutboundOptions) {
    this.#guard = options.guard;
    this.#onCall = options.onCall;
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
    const result = await this.#exchange(outbound);
    if (outbound.tag !== undefined) this.#onCall?.({ tag: outbound.tag, request: outbound, result });
    return result;
  }

  async #exchange(outbound: OutboundRequest): Promise<OutboundResult> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    const signal = this.#timeoutSignal(started);
    try {
      // A literal IP in the URL never reaches the connector's lookup: check the form here.
      const target = this.#checkUrlOnce(outbound.url);
      const response = await this.#agent.request({
        origin: target.origin,
        path: target.path,
        method: outbound.method ?? 'POST',
        headers: outbound.headers,
        body: outbound.body ?? null,
        signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const length = response.headers['content-length'];
      if (response.statusCode === 204 || length === '0') {
        // Nothing to read (the usual webhook answer): skip the stream iterator.
        await response.body.dump();
      } else for await (const chunk of response.body) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        const room = this.#maxBytes - size;
        chunks.push(buffer.subarray(0, Math.max(0, room)));
        size += Math.min(buffer.length, Math.max(0, room));
        if (buffer.length > room) {
          truncated = true;
          response.body.destroy();
          break;
        }
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { ok: true, answer: { status: response.statusCode, headers, body: Buffer.concat(chunks).toString('utf8'), truncated }, durationMs: elapsed() };
    } catch (error) {
      const refusal = findRefusal(error);
      if (refusal !== null) return { ok: false, error: refusal.message, refused: true, timedOut: false, durationMs: elapsed() };
      const timedOut = signal.aborted || isTimeout(error);
      const message = timedOut ? `No answer within ${this.#timeoutMs} ms.` : describe(error);
      return { ok: false, error: message, refused: false, timedOut, durationMs: elapsed() };
    }
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

  /** A signal that aborts at least `timeoutMs` after `now`: shared by the requests of one slot. */
  #timeoutSignal(now: number): AbortSignal {
    const slot = this.#timeoutSlot;
    if (slot !== null && now - slot.startedAt < timeoutSlotMs) return slot.signal;
    const signal = AbortSignal.timeout(this.#timeoutMs + timeoutSlotMs);
    // Every request of the slot listens to it (and stops listening when done): no leak to warn about.
    setMaxListeners(0, signal);
    this.#timeoutSlot = { signal, startedAt: now };
    return signal;
  }

  async close(): Promise<void> {
    await this.#agent.close();
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
