import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './open.js';
import { WriteGroups } from './write-groups.js';

describe('group commit', () => {
  let dir: string;
  let db: Db;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-groups-'));
    db = await openDatabase(dir);
  });
  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const audit = (action: string) => (trx: Db) =>
    trx.insertInto('audit').values({ at: new Date().toISOString(), workspace_id: null, actor_id: null, action, target: null, ip: null, details: null }).execute();
  const actions = async () => (await db.selectFrom('audit').select('action').orderBy('seq').execute()).map((row) => row.action);

  it('commits units that arrive together in fewer transactions, in order, each answered after the commit', async () => {
    const groups = new WriteGroups(db);
    const commits: number[] = [];
    const units = Array.from({ length: 40 }, (_, index) =>
      groups.run(async (trx) => {
        await audit(`unit-${index}`)(trx);
        return index;
      }).then((value) => {
        commits.push(value);
        return value;
      }),
    );
    expect(await Promise.all(units)).toEqual(Array.from({ length: 40 }, (_, index) => index));
    expect(await actions()).toEqual(Array.from({ length: 40 }, (_, index) => `unit-${index}`));
    expect(commits).toHaveLength(40);
  });

  it('rolls back only the unit that fails; the others of its group are written', async () => {
    const groups = new WriteGroups(db);
    const outcomes = await Promise.allSettled([
      groups.run(audit('first')),
      groups.run(async (trx) => {
        await audit('half-written')(trx);
        throw new Error('this unit fails after writing');
      }),
      groups.run(audit('third')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]?.status === 'rejected' ? String(outcomes[1].reason) : '').toContain('this unit fails');
    expect(await actions()).toEqual(['first', 'third']);
  });

  it('rejects every unit of a group whose commit fails, and writes none of them', async () => {
    const groups = new WriteGroups(db);
    // The first unit holds the writer while the next three queue up, so those three form one group.
    let release: (value?: unknown) => void = () => undefined;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    const first = groups.run(async (trx) => {
      await audit('first')(trx);
      await held;
    });
    // A deferred foreign-key violation passes its statement and fails the COMMIT of the whole group.
    const together = Promise.allSettled([
      groups.run(audit('a')),
      groups.run(async (trx) => {
        await sql`PRAGMA defer_foreign_keys = ON`.execute(trx);
        await trx.insertInto('members').values({ workspace_id: 'wsp_missing', user_id: 'usr_missing', role: 'member', added_at: new Date().toISOString() }).execute();
      }),
      groups.run(audit('c')),
    ]);
    release();
    await first;
    const outcomes = await together;
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await actions()).toEqual(['first']);
    // The queue goes on working afterwards.
    await groups.run(audit('after'));
    expect(await actions()).toEqual(['first', 'after']);
  });
});
