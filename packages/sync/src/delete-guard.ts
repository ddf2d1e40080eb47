/**
 * @module delete-guard
 * Stops a run before it does something that looks like an accident: a side
 * that suddenly lists nothing (an unmounted disk, an emptied account), or a
 * plan that would delete more than a set share of the files.
 */
import { FerryError } from '@ferry/core/errors';
import type { DriverEntry } from './driver.js';
import type { Action, Side } from './plan-types.js';
import type { BaseEntry } from './state-store.js';

export interface DeleteGuardOptions {
  /** Largest share of a side's synced files one run may delete (default 0.5). */
  readonly maxShare?: number;
  /** The share rule applies from this many synced files on (default 10). */
  readonly minFiles?: number;
}

function syncedFiles(base: Map<string, BaseEntry>, side: Side): number {
  let count = 0;
  for (const entry of base.values()) if (entry.kind === 'file' && (side === 'a' ? entry.aId : entry.bId) !== null) count++;
  return count;
}

/** Throws when a side lists nothing although the base says it had files. */
export function checkListing(side: Side, label: string, listing: readonly DriverEntry[], base: Map<string, BaseEntry>): void {
  if (listing.length > 0) return;
  const files = syncedFiles(base, side);
  if (files === 0) return;
  throw new FerryError('precondition_failed', `Delete guard: ${label} lists no files at all, but ${files} were synced before. Nothing was changed. Check that it is mounted and reachable; run again with the guard off to really delete everything.`, {
    guard: 'empty-listing',
    side,
  });
}

/** Throws when the plan deletes more than the allowed share of a side's files. */
export function checkDeletes(actions: readonly Action[], base: Map<string, BaseEntry>, labels: Record<Side, string>, options: DeleteGuardOptions): void {
  const maxShare = options.maxShare ?? 0.5;
  const minFiles = options.minFiles ?? 10;
  for (const side of ['a', 'b'] as const) {
    const files = syncedFiles(base, side);
    if (files < minFiles) continue;
    const deletes = actions.filter((action) => action.type === 'delete' && action.side === side && action.kind === 'file').length;
    if (deletes > files * maxShare) {
      throw new FerryError(
        'precondition_failed',
        `Delete guard: this run would delete ${deletes} of ${files} files on ${labels[side]} (more than ${Math.round(maxShare * 100)}%). Nothing was changed. Run again with a higher limit or the guard off if this is intended.`,
        { guard: 'delete-share', side, deletes, files },
      );
    }
  }
}
