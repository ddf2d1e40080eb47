/**
 * @module state-store
 * The per-pair memory of the engine in one small SQLite file (WAL):
 * - the base (`state-store-base.ts`): the last agreed state of every path —
 *   kind, content hash, size, and for each side the id and revision it had
 *   then. A side's columns are null when that side has not (yet) agreed on
 *   the entry. Rows are keyed by folder id + name, so a folder move rewrites
 *   folder paths, not a row per file.
 * - `cursors`: change-feed cursors per side.
 * - `hash_cache`: content hashes of entries that changed but are not yet in
 *   the base (so an interrupted run does not hash them again).
 * - `listing_fingerprints`: per side, the fingerprint of a listing that was
 *   found equal to the base (see `no-change.ts`). Triggers on the base
 *   tables delete them in the same statement as any base write (from any
 *   connection), so a stored fingerprint always describes the current base.
 *   Beside them (row `entries`) the number of base entries then, which
 *   answers `baseSize()` without counting the rows (a count reads every page
 *   of the base into SQLite's cache: ~3 MB at 100,000 files).
 * Every write is its own transaction: the base is committed per item.
 * The whole base is loaded in one statement (no per-file round trips).
 */
import { randomUUID } from 'node:crypto';
import { FerryError } from '@ferry/core/errors';
import Database from 'better-sqlite3';
import { type BaseEntry, type BaseRefRow, baseSchema, BaseTable } from './state-store-base.js';

export type { BaseEntry, BaseRefRow } from './state-store-base.js';

export type Side = 'a' | 'b';

const schema = `
CREATE TABLE IF NOT EXISTS run_lock (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, token TEXT NOT NULL, started INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (side TEXT PRIMARY KEY NOT NULL, cursor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS listing_fingerprints (side TEXT PRIMARY KEY NOT NULL, fingerprint TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hash_cache (
  side TEXT NOT NULL, path TEXT NOT NULL, revision TEXT NOT NULL, hash TEXT NOT NULL,
  PRIMARY KEY (side, path)
) WITHOUT ROWID;
`;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

export class StateStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly base: BaseTable;

  private constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // The base is read in one sequential pass and written row by row: a small page cache does as well as the
    // 16 MB default of this build, which would otherwise stay resident (~160 bytes per file at 100,000 files).
    // 256 KiB holds the interior pages of a 100,000-row base; a first sync of 100,000 rows took no longer
    // than with 2 MB (5.5–6.3 s against 6.3–6.4 s), and a row check keeps ~1.7 MB less resident.
    this.db.pragma('cache_size = -256');
    this.db.exec(schema + baseSchema);
    this.base = new BaseTable(this.db);
    this.statements = {
      getCursor: this.db.prepare('SELECT cursor FROM cursors WHERE side = ?').pluck(true),
      setCursor: this.db.prepare('INSERT INTO cursors (side, cursor) VALUES (?, ?) ON CONFLICT(side) DO UPDATE SET cursor = excluded.cursor'),
      clearCursor: this.db.prepare('DELETE FROM cursors WHERE side = ?'),
      hashes: this.db.prepare('SELECT path, revision, hash FROM hash_cache WHERE side = ?').raw(true),
      putHash: this.db.prepare(
        'INSERT INTO hash_cache (side, path, revision, hash) VALUES (?, ?, ?, ?) ON CONFLICT(side, path) DO UPDATE SET revision = excluded.revision, hash = excluded.hash',
      ),
      clearHashes: this.db.prepare('DELETE FROM hash_cache'),
      fingerprints: this.db.prepare('SELECT side, fingerprint FROM listing_fingerprints').raw(true),
      putFingerprint: this.db.prepare('INSERT OR REPLACE INTO listing_fingerprints (side, fingerprint) VALUES (?, ?)'),
      clearFingerprints: this.db.prepare('DELETE FROM listing_fingerprints'),
      recordedSize: this.db.prepare("SELECT fingerprint FROM listing_fingerprints WHERE side = 'entries'").pluck(true),
      recordSize: this.db.prepare("INSERT OR REPLACE INTO listing_fingerprints (side, fingerprint) VALUES ('entries', (SELECT count(*) FROM base_entries))"),
    };
  }

  static open(file: string): StateStore {
    return new StateStore(file);
  }

  /** The whole base tree, keyed by path (in path order), in one query. */
  loadBase(): Map<string, BaseEntry> {
    return this.base.load();
  }

  /**
   * The base as the no-change check reads it, without building entries or
   * paths: folder id → folder path, and rows of [folder id, name, kind, aId,
   * aRevision, bId, bRevision].
   */
  baseRefs(): { folders: Map<number, string>; rows: IterableIterator<BaseRefRow> } {
    return { folders: this.base.folders(), rows: this.base.refs() };
  }

  /** Number of base entries (recorded with the listing fingerprints, else counted). */
  baseSize(): number {
    const recorded: unknown = this.statements.recordedSize.get();
    return typeof recorded === 'string' ? Number(recorded) : this.base.size();
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
      this.statements.recordSize.run();
    });
  }

  loadBaseEntry(path: string): BaseEntry | null {
    return this.base.get(path);
  }

  putBase(entry: BaseEntry): void {
    this.base.put(entry);
  }

  /** Forgets exactly one path. */
  forgetPath(path: string): void {
    this.base.forget(path);
  }

  /** Forgets a path and everything below it. */
  deleteBase(path: string): void {
    this.transaction(() => this.base.forgetTree(path));
  }

  /**
   * Re-keys a path and everything below it (a folder move rewrites the paths
   * of the folders inside it, one transaction). Rows already below the target
   * stay unless a moved row lands on the same path.
   */
  moveBase(fromPath: string, toPath: string): void {
    this.transaction(() => this.base.move(fromPath, toPath));
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

  /**
   * A write transaction that stays open across awaits (a run has the store to
   * itself under its run lock), for long streams of independent base writes
   * (`first-sync.ts`): each row is written as soon as it is known, so nothing
   * waits in memory for a commit. `flush()` commits what was written so far
   * and opens the next transaction; `close()` commits and ends.
   */
  openWriteBatch(): { flush(): void; close(): void } {
    const begin = this.db.prepare('BEGIN');
    const commit = this.db.prepare('COMMIT');
    begin.run();
    let open = true;
    return {
      flush: () => {
        if (!open) return;
        commit.run();
        begin.run();
      },
      close: () => {
        if (!open) return;
        open = false;
        commit.run();
      },
    };
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
