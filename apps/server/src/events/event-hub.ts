/**
 * @module events/event-hub
 * In-process wake-ups for long-polls and SSE streams: after a transaction that
 * appended events commits, `notify(workspaceId)` wakes every waiter of that
 * workspace, which then reads the feed from the database (the source of truth).
 */
export class EventHub {
  readonly #waiters = new Map<string, Set<() => void>>();

  notify(workspaceId: string): void {
    const waiters = this.#waiters.get(workspaceId);
    if (!waiters) return;
    for (const wake of [...waiters]) wake();
  }

  /** How many long-polls and streams are waiting on the workspace (for metrics and tests). */
  listenerCount(workspaceId: string): number {
    return this.#waiters.get(workspaceId)?.size ?? 0;
  }

  /** Waiters over all workspaces. */
  totalListenerCount(): number {
    let total = 0;
    for (const waiters of this.#waiters.values()) total += waiters.size;
    return total;
  }

  /** Calls `wake` on every notify of the workspace until the returned function is called. */
  subscribe(workspaceId: string, wake: () => void): () => void {
    let waiters = this.#waiters.get(workspaceId);
    if (!waiters) {
      waiters = new Set();
      this.#waiters.set(workspaceId, waiters);
    }
    waiters.add(wake);
    return () => {
      waiters.delete(wake);
      if (waiters.size === 0) this.#waiters.delete(workspaceId);
    };
  }

  /** Resolves on the next notify of the workspace, or after `ms`, or when `signal` aborts. */
  wait(workspaceId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const unsubscribe = this.subscribe(workspaceId, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
