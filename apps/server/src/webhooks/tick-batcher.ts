/**
 * @module webhooks/tick-batcher
 * Gathers the calls made during one turn of the event loop and serves them
 * with one batched operation (one query, one transaction), so many concurrent
 * deliveries share their database round trips. `run` answers one result per
 * item, in order; if it throws, every caller of that batch gets the error.
 */
export class TickBatcher<Item, Result> {
  readonly #run: (items: Item[]) => Promise<Result[]>;
  readonly #maxBatch: number;
  #pending: { item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  #scheduled = false;

  constructor(run: (items: Item[]) => Promise<Result[]>, maxBatch = 256) {
    this.#run = run;
    this.#maxBatch = maxBatch;
  }

  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  /** Items added while a batch runs wait for it and go together in the next one (group commit). */
  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#maxBatch);
      try {
        const results = await this.#run(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index] as Result));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    this.#scheduled = false;
  }
}
