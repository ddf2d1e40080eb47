/**
 * @module events/wake-latch
 * A subscription to a workspace's notifications that remembers a wake-up
 * which arrived while the reader was busy, so that "read, then wait" never
 * sleeps through an event committed between the read and the wait.
 */
import type { EventHub } from './event-hub.js';

export class WakeLatch {
  #pending = false;
  #resolve: (() => void) | null = null;
  readonly #unsubscribe: () => void;

  constructor(hub: EventHub, workspaceId: string) {
    this.#unsubscribe = hub.subscribe(workspaceId, () => {
      this.#pending = true;
      this.#resolve?.();
    });
  }

  /** Resolves true on a notification (possibly one that came before the call), false after `ms` or on abort. */
  wait(ms: number, signal: AbortSignal): Promise<boolean> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve(true);
    }
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', finish);
        this.#resolve = null;
        const woken = this.#pending;
        this.#pending = false;
        resolve(woken);
      };
      const timer = setTimeout(finish, ms);
      signal.addEventListener('abort', finish, { once: true });
      this.#resolve = finish;
    });
  }

  close(): void {
    this.#unsubscribe();
    this.#resolve?.();
  }
}
