/**
 * @module testing/harness
 * Story-style sync tests (STYLE.md 6):
 *
 *   const h = await syncPair('local', 'local');
 *   await h.a.write('docs/x.txt', 'hello');
 *   await h.sync();
 *   await h.b.delete('docs/x.txt');
 *   await h.sync();
 *   await h.expectTrees({});
 *
 * Each pair lives in its own temp directory (both replicas and the state
 * file); `closeAllPairs()` in `afterEach` removes them.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSync, type SyncOptions, type SyncSummary } from '../engine.js';
import type { Side } from '../plan-types.js';
import { StateStore } from '../state-store.js';
import { replicaFactory, type ReplicaFixture, type ReplicaOptions } from './replicas.js';

export type PairSyncOptions = Omit<SyncOptions, 'a' | 'b' | 'state'>;

export interface SyncPairOptions {
  readonly a?: ReplicaOptions;
  readonly b?: ReplicaOptions;
  /** Defaults for every `sync()` of this pair. */
  readonly sync?: PairSyncOptions;
  /** Where the pair's temp directory goes (default: the OS temp dir). */
  readonly tempRoot?: string;
}

export interface SyncPairHarness {
  readonly a: ReplicaFixture;
  readonly b: ReplicaFixture;
  readonly dir: string;
  readonly stateFile: string;
  sync(options?: PairSyncOptions): Promise<SyncSummary>;
  /** Both sides hold exactly these files (path → content). */
  expectTrees(expected: Record<string, string>): Promise<void>;
  /** One side holds exactly these files. */
  expectTree(side: Side, expected: Record<string, string>): Promise<void>;
  /** Both sides have the same files and folders, and another sync changes nothing. */
  expectConverged(): Promise<void>;
  /**
   * Dates every file on both sides an hour back, as if written long ago: a scan
   * then sees settled revisions (not "touched just now"). Sync once after it so
   * the base holds them. (Replicas without local modification times do nothing.)
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const openPairs = new Set<SyncPairHarness>();

export async function syncPair(kindA: string, kindB: string, options: SyncPairOptions = {}): Promise<SyncPairHarness> {
  const dir = await mkdtemp(join(options.tempRoot ?? tmpdir(), 'ferry-sync-'));
  const a = await replicaFactory(kindA)(join(dir, 'a'), options.a ?? {});
  const b = await replicaFactory(kindB)(join(dir, 'b'), options.b ?? {});
  const stateFile = join(dir, 'state.sqlite');
  const store = StateStore.open(stateFile);
  const harness: SyncPairHarness = {
    a,
    b,
    dir,
    stateFile,
    sync: (syncOptions) => runSync({ ...options.sync, ...syncOptions, a: a.driver, b: b.driver, state: store }),
    async expectTree(side, expected) {
      deepStrictEqual(await (side === 'a' ? a : b).files(), sortKeys(expected), `files on side ${side}`);
    },
    async expectTrees(expected) {
      await harness.expectTree('a', expected);
      await harness.expectTree('b', expected);
    },
    async expectConverged() {
      deepStrictEqual(await b.files(), await a.files(), 'both sides hold the same files');
      deepStrictEqual(await b.folders(), await a.folders(), 'both sides hold the same folders');
      const again = await harness.sync();
      deepStrictEqual(again.records, [], 'a second sync changes nothing');
    },
    async settle() {
      await a.settle();
      await b.settle();
    },
    async close() {
      openPairs.delete(harness);
      store.close();
      await a.close();
      await b.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  openPairs.add(harness);
  return harness;
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([left], [right]) => (left < right ? -1 : 1)));
}

/** Closes every pair still open (use in `afterEach`). */
export async function closeAllPairs(): Promise<void> {
  for (const harness of [...openPairs]) await harness.close();
}
