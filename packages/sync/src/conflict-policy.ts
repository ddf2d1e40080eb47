/**
 * @module conflict-policy
 * What happens when both sides changed the same file to different contents.
 * keep-both (default) keeps each version; newer / a / b pick one winner.
 */
import { baseName, type DriverEntry, parentPath } from './driver.js';
import type { Side } from './state-store.js';

export type ConflictPolicy = 'keep-both' | 'newer' | 'a' | 'b';

export const conflictPolicies: readonly ConflictPolicy[] = ['keep-both', 'newer', 'a', 'b'];

export type ConflictResolution =
  /** Move `loser`'s version to a conflicted-copy name, then both versions travel. */
  | { readonly kind: 'keep-both'; readonly loser: Side }
  /** Overwrite the other side with `winner`'s version. */
  | { readonly kind: 'overwrite'; readonly winner: Side };

export function resolveConflict(policy: ConflictPolicy, a: DriverEntry, b: DriverEntry): ConflictResolution {
  switch (policy) {
    case 'keep-both':
      // The version from side b is the one renamed: side a (usually this computer) keeps its names.
      return { kind: 'keep-both', loser: 'b' };
    case 'newer':
      return { kind: 'overwrite', winner: b.mtimeMs > a.mtimeMs ? 'b' : 'a' };
    case 'a':
      return { kind: 'overwrite', winner: 'a' };
    case 'b':
      return { kind: 'overwrite', winner: 'b' };
  }
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** "YYYY-MM-DD HHMMSS" in UTC. */
export function conflictTimestamp(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

/**
 * `dir/name (conflicted copy YYYY-MM-DD HHMMSS from <source>).ext`; the time is
 * the losing version's modification time, so a re-run after a crash picks the
 * same name. A counter is added when the name is taken.
 */
export function conflictedCopyPath(path: string, whenMs: number, source: string, isTaken: (path: string) => boolean): string {
  const folder = parentPath(path);
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : '';
  for (let attempt = 1; ; attempt++) {
    const suffix = attempt === 1 ? '' : ` ${attempt}`;
    const candidate = `${stem} (conflicted copy ${conflictTimestamp(whenMs)} from ${source}${suffix})${extension}`;
    const candidatePath = folder === '' ? candidate : `${folder}/${candidate}`;
    if (!isTaken(candidatePath)) return candidatePath;
  }
}
