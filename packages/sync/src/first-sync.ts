/**
 * @module first-sync
 * The first run of a pair (empty base) between two trees that already hold
 * the same files — a folder and its copy, a restored backup, a second
 * machine set up by copying. The planner would build both trees as objects,
 * hash every file pair into them and plan a `record` per path, all held at
 * once (~2 KB per file at 100,000 files). Here the two compact listings are
 * walked once instead: every path that both sides hold as a folder, or as
 * files of the same size and the same content (sha256), goes straight into
 * the base, a batch at a time, and nothing of it stays in memory.
 *
 * When that covers every entry of both listings the run is done (nothing to
 * transfer). Otherwise the planner runs as usual on top of the new base
 * rows, and decides what it would have decided without them: on a first run
 * no entry can have moved or been deleted, and an entry recorded as equal on
 * both sides is untouched to it (no hash, no action), while every other path
 * is planned from the listings as before.
 *
 * A batch is committed on its own, so an interrupted first run leaves those
 * rows; the next run then takes the ordinary path and finds them untouched.
 */
import type { DriverEntry, SyncDriver } from './driver.js';
import type { IgnoreMatcher } from './ignore-rules.js';
import type { CompactListing } from './listing.js';
import type { Side } from './plan-types.js';
import type { BaseEntry, StateStore } from './state-store.js';

/** File pairs hashed and committed together. */
const batchSize = 512;
/** File pairs hashed at the same time. */
const hashWorkers = 4;

/** The base row of a path both sides hold alike. */
function agreed(a: DriverEntry, b: DriverEntry, hash: string | null): BaseEntry {
  return { path: a.path, kind: a.kind, hash, size: a.size, mtimeMs: a.mtimeMs, aId: a.id, aRevision: a.revision, bId: b.id, bRevision: b.revision };
}

/** The content hash of `entry` (the listing's, as the planner compares them), or null when it cannot be read now (the planner then meets it as usual). */
async function hashOrNull(driver: SyncDriver, entry: DriverEntry): Promise<string | null> {
  if (entry.hash !== null) return entry.hash;
  try {
    return await driver.hash(entry);
  } catch {
    return null;
  }
}

class Adopter {
  /** Rows to commit with the next batch (folders, and files found equal). */
  private rows: BaseEntry[] = [];
  /** Listing indexes (a, b, a, b, ...) of file pairs of the same path and size, still to compare: numbers, not objects, while they wait. */
  private pairs: number[] = [];
  adopted = 0;

  constructor(
    private readonly store: StateStore,
    private readonly drivers: Record<Side, SyncDriver>,
    private readonly listings: Record<Side, CompactListing>,
  ) {}

  async offer(onA: number, onB: number): Promise<void> {
    const { a, b } = this.listings;
    if (a.kind(onA) === 'folder') this.rows.push(agreed(a.entry(onA), b.entry(onB), null));
    else this.pairs.push(onA, onB);
    if (this.pairs.length >= batchSize * 2 || this.rows.length >= batchSize * 4) await this.flush();
  }

  /** Compares the pending pairs and commits the batch's rows in one transaction. */
  async flush(): Promise<void> {
    const pairs = this.pairs;
    this.pairs = [];
    let next = 0;
    const compare = async (): Promise<void> => {
      while (next < pairs.length) {
        const a = this.listings.a.entry(pairs[next] as number);
        const b = this.listings.b.entry(pairs[next + 1] as number);
        next += 2;
        if (a.size !== b.size) continue;
        const hashA = await hashOrNull(this.drivers.a, a);
        if (hashA === null) continue;
        if ((await hashOrNull(this.drivers.b, b)) === hashA) this.rows.push(agreed(a, b, hashA));
      }
    };
    await Promise.all(Array.from({ length: Math.min(hashWorkers, pairs.length / 2) }, compare));
    const rows = this.rows;
    this.rows = [];
    if (rows.length === 0) return;
    this.store.transaction(() => {
      for (const row of rows) this.store.putBase(row);
    });
    this.adopted += rows.length;
  }
}

/**
 * On a pair's first run (empty base), records every path that both sides
 * already hold alike. Returns true when that was every entry of both
 * listings (the run has nothing left to do), false when the planner must
 * still run (or the base was not empty).
 */
export async function adoptEqualTrees(store: StateStore, drivers: Record<Side, SyncDriver>, listings: Record<Side, CompactListing>, isIgnored: IgnoreMatcher | null): Promise<boolean> {
  if (store.baseSize() !== 0) return false;
  const { a, b } = listings;
  const adopter = new Adopter(store, drivers, listings);
  let keptOnA = 0;
  for (let index = 0; index < a.count; index++) {
    const path = a.path(index);
    const kind = a.kind(index);
    if (isIgnored !== null && isIgnored(path, kind)) continue;
    keptOnA++;
    const onB = b.find(path);
    if (onB < 0 || b.kind(onB) !== kind) continue;
    await adopter.offer(index, onB);
  }
  await adopter.flush();
  const keptOnB = isIgnored === null ? b.count : b.countKept(isIgnored);
  return adopter.adopted === keptOnA && adopter.adopted === keptOnB;
}
