/**
 * @module first-sync
 * The first run of a pair (empty base) between two trees that already hold
 * the same files — a folder and its copy, a restored backup, a second
 * machine set up by copying. The planner would build both trees as objects,
 * hash every file pair into them and plan a `record` per path, all held at
 * once (~2 KB per file at 100,000 files). Here the two compact listings are
 * walked once instead: every path that both sides hold as a folder, or as
 * files of the same size and the same content (sha256), goes straight into
 * the base as soon as it is known (committed every few hundred rows), and
 * nothing of it stays in memory.
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

/** File pairs compared in one go, and base rows per commit. */
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
  /** Listing indexes (a, b, a, b, ...) of file pairs of the same path, still to compare: numbers, not objects, while they wait. */
  private pairs: number[] = [];
  private readonly batch: { flush(): void; close(): void };
  private writtenSinceFlush = 0;
  adopted = 0;

  constructor(
    private readonly store: StateStore,
    private readonly drivers: Record<Side, SyncDriver>,
    private readonly listings: Record<Side, CompactListing>,
  ) {
    this.batch = store.openWriteBatch();
  }

  /** Writes a row at once (rows waiting for a commit would pile up in memory). */
  private write(row: BaseEntry): void {
    this.store.putBase(row);
    this.adopted++;
    if (++this.writtenSinceFlush >= batchSize) {
      this.batch.flush();
      this.writtenSinceFlush = 0;
    }
  }

  /** Takes a pair of entries of the same path and kind; true when enough file pairs wait to be compared. */
  offer(onA: number, onB: number): boolean {
    const { a, b } = this.listings;
    if (a.kind(onA) === 'folder') this.write(agreed(a.entry(onA), b.entry(onB), null));
    else this.pairs.push(onA, onB);
    return this.pairs.length >= batchSize * 2;
  }

  /** Compares the pending pairs, a few at a time, and writes the equal ones. */
  async compare(): Promise<void> {
    const pairs = this.pairs;
    this.pairs = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pairs.length) {
        const a = this.listings.a.entry(pairs[next] as number);
        const b = this.listings.b.entry(pairs[next + 1] as number);
        next += 2;
        if (a.size !== b.size) continue;
        const hashA = await hashOrNull(this.drivers.a, a);
        if (hashA === null) continue;
        if ((await hashOrNull(this.drivers.b, b)) === hashA) this.write(agreed(a, b, hashA));
      }
    };
    await Promise.all(Array.from({ length: Math.min(hashWorkers, pairs.length / 2) }, worker));
  }

  /** Commits and ends the write batch (rows written so far are true agreements: kept also after a failure). */
  close(): void {
    this.batch.close();
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
  try {
    for (let index = 0; index < a.count; index++) {
      const path = a.path(index);
      const kind = a.kind(index);
      if (isIgnored !== null && isIgnored(path, kind)) continue;
      keptOnA++;
      const onB = b.find(path);
      if (onB < 0 || b.kind(onB) !== kind) continue;
      if (adopter.offer(index, onB)) await adopter.compare();
    }
    await adopter.compare();
  } finally {
    adopter.close();
  }
  const keptOnB = isIgnored === null ? b.count : b.countKept(isIgnored);
  return adopter.adopted === keptOnA && adopter.adopted === keptOnB;
}
