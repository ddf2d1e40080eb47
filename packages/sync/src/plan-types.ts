/**
 * @module plan-types
 * The shapes the planner produces and the applier consumes: one action per
 * step, each small enough to be applied and committed on its own.
 */
import type { DriverEntry, EntryKind, EntryRef, ExpectedRevision } from './driver.js';
import type { BaseEntry, Side } from './state-store.js';

export type { Side };

export const otherSide = (side: Side): Side => (side === 'a' ? 'b' : 'a');

/** The current trees of both sides, keyed by path (mutated while planning moves). */
export interface Trees {
  a: Map<string, DriverEntry>;
  b: Map<string, DriverEntry>;
}

export type Action =
  /** Move an entry on `side` (following a move on the other side); the base follows. */
  | { readonly type: 'move'; readonly side: Side; readonly kind: EntryKind; readonly from: string; readonly to: string; readonly ref: EntryRef }
  /** Both sides already moved the same entry to the same place: re-key the base only. */
  | { readonly type: 'rebase'; readonly from: string; readonly to: string }
  /** Create a folder on `side` that the other side has. */
  | { readonly type: 'mkdir'; readonly side: Side; readonly path: string; readonly other: DriverEntry }
  /** Transfer a file from `from` to the other side at the same path. */
  | { readonly type: 'copy'; readonly from: Side; readonly path: string; readonly source: DriverEntry; readonly expected: ExpectedRevision }
  /** Delete on `side` what the other side deleted. */
  | { readonly type: 'delete'; readonly side: Side; readonly path: string; readonly kind: EntryKind; readonly ref: EntryRef }
  /** Move the losing version of a conflict aside, on its own side, to a conflicted-copy name. */
  | { readonly type: 'conflict'; readonly side: Side; readonly path: string; readonly to: string; readonly ref: EntryRef; readonly reason: string }
  /** Both sides agree without a transfer: store the agreement. */
  | { readonly type: 'record'; readonly path: string; readonly a: DriverEntry; readonly b: DriverEntry; readonly hash: string | null }
  /** Gone on both sides: forget the path. */
  | { readonly type: 'forget'; readonly path: string };

/** A file or folder that cannot be synced as it is (name rules, clashes); the rest goes on. */
export interface SyncIssue {
  readonly path: string;
  /** The side that cannot hold it. */
  readonly side: Side;
  readonly problem: string;
}

export interface Plan {
  readonly actions: Action[];
  readonly issues: SyncIssue[];
}

/** Everything the planner reads. */
export interface PlanInput {
  readonly trees: Trees;
  readonly base: Map<string, BaseEntry>;
}

export const sideId = (base: BaseEntry, side: Side): string | null => (side === 'a' ? base.aId : base.bId);
export const sideRevision = (base: BaseEntry, side: Side): string | null => (side === 'a' ? base.aRevision : base.bRevision);

/** True when an action transfers, moves or deletes something (not bookkeeping). */
export function isVisibleAction(action: Action): boolean {
  return action.type !== 'record' && action.type !== 'forget' && action.type !== 'rebase';
}
