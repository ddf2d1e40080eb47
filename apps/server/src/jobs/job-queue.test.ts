/**
 * @module jobs/job-queue.test
 * The jobs table on a real SQLite file: two workers (two connections) never
 * run a job twice at once, a crashed worker's job is taken over when its lease
 * expires (and its late answer is ignored), retries wait for their time, and
 * the running loop respects its concurrency bound and wakes on demand; jobs
 * enqueued already leased wait out their lease before another worker may take
 * them, only their holder may delete them, and 1,000 jobs go in through the
 * fixed-size insert chunks intact and in time order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../context.js';
import { openDatabase, type Db } from '../db/open.js';
import { claimJobs, completeJob, deleteFinishedJobs, enqueueJobs, enqueueLeasedJobs } from './job-queue.js';
import { JobWorker, type JobHandler } from './job-worker.js';

class TestClock implements Clock {
  #ms = Date.parse('2026-01-01T00:00:00.000Z');
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
}

describe('jobs table', () => {
  let dir: string;
  let db: Db;
  let other: Db;
  let clock: TestClock;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-jobs-'));
    db = await openDatabase(dir);
    other = await openDatabase(dir);
    clock = new TestClock();
  });

  afterEach(async () => {
    await db.destroy();
    await other.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs each job once when two workers on two connections drain the queue together', async () => {
    await enqueueJobs(db, Array.from({ length: 200 }, (_, index) => ({ kind: 'count', payload: { index } })), clock.now());
    const ran: number[] = [];
    const handler: JobHandler = async (job) => {
      ran.push((job.payload as { index: number }).index);
      await new Promise((resolve) => setImmediate(resolve));
      return { kind: 'done' };
    };
    const a = new JobWorker({ db, clock, handlers: { count: handler }, batchSize: 7 });
    const b = new JobWorker({ db: other, clock, handlers: { count: handler }, batchSize: 5 });
    const [byA, byB] = await Promise.all([a.runDue(), b.runDue()]);
    expect(byA + byB).toBe(200);
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(new Set(ran).size).toBe(200);
    expect(ran).toHaveLength(200);
    const left = await db.selectFrom('jobs').select('id').where('status', '=', 'pending').execute();
    expect(left).toHaveLength(0);
  });

  it('gives a crashed worker’s job to another worker once the lease expires, and ignores the late answer', async () => {
    await enqueueJobs(db, [{ kind: 'work', payload: { n: 1 } }], clock.now());
    const [taken] = await claimJobs(db, { owner: 'crashed-worker', now: clock.now(), leaseMs: 60_000, limit: 10 });
    expect(taken).toBeDefined();

    const runs: number[] = [];
    const survivor = new JobWorker({ db: other, clock, handlers: { work: async (job) => (runs.push(job.attempts), { kind: 'done' }) } });
    expect(await survivor.runDue()).toBe(0);
    clock.advance(59_000);
    expect(await survivor.runDue()).toBe(0);
    clock.advance(1_000);
    expect(await survivor.runDue()).toBe(1);
    expect(runs).toEqual([2]);
    if (taken) expect(await completeJob(db, taken, clock.now())).toBe(false);
    const row = await db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'done', attempts: 2, lease_owner: null });
  });

  it('runs a retried job again only when its time has come, and records the error', async () => {
    await enqueueJobs(db, [{ kind: 'flaky', payload: {} }], clock.now());
    let calls = 0;
    const worker = new JobWorker({
      db,
      clock,
      handlers: {
        flaky: async () => {
          calls += 1;
          return calls < 3 ? { kind: 'retry', at: new Date(clock.now().getTime() + 5_000), error: `try ${calls} failed` } : { kind: 'done' };
        },
      },
    });
    expect(await worker.runDue()).toBe(1);
    expect(await worker.runDue()).toBe(0);
    expect(await db.selectFrom('jobs').select('last_error').executeTakeFirstOrThrow()).toEqual({ last_error: 'try 1 failed' });
    clock.advance(4_999);
    expect(await worker.runDue()).toBe(0);
    clock.advance(1);
    expect(await worker.runDue()).toBe(1);
    clock.advance(5_000);
    expect(await worker.runDue()).toBe(1);
    expect(calls).toBe(3);
    expect(await db.selectFrom('jobs').select('status').executeTakeFirstOrThrow()).toEqual({ status: 'done' });
  });

  it('retries a handler that throws, then gives up after maxAttempts', async () => {
    await enqueueJobs(db, [{ kind: 'broken', payload: {} }], clock.now());
    const worker = new JobWorker({ db, clock, handlers: { broken: async () => Promise.reject(new Error('boom')) }, errorRetryMs: 1000, maxAttempts: 3 });
    for (let round = 0; round < 3; round += 1) {
      expect(await worker.runDue()).toBe(1);
      clock.advance(1000);
    }
    expect(await worker.runDue()).toBe(0);
    expect(await db.selectFrom('jobs').select(['status', 'last_error', 'attempts']).executeTakeFirstOrThrow()).toEqual({ status: 'failed', last_error: 'boom', attempts: 3 });
  });

  it('the running loop keeps at most `concurrency` jobs in flight and is woken by wake()', async () => {
    const systemClock: Clock = { now: () => new Date() };
    let inFlight = 0;
    let peak = 0;
    let done = 0;
    const worker = new JobWorker({
      db,
      clock: systemClock,
      concurrency: 4,
      batchSize: 3,
      pollMs: 60_000,
      handlers: {
        slow: async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight -= 1;
          done += 1;
          return { kind: 'done' };
        },
      },
    });
    worker.start();
    try {
      // The loop found nothing and sleeps for a minute; only wake() can bring it back in time.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await enqueueJobs(db, Array.from({ length: 40 }, () => ({ kind: 'slow', payload: {} })), systemClock.now());
      worker.wake();
      const deadline = Date.now() + 10_000;
      while (done < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await worker.stop();
    }
    expect(done).toBe(40);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it('keeps a job enqueued leased from other workers until its lease runs out; only the holder deletes it', async () => {
    const [job] = await enqueueLeasedJobs(db, [{ kind: 'send', payload: { n: 1 } }], clock.now(), { owner: 'wrk_maker', until: new Date(clock.now().getTime() + 60_000) });
    expect(job).toMatchObject({ kind: 'send', payload: { n: 1 }, attempts: 1, leaseOwner: 'wrk_maker' });
    expect(await claimJobs(other, { owner: 'wrk_other', now: clock.now(), leaseMs: 60_000, limit: 10 })).toEqual([]);

    // The maker died: after its lease, another worker takes the job over, and the maker's late delete is ignored.
    clock.advance(60_001);
    const [taken] = await claimJobs(other, { owner: 'wrk_other', now: clock.now(), leaseMs: 60_000, limit: 10 });
    expect(taken).toMatchObject({ id: job?.id, attempts: 2 });
    expect(await deleteFinishedJobs(db, job ? [job] : [])).toBe(0);
    expect(await other.selectFrom('jobs').select('id').execute()).toHaveLength(1);
    expect(await deleteFinishedJobs(other, taken ? [taken] : [])).toBe(1);
    expect(await db.selectFrom('jobs').select('id').execute()).toEqual([]);
  });

  it('enqueues a thousand jobs intact through the fixed-size insert chunks, with ids in time order', async () => {
    const ids = await enqueueJobs(db, Array.from({ length: 1000 }, (_, index) => ({ kind: 'count', payload: { index } })), clock.now());
    expect(new Set(ids).size).toBe(1000);
    const rows = await db.selectFrom('jobs').select(['id', 'payload']).orderBy('id').execute();
    expect(rows.map((row) => row.id)).toEqual([...ids].sort());
    expect(rows.map((row) => (JSON.parse(row.payload) as { index: number }).index).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, index) => index));
    const later = await enqueueJobs(db, [{ kind: 'count', payload: { index: 1000 } }], clock.now());
    await new Promise((resolve) => setTimeout(resolve, 2));
    const latest = await enqueueJobs(db, [{ kind: 'count', payload: { index: 1001 } }], clock.now());
    expect((later[0] ?? '') < (latest[0] ?? '')).toBe(true);
  });
});
