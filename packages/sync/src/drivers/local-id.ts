/**
 * @module drivers/local-id
 * The stable id of a local file or folder: its inode plus, where the file
 * system records it, its birth time. Inodes are reused (ext4 gives a deleted
 * file's inode to the next new file at once); the birth time tells such a
 * new file from the old one, while an edit or a rename keeps both parts. So
 * a file edited and renamed between two syncs keeps its id and travels as a
 * move plus an edit.
 *
 * Node fills `birthtimeMs` from `statx` on Linux (ext4, tmpfs, xfs, btrfs
 * record it), from the file system on macOS and Windows. Where the file
 * system records none, statx reports 0 and the id is the bare inode: the
 * engine then keeps its content check before it takes an id match for a
 * move (`idsMayBeReused`). Where libuv cannot use statx (Linux < 4.11, or a
 * seccomp profile refusing it) Node reports the change time instead, so ids
 * change with a rename there: renames then travel as a delete plus a copy. The birth time goes into the id in whole
 * microseconds, base 36 (a `Stats` number carries no more precision).
 */

/**
 * The decimal text of a finite number, exactly as `String(value)` writes it
 * (JSON writes numbers with the same algorithm), but without V8's
 * number-string cache: every string that cache holds survives the next
 * young-generation collection, and a scan formats hundreds of thousands of
 * inodes, sizes and mtimes — that steady trickle of survivors made V8 grow
 * its young generation to 8–16 MB during a check against the base or a
 * first sync.
 */
export function decimalText(value: number): string {
  return JSON.stringify(value);
}

/** The revision of a local entry (files racy at scan time get a suffix from the caller). */
export function localRevision(ino: number, size: number, mtimeMs: number): string {
  return [decimalText(ino), decimalText(size), decimalText(mtimeMs)].join(':'); // joined: one flat string
}

/** Separates the inode from the birth time in an id (see `DriverCapabilities.birthIdSeparator`). */
export const birthIdSeparator = '.';

/** The id of the entry with inode `ino` born at `birthtimeMs` (0: unknown). */
export function localEntryId(ino: number, birthtimeMs: number): string {
  if (!(birthtimeMs > 0)) return decimalText(ino);
  return [decimalText(ino), Math.round(birthtimeMs * 1000).toString(36)].join(birthIdSeparator); // joined: one flat string, not a rope of three
}
