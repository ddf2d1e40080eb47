/**
 * @module testing/model
 * A seeded randomized model test of the engine. Each seed builds a small
 * tree, then for a few rounds does random user operations on both sides
 * (create, edit, delete, rename, move, case-rename, concurrent edits of the
 * same file), syncs, and checks the invariants:
 * - no write lost: every version written on a side since the last sync and
 *   still there at sync time exists on both sides afterwards (at its path
 *   or as a conflicted copy);
 * - no resurrected delete: a version one side deleted and the other side
 *   left untouched is gone from both sides;
 * - convergence: both sides hold the same files and folders, nothing is
 *   reported or failed, and a second sync changes nothing.
 * Every written content is unique, so versions can be followed across moves.
 * `runModelSeeds` is exported for the long benchmark run (10,000 seeds).
 */
import { deepStrictEqual } from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { SyncPairHarness } from './harness.js';
import { syncPair } from './harness.js';
import type { ReplicaFixture } from './replicas.js';

/** A small, fast, seedable PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Snapshot {
  files: Record<string, string>;
  folders: string[];
}

export class ModelRun {
  private readonly random: () => number;
  private counter = 0;
  readonly log: string[] = [];
  /** Contents written to two files at once (same path on both sides, maybe different files). */
  private readonly sharedContents = new Set<string>();

  constructor(
    readonly seed: number,
    readonly h: SyncPairHarness,
  ) {
    this.random = seededRandom(seed);
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  private content(): string {
    return `s${this.seed}-v${++this.counter}${'.'.repeat(Math.floor(this.random() * 3))}`;
  }

  private newName(): string {
    return `${this.pick(['a', 'b', 'c', 'Doc', 'e f']) as string}${this.pick(['', '1', '2']) as string}${this.pick(['.txt', '', '.md']) as string}`;
  }

  private async snapshot(replica: ReplicaFixture): Promise<Snapshot> {
    return replica.snapshot();
  }

  /** One random user operation on `replica`. */
  async operate(side: 'a' | 'b', replica: ReplicaFixture, other: ReplicaFixture): Promise<void> {
    const { files, folders } = await this.snapshot(replica);
    const filePaths = Object.keys(files);
    const folderChoices = ['', ...folders];
    const roll = this.random();
    const join = (folder: string, name: string): string => (folder === '' ? name : `${folder}/${name}`);
    const free = (path: string): boolean => !filePaths.includes(path) && !folders.includes(path) && !filePaths.some((file) => file.startsWith(`${path}/`));
    const parentIsFile = (path: string): boolean => filePaths.some((file) => path.startsWith(`${file}/`));
    if (roll < 0.25 || filePaths.length === 0) {
      const folder = this.random() < 0.3 ? join(this.pick(folderChoices) as string, `dir${Math.floor(this.random() * 3)}`) : (this.pick(folderChoices) as string);
      const path = join(folder, this.newName());
      if (!free(path) || parentIsFile(path)) return;
      const text = this.content();
      this.log.push(`${side}: create ${path} = ${text}`);
      await replica.write(path, text);
    } else if (roll < 0.45) {
      const path = this.pick(filePaths) as string;
      const text = this.content();
      this.log.push(`${side}: edit ${path} = ${text}`);
      await replica.write(path, text);
    } else if (roll < 0.55) {
      const path = this.pick([...filePaths, ...folders]) as string;
      this.log.push(`${side}: delete ${path}`);
      await replica.delete(path);
    } else if (roll < 0.7) {
      const from = this.pick([...filePaths, ...folders]) as string;
      const slash = from.lastIndexOf('/');
      const to = join(slash < 0 ? '' : from.slice(0, slash), this.newName());
      if (!free(to)) return;
      this.log.push(`${side}: rename ${from} -> ${to}`);
      await replica.move(from, to);
    } else if (roll < 0.8) {
      const from = this.pick([...filePaths, ...folders]) as string;
      const target = this.pick(folderChoices) as string;
      const to = join(target, from.slice(from.lastIndexOf('/') + 1));
      if (to === from || to.startsWith(`${from}/`) || !free(to)) return;
      this.log.push(`${side}: move ${from} -> ${to}`);
      await replica.move(from, to);
    } else if (roll < 0.88) {
      const from = this.pick([...filePaths, ...folders]) as string;
      const slash = from.lastIndexOf('/');
      const name = from.slice(slash + 1);
      const flipped = [...name].map((character) => (character === character.toUpperCase() ? character.toLowerCase() : character.toUpperCase())).join('');
      const to = join(slash < 0 ? '' : from.slice(0, slash), flipped);
      if (to === from || !free(to)) return;
      this.log.push(`${side}: case-rename ${from} -> ${to}`);
      await replica.move(from, to);
    } else {
      // Concurrent edits: the same file edited on both sides (same or different content).
      const otherFiles = await other.files();
      const shared = filePaths.filter((path) => path in otherFiles);
      const path = this.pick(shared);
      if (path === undefined) return;
      const text = this.content();
      const otherText = this.random() < 0.3 ? text : this.content();
      if (otherText === text) this.sharedContents.add(text); // two files may end up holding it: not a duplicate
      this.log.push(`both: edit ${path} = ${text} / ${otherText}`);
      await replica.write(path, text);
      await other.write(path, otherText);
    }
  }

  fail(message: string): never {
    throw new Error(`Model seed ${this.seed}: ${message}\n  operations:\n    ${this.log.join('\n    ')}`);
  }

  /** Random operations on both sides; returns the state before them and at sync time. */
  async mutate(operations: number): Promise<ModelRoundState> {
    const before = await this.snapshot(this.h.a);
    for (let index = 0; index < operations; index++) {
      if (this.random() < 0.5) await this.operate('a', this.h.a, this.h.b);
      else await this.operate('b', this.h.b, this.h.a);
    }
    return { before, atSync: { a: await this.snapshot(this.h.a), b: await this.snapshot(this.h.b) } };
  }

  /** Checks the invariants after a sync of the state `mutate` left. */
  async verify({ before, atSync }: ModelRoundState): Promise<void> {
    const after = { a: await this.snapshot(this.h.a), b: await this.snapshot(this.h.b) };
    try {
      deepStrictEqual(after.b, after.a);
    } catch {
      this.fail(`sides differ after sync:\n a=${JSON.stringify(after.a)}\n b=${JSON.stringify(after.b)}`);
    }
    const baseContents = new Map(Object.entries(before.files).map(([path, text]) => [text, path]));
    const finalTexts = Object.values(after.a.files);
    const finalContents = new Set(finalTexts);
    const uniqueTexts = finalTexts.filter((text) => !this.sharedContents.has(text));
    if (new Set(uniqueTexts).size !== uniqueTexts.length) this.fail(`a version exists twice: ${JSON.stringify(after.a.files)}`);
    for (const side of ['a', 'b'] as const) {
      const mine = atSync[side].files;
      const theirs = atSync[side === 'a' ? 'b' : 'a'].files;
      const mineContents = new Set(Object.values(mine));
      for (const text of mineContents) {
        if (!baseContents.has(text) && !finalContents.has(text)) this.fail(`lost write "${text}" made on ${side}`);
      }
      for (const [text, path] of baseContents) {
        if (mineContents.has(text)) continue; // not deleted on this side
        // Written to two files at once: the copy left at `path` cannot be told from the other one, which may rightly survive (renamed).
        if (this.sharedContents.has(text)) continue;
        if (theirs[path] === text && finalContents.has(text)) this.fail(`"${path}" (${text}) deleted on ${side} came back`);
      }
    }
    const again = await this.h.sync({ deleteGuard: false });
    if (again.records.length > 0) this.fail(`second sync was not a no-op: ${JSON.stringify(again.records)}`);
  }

  async round(operations: number): Promise<void> {
    const state = await this.mutate(operations);
    this.log.push('sync');
    const summary = await this.h.sync({ deleteGuard: false });
    if (summary.failed > 0 || summary.issues.length > 0) {
      this.fail(`failures or issues: ${JSON.stringify(summary.records.filter((record) => record.status === 'failed'))} ${JSON.stringify(summary.issues)}`);
    }
    await this.verify(state);
  }
}

export interface ModelRoundState {
  readonly before: Snapshot;
  readonly atSync: { readonly a: Snapshot; readonly b: Snapshot };
}

export interface ModelOptions {
  /** Where temp directories go; defaults to /dev/shm when it exists (the model tests logic, not the disk). */
  readonly tempRoot?: string;
  /** Rounds of random operations followed by a sync (default 2). */
  readonly rounds?: number;
  /** Operations per round (default 6). */
  readonly operations?: number;
}

/** A model run on `h` with a first random tree, synced. */
export async function startModel(seed: number, h: SyncPairHarness): Promise<ModelRun> {
  const run = new ModelRun(seed, h);
  for (let index = 0; index < 4; index++) await run.operate('a', h.a, h.b);
  run.log.push('sync');
  await h.sync({ deleteGuard: false });
  return run;
}

export function defaultTempRoot(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

/** Runs one seed; throws with the operation log when an invariant breaks. */
export async function runModelSeed(seed: number, options: ModelOptions = {}): Promise<void> {
  const h = await syncPair('local', 'local', { tempRoot: options.tempRoot ?? defaultTempRoot() });
  try {
    const run = await startModel(seed, h);
    for (let round = 0; round < (options.rounds ?? 2); round++) await run.round(options.operations ?? 6);
  } finally {
    await h.close();
  }
}

/** Runs `count` seeds from `firstSeed`; returns the failures (empty when all hold). */
export async function runModelSeeds(count: number, firstSeed = 1, options: ModelOptions = {}): Promise<Array<{ seed: number; error: string }>> {
  const failures: Array<{ seed: number; error: string }> = [];
  for (let seed = firstSeed; seed < firstSeed + count; seed++) {
    try {
      await runModelSeed(seed, options);
    } catch (error) {
      failures.push({ seed, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return failures;
}
