/**
 * @module plan
 * Three-tree reconciliation: for every path, compare what side a and side b
 * have now with the base (the last agreed state) and decide one action.
 * A change is a difference from the base; content hashes are compared
 * before a conflict is declared. Edit beats delete; a deleted folder that
 * still holds something new on the other side is kept. Names the receiving
 * side cannot hold are reported per file and skipped; the rest goes on.
 *
 * Pure: reads the (move-normalised) trees and base, returns actions.
 */
import { baseName, type DriverCapabilities, type DriverEntry, parentPath } from './driver.js';
import { type ConflictPolicy, conflictedCopyPath, resolveConflict } from './conflict-policy.js';
import { nameProblem, pathKey } from './name-rules.js';
import { type Action, otherSide, type Plan, type PlanInput, type Side, sideId, sideRevision, type SyncIssue } from './plan-types.js';
import type { BaseEntry } from './state-store.js';

export interface ReconcileOptions {
  readonly capabilities: Record<Side, DriverCapabilities>;
  /** How each side is named in conflicted-copy names ("from <label>"). */
  readonly labels: Record<Side, string>;
  readonly policy: ConflictPolicy;
}

type SideState = 'absent' | 'unchanged' | 'changed' | 'deleted';

function sideState(side: Side, entry: DriverEntry | null, base: BaseEntry | null): SideState {
  const knownHere = base !== null && sideId(base, side) !== null;
  if (entry === null) return knownHere ? 'deleted' : 'absent';
  if (base === null || base.kind !== entry.kind) return 'changed';
  if (entry.kind === 'folder') return 'unchanged';
  if (knownHere && sideRevision(base, side) === entry.revision) return 'unchanged';
  if (entry.hash !== null && entry.hash === base.hash) return 'unchanged';
  return 'changed';
}

function needsRecord(a: DriverEntry, b: DriverEntry, base: BaseEntry | null): boolean {
  if (base === null || base.kind !== a.kind || base.aId !== a.id || base.bId !== b.id) return true;
  return a.kind === 'file' && (base.aRevision !== a.revision || base.bRevision !== b.revision);
}

const byPath = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);

/** Files whose content hash the reconciliation of `paths` needs (both sides have a file there, or the size did not change). */
export function hashesNeeded(input: PlanInput, paths: readonly string[]): Array<{ side: Side; entry: DriverEntry }> {
  const needed: Array<{ side: Side; entry: DriverEntry }> = [];
  for (const path of paths) {
    const base = input.base.get(path);
    for (const side of ['a', 'b'] as const) {
      const entry = input.trees[side].get(path);
      if (entry === undefined || entry.kind !== 'file' || entry.hash !== null) continue;
      if (base !== undefined && sideRevision(base, side) === entry.revision && base.kind === 'file') continue;
      const sameSizeAsBase = base !== undefined && base.kind === 'file' && base.size === entry.size;
      if (input.trees[otherSide(side)].get(path)?.kind === 'file' || sameSizeAsBase) needed.push({ side, entry });
    }
  }
  return needed;
}

class Reconciler {
  readonly forward: Action[] = [];
  readonly deletes: Action[] = [];
  readonly issues: SyncIssue[] = [];
  private readonly needed = new Set<string>();
  private readonly blocked: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  private readonly keys: Record<Side, Map<string, string> | null>;
  private readonly plannedNames = new Set<string>();
  private readonly folderCandidates: Array<{ entry: DriverEntry; side: Side }> = [];

  constructor(
    private readonly input: PlanInput,
    private readonly options: ReconcileOptions,
  ) {
    this.keys = { a: this.buildKeys('a'), b: this.buildKeys('b') };
  }

  private buildKeys(side: Side): Map<string, string> | null {
    const capabilities = this.options.capabilities[side];
    if (!capabilities.caseInsensitive && !capabilities.normalizesUnicode) return null;
    const keys = new Map<string, string>();
    for (const path of this.input.trees[side].keys()) keys.set(pathKey(path, capabilities), path);
    return keys;
  }

  /** Marks every folder above `path` as still needed after the sync. */
  private markNeeded(path: string): void {
    for (let folder = parentPath(path); folder !== '' && !this.needed.has(folder); folder = parentPath(folder)) this.needed.add(folder);
  }

  /** Whether `side` can hold a new entry at `path`; reports why not. */
  private canCreate(side: Side, path: string): boolean {
    const capabilities = this.options.capabilities[side];
    const parent = parentPath(path);
    let problem: string | null = null;
    if (parent !== '' && this.blocked[side].has(parent)) problem = 'its folder could not be created there';
    else problem = nameProblem(baseName(path), capabilities);
    const keys = this.keys[side];
    if (problem === null && keys !== null) {
      const key = pathKey(path, capabilities);
      const holder = keys.get(key);
      // A normalising side would store a non-NFC name in NFC: when the NFC twin comes too, the twin keeps the name.
      const twin = capabilities.normalizesUnicode ? path.normalize('NFC') : path;
      if (holder !== undefined && holder !== path) problem = `it clashes with "${holder}" (names differ only by case or Unicode normalisation)`;
      else if (twin !== path && this.input.trees[otherSide(side)].has(twin)) problem = `it clashes with "${twin}" (names differ only by case or Unicode normalisation)`;
      else keys.set(key, path);
    }
    if (problem === null) return true;
    this.blocked[side].add(path);
    this.issues.push({ path, side, problem });
    this.markNeeded(path);
    return false;
  }

  private isTaken = (path: string): boolean =>
    this.input.trees.a.has(path) || this.input.trees.b.has(path) || this.input.base.has(path) || this.plannedNames.has(path);

  /** Sends `entry` from `from` to the other side (which has `target` there, or nothing). */
  private propagate(from: Side, entry: DriverEntry, target: DriverEntry | null): void {
    const to = otherSide(from);
    this.markNeeded(entry.path);
    if (target === null && !this.canCreate(to, entry.path)) return;
    if (entry.kind === 'folder') {
      if (target === null) this.forward.push({ type: 'mkdir', side: to, path: entry.path, other: entry });
      return;
    }
    const expected = target === null ? ({ kind: 'absent' } as const) : ({ kind: 'revision', revision: target.revision } as const);
    this.forward.push({ type: 'copy', from, path: entry.path, source: entry, expected });
  }

  private record(a: DriverEntry, b: DriverEntry, base: BaseEntry | null): void {
    if (needsRecord(a, b, base)) this.forward.push({ type: 'record', path: a.path, a, b, hash: a.hash ?? b.hash ?? base?.hash ?? null });
  }

  /** Moves `loser` aside to a conflicted-copy name; returns that name, or null when it cannot be held. */
  private moveAside(loserSide: Side, loser: DriverEntry, reason: string): string | null {
    const copyPath = conflictedCopyPath(loser.path, loser.mtimeMs, this.options.labels[loserSide], this.isTaken);
    if (!this.canCreate(otherSide(loserSide), copyPath)) return null;
    this.plannedNames.add(copyPath);
    this.markNeeded(copyPath);
    const ref = { path: loser.path, id: loser.id, kind: loser.kind, revision: loser.revision };
    this.forward.push({ type: 'conflict', side: loserSide, path: loser.path, to: copyPath, ref, reason });
    this.forward.push({ type: 'copy', from: loserSide, path: copyPath, source: { ...loser, path: copyPath }, expected: { kind: 'absent' } });
    return copyPath;
  }

  private contentConflict(a: DriverEntry, b: DriverEntry): void {
    const resolution = resolveConflict(this.options.policy, a, b);
    if (resolution.kind === 'overwrite') {
      const winner = resolution.winner === 'a' ? a : b;
      const loser = resolution.winner === 'a' ? b : a;
      this.propagate(resolution.winner, winner, loser);
      return;
    }
    const loserSide = resolution.loser;
    const loser = loserSide === 'a' ? a : b;
    const winner = loserSide === 'a' ? b : a;
    if (this.moveAside(loserSide, loser, 'both sides changed the file') === null) return;
    this.forward.push({ type: 'copy', from: otherSide(loserSide), path: winner.path, source: winner, expected: { kind: 'absent' } });
  }

  /**
   * A file on one side, a folder on the other. When the file is the unchanged
   * synced version, the other side replaced it with a folder: the file goes.
   * Otherwise the file moves aside to a conflicted-copy name and the folder stays.
   */
  private kindConflict(a: DriverEntry, b: DriverEntry, fileState: SideState): void {
    const fileSide: Side = a.kind === 'file' ? 'a' : 'b';
    const file = fileSide === 'a' ? a : b;
    const folder = fileSide === 'a' ? b : a;
    if (fileState === 'unchanged') {
      this.forward.push({ type: 'delete', side: fileSide, path: file.path, kind: 'file', ref: { path: file.path, id: file.id, kind: 'file', revision: file.revision } });
      this.forward.push({ type: 'mkdir', side: fileSide, path: folder.path, other: folder });
      return;
    }
    if (this.moveAside(fileSide, file, 'a file on one side, a folder on the other') === null) return;
    this.forward.push({ type: 'mkdir', side: fileSide, path: folder.path, other: folder });
  }

  decide(path: string): void {
    const a = this.input.trees.a.get(path) ?? null;
    const b = this.input.trees.b.get(path) ?? null;
    const base = this.input.base.get(path) ?? null;
    if (a === null && b === null) {
      if (base !== null) this.forward.push({ type: 'forget', path });
      return;
    }
    const stateA = sideState('a', a, base);
    const stateB = sideState('b', b, base);
    if (a !== null && b !== null) {
      this.markNeeded(path);
      if (a.kind !== b.kind) return this.kindConflict(a, b, a.kind === 'file' ? stateA : stateB);
      if (a.kind === 'folder' || (stateA === 'unchanged' && stateB === 'unchanged')) return this.record(a, b, base);
      if (a.hash !== null && a.hash === b.hash) return this.record(a, b, base); // the same change on both sides
      if (stateB === 'unchanged') return this.propagate('a', a, b);
      if (stateA === 'unchanged') return this.propagate('b', b, a);
      return this.contentConflict(a, b);
    }
    const presentSide: Side = a !== null ? 'a' : 'b';
    const present = (a ?? b) as DriverEntry;
    const presentState = presentSide === 'a' ? stateA : stateB;
    const missingState = presentSide === 'a' ? stateB : stateA;
    if (missingState === 'deleted' && presentState === 'unchanged') {
      if (present.kind === 'folder') this.folderCandidates.push({ entry: present, side: presentSide });
      else this.deletes.push({ type: 'delete', side: presentSide, path, kind: 'file', ref: { path, id: present.id, kind: 'file', revision: present.revision } });
      return;
    }
    this.propagate(presentSide, present, null); // new, or edited on one side and deleted on the other: the edit wins
  }

  /** Folders deleted on one side: delete on the other unless something inside must stay. */
  settleFolders(): void {
    for (let index = this.folderCandidates.length - 1; index >= 0; index--) {
      const { entry, side } = this.folderCandidates[index] as { entry: DriverEntry; side: Side };
      if (this.needed.has(entry.path)) this.propagate(side, entry, null);
      else this.deletes.push({ type: 'delete', side, path: entry.path, kind: 'folder', ref: { path: entry.path, id: entry.id, kind: 'folder' } });
    }
  }
}

/** True when both sides still hold exactly what the base recorded (the common case: skipped without sorting). */
function untouched(base: BaseEntry, a: DriverEntry | undefined, b: DriverEntry | undefined): boolean {
  if (a === undefined || b === undefined || a.kind !== base.kind || b.kind !== base.kind || a.id !== base.aId || b.id !== base.bId) return false;
  return base.kind === 'folder' || (a.revision === base.aRevision && b.revision === base.bRevision);
}

/** One pass over the base: the entries that differ from it on some side, and whether a side has paths the base lacks. */
export interface BaseSurvey {
  readonly touched: BaseEntry[];
  readonly newOnA: boolean;
  readonly newOnB: boolean;
}

export function surveyBase(input: PlanInput): BaseSurvey {
  const { a, b } = input.trees;
  const touched: BaseEntry[] = [];
  let matchedA = 0;
  let matchedB = 0;
  for (const [path, base] of input.base) {
    const onA = a.get(path);
    const onB = b.get(path);
    if (onA !== undefined) matchedA++;
    if (onB !== undefined) matchedB++;
    if (!untouched(base, onA, onB)) touched.push(base);
  }
  return { touched, newOnA: matchedA !== a.size, newOnB: matchedB !== b.size };
}

/**
 * The paths that need a decision: everything not in the base, and base
 * entries that differ on either side. An untouched path never lies below a
 * folder that must be deleted (that side would not have the folder's
 * contents either), so leaving it out changes no decision — except where a
 * planned move put it: an entry moved into a folder the other side deleted
 * looks untouched once the move is planned, yet keeps that folder. So the
 * targets of planned moves (`moveTargets`) are decided too. With the survey
 * (taken before planning moves, and valid when no move was planned) the
 * untouched majority is not even looked at again.
 */
export function pathsToDecide(input: PlanInput, survey: BaseSurvey | null, moveTargets: readonly string[] = []): string[] {
  const { a, b } = input.trees;
  const paths: string[] = [...moveTargets];
  if (survey === null) {
    for (const [path, base] of input.base) if (!untouched(base, a.get(path), b.get(path))) paths.push(path);
  } else {
    for (const entry of survey.touched) if (input.base.get(entry.path) === entry) paths.push(entry.path);
  }
  if (survey === null || survey.newOnA) for (const path of a.keys()) if (!input.base.has(path)) paths.push(path);
  if (survey === null || survey.newOnB) for (const path of b.keys()) if (!input.base.has(path) && !a.has(path)) paths.push(path);
  return [...new Set(paths)].sort(byPath);
}

/** Plans the content actions for `paths` (from `pathsToDecide`, after moves were planned). */
export function reconcile(input: PlanInput, options: ReconcileOptions, paths: readonly string[]): Plan {
  const reconciler = new Reconciler(input, options);
  for (const path of paths) reconciler.decide(path);
  reconciler.settleFolders();
  const deletes = reconciler.deletes.sort((left, right) => byPath(right.type === 'delete' ? right.path : '', left.type === 'delete' ? left.path : ''));
  return { actions: [...reconciler.forward, ...deletes], issues: reconciler.issues };
}
