/**
 * @module db/open
 * Opens the database (SQLite in the data folder by default, WAL mode) and
 * brings its schema up to date. The connection has one function of Ferry's
 * own: `ferry_ordered_id(prefix)`, a new id of jobs/ordered-id, so that rows
 * made by `INSERT … SELECT` get the same ids as rows inserted from here. A
 * statement whose text starts with `arrayRowsMarker` answers its rows as
 * arrays of column values (see `arrayRows`).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider, type SqliteDatabase as KyselySqliteDatabase } from 'kysely';
import { newOrderedId } from '../jobs/ordered-id.js';
import { migrations } from './migrations.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

const provider: MigrationProvider = { getMigrations: async () => migrations };

const statementCacheSize = 500;

/**
 * How a statement text asks for its rows as arrays of column values, in the order selected, instead of objects
 * (better-sqlite3's raw mode): a hot path's many rows cost about half as much to read. Only for statements that
 * return rows.
 */
export const arrayRowsMarker = '/* array rows */ ';

/**
 * Kysely prepares every query anew; the server runs the same few hundred SQL
 * texts over and over, so prepared statements are kept (least recently used
 * out first). Kysely runs one query at a time on this connection, so a cached
 * statement is never in use twice at once.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): KyselySqliteDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = sqlite.prepare(sql);
        if (sql.startsWith(arrayRowsMarker)) statement.raw(true);
        if (cache.size >= statementCacheSize) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}

export async function openDatabase(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  const sqlite = new SqliteDatabase(join(dataDir, 'ferry.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -32000');
  sqlite.function('ferry_ordered_id', { deterministic: false }, (prefix: unknown) => {
    if (typeof prefix !== 'string') throw new TypeError('ferry_ordered_id(prefix): the prefix must be text');
    return newOrderedId(prefix);
  });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    await db.destroy();
    throw new Error(`Database migration failed${failed ? ` at ${failed.migrationName}` : ''}: ${String(error)}`);
  }
  return db;
}
