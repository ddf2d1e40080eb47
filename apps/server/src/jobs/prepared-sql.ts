/**
 * @module jobs/prepared-sql
 * Statements of the delivery hot path as fixed SQL texts with bound
 * parameters, run through Kysely's `executeQuery` without its query builder
 * (building and compiling a 500-row insert costs more than SQLite's work).
 * Each text is the same every time, so the connection's statement cache
 * prepares it once: lists of ids go in as one JSON array (`json_each(?)`),
 * and rows go in multi-row VALUES chunks of a few fixed sizes — never IN lists
 * or chunks of arbitrary length, which would be a new statement per length.
 * A text made with `arrayRows` answers its rows as arrays of column values.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { arrayRowsMarker } from '../db/open.js';
import type { Database } from '../db/schema.js';

export interface SqlResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** The same statement, answering each row as an array of its column values in the order selected (run it with a tuple `Row`). */
export function arrayRows(text: string): string {
  return `${arrayRowsMarker}${text}`;
}

/** Runs one statement; `Row` is the shape of what it returns (RETURNING or SELECT), as the SQL text promises. */
export async function runSql<Row = Record<string, never>>(db: Kysely<Database>, text: string, parameters: readonly unknown[] = []): Promise<SqlResult<Row>> {
  const query = CompiledQuery.raw(text, [...parameters]) as CompiledQuery<Row>;
  const result = await db.executeQuery(query);
  return { rows: result.rows, changes: Number(result.numAffectedRows ?? 0n) };
}

/** The chunk sizes of multi-row inserts: a few SQL texts per table, at most 64 rows (well under SQLite's bound-value limit). */
const chunkSizes = [64, 16, 4, 1] as const;

const valuesTexts = new Map<string, string>();

function insertText(head: string, columnCount: number, rowCount: number, tail: string): string {
  const key = `${head}\u0000${rowCount}\u0000${tail}`;
  let text = valuesTexts.get(key);
  if (text === undefined) {
    const row = `(${new Array<string>(columnCount).fill('?').join(', ')})`;
    text = `${head} VALUES ${new Array<string>(rowCount).fill(row).join(', ')}${tail === '' ? '' : ` ${tail}`}`;
    valuesTexts.set(key, text);
  }
  return text;
}

/**
 * Inserts `rows` (each the values of `columns`, in order) into `table` in
 * fixed-size chunks; `tail` is appended to every statement (ON CONFLICT …,
 * RETURNING …) and the returned rows of all chunks are concatenated.
 */
export async function insertRows<Row = Record<string, never>>(
  db: Kysely<Database>,
  table: keyof Database,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  tail = '',
): Promise<SqlResult<Row>> {
  const head = `INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(', ')})`;
  const returned: Row[] = [];
  let changes = 0;
  let start = 0;
  while (start < rows.length) {
    const left = rows.length - start;
    const size = chunkSizes.find((candidate) => candidate <= left) ?? 1;
    const parameters: unknown[] = [];
    for (const row of rows.slice(start, start + size)) {
      if (row.length !== columns.length) throw new Error(`insertRows(${table}): a row has ${row.length} values for ${columns.length} columns`);
      parameters.push(...row);
    }
    const result = await runSql<Row>(db, insertText(head, columns.length, size, tail), parameters);
    returned.push(...result.rows);
    changes += result.changes;
    start += size;
  }
  return { rows: returned, changes };
}
