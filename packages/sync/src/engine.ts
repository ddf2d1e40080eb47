/**
 * @module engine
 * One sync run between two replicas: list both, load the base, plan moves,
 * hash what must be compared, reconcile, guard, then apply action by action
 * (each committed on its own). `dryRun` returns the plan without applying.
 */
import type { DriverEntry, SyncDriver } from './driver.js';
import { type ActionRecord, describe } from './apply.js';
import { applyActions, defaultTransfers } from './apply-run.js';
import type { ConflictPolicy } from './conflict-policy.js';
import { checkDeletes, checkListing, type DeleteGuardOptions } from './delete-guard.js';
import { ignoreFileName, type IgnoreMatcher, loadIgnoreRules } from './ignore-rules.js';
import { type CompactListing, compactListing, type ListOptions, type NotSyncedEntry } from './listing.js';
import { rememberListings, unchangedSinceBase } from './no-change.js';
import { adoptEqualTrees } from './first-sync.js';
import { currentPath, identityHashesNeeded, planMoves } from './moves.js';
import { hashesNeeded, pathsToDecide, reconcile, surveyBase } from './plan.js';
import { type Action, isVisibleAction, type PlanInput, type Side, type SyncIssue } from './plan-types.js';
import { spellingTolerant, spellLikeBase } from './spellings.js';
import { type BaseEntry, StateStore } from './state-store.js';

export interface SyncProgress {
  readonly phase: 'listing' | 'hashing' | 'applying' | 'done';
  readonly actionsDone: number;
  readonly actionsTotal: number;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface SyncOptions {
  readonly a: SyncDriver;
  readonly b: SyncDriver;
  /** The pair's state: an open store, or the path of its SQLite file. */
  readonly state: StateStore | string;
  /** Names of the sides in messages and conflicted copies (default "a" and "b"). */
  readonly labels?: Partial<Record<Side, string>>;
  readonly conflictPolicy?: ConflictPolicy;
  /** `false` turns the delete guard off. */
  readonly deleteGuard?: DeleteGuardOptions | false;
  readonly dryRun?: boolean;
  readonly onProgress?: (progress: SyncProgress) => void;
  /** One record per applied (or, in a dry run, planned) action. */
  readonly onAction?: (record: ActionRecord) => void;
  /** File copies in flight at once (default 4); other actions run one by one in plan order. */
  readonly transfers?: number;
}

export interface SyncSummary {
  readonly dryRun: boolean;
  /** Transfers, moves, folder creations, deletes and conflicts (not bookkeeping). */
  readonly records: ActionRecord[];
  readonly copied: number;
  readonly moved: number;
  readonly deleted: number;
  readonly conflicts: number;
  readonly failed: number;
  readonly bytes: number;
  /** Entries that could not be synced as they are (names), reported per file. */
  readonly issues: SyncIssue[];
  /** Entries a side holds that no sync carries (symbolic links, sockets, …): the first ones of each side; not a failure. */
  readonly skipped: SkippedEntry[];
  /** How many more such entries there were than `skipped` lists. */
  readonly skippedUnlisted: number;
  readonly durationMs: number;
}

/** An entry on `side` that is not synced, and why. */
export interface SkippedEntry extends NotSyncedEntry {
  readonly side: Side;
}

/** What both listings hold that no sync carries. */
function notSyncedOn(listings: Record<Side, CompactListing>): Pick<SyncSummary, 'skipped' | 'skippedUnlisted'> {
  const skipped: SkippedEntry[] = [];
  let skippedUnlisted = 0;
  for (const side of ['a', 'b'] as const) {
    const found = listings[side].notSynced?.();
    if (found === undefined) continue;
    for (const entry of found.listed) skipped.push({ side, ...entry });
    skippedUnlisted += found.count - found.listed.length;
  }
  return { skipped, skippedUnlisted };
}

function filterIgnored(entries: DriverEntry[], isIgnored: IgnoreMatcher | null): Map<string, DriverEntry> {
  const tree = new Map<string, DriverEntry>();
  for (const entry of entries) if (isIgnored === null || !isIgnored(entry.path, entry.kind)) tree.set(entry.path, entry);
  return tree;
}

/** Hashes `needed` (through the pair's hash cache) and puts the hashes into the trees. */
async function resolveHashes(input: PlanInput, needed: ReadonlyArray<{ side: Side; entry: DriverEntry }>, drivers: Record<Side, SyncDriver>, store: StateStore): Promise<void> {
  if (needed.length === 0) return;
  const caches: Record<Side, Map<string, [string, string]>> = { a: store.loadHashCache('a'), b: store.loadHashCache('b') };
  let next = 0;
  const computed: Array<[Side, string, string, string]> = [];
  const worker = async (): Promise<void> => {
    while (next < needed.length) {
      const { side, entry } = needed[next++] as (typeof needed)[number];
      const path = currentPath(entry);
      const cached = caches[side].get(path);
      let hash: string;
      if (cached !== undefined && cached[0] === entry.revision) hash = cached[1];
      else {
        hash = await drivers[side].hash({ ...entry, path });
        computed.push([side, path, entry.revision, hash]);
      }
      input.trees[side].set(entry.path, { ...entry, hash });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  store.transaction(() => {
    for (const [side, path, revision, hash] of computed) store.putHash(side, path, revision, hash);
  });
}

/** The end of a run that found nothing to do: the same progress and summary as an empty plan. */
function finishUnchanged(
  options: SyncOptions,
  store: StateStore,
  progress: { phase: SyncProgress['phase'] },
  report: () => void,
  started: number,
  notSynced: Pick<SyncSummary, 'skipped' | 'skippedUnlisted'>,
): SyncSummary {
  progress.phase = 'hashing';
  report();
  progress.phase = 'applying';
  report();
  if (options.dryRun !== true) store.clearHashCache();
  progress.phase = 'done';
  report();
  return { dryRun: options.dryRun === true, records: [], copied: 0, moved: 0, deleted: 0, conflicts: 0, failed: 0, bytes: 0, issues: [], ...notSynced, durationMs: Date.now() - started };
}

function countOf(records: readonly ActionRecord[], ...types: Array<Action['type']>): number {
  return records.filter((record) => record.status !== 'failed' && types.includes(record.action)).length;
}

/**
 * Runs one sync between `options.a` and `options.b`. Throws only when the run
 * cannot start: a side cannot be listed, a guard stops it, or another run of
 * the same pair holds the lock (`conflict`).
 */
export async function runSync(options: SyncOptions): Promise<SyncSummary> {
  const started = Date.now();
  const store = typeof options.state === 'string' ? StateStore.open(options.state) : options.state;
  try {
    const release = store.acquireRunLock();
    try {
      return await runWithStore(options, store, started);
    } finally {
      release();
    }
  } finally {
    if (typeof options.state === 'string') store.close();
  }
}

async function runWithStore(options: SyncOptions, store: StateStore, started: number): Promise<SyncSummary> {
  const drivers: Record<Side, SyncDriver> = { a: options.a, b: options.b };
  const labels: Record<Side, string> = { a: options.labels?.a ?? 'a', b: options.labels?.b ?? 'b' };
  const progress = { phase: 'listing' as SyncProgress['phase'], actionsDone: 0, actionsTotal: 0, filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  const report = (): void => options.onProgress?.({ ...progress });
  report();

  const isIgnored = await loadIgnoreRules([drivers.a, drivers.b]);
  const skip = isIgnored === null ? {} : { skip: (path: string, kind: DriverEntry['kind']): boolean => path !== ignoreFileName && isIgnored(path, kind) };
  const listOptions: ListOptions = { ...skip, sizeHint: store.baseSize() };
  const [scanA, scanB] = await Promise.all([compactListing(drivers.a, listOptions), compactListing(drivers.b, listOptions)]);
  const [tolerantA, tolerantB] = [spellingTolerant(scanA, drivers.a.capabilities), spellingTolerant(scanB, drivers.b.capabilities)];
  const notSynced = notSyncedOn({ a: tolerantA, b: tolerantB });
  if (unchangedSinceBase(store, tolerantA, tolerantB, isIgnored)) return finishUnchanged(options, store, progress, report, started, notSynced);
  if (options.dryRun !== true && (await adoptEqualTrees(store, drivers, { a: scanA, b: scanB }, isIgnored))) {
    rememberListings(store, tolerantA, tolerantB, isIgnored); // the base is now both listings, entry for entry
    return finishUnchanged(options, store, progress, report, started, notSynced);
  }
  const [listA, listB] = [scanA.entries(), scanB.entries()];
  const base = store.loadBase();
  if (isIgnored !== null) for (const path of [...base.keys()]) if (isIgnored(path, (base.get(path) as BaseEntry).kind)) base.delete(path);
  if (options.deleteGuard !== false) {
    checkListing('a', labels.a, listA, base);
    checkListing('b', labels.b, listB, base);
  }
  const input: PlanInput = { trees: { a: filterIgnored(listA, isIgnored), b: filterIgnored(listB, isIgnored) }, base };
  const capabilities = { a: drivers.a.capabilities, b: drivers.b.capabilities };
  spellLikeBase(input, capabilities); // an NFD name the base holds, shown in NFC by a normalising side, is the same entry
  const survey = surveyBase(input);
  await resolveHashes(input, identityHashesNeeded(input, capabilities, survey.touched), drivers, store);
  const moves = planMoves(input, capabilities, survey.touched);
  const moveTargets = moves.flatMap((action) => (action.type === 'move' || action.type === 'rebase' ? [action.to] : []));
  const paths = pathsToDecide(input, moves.length === 0 ? survey : null, moveTargets);
  progress.phase = 'hashing';
  report();
  await resolveHashes(input, hashesNeeded(input, paths), drivers, store);
  const plan = reconcile(input, { capabilities, labels, policy: options.conflictPolicy ?? 'keep-both' }, paths);
  const actions = [...moves, ...plan.actions];
  if (options.deleteGuard !== false) checkDeletes(actions, input.base, labels, options.deleteGuard ?? {});

  const records: ActionRecord[] = [];
  const visible = actions.filter(isVisibleAction);
  progress.phase = 'applying';
  progress.actionsTotal = visible.length;
  for (const action of visible) {
    if (action.type === 'copy') {
      progress.filesTotal++;
      progress.bytesTotal += action.source.size;
    }
  }
  report();
  if (options.dryRun === true) {
    for (const action of visible) {
      const record = describe(action, 'planned', 0);
      records.push(record);
      options.onAction?.(record);
    }
  } else {
    const failedPaths = await applyActions(actions, {
      drivers,
      store,
      transfers: options.transfers ?? defaultTransfers,
      // Bytes are shown as they go (a large file moves the bar while it is sent; the bar throttles its drawing).
      onBytes: (delta) => {
        if (delta === 0) return;
        progress.bytesDone += delta;
        report();
      },
      onRecord: (action, record) => {
        records.push(record);
        progress.actionsDone++;
        if (action.type === 'copy') progress.filesDone++;
        options.onAction?.(record);
        report();
      },
    });
    if (failedPaths.length === 0 && plan.issues.length === 0) store.clearHashCache();
  }
  progress.phase = 'done';
  report();
  return {
    dryRun: options.dryRun === true,
    records,
    copied: countOf(records, 'copy'),
    moved: countOf(records, 'move'),
    deleted: countOf(records, 'delete'),
    conflicts: countOf(records, 'conflict'),
    failed: records.filter((record) => record.status === 'failed').length,
    bytes: records.reduce((total, record) => total + record.bytes, 0),
    issues: plan.issues,
    ...notSynced,
    durationMs: Date.now() - started,
  };
}
