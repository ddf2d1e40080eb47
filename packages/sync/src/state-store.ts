/**
 * @module state-store
 * The per-pair memory of the engine in one small SQLite file (WAL):
 * - `base`: the last agreed state of every path — kind, content hash, size,
 *   and for each side the id and revision it had then. A side's columns are
 *   null when that side has not (yet) agreed on the entry.
 * - `cursors`: change-feed cursors per side.
 * - `hash_cache`: content hashes of entries that changed but are not yet in
 *   the base (so an interrupted run does not hash them again).
 * - `listing_fingerprints`: per side, the fingerprint of a listing that was
 *   found equal to the base (see `no-change.ts`). Every base write deletes
 *   them first, so a stored fingerprint always describes the current base.
 * Every write is its own transaction: the base is committed per item.
 * The whole base is loaded in one statement (no per-file round trips).
 */
import { randomUUID } from 'node:crypto';
import { FerryError } from '@ferry/core';
import Database from 'better-sqlite3';
import type { EntryKind } from './driver.js';

export type Side = 'a' | 'b';

/** One path of the base tree. */
export interface BaseEntry {
  path: string;
  kind: EntryKind;
  /** sha256 hex of the agreed content (files); null for folders. */
  hash: string | null;
  size: number;
  mtimeMs: number;
  aId: string | null;
  aRevision: string | null;
  bId: string | null;
  bRevision: string | null;
}

const schema = `
CREATE TABLE IF NOT EXISTS base (
  path TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  hash TEXT,
  size INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  a_id TEXT, a_rev TEXT, b_id TEXT, b_rev TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_lock (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, token TEXT NOT NULL, started INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (side TEXT PRIMARY KEY NOT NULL, cursor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS listing_fingerprints (side TEXT PRIMARY KEY NOT NULL, fingerprint TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hash_cache (
  side TEXT NOT NULL, path TEXT NOT NULL, revision TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY (side, path)
) WITHOUT ROWID;
`;

type BaseRow = [string, string, string | null, number, number, string | null, string | null, string | null, string | null];

/** A base row as the no-change check reads it: path, kind, aId, aRevision, bId, bRevision. */
export type BaseRefRow = [string, string, string | null, string | null, string | null, string | null];

function fromRow(row: BaseRow): BaseEntry {
  const [path, kind, hash, size, mtimeMs, aId, aRevision, bId, bRevision] = row;
  return { path, kind: kind === 'folder' ? 'folder' : 'file', hash, size, mtimeMs, aId, aRevision, bId, bRevision };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** Upper bound of the key range of everything below `path` ("a/" .. "a0"). */
function belowRange(path: string): [string, string] {
  return [`${path}/`, `${path}0`];
}

export class StateStore {
  private readonly db: Database.Database;
  private readonly statements;

  private constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // The base is read in one sequential pass and written row by row: a small page cache does as well as the
    // 16 MB default of this build, which would otherwise stay resident (~160 bytes per file at 100,000 files).
    this.db.pragma('cache_size = -2000');
    this.db.exec(schema);
    this.statements = {
      all: this.db.prepare('SELECT path, kind, hash, size, mtime, a_id, a_rev, b_id, b_rev FROM base').raw(true),
      put: this.db.prepare(
        `INSERT INTO base (path, kind, hash, size, mtime, a_id, a_rev, b_id, b_rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, hash = excluded.hash, size = excluded.size, mtime = excluded.mtime,
         a_id = excluded.a_id, a_rev = excluded.a_rev, b_id = excluded.b_id, b_rev = excluded.b_rev`,
      ),
      refs: this.db.prepare('SELECT path, kind, a_id, a_rev, b_id, b_rev FROM base').raw(true),
      one: this.db.prepare('SELECT path, kind, hash, size, mtime, a_id, a_rev, b_id, b_rev FROM base WHERE path = ?').raw(true),
      deleteOne: this.db.prepare('DELETE FROM base WHERE path = ?'),
      deleteBelow: this.db.prepare('DELETE FROM base WHERE path >= ? AND path < ?'),
      moveOne: this.db.prepare('UPDATE base SET path = ? WHERE path = ?'),
      moveBelow: this.db.prepare('UPDATE base SET path = ? || substr(path, ?) WHERE path >= ? AND path < ?'),
      deleteCollisions: this.db.prepare(
        'DELETE FROM base WHERE path >= ? AND path < ? AND (? || substr(path, ?)) IN (SELECT path FROM base WHERE path >= ? AND path < ?)',
      ),
      getCursor: this.db.prepare('SELECT cursor FROM cursors WHERE side = ?').pluck(true),
      setCursor: this.db.prepare('INSERT INTO cursors (side, cursor) VALUES (?, ?) ON CONFLICT(side) DO UPDATE SET cursor = excluded.cursor'),
      clearCursor: this.db.prepare('DELETE FROM cursors WHERE side = ?'),
      hashes: this.db.prepare('SELECT path, revision, hash FROM hash_cache WHERE side = ?').raw(true),
      putHash: this.db.prepare(
        'INSERT INTO hash_cache (side, path, revision, hash) VALUES (?, ?, ?, ?) ON CONFLICT(side, path) DO UPDATE SET revision = excluded.revision, hash = excluded.hash',
      ),
      clearHashes: this.db.prepare('DELETE FROM hash_cache'),
      count: this.db.prepare('SELECT count(*) FROM base').pluck(true),
      fingerprints: this.db.prepare('SELECT side, fingerprint FROM listing_fingerprints').raw(true),
      putFingerprint: this.db.prepare('INSERT OR REPLACE INTO listing_fingerprints (side, fingerprint) VALUES (?, ?)'),
      clearFingerprints: this.db.prepare('DELETE FROM listing_fingerprints'),
    };
  }

  static open(file: string): StateStore {
    return new StateStore(file);
  }

  /** The whole base tree, keyed by path, in one query. */
  loadBase(): Map<string, BaseEntry> {
    const base = new Map<string, BaseEntry>();
    for (const row of this.statements.all.iterate() as Iterable<BaseRow>) base.set(row[0], fromRow(row));
    return base;
  }

  /**
   * Streams the base as [path, kind, aId, aRevision, bId, bRevision] rows
   * without building entries (the no-change check reads each row once).
   */
  baseRefs(): IterableIterator<BaseRefRow> {
    return this.statements.refs.iterate() as IterableIterator<BaseRefRow>;
  }

  /** Number of base entries. */
  baseSize(): number {
    const value: unknown = this.statements.count.get();
    return typeof value === 'number' ? value : 0;
  }

  /** The stored listing fingerprints of both sides, or null when either is missing. */
  listingFingerprints(): Record<Side, string> | null {
    let a: string | null = null;
    let b: string | null = null;
    for (const [side, fingerprint] of this.statements.fingerprints.iterate() as Iterable<[string, string]>) {
      if (side === 'a') a = fingerprint;
      else if (side === 'b') b = fingerprint;
    }
    return a === null || b === null ? null : { a, b };
  }

  /** Records that listings with these fingerprints equal the current base (dropped by the next base write). */
  putListingFingerprints(fingerprints: Record<Side, string>): void {
    this.transaction(() => {
      this.statements.clearFingerprints.run();
      this.statements.putFingerprint.run('a', fingerprints.a);
      this.statements.putFingerprint.run('b', fingerprints.b);
    });
  }

  /** Every base write calls this first: a stored fingerprint must never outlive the base it was checked against. */
  private dropFingerprints(): void {
    this.statements.clearFingerprints.run();
  }

  loadBaseEntry(path: string): BaseEntry | null {
    const row = this.statements.one.get(path) as BaseRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  putBase(entry: BaseEntry): void {
    this.dropFingerprints();
    this.statements.put.run(entry.path, entry.kind, entry.hash, entry.size, Math.floor(entry.mtimeMs), entry.aId, entry.aRevision, entry.bId, entry.bRevision);
  }

  /** Forgets exactly one path. */
  forgetPath(path: string): void {
    this.dropFingerprints();
    this.statements.deleteOne.run(path);
  }

  /** Forgets a path and everything below it. */
  deleteBase(path: string): void {
    this.dropFingerprints();
    this.transaction(() => {
      this.statements.deleteOne.run(path);
      this.statements.deleteBelow.run(...belowRange(path));
    });
  }

  /**
   * Re-keys a path and everything below it (a folder move is one row update
   * per entry, one transaction). Rows already below the target stay unless a
   * moved row lands on the same path.
   */
  moveBase(fromPath: string, toPath: string): void {
    this.dropFingerprints();
    this.transaction(() => {
      const [toLow, toHigh] = belowRange(toPath);
      const [fromLow, fromHigh] = belowRange(fromPath);
      this.statements.deleteOne.run(toPath);
      this.statements.deleteCollisions.run(toLow, toHigh, fromPath, [...toPath].length + 1, fromLow, fromHigh);
      this.statements.moveOne.run(toPath, fromPath);
      this.statements.moveBelow.run(toPath, [...fromPath].length + 1, fromLow, fromHigh); // SQLite counts characters, not UTF-16 units
    });
  }

  /**
   * Takes the pair's run lock, so two runs (a watcher and a manual sync, two
   * processes) never apply at the same time. A lock left by a process that
   * died (kill -9) is taken over. Returns the release function.
   */
  acquireRunLock(): () => void {
    const token = randomUUID();
    this.transaction(() => {
      const held = this.db.prepare('SELECT pid, token FROM run_lock WHERE id = 1').get() as { pid: number; token: string } | undefined;
      if (held !== undefined && (held.pid !== process.pid ? processAlive(held.pid) : true)) {
        throw new FerryError('conflict', `Another sync of this pair is running (process ${held.pid}). Try again when it has finished.`);
      }
      this.db.prepare('INSERT OR REPLACE INTO run_lock (id, pid, token, started) VALUES (1, ?, ?, ?)').run(process.pid, token, Date.now());
    });
    return () => {
      this.db.prepare('DELETE FROM run_lock WHERE id = 1 AND token = ?').run(token);
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  cursor(side: Side): string | null {
    const value: unknown = this.statements.getCursor.get(side);
    return typeof value === 'string' ? value : null;
  }

  setCursor(side: Side, cursor: string | null): void {
    if (cursor === null) this.statements.clearCursor.run(side);
    else this.statements.setCursor.run(side, cursor);
  }

  /** Cached hashes of one side: path → [revision, hash]. */
  loadHashCache(side: Side): Map<string, [string, string]> {
    const cache = new Map<string, [string, string]>();
    for (const row of this.statements.hashes.iterate(side) as Iterable<[string, string, string]>) cache.set(row[0], [row[1], row[2]]);
    return cache;
  }

  putHash(side: Side, path: string, revision: string, hash: string): void {
    this.statements.putHash.run(side, path, revision, hash);
  }

  clearHashCache(): void {
    this.statements.clearHashes.run();
  }

  close(): void {
    this.db.close();
  }
}
