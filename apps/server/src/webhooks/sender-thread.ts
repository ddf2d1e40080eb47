/**
 * @module webhooks/sender-thread
 * Webhook attempts sent from a worker thread. They are signed in the
 * calling thread (the delivery pump's), so no secret crosses; the same
 * `sendSigned` over the same `OutboundHttp` (SSRF guard, no redirects,
 * timeouts, size limit) runs in the worker, so the HTTP work of a burst
 * (writing requests, parsing answers) runs beside the pump's database work
 * instead of taking turns with it on one core. Signing stays with the pump
 * because under a burst the sender thread was the one that set the pace
 * (bench/README.md, seventh round). Requests made in one turn of the event
 * loop travel in one message, and so do their results.
 *
 * If the thread dies, the attempts it held end as failed sends (the pump
 * retries them like any network failure) and the next attempt starts a new
 * thread. A thread that cannot even start (it never says it is ready) is not
 * started again: the attempts go to the `fallback` sender in this thread from
 * then on, those waiting included, and `onFallback` is told why. Under vitest
 * the source is TypeScript: the thread registers tsx first; from `dist/` it
 * runs the compiled entry.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { exchangeOf, signAttempt, type AttemptExchange, type AttemptSender, type AttemptSpec, type SignedRequest } from './attempt-exchange.js';
import { decodeResults, encodeRequests, isSenderReady, type NumberedRequest, type SenderSettings } from './sender-thread-protocol.js';

interface Pending {
  spec: AttemptSpec;
  request: SignedRequest;
  startedAt: number;
  resolve: (exchange: AttemptExchange) => void;
  reject: (error: Error) => void;
}

/** The thread's entry, compiled (`dist/`) or as source (tests run the source). */
function startWorker(settings: SenderSettings): Worker {
  const compiled = new URL('./sender-thread-main.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, { workerData: settings });
  const source = new URL('./sender-thread-main.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); })`, { eval: true, workerData: settings });
}

export interface SenderThreadOptions {
  /** The sender to use if the thread cannot start. */
  fallback: () => AttemptSender;
  /** Told once when the thread could not start, with the reason. */
  onFallback?: (reason: string) => void;
}

export class SenderThread implements AttemptSender {
  readonly #settings: SenderSettings;
  readonly #options: SenderThreadOptions;
  #worker: Worker | null = null;
  /** Whether a thread has ever said it is ready (after that, a lost thread is started again). */
  #started = false;
  #fallback: AttemptSender | null = null;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #outbox: NumberedRequest[] = [];
  #closed = false;

  constructor(settings: SenderSettings, options: SenderThreadOptions) {
    this.#settings = settings;
    this.#options = options;
  }

  exchange(spec: AttemptSpec): Promise<AttemptExchange> {
    if (this.#closed) return Promise.resolve(failed('The webhook sender is closed.', 0));
    if (this.#fallback !== null) return this.#fallback.exchange(spec);
    let request: SignedRequest;
    try {
      request = signAttempt(spec);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const n = this.#next++;
    const exchange = new Promise<AttemptExchange>((resolve, reject) => this.#pending.set(n, { spec, request, startedAt: performance.now(), resolve, reject }));
    // Sent once this turn of the event loop is over: the attempts started by every answer that came in it travel together.
    if (this.#outbox.push({ n, request }) === 1) setImmediate(() => this.#flush());
    return exchange;
  }

  #flush(): void {
    // Only those still waiting: a thread lost meanwhile ended them or handed them to the fallback, and so did close.
    const requests = this.#outbox.filter((item) => this.#pending.has(item.n));
    this.#outbox = [];
    // Closing: the thread is going (and these end when it has gone), so none starts another.
    if (requests.length === 0 || this.#closed) return;
    const worker = this.#ensureWorker();
    worker.ref();
    worker.postMessage(encodeRequests(requests));
  }

  #ensureWorker(): Worker {
    if (this.#worker !== null) return this.#worker;
    const worker = startWorker(this.#settings);
    worker.on('message', (message: unknown) => this.#receive(message));
    worker.on('error', (error) => this.#lost(worker, `The webhook sender thread failed: ${error.message}`));
    worker.on('exit', (code) => this.#lost(worker, `The webhook sender thread stopped (exit code ${code}).`));
    this.#worker = worker;
    return worker;
  }

  #receive(message: unknown): void {
    if (isSenderReady(message)) {
      this.#started = true;
      return;
    }
    const results = decodeResults(message);
    if (results === null) return;
    for (const item of results) {
      const pending = this.#pending.get(item.n);
      if (pending === undefined) continue;
      this.#pending.delete(item.n);
      if ('result' in item) pending.resolve(exchangeOf(pending.request, item.result));
      else pending.reject(new Error(item.error));
    }
    if (this.#pending.size === 0) this.#worker?.unref();
  }

  /** The thread is gone: what it held ends as failed sends, and the next attempt starts another thread. */
  #lost(worker: Worker, reason: string): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    if (this.#started || this.#closed) {
      this.#failPending(reason);
      return;
    }
    // It never started: send from this thread from now on, the waiting attempts first.
    this.#options.onFallback?.(reason);
    const fallback = this.#options.fallback();
    this.#fallback = fallback;
    for (const [n, pending] of this.#pending) {
      this.#pending.delete(n);
      fallback.exchange(pending.spec).then(pending.resolve, pending.reject);
    }
  }

  #failPending(reason: string): void {
    for (const [n, pending] of this.#pending) {
      this.#pending.delete(n);
      pending.resolve(failed(reason, performance.now() - pending.startedAt));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = null;
    // Its connections go with it; attempts still out end as failed sends (retried like any network failure).
    if (worker !== null) await worker.terminate();
    this.#failPending('The webhook sender was closed before the answer came.');
    await this.#fallback?.close();
  }
}

/** An exchange that never reached the receiver (nothing was sent, as far as this side knows). */
function failed(error: string, durationMs: number): AttemptExchange {
  return { requestHeaders: '{}', bodyBytes: 0, durationMs: Math.round(durationMs * 10) / 10, answer: null, error, refused: false, timedOut: false };
}
