/**
 * @module state-store-base
 * The base tree's rows in the state store. An entry is stored under its
 * folder's id and its own name (`base_entries`), and each folder path that
 * holds entries once (`base_folders`). Moving a folder rewrites the paths of
 * the folders inside it — not a row per file: renaming a folder of 10,000
 * files in 100 subfolders updates ~100 short rows instead of re-keying
 * 10,000 long ones (the bytes written by a rename run were mostly these).
 * Moves the quick way cannot express (into or out of the path's own
 * subtree, onto a folder that already holds entries) are done path by path
 * with the same meaning.
 *
 * Paths go in and out whole; callers never see folder ids.
 */
import type Database from 'better-sqlite3';
import { baseName, isSameOrBelow, parentPath } from './driver.js';

/** One path of the base tree. */
export interface BaseEntry {
  path: string;
  kind: 'file' | 'folder';
  /** sha256 hex of the agreed content (files); null for folders. */
  hash: string | null;
  size: number;
  mtimeMs: number;
  aId: string | null;
  aRevision: string | null;
  bId: string | null;
  bRevision: string | null;
}

/** The base tables; every change to them deletes the stored listing fingerprints (table of `state-store.ts`). */
export const baseSchema = `
CREATE TABLE IF NOT EXISTS base_folders (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS base_entries (
  folder INTEGER NOT NULL, name TEXT NOT NULL,
  kind TEXT NOT NULL, hash TEXT, size INTEGER NOT NULL, mtime INTEGER NOT NULL,
  a_id TEXT, a_rev TEXT, b_id TEXT, b_rev TEXT,
  PRIMARY KEY (folder, name)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS base_entries_inserted AFTER INSERT ON base_entries BEGIN DELETE FROM listing_fingerprints; END;
CREATE TRIGGER IF NOT EXISTS base_entries_updated AFTER UPDATE ON base_entries BEGIN DELETE FROM listing_fingerprints; END;
CREATE TRIGGER IF NOT EXISTS base_entries_deleted AFTER DELETE ON base_entries BEGIN DELETE FROM listing_fingerprints; END;
CREATE TRIGGER IF NOT EXISTS base_folders_moved AFTER UPDATE ON base_folders BEGIN DELETE FROM listing_fingerprints; END;
`;

/** path, kind, hash, size, mtime, aId, aRevision, bId, bRevision */
type BaseRow = [string, string, string | null, number, number, string | null, string | null, string | null, string | null];

/** A base row as the no-change check reads it: folder id, name, kind, aId, aRevision, bId, bRevision. */
export type BaseRefRow = [number, string, string, string | null, string | null, string | null, string | null];

const fullPath = `CASE f.path WHEN '' THEN e.name ELSE f.path || '/' || e.name END`;
const folderOf = '(SELECT id FROM base_folders WHERE path = ?)';
/** Folders at `?` or below it (`?` = path, `?` = path + "/", `?` = path + "0"). */
const atOrBelow = '(path = ? OR (path >= ? AND path < ?))';

function fromRow(row: BaseRow): BaseEntry {
  const [path, kind, hash, size, mtimeMs, aId, aRevision, bId, bRevision] = row;
  return { path, kind: kind === 'folder' ? 'folder' : 'file', hash, size, mtimeMs, aId, aRevision, bId, bRevision };
}

/** [path, path + "/", path + "0"]: the path and the key range of everything below it. */
function subtree(path: string): [string, string, string] {
  return [path, `${path}/`, `${path}0`];
}

const byPath = (left: BaseEntry, right: BaseEntry): number => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0);

export class BaseTable {
  private readonly statements;

  constructor(db: Database.Database) {
    const rows = `SELECT ${fullPath}, e.kind, e.hash, e.size, e.mtime, e.a_id, e.a_rev, e.b_id, e.b_rev FROM base_entries e JOIN base_folders f ON f.id = e.folder`;
    this.statements = {
      all: db.prepare(rows).raw(true),
      refs: db.prepare('SELECT folder, name, kind, a_id, a_rev, b_id, b_rev FROM base_entries').raw(true),
      folders: db.prepare('SELECT id, path FROM base_folders').raw(true),
      below: db.prepare(`${rows} WHERE f.path = ? OR (f.path >= ? AND f.path < ?)`).raw(true),
      one: db.prepare(`SELECT ?, kind, hash, size, mtime, a_id, a_rev, b_id, b_rev FROM base_entries WHERE folder = ${folderOf} AND name = ?`).raw(true),
      count: db.prepare('SELECT count(*) FROM base_entries').pluck(true),
      folderId: db.prepare('SELECT id FROM base_folders WHERE path = ?').pluck(true),
      addFolder: db.prepare('INSERT INTO base_folders (path) VALUES (?)'),
      foldersAtOrBelow: db.prepare(`SELECT 1 FROM base_folders WHERE ${atOrBelow} LIMIT 1`).pluck(true),
      put: db.prepare(
        `INSERT INTO base_entries (folder, name, kind, hash, size, mtime, a_id, a_rev, b_id, b_rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(folder, name) DO UPDATE SET kind = excluded.kind, hash = excluded.hash, size = excluded.size, mtime = excluded.mtime,
         a_id = excluded.a_id, a_rev = excluded.a_rev, b_id = excluded.b_id, b_rev = excluded.b_rev`,
      ),
      deleteOne: db.prepare(`DELETE FROM base_entries WHERE folder = ${folderOf} AND name = ?`),
      deleteInFolders: db.prepare(`DELETE FROM base_entries WHERE folder IN (SELECT id FROM base_folders WHERE ${atOrBelow})`),
      deleteFolders: db.prepare(`DELETE FROM base_folders WHERE ${atOrBelow}`),
      moveOne: db.prepare(`UPDATE base_entries SET folder = ?, name = ? WHERE folder = ${folderOf} AND name = ?`),
      moveFolders: db.prepare(`UPDATE base_folders SET path = ? || substr(path, ?) WHERE ${atOrBelow}`),
    };
    this.migrateFromPathKeys(db);
  }

  /** Moves the rows of a state file written before paths were split into folder + name (table `base`). */
  private migrateFromPathKeys(db: Database.Database): void {
    const old: unknown = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'base'").pluck(true).get();
    if (old === undefined) return;
    db.transaction(() => {
      const rows = db.prepare('SELECT path, kind, hash, size, mtime, a_id, a_rev, b_id, b_rev FROM base').raw(true).all() as BaseRow[];
      for (const row of rows) this.put(fromRow(row));
      db.exec('DROP TABLE base');
    })();
  }

  /** The whole base, keyed by path, in path order. */
  load(): Map<string, BaseEntry> {
    const entries: BaseEntry[] = [];
    for (const row of this.statements.all.iterate() as Iterable<BaseRow>) entries.push(fromRow(row));
    entries.sort(byPath);
    return new Map(entries.map((entry) => [entry.path, entry]));
  }

  /** Folder id → path, for reading `refs()`. */
  folders(): Map<number, string> {
    return new Map(this.statements.folders.all() as Array<[number, string]>);
  }

  /** Every row without building its path (grouped by folder). */
  refs(): IterableIterator<BaseRefRow> {
    return this.statements.refs.iterate() as IterableIterator<BaseRefRow>;
  }

  size(): number {
    const value: unknown = this.statements.count.get();
    return typeof value === 'number' ? value : 0;
  }

  get(path: string): BaseEntry | null {
    const row = this.statements.one.get(path, parentPath(path), baseName(path)) as BaseRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  /** The id of folder `path`, created on first use. */
  private folderId(path: string): number {
    const id: unknown = this.statements.folderId.get(path);
    if (typeof id === 'number') return id;
    return Number(this.statements.addFolder.run(path).lastInsertRowid);
  }

  put(entry: BaseEntry): void {
    const folder = this.folderId(parentPath(entry.path));
    this.statements.put.run(folder, baseName(entry.path), entry.kind, entry.hash, entry.size, Math.floor(entry.mtimeMs), entry.aId, entry.aRevision, entry.bId, entry.bRevision);
  }

  /** Forgets exactly one path. */
  forget(path: string): void {
    this.statements.deleteOne.run(parentPath(path), baseName(path));
  }

  /** Forgets a path and everything below it. */
  forgetTree(path: string): void {
    this.forget(path);
    this.statements.deleteInFolders.run(...subtree(path));
    this.statements.deleteFolders.run(...subtree(path));
  }

  /**
   * Re-keys a path and everything below it. Rows already below the target
   * stay unless a moved row lands on the same path. Call inside a transaction.
   */
  move(fromPath: string, toPath: string): void {
    if (fromPath === toPath) return;
    const nested = isSameOrBelow(toPath, fromPath) || isSameOrBelow(fromPath, toPath);
    if (nested || this.statements.foldersAtOrBelow.get(...subtree(toPath)) !== undefined) {
      this.moveByPath(fromPath, toPath);
      return;
    }
    this.forget(toPath);
    this.statements.moveOne.run(this.folderId(parentPath(toPath)), baseName(toPath), parentPath(fromPath), baseName(fromPath));
    this.statements.moveFolders.run(toPath, [...fromPath].length + 1, ...subtree(fromPath)); // SQLite counts characters, not UTF-16 units
  }

  /** Every row at or below `path`. */
  private tree(path: string): BaseEntry[] {
    const rows = (this.statements.below.all(...subtree(path)) as BaseRow[]).map(fromRow);
    const own = this.get(path);
    return own === null ? rows : [own, ...rows];
  }

  /** The general move, one row at a time: drop the target, drop colliding rows below it, then re-key. */
  private moveByPath(fromPath: string, toPath: string): void {
    const touched = [...this.tree(fromPath), ...this.tree(toPath)];
    const rows = new Map(touched.map((entry) => [entry.path, entry]));
    rows.delete(toPath);
    const movedBelow = new Set<string>();
    for (const path of rows.keys()) if (path.startsWith(`${fromPath}/`)) movedBelow.add(path);
    for (const path of [...rows.keys()]) {
      if (path.startsWith(`${toPath}/`) && movedBelow.has(`${fromPath}${path.slice(toPath.length)}`)) rows.delete(path);
    }
    const moved = rows.get(fromPath);
    if (moved !== undefined) {
      rows.delete(fromPath);
      rows.set(toPath, { ...moved, path: toPath });
    }
    const relocated = [...rows.values()].filter((entry) => entry.path.startsWith(`${fromPath}/`));
    for (const entry of relocated) rows.delete(entry.path);
    for (const entry of relocated) {
      const target = `${toPath}${entry.path.slice(fromPath.length)}`;
      rows.set(target, { ...entry, path: target });
    }
    for (const entry of touched) this.forget(entry.path);
    for (const entry of rows.values()) this.put(entry);
  }
}
