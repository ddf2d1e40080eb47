/**
 * @module db/write-groups
 * Group commit. SQLite pays most of a small write transaction in its COMMIT
 * (appending the changed pages to the WAL, now and then a checkpoint), so
 * concurrent writers that arrive while a group is being written wait for the
 * next one, and a group runs their units one after another inside ONE
 * transaction, each in its own savepoint: a unit that throws is rolled back
 * alone and gets its error, the others commit together. Nobody's unit is
 * reported done before the COMMIT that holds it succeeded.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

interface QueuedUnit {
  work: (trx: Kysely<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Units per group: bounds how long one transaction holds the database. */
const maxUnitsPerGroup = 64;

export class WriteGroups {
  readonly #db: Kysely<Database>;
  readonly #queue: QueuedUnit[] = [];
  #writing = false;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Runs `work` inside a transaction shared with other writers of the moment; resolves after its commit. */
  run<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: (value) => resolve(value as T), reject });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) await this.#writeGroup(this.#queue.splice(0, maxUnitsPerGroup));
    } finally {
      this.#writing = false;
    }
  }

  async #writeGroup(group: QueuedUnit[]): Promise<void> {
    const outcomes: Outcome[] = [];
    let trx;
    try {
      trx = await this.#db.startTransaction().execute();
    } catch (error) {
      for (const unit of group) unit.reject(error);
      return;
    }
    try {
      for (const unit of group) {
        const inUnit = await trx.savepoint('unit').execute();
        try {
          outcomes.push({ ok: true, value: await unit.work(inUnit) });
          await inUnit.releaseSavepoint('unit').execute();
        } catch (error) {
          await inUnit.rollbackToSavepoint('unit').execute();
          await inUnit.releaseSavepoint('unit').execute();
          outcomes.push({ ok: false, error });
        }
      }
      await trx.commit().execute();
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined);
      for (const unit of group) unit.reject(error);
      return;
    }
    group.forEach((unit, index) => {
      const outcome = outcomes[index];
      if (outcome?.ok) unit.resolve(outcome.value);
      else unit.reject(outcome?.error);
    });
  }
}

const groupsByDb = new WeakMap<Kysely<Database>, WriteGroups>();

/** The write groups of a database connection (one queue per connection). */
export function writeGroupsOf(db: Kysely<Database>): WriteGroups {
  let groups = groupsByDb.get(db);
  if (!groups) {
    groups = new WriteGroups(db);
    groupsByDb.set(db, groups);
  }
  return groups;
}
