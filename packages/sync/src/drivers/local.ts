/**
 * @module drivers/local
 * A folder on this machine as a sync replica.
 *
 * - `list()` walks the tree with `readdirSync` + `lstatSync` (synchronous
 *   calls are several times faster than the promise API for 100,000 small
 *   stats; small files are hashed with a synchronous read for the same reason), for large trees beside a worker thread (`threadScanFrom`,
 *   see `local-scan-thread.ts`), and never hashes: the revision is
 *   inode:size:mtime (a rename keeps it), so the engine can skip unchanged files by
 *   comparing revisions with its index and only hash what moved on.
 * - The id is the inode plus the birth time where the file system records
 *   one (`local-id.ts`): an edited and renamed file keeps it, a new file
 *   that got a deleted file's inode does not.
 * - A file touched within the last two seconds is "racy" (the file system
 *   clock is coarse, an edit in the same tick keeps size and mtime): its
 *   revision gets a per-scan suffix so the engine re-checks its content.
 * - Writes go to `.ferry-tmp-*` beside the target, are fsynced and renamed
 *   into place; temp files are never listed and stale ones are removed.
 * - Symbolic links and special files are not synced; the scan lists them (`notSynced`) and a run reports them as skipped.
 * - `capabilities` may be narrowed to simulate a stricter file system
 *   (case-insensitive, Windows names): the driver then enforces them.
 */
import { createHash, hash as hashAtOnce, randomUUID } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '@ferry/core/errors';
import {
  type ByteStream,
  type ChangesResult,
  type DriverCapabilities,
  type DriverEntry,
  type EntryKind,
  type EntryRef,
  parentPath,
  baseName,
  posixCapabilities,
  type SyncDriver,
  type WriteOptions,
} from '../driver.js';
import { compactList, type CompactListing, type ListOptions } from '../listing.js';
import { nameKey, pathProblem } from '../name-rules.js';
import { birthIdSeparator, localEntryId, localRevision } from './local-id.js';
import { LocalScan, racyWindowMs } from './local-scan.js';
import { walkBeside, walkHere } from './local-scan-thread.js';
import type { WalkColumns } from './local-scan-walk.js';

/** Prefix of the engine's own temporary files; never listed, never synced. */
export const tempFilePrefix = '.ferry-tmp-';
const staleTempMs = 10 * 60_000;

export interface LocalDriverOptions {
  /** Absolute path of the folder to sync. It must exist. */
  readonly root: string;
  /** Narrow the capabilities to simulate another file system (tests, Windows shares). */
  readonly capabilities?: Partial<DriverCapabilities>;
  /**
   * fsync each written file before renaming it into place (default true).
   * Only tests and benchmarks that do not simulate power loss turn it off.
   */
  readonly fsync?: boolean;
  /**
   * Scan beside a worker thread when the engine expects at least this many
   * entries (default 20,000): the first such scan of the process runs in a
   * worker thread and one starting meanwhile (the pair's other side) runs
   * in the calling thread at the same time, so both sides are walked in
   * parallel for the cost of one thread (≈ 10 MB; a few tens of ms to
   * start, which small trees need not pay). On the quiet 2-core machine a
   * no-change run of 100,000 files took 0.74–0.82 s walking in parallel
   * against 1.26–1.30 s one side after the other. Scans that consult ignore
   * rules always run in the calling thread.
   */
  readonly threadScanFrom?: number;
}

/**
 * Files smaller than this are read and hashed in one synchronous step: for
 * a small file the promise API's open/stat/read/close round trips through
 * the thread pool cost far more than the read (a first sync of 100,000
 * equal ~100-byte file pairs: 41 s → 8 s), and they leave no promise or
 * file handle for the garbage collector. Larger files are read
 * asynchronously, so several can be read at once.
 */
const hashSynchronouslyBelow = 64 * 1024;

/** Trees expected to hold at least this many entries are scanned beside a worker thread (see `threadScanFrom`). */
export const defaultThreadScanFrom = 20_000;

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}

/** The revision without the racy suffix: what a precondition compares. */
function stableRevision(revision: string): string {
  const tilde = revision.indexOf('~');
  return tilde < 0 ? revision : revision.slice(0, tilde);
}


export class LocalDriver implements SyncDriver {
  readonly kind = 'local';
  readonly capabilities: DriverCapabilities;
  readonly root: string;
  private readonly simulated: boolean;
  private readonly fsync: boolean;
  private readonly threadScanFrom: number;
  private scanCounter = 0;

  constructor(options: LocalDriverOptions) {
    this.root = options.root;
    this.capabilities = { ...posixCapabilities, birthIdSeparator, ...options.capabilities };
    this.simulated = options.capabilities !== undefined;
    this.fsync = options.fsync ?? true;
    this.threadScanFrom = options.threadScanFrom ?? defaultThreadScanFrom;
  }

  /** The file system path of `path` (engine paths are already normalized: joined, not re-normalized). */
  private absolute(path: string): string {
    return path === '' ? this.root : `${this.root}/${path}`;
  }

  private entryFromStats(path: string, stats: Stats, now: number, scan: number): DriverEntry {
    const kind: EntryKind = stats.isDirectory() ? 'folder' : 'file';
    const size = kind === 'file' ? stats.size : 0;
    let revision = localRevision(stats.ino, size, stats.mtimeMs);
    if (kind === 'file' && stats.mtimeMs > now - racyWindowMs) revision += `~${now}.${scan}`;
    return { path, kind, size, mtimeMs: Math.floor(stats.mtimeMs), id: localEntryId(stats.ino, stats.birthtimeMs), hash: null, revision };
  }

  async list(options?: ListOptions): Promise<DriverEntry[]> {
    return (await this.scanColumns(options ?? {})).entries();
  }

  /** The columnar scan the engine's no-change check reads (see `listing.ts`). */
  [compactList](options: ListOptions): Promise<CompactListing> {
    return this.scanColumns(options);
  }

  private async scanColumns(options: ListOptions): Promise<LocalScan> {
    let rootStats: Stats;
    try {
      rootStats = lstatSync(this.root);
    } catch (error) {
      throw new FerryError('unavailable', `The folder ${this.root} cannot be read: ${String(error)}`);
    }
    if (!rootStats.isDirectory()) throw new FerryError('unavailable', `${this.root} is not a folder.`);
    const now = Date.now();
    const request = { root: this.root, now, tempPrefix: tempFilePrefix, staleTempMs, racyWindowMs, sizeHint: options.sizeHint ?? 0 };
    const large = options.skip === undefined && (options.sizeHint ?? 0) >= this.threadScanFrom;
    let columns: WalkColumns;
    try {
      columns = large ? await walkBeside(request) : await walkHere(request, options.skip);
    } catch (error) {
      if (error instanceof FerryError) throw error; // from the worker thread: already says what failed
      throw new FerryError('unavailable', `Cannot list ${this.root}: ${String(error)}`);
    }
    return new LocalScan(columns, now, ++this.scanCounter);
  }

  async stat(path: string): Promise<DriverEntry | null> {
    try {
      const stats = await lstat(this.absolute(path));
      if (!stats.isDirectory() && !stats.isFile()) return null;
      return this.entryFromStats(path, stats, Date.now(), ++this.scanCounter);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async read(path: string): Promise<ByteStream> {
    const stats = await this.stat(path);
    if (stats === null) throw new FerryError('file_not_found', `${path} does not exist.`);
    if (stats.kind !== 'file') throw new FerryError('not_a_file', `${path} is a folder.`);
    return createReadStream(this.absolute(path));
  }

  /** When simulating a stricter file system, refuse what it would refuse. */
  private async assertCanCreate(path: string, sameEntryId?: string): Promise<void> {
    if (!this.simulated) return;
    const problem = pathProblem(path, this.capabilities);
    if (problem !== null) throw new FerryError('invalid_name', `${path}: ${problem}`);
    if (!this.capabilities.caseInsensitive && !this.capabilities.normalizesUnicode) return;
    const parent = parentPath(path);
    const key = nameKey(baseName(path), this.capabilities);
    let siblings: string[];
    try {
      siblings = await readdir(this.absolute(parent));
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const sibling of siblings) {
      if (sibling === baseName(path) || nameKey(sibling, this.capabilities) !== key) continue;
      const siblingPath = parent === '' ? sibling : `${parent}/${sibling}`;
      const existing = await this.stat(siblingPath);
      if (existing !== null && existing.id === sameEntryId) continue; // case-only rename of itself
      throw new FerryError('name_conflict', `${path} clashes with ${siblingPath} on this file system.`);
    }
  }

  private async checkExpected(path: string, options: WriteOptions): Promise<void> {
    const expected = options.expected;
    if (expected.kind === 'any') return;
    const current = await this.stat(path);
    if (expected.kind === 'absent') {
      if (current !== null) throw new FerryError('precondition_failed', `${path} appeared while syncing.`);
      return;
    }
    if (current === null || stableRevision(current.revision) !== stableRevision(expected.revision)) {
      throw new FerryError('precondition_failed', `${path} changed while syncing.`);
    }
  }

  async write(path: string, content: ByteStream, options: WriteOptions): Promise<DriverEntry> {
    await this.assertCanCreate(path);
    const target = this.absolute(path);
    const folder = this.absolute(parentPath(path));
    await mkdir(folder, { recursive: true });
    const temp = join(folder, `${tempFilePrefix}${randomUUID()}`);
    const handle = await open(temp, 'wx');
    try {
      try {
        for await (const chunk of content) await handle.write(chunk);
        if (this.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      if (options.mtimeMs !== undefined) {
        const seconds = options.mtimeMs / 1000;
        await utimes(temp, seconds, seconds);
      }
      await this.checkExpected(path, options);
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    const written = await this.stat(path);
    if (written === null) throw new FerryError('internal', `${path} vanished right after writing.`);
    return written;
  }

  async mkdir(path: string): Promise<DriverEntry> {
    const existing = await this.stat(path);
    if (existing !== null) {
      if (existing.kind !== 'folder') throw new FerryError('not_a_folder', `${path} exists and is a file.`);
      return existing;
    }
    await this.assertCanCreate(path);
    await mkdir(this.absolute(path), { recursive: true });
    const created = await this.stat(path);
    if (created === null) throw new FerryError('internal', `${path} vanished right after creating it.`);
    return created;
  }

  /** The entry at `ref.path` if it is still the one the caller means, else a `precondition_failed`. */
  private async resolveRef(ref: EntryRef): Promise<DriverEntry | null> {
    const current = await this.stat(ref.path);
    if (current === null) return null;
    if (current.id !== ref.id || current.kind !== ref.kind) {
      throw new FerryError('precondition_failed', `${ref.path} was replaced while syncing.`);
    }
    if (ref.revision !== undefined && ref.kind === 'file' && stableRevision(current.revision) !== stableRevision(ref.revision)) {
      throw new FerryError('precondition_failed', `${ref.path} changed while syncing.`);
    }
    return current;
  }

  async move(from: EntryRef, toPath: string): Promise<DriverEntry> {
    const current = await this.resolveRef(from);
    if (current === null) throw new FerryError('node_not_found', `${from.path} no longer exists.`);
    await this.assertCanCreate(toPath, from.id);
    const occupant = await this.stat(toPath);
    if (occupant !== null && occupant.id !== from.id) {
      throw new FerryError('name_conflict', `${toPath} already exists.`);
    }
    await mkdir(this.absolute(parentPath(toPath)), { recursive: true });
    await rename(this.absolute(from.path), this.absolute(toPath));
    const moved = await this.stat(toPath);
    if (moved === null) throw new FerryError('internal', `${toPath} vanished right after the move.`);
    return moved;
  }

  async delete(entry: EntryRef): Promise<void> {
    const current = await this.resolveRef(entry);
    if (current === null) return;
    if (current.kind === 'folder') await rm(this.absolute(entry.path), { recursive: true, force: true });
    else await unlink(this.absolute(entry.path));
  }

  async changes(_cursor: string | null): Promise<ChangesResult> {
    return { kind: 'unsupported' };
  }

  /** Watches the folder with @parcel/watcher; the engine's own temp files are not reported. */
  async watch(onChange: () => void): Promise<() => Promise<void>> {
    const { subscribe } = await import('@parcel/watcher'); // loaded on first use: most runs never watch
    const subscription = await subscribe(
      this.root,
      (error, events) => {
        if (error !== null) onChange(); // overflow or similar: a full scan finds out
        else if (events.some((event) => !baseName(event.path).startsWith(tempFilePrefix))) onChange();
      },
      { ignore: [`**/${tempFilePrefix}*`] },
    );
    return () => subscription.unsubscribe();
  }

  async hash(entry: DriverEntry): Promise<string> {
    if (entry.size < hashSynchronouslyBelow) return hashAtOnce('sha256', readFileSync(this.absolute(entry.path)), 'hex');
    if (entry.size < 1024 * 1024) return createHash('sha256').update(await readFile(this.absolute(entry.path))).digest('hex');
    const digest = createHash('sha256');
    for await (const chunk of createReadStream(this.absolute(entry.path))) digest.update(chunk as Buffer);
    return digest.digest('hex');
  }

  async close(): Promise<void> {}
}
