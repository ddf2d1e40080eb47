/**
 * @module moves
 * Renames and moves follow stable ids. For every base entry whose id shows up
 * at another path on one side, the planner moves it on the other side too —
 * one move for a whole folder, never a re-copy — and re-keys its view of the
 * other side and of the base, so the content reconciliation that follows
 * compares the right entries.
 *
 * A move that cannot be mirrored (the other side deleted or replaced the
 * entry, the target is taken or not a valid name there) is left alone: the
 * content rules then see a delete at the old path and a new entry at the new
 * one. When both sides moved the entry to places neither can follow, the
 * base follows one side's move (see `keepOnePlacement`) so the entry is kept
 * once, not twice.
 *
 * Order matters when moves nest: a move into a folder that another pending
 * move takes away waits for that move, and a move whose target folder does
 * not exist yet waits while other moves can go first (that folder may be the
 * target of another move, as in a case-only folder rename); when nothing else
 * can go, it creates the folder on the way.
 *
 * On replicas whose ids may be reused (inodes: a deleted file's inode goes to
 * the next new file) an id match counts as a move only when the file also
 * kept its content identity: its revision, or its size and modification
 * time, or (same size, other time) its content hash (`identityHashesNeeded`)
 * — unless the id carries the file's birth time (`birthIdSeparator`): then a
 * new file has another id, and a match is a move even after an edit.
 */
import type { DriverCapabilities, DriverEntry } from './driver.js';
import { isSameOrBelow, parentPath } from './driver.js';
import { pathKey, pathProblem } from './name-rules.js';
import { type Action, otherSide, type PlanInput, type Side, sideId, sideRevision } from './plan-types.js';
import type { BaseEntry } from './state-store.js';

/** Where a relocated entry really is until the planned move is applied. */
const origins = new WeakMap<DriverEntry, string>();

/** The path an entry has on its replica right now (before planned moves). */
export function currentPath(entry: DriverEntry): string {
  return origins.get(entry) ?? entry.path;
}

interface SideView {
  tree: Map<string, DriverEntry>;
  byId: Map<string, DriverEntry>;
  keys: Map<string, string> | null;
  capabilities: DriverCapabilities;
  /** Folders that planned moves create on the way (a move into a folder that did not exist). */
  created: Set<string>;
}

function buildView(tree: Map<string, DriverEntry>, capabilities: DriverCapabilities): SideView {
  const byId = new Map<string, DriverEntry>();
  for (const entry of tree.values()) byId.set(entry.id, entry);
  let keys: Map<string, string> | null = null;
  if (capabilities.caseInsensitive || capabilities.normalizesUnicode) {
    keys = new Map();
    for (const path of tree.keys()) keys.set(pathKey(path, capabilities), path);
  }
  return { tree, byId, keys, capabilities, created: new Set() };
}

/** Re-keys `from` and everything below it to `to` in a side's tree (noting the folders the move creates). */
function moveInView(view: SideView, from: string, to: string): void {
  for (let folder = parentPath(to); folder !== '' && !view.tree.has(folder) && !view.created.has(folder); folder = parentPath(folder)) view.created.add(folder);
  const root = view.tree.get(from);
  const moved: DriverEntry[] = [];
  if (root?.kind === 'file') moved.push(root);
  else for (const [path, entry] of view.tree) if (isSameOrBelow(path, from)) moved.push(entry);
  for (const entry of moved) {
    view.tree.delete(entry.path);
    if (view.keys !== null) view.keys.delete(pathKey(entry.path, view.capabilities));
  }
  for (const entry of moved) {
    const path = to + entry.path.slice(from.length);
    const relocated: DriverEntry = { ...entry, path };
    origins.set(relocated, currentPath(entry));
    view.tree.set(path, relocated);
    view.byId.set(relocated.id, relocated);
    if (view.keys !== null) view.keys.set(pathKey(path, view.capabilities), path);
  }
}

/** Re-keys `from` and everything below it to `to` in the base. */
function moveInBase(base: Map<string, BaseEntry>, from: string, to: string): void {
  const root = base.get(from);
  const moved: BaseEntry[] = [];
  if (root?.kind === 'file') moved.push(root);
  else for (const [path, entry] of base) if (isSameOrBelow(path, from)) moved.push(entry);
  for (const entry of moved) base.delete(entry.path);
  // Entries already below the target (the other side's children of the same folder) stay; only exact collisions are replaced.
  for (const entry of moved) {
    entry.path = to + entry.path.slice(from.length);
    base.set(entry.path, entry);
  }
}

/** True when `id` may have been given to a new entry after its old one was deleted (an inode without a birth time). */
function idMayBeReused(capabilities: DriverCapabilities, id: string): boolean {
  if (capabilities.idsMayBeReused !== true) return false;
  const separator = capabilities.birthIdSeparator;
  return separator === undefined || !id.includes(separator);
}

/**
 * True when a file found under the base entry's id on a side whose ids may be
 * reused is that entry and not a new file that got its freed id: a rename
 * keeps the revision, or at least the size and modification time (or, with
 * the same size, the content hash when `identityHashesNeeded` had it taken). The time
 * is compared to the millisecond with a tolerance of one, because a time set
 * on a received copy may read back a hair earlier (1795623058300 ms is stored
 * as ...299.999) and times are whole milliseconds here.
 */
function keptIdentity(view: SideView, now: DriverEntry, entry: BaseEntry, side: Side): boolean {
  if (!idMayBeReused(view.capabilities, now.id) || now.kind === 'folder') return true;
  if (now.revision === sideRevision(entry, side)) return true;
  return now.size === entry.size && (Math.abs(now.mtimeMs - entry.mtimeMs) <= 1 || (now.hash !== null && now.hash === entry.hash));
}

/**
 * Files that only a content hash can tell apart from a new file that got a
 * freed id: on a side whose ids may be reused, a file found under a base
 * entry's id at another path with the same size but another time (a rename
 * followed by a touch). The engine hashes them before planning moves.
 */
export function identityHashesNeeded(input: PlanInput, capabilities: Record<Side, DriverCapabilities>, candidates: Iterable<BaseEntry>): Array<{ side: Side; entry: DriverEntry }> {
  const needed: Array<{ side: Side; entry: DriverEntry }> = [];
  const byId: Record<Side, Map<string, DriverEntry> | null> = { a: null, b: null };
  for (const entry of candidates) {
    if (entry.kind !== 'file' || entry.hash === null) continue;
    for (const side of ['a', 'b'] as const) {
      const id = sideId(entry, side);
      const tree = input.trees[side];
      if (id === null || !idMayBeReused(capabilities[side], id) || tree.get(entry.path)?.id === id) continue;
      let ids = byId[side];
      if (ids === null) {
        ids = new Map();
        for (const listed of tree.values()) ids.set(listed.id, listed);
        byId[side] = ids;
      }
      const now = ids.get(id);
      if (now === undefined || now.kind !== 'file' || now.hash !== null || now.size !== entry.size || now.revision === sideRevision(entry, side)) continue;
      if (Math.abs(now.mtimeMs - entry.mtimeMs) > 1) needed.push({ side, entry: now });
    }
  }
  return needed;
}

/** Where `side` now has the base entry, when that is somewhere else. */
function movedTo(view: SideView, entry: BaseEntry, side: Side): string | null {
  const id = sideId(entry, side);
  if (id === null) return null;
  if (view.tree.get(entry.path)?.id === id) return null;
  const now = view.byId.get(id);
  if (now === undefined || now.kind !== entry.kind || now.path === entry.path) return null;
  if (entry.kind === 'folder' && isSameOrBelow(now.path, entry.path)) return null; // cannot move a folder into itself
  if (!keptIdentity(view, now, entry, side)) return null; // a new file with a reused id: the entry was deleted
  return now.path;
}

/**
 * True when `side` can take an entry at `to` by moving it from `from`.
 * `replacing`: the entry at `from` is removed instead (so it is no obstacle,
 * and `to` may lie below it).
 */
function targetFree(view: SideView, from: string, to: string, replacing = false): boolean {
  if (!replacing && isSameOrBelow(to, from)) return false; // cannot move an entry below itself
  if ((view.tree.has(to) && !(replacing && to === from)) || view.created.has(to)) return false;
  for (let slash = to.lastIndexOf('/'); slash > 0; slash = to.lastIndexOf('/', slash - 1)) {
    const ancestor = to.slice(0, slash);
    if (view.tree.get(ancestor)?.kind === 'file' && !(replacing && ancestor === from)) return false; // a file where a folder would be needed
  }
  if (pathProblem(to, view.capabilities) !== null) return false;
  if (view.keys !== null) {
    const holder = view.keys.get(pathKey(to, view.capabilities));
    if (holder !== undefined && holder !== from) return false;
  }
  return true;
}

/** True when the folder that will hold `path` exists in the view, or a planned move creates it (or it is the root). */
function parentExists(view: SideView, path: string): boolean {
  const parent = parentPath(path);
  return parent === '' || view.tree.get(parent)?.kind === 'folder' || view.created.has(parent);
}

/**
 * How eagerly a move goes ahead. `strict`: only into folders that exist and
 * are not about to move away. `relaxed`: also into a folder that does not
 * exist yet (the move creates it). `final`: last pass; a move into a folder
 * that is still about to move away is given up instead of waiting.
 */
type PlanMode = 'strict' | 'relaxed' | 'final';

class MovePlanner {
  readonly actions: Action[] = [];
  private readonly views: Record<Side, SideView>;
  /** In a relaxed pass: where the waiting moves go (a folder one of them brings must not be created empty first). */
  private pendingTargets = new Set<string>();

  constructor(
    private readonly input: PlanInput,
    capabilities: Record<Side, DriverCapabilities>,
  ) {
    this.views = { a: buildView(input.trees.a, capabilities.a), b: buildView(input.trees.b, capabilities.b) };
  }

  /**
   * True when `path` or a folder above it is still the base path of another
   * entry that has moved away on some side: that entry must be re-keyed
   * first, or its move would carry this one's base along to a place where
   * this side does not have it.
   */
  private heldByPendingMove(path: string, entry: BaseEntry): boolean {
    for (let held = path; held !== ''; held = parentPath(held)) {
      const occupant = this.input.base.get(held);
      if (occupant === undefined || occupant === entry) continue;
      if (movedTo(this.views.a, occupant, 'a') !== null || movedTo(this.views.b, occupant, 'b') !== null) return true;
    }
    return false;
  }

  /** Whether a move to `to` on `view` can be planned now ('go'), later ('wait'), or not at all ('never'). */
  private readiness(view: SideView, to: string, entry: BaseEntry, mode: PlanMode): 'go' | 'wait' | 'never' {
    if (this.heldByPendingMove(to, entry)) return mode === 'final' ? 'never' : 'wait';
    if (parentExists(view, to)) return 'go';
    if (mode === 'strict') return 'wait';
    if (mode === 'relaxed') {
      for (let folder = parentPath(to); folder !== '' && !view.tree.has(folder); folder = parentPath(folder)) if (this.pendingTargets.has(folder)) return 'wait';
    }
    return 'go';
  }

  /** Starts a relaxed pass over the waiting entries. */
  noteWaiting(waiting: readonly BaseEntry[]): void {
    this.pendingTargets = new Set();
    for (const entry of waiting) {
      for (const side of ['a', 'b'] as const) {
        const target = movedTo(this.views[side], entry, side);
        if (target !== null) this.pendingTargets.add(target);
      }
    }
  }

  /**
   * Both sides moved the entry, to places neither side can follow. Keeping
   * both would keep the entry twice, so the base follows one side's move: the
   * other side's copy is then seen as moved away from there (deleted when
   * unchanged, kept when edited) and the moved copy travels as new. Side a's
   * place is kept, unless side b's place fits on side a once a's copy is gone
   * and a's does not fit on b (a file moved on b into a folder named like
   * a's new name for it).
   */
  private keepOnePlacement(entry: BaseEntry, toA: string, toB: string): void {
    const bFitsOnA = targetFree(this.views.a, toA, toB, true);
    const aFitsOnB = targetFree(this.views.b, toB, toA, true);
    const dropped = bFitsOnA && !aFitsOnB ? toA : toB;
    if (this.input.base.has(dropped)) return; // another entry's base is there: leave both as they are
    this.actions.push({ type: 'rebase', from: entry.path, to: dropped });
    moveInBase(this.input.base, entry.path, dropped);
  }

  /**
   * Plans the move of one base entry. Returns false to retry later (see
   * `PlanMode`): a move whose target folder does not exist yet may wait for
   * another move that brings it (a case-only folder rename).
   */
  plan(entry: BaseEntry, mode: PlanMode): boolean {
    const { views, input } = this;
    if (input.base.get(entry.path) !== entry) return true; // replaced by an earlier move
    const toA = movedTo(views.a, entry, 'a');
    const toB = movedTo(views.b, entry, 'b');
    if (toA === null && toB === null) return true;
    const from = entry.path;
    if (toA !== null && toB !== null) {
      let agreed = toA;
      if (toA !== toB) {
        // Both sides moved it to different places: side a's move wins, unless b cannot follow it.
        const follow = (side: Side, at: string, to: string): 'moved' | 'blocked' | 'wait' => {
          const view = views[side];
          if (!targetFree(view, at, to)) return 'blocked';
          const ready = this.readiness(view, to, entry, mode);
          if (ready !== 'go') return ready === 'wait' ? 'wait' : 'blocked';
          const current = view.tree.get(at);
          if (current === undefined) return 'blocked';
          this.actions.push({ type: 'move', side, kind: entry.kind, from: at, to, ref: { path: at, id: current.id, kind: current.kind } });
          moveInView(view, at, to);
          return 'moved';
        };
        const bFollows = follow('b', toB, toA);
        if (bFollows === 'wait') {
          // Take b's place as the agreed one for now (so the old path is free for other moves);
          // the next pass sees a plain move on side a that b follows.
          if (!input.base.has(toB)) {
            this.actions.push({ type: 'rebase', from, to: toB });
            moveInBase(input.base, from, toB);
          }
          return false;
        }
        if (bFollows === 'blocked') {
          const aFollows = follow('a', toA, toB);
          if (aFollows === 'wait') return false;
          if (aFollows === 'blocked') {
            this.keepOnePlacement(entry, toA, toB);
            return true;
          }
          agreed = toB;
        }
      }
      this.actions.push({ type: 'rebase', from, to: agreed });
      moveInBase(input.base, from, agreed);
      return true;
    }
    const movedSide: Side = toA !== null ? 'a' : 'b';
    const target = (toA ?? toB) as string;
    const follower = otherSide(movedSide);
    const view = views[follower];
    const current = view.tree.get(from);
    // Gone there, or replaced by another entry (which may be another base entry moved there): the delete and the new entry are handled as such.
    if (current === undefined || current.kind !== entry.kind || current.id !== sideId(entry, follower)) return true;
    if (!targetFree(view, from, target)) return true;
    const ready = this.readiness(view, target, entry, mode);
    if (ready !== 'go') return ready === 'never';
    this.actions.push({ type: 'move', side: follower, kind: entry.kind, from, to: target, ref: { path: from, id: current.id, kind: current.kind } });
    moveInView(view, from, target);
    moveInBase(input.base, from, target);
    return true;
  }
}

/**
 * Plans the moves and rewrites `input` (trees and base) as if they had been
 * applied. `candidates`: the base entries that differ on some side (all by default).
 */
export function planMoves(input: PlanInput, capabilities: Record<Side, DriverCapabilities>, candidates: Iterable<BaseEntry> = input.base.values()): Action[] {
  // Only entries whose id is no longer at their path on some side can have moved.
  const { a, b } = input.trees;
  const suspects: BaseEntry[] = [];
  for (const entry of candidates) {
    if ((entry.aId !== null && a.get(entry.path)?.id !== entry.aId) || (entry.bId !== null && b.get(entry.path)?.id !== entry.bId)) suspects.push(entry);
  }
  if (suspects.length === 0) return [];
  const planner = new MovePlanner(input, capabilities);
  let pending = suspects.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
  while (pending.length > 0) {
    const waiting = pending.filter((entry) => !planner.plan(entry, 'strict'));
    if (waiting.length < pending.length) {
      pending = waiting;
      continue;
    }
    // Stuck: let the moves that can create their target folder go, then try the strict way again.
    planner.noteWaiting(waiting);
    pending = waiting.filter((entry) => !planner.plan(entry, 'relaxed'));
    if (pending.length === waiting.length) {
      for (const entry of pending) planner.plan(entry, 'final');
      break;
    }
  }
  return planner.actions;
}
