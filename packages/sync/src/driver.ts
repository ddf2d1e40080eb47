/**
 * @module driver
 * The one contract every replica implements (STYLE.md 5): a local folder, the
 * Ferry server, Google Drive, Dropbox. The engine only ever talks to a
 * `SyncDriver`; it never knows which kind of replica is on either side.
 *
 * Paths are relative to the replica's root, `/`-separated, with no leading or
 * trailing slash ("docs/x.txt"). The root itself is never an entry.
 */

export type EntryKind = 'file' | 'folder';

/** One file or folder as a replica sees it right now. */
export interface DriverEntry {
  /** Relative path below the root, `/`-separated. */
  readonly path: string;
  readonly kind: EntryKind;
  /** Bytes for files; 0 for folders. */
  readonly size: number;
  /** Modification time in ms since the epoch (0 when the replica has none). */
  readonly mtimeMs: number;
  /** Stable identity that survives renames and moves: inode locally, file id on a provider. */
  readonly id: string;
  /**
   * Lowercase hex sha256 of the content when the replica knows it cheaply (Drive's
   * sha256Checksum), or null. The planner compares it across sides and with the base,
   * so other hash kinds (md5, Dropbox content_hash) never go here: `hash()` answers instead.
   */
  readonly hash: string | null;
  /** Changes whenever the content or metadata changes (etag, version id, inode+size+mtime). */
  readonly revision: string;
}

/** What names and paths a replica can hold. The engine checks names against these before creating. */
export interface DriverCapabilities {
  /** `A.txt` and `a.txt` are the same entry (Windows, macOS, Drive UI, Dropbox). */
  readonly caseInsensitive: boolean;
  /** Names that differ only by Unicode normalisation (NFC/NFD) are the same entry (macOS). */
  readonly normalizesUnicode: boolean;
  /** Longest name in UTF-8 bytes. */
  readonly maxNameBytes: number;
  /** Characters a name may not contain (besides `/`). */
  readonly forbiddenCharacters: string;
  /** CON, PRN, AUX, NUL, COM1-9, LPT1-9 (with or without extension) are refused. */
  readonly forbidsReservedNames: boolean;
  /** Names ending with `.` or ` ` are refused (Windows). */
  readonly forbidsTrailingDotOrSpace: boolean;
  /**
   * A deleted entry's id may be given to a new entry (inodes on local file
   * systems; absent means false for provider ids): an id found at
   * another path is then a move only when the file also kept its content
   * identity (revision, or size and modification time).
   */
  readonly idsMayBeReused?: boolean;
  /**
   * With `idsMayBeReused`: an id that contains this string also carries the
   * entry's birth time (local file systems that record one), so a reused
   * inode gets another id. An id match with such an id is a move even when
   * the content changed (a file edited, then renamed).
   */
  readonly birthIdSeparator?: string;
}

/** A precondition for a write, move or delete, so a lost race is detected instead of overwriting. */
export type ExpectedRevision =
  /** The target must not exist. */
  | { readonly kind: 'absent' }
  /** The target must exist with this revision. */
  | { readonly kind: 'revision'; readonly revision: string }
  /** No check. */
  | { readonly kind: 'any' };

export interface WriteOptions {
  readonly expected: ExpectedRevision;
  /** Modification time to give the written file (so both sides agree on "newer"). */
  readonly mtimeMs?: number;
  /**
   * Opens the content again from its first byte, for a driver that sends it
   * once more after a refused upload (429, 503, no answer); the stream passed
   * to `write` is then abandoned. Absent: the content can be sent only once.
   */
  readonly reopen?: () => Promise<ByteStream>;
}

/** One file of `SyncDriver.writeBatch`, its whole content in memory. */
export interface BatchWrite {
  readonly path: string;
  readonly content: Uint8Array;
  /** The content's sha-256 (hex), which the engine has computed anyway. */
  readonly sha256: string;
  readonly options: WriteOptions;
}

/** A reference to an existing entry: path plus the id the caller last saw there. */
export interface EntryRef {
  readonly path: string;
  readonly id: string;
  readonly kind: EntryKind;
  /** When set, the operation fails with `precondition_failed` if the entry changed since. */
  readonly revision?: string;
}

/** One incremental change reported by a change feed. */
export interface DriverChange {
  readonly path: string;
  readonly id: string | null;
  readonly removed: boolean;
}

/** The answer of `changes(cursor)`. */
export type ChangesResult =
  /** This replica has no incremental change source: the engine lists in full. */
  | { readonly kind: 'unsupported' }
  /** The cursor is no longer valid: the engine relists in full (never mass-deletes). */
  | { readonly kind: 'expired' }
  | { readonly kind: 'changes'; readonly changes: readonly DriverChange[]; readonly cursor: string };

/** Bytes flowing in or out of a replica. */
export type ByteStream = AsyncIterable<Uint8Array>;

export interface SyncDriver {
  /** Short label of the replica kind ("local", "ferry", ...). */
  readonly kind: string;
  readonly capabilities: DriverCapabilities;
  /**
   * A full snapshot of every entry below the root. Throws when the replica
   * cannot be read (missing root, network failure) — never returns a partial list.
   * `skip` lets the driver prune subtrees the engine will ignore anyway.
   */
  list(options?: { readonly skip?: (path: string, kind: EntryKind) => boolean }): Promise<DriverEntry[]>;
  /** The entry at `path`, or null when nothing is there. */
  stat(path: string): Promise<DriverEntry | null>;
  /** The content of a file. */
  read(path: string): Promise<ByteStream>;
  /**
   * Writes a whole file: to a temporary name first, then renamed into place,
   * so readers never see a half-written file. Missing parent folders are created.
   * Throws `precondition_failed` when `expected` does not hold.
   */
  write(path: string, content: ByteStream, options: WriteOptions): Promise<DriverEntry>;
  /**
   * Optional: writes many small files in a few requests (Ferry's batch
   * upload), with `write`'s guarantees per file. Each file succeeds or fails
   * on its own: the answer holds, in order, the written entry or the reason
   * (a failed request fails each of its files, it does not throw).
   */
  writeBatch?(files: readonly BatchWrite[]): Promise<Array<DriverEntry | Error>>;
  /** Creates a folder (and missing parents); returns the existing one when already there. */
  mkdir(path: string): Promise<DriverEntry>;
  /** Moves or renames an entry (a whole folder in one step); case-only renames must work. */
  move(from: EntryRef, toPath: string): Promise<DriverEntry>;
  /** Deletes a file, or a folder with everything in it. */
  delete(entry: EntryRef): Promise<void>;
  /** Incremental changes since `cursor` (null: give the current cursor with no changes). */
  changes(cursor: string | null): Promise<ChangesResult>;
  /**
   * Optional push notification of changes (a file-system watcher, a long
   * poll): calls `onChange` soon after something below the root changed.
   * Returns a function that stops watching. Without it, `--watch` polls.
   */
  watch?(onChange: () => void): Promise<() => Promise<void>>;
  /** A content hash comparable across replicas: lowercase hex sha256 of the bytes. */
  hash(entry: DriverEntry): Promise<string>;
  close(): Promise<void>;
}

/** Capabilities of a plain POSIX file system (Linux ext4 and friends). */
export const posixCapabilities: DriverCapabilities = {
  caseInsensitive: false,
  normalizesUnicode: false,
  maxNameBytes: 255,
  forbiddenCharacters: '',
  forbidsReservedNames: false,
  forbidsTrailingDotOrSpace: false,
  idsMayBeReused: true,
};

/** Capabilities of Windows (NTFS through Win32). */
export const windowsCapabilities: DriverCapabilities = {
  caseInsensitive: true,
  normalizesUnicode: false,
  maxNameBytes: 255,
  forbiddenCharacters: '<>:"\\|?*',
  forbidsReservedNames: true,
  forbidsTrailingDotOrSpace: true,
  idsMayBeReused: true,
};

/** Capabilities of macOS (APFS, default case-insensitive, normalisation-insensitive). */
export const macCapabilities: DriverCapabilities = {
  caseInsensitive: true,
  normalizesUnicode: true,
  maxNameBytes: 255,
  forbiddenCharacters: ':',
  forbidsReservedNames: false,
  forbidsTrailingDotOrSpace: false,
  idsMayBeReused: true,
};

/** Parent path of a relative path ("" for top-level entries). */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** Last segment of a relative path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `ancestor` or lies below it. */
export function isSameOrBelow(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}
