/**
 * @module testing/stories/faults
 * A replica reached over the network misbehaves in the middle of a run:
 * 429 with Retry-After, 503, refusals that outlast the driver's retries, an
 * access token that expires mid-run. The run finishes (the driver waited as
 * told and retried) or stops cleanly with the reason; nothing is lost and the
 * next run converges. The faults are switched on the replica's side
 * `faulty` (its emulator, or a fault switch in front of the Ferry server).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { batchFileMaxBytes } from '../../apply-batch.js';
import type { SyncSummary } from '../../engine.js';
import type { Side } from '../../plan-types.js';
import { closeAllPairs, type SyncPairHarness } from '../harness.js';
import type { ReplicaFaults } from '../replicas.js';
import { openPair, pairLabel, type PairKinds } from './story-pair.js';

const otherSide = (side: Side): Side => (side === 'a' ? 'b' : 'a');

function switchesOf(h: SyncPairHarness, side: Side): ReplicaFaults {
  const faults = h[side].faults;
  if (faults === undefined) throw new Error(`The ${h[side].kind} replica on side ${side} has no fault switches.`);
  return faults;
}

/** Runs a sync that may stop on a fault: its summary, or the error it stopped with. */
async function syncThroughFaults(h: SyncPairHarness, options: Parameters<SyncPairHarness['sync']>[0] = {}): Promise<SyncSummary | Error> {
  try {
    return await h.sync(options);
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
}

/** Files already synced, new files waiting on each side: what must exist everywhere once the faults pass. */
async function pairWithPendingWork(pair: PairKinds, faulty: Side): Promise<{ h: SyncPairHarness; expected: Record<string, string> }> {
  const h = await openPair(pair);
  const healthy = otherSide(faulty);
  await h[faulty].write('synced/one.txt', 'one');
  await h[healthy].write('synced/two.txt', 'two');
  await h.sync();
  for (const name of ['x', 'y', 'z']) await h[healthy].write(`up/${name}.txt`, `new ${name} from ${healthy}`);
  await h[faulty].write('down/w.txt', `new w from ${faulty}`);
  await h[healthy].write('synced/two.txt', 'two, edited');
  const expected = {
    'down/w.txt': `new w from ${faulty}`,
    'synced/one.txt': 'one',
    'synced/two.txt': 'two, edited',
    ...Object.fromEntries(['x', 'y', 'z'].map((name) => [`up/${name}.txt`, `new ${name} from ${healthy}`])),
  };
  return { h, expected };
}

/** The run went through to its end, each refused action failed on its own with a reason naming the refusal. */
function expectCleanStop(run: SyncSummary | Error, reason: RegExp): asserts run is SyncSummary {
  if (run instanceof Error) throw new Error(`The run stopped as a whole instead of failing the refused actions: ${run.message}`);
  const failures = run.records.filter((record) => record.status === 'failed');
  expect(failures.length).toBe(run.failed);
  expect(run.failed).toBeGreaterThan(0);
  for (const failure of failures) expect(failure.error?.message).toMatch(reason);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A pair with one file waiting on the healthy side that is too large for a batch: it streams up on its own. */
async function pairWithLargeUpload(pair: PairKinds, faulty: Side): Promise<{ h: SyncPairHarness; content: Uint8Array }> {
  const h = await openPair(pair);
  const content = new Uint8Array(randomBytes(batchFileMaxBytes * 3));
  await h[otherSide(faulty)].write('big/video.bin', content);
  return { h, content };
}

/** The large file arrived whole, once, and a second run has nothing to do. */
async function expectLargeUploadDone(h: SyncPairHarness, faulty: Side, content: Uint8Array): Promise<void> {
  expect(Object.keys(await h[faulty].files())).toEqual(['big/video.bin']);
  expect(sha256(await h[faulty].readBytes('big/video.bin'))).toBe(sha256(content));
  const again = await h.sync();
  expect(again).toMatchObject({ copied: 0, moved: 0, deleted: 0, conflicts: 0, failed: 0 });
}

async function expectRecovered(h: SyncPairHarness, faults: ReplicaFaults, expected: Record<string, string>): Promise<void> {
  faults.clear();
  const next = await h.sync();
  expect(next.failed).toBe(0);
  expect(next.deleted).toBe(0);
  await h.expectTrees(expected);
  await h.expectConverged();
}

export function faultStories(pair: PairKinds, faulty: Side): void {
  describe(`faults on ${pair[faulty]} (side ${faulty}), ${pairLabel(pair)}`, () => {
    afterEach(closeAllPairs);

    it('429 with Retry-After on uploads: the driver waits as told and the run finishes, or the refused copies stop with the reason; nothing is lost', async () => {
      const { h, expected } = await pairWithPendingWork(pair, faulty);
      const faults = switchesOf(h, faulty);
      faults.refuse('rate-limit', { times: 2, on: 'upload', retryAfterSeconds: 7 });
      const run = await syncThroughFaults(h);
      if (faults.retries) {
        expect(run).not.toBeInstanceOf(Error);
        expect(run).toMatchObject({ failed: 0, copied: 5 });
        expect(faults.retryWaits.filter((wait) => wait >= 7_000)).toHaveLength(2);
        await h.expectTrees(expected);
      } else {
        expectCleanStop(run, /too many requests|rate/i);
      }
      await expectRecovered(h, faults, expected);
    });

    it('connections dropped without an answer on uploads: retried through, or the dropped copies fail with the reason; nothing is lost', async () => {
      const { h, expected } = await pairWithPendingWork(pair, faulty);
      const faults = switchesOf(h, faulty);
      faults.refuse('connection-reset', { times: 2, on: 'upload' });
      const run = await syncThroughFaults(h);
      if (faults.retries) {
        expect(run).toMatchObject({ failed: 0, copied: 5 });
        expect(faults.retryWaits.length).toBeGreaterThanOrEqual(2);
        await h.expectTrees(expected);
      } else {
        expectCleanStop(run, /reach|closed|reset|socket|fetch failed|unavailable/i);
      }
      await expectRecovered(h, faults, expected);
    });

    for (const [kind, refusal] of [
      ['server-error', '503'],
      ['connection-reset', 'a connection dropped without an answer'],
    ] as const) {
      it(`a large file (streamed, not batched) whose upload is refused once with ${refusal} is sent again from its first byte and arrives in the same run`, { timeout: 30_000 }, async () => {
        const { h, content } = await pairWithLargeUpload(pair, faulty);
        const faults = switchesOf(h, faulty);
        faults.refuse(kind, { times: 1, on: 'upload' });
        const byteCounts: number[] = [];
        const run = await syncThroughFaults(h, { onProgress: (progress) => byteCounts.push(progress.bytesDone) });
        expect(run).not.toBeInstanceOf(Error);
        expect(run).toMatchObject({ failed: 0, copied: 1, bytes: content.length });
        // The progress shown never goes back while the file is sent again, and ends at its size.
        expect(byteCounts.every((count, index) => index === 0 || count >= (byteCounts[index - 1] ?? 0))).toBe(true);
        expect(Math.max(...byteCounts)).toBe(content.length);
        expect(faults.retryWaits.length).toBeGreaterThanOrEqual(1);
        await expectLargeUploadDone(h, faulty, content);
      });
    }

    it('the answer to a large upload is lost after the replica stored it: the retry finds the file there, it is kept once and the run finishes', { timeout: 30_000 }, async () => {
      const { h, content } = await pairWithLargeUpload(pair, faulty);
      const faults = switchesOf(h, faulty);
      expect(faults.loseAnswer).toBeDefined();
      faults.loseAnswer?.({ times: 1, on: 'upload' });
      const run = await syncThroughFaults(h);
      expect(run).not.toBeInstanceOf(Error);
      expect(run).toMatchObject({ failed: 0, copied: 1 });
      await expectLargeUploadDone(h, faulty, content);
    });

    it('503 while listing (a restarting server): the run is retried through or stops before changing anything; the next run converges', async () => {
      const { h, expected } = await pairWithPendingWork(pair, faulty);
      const faults = switchesOf(h, faulty);
      const before = { a: await h.a.files(), b: await h.b.files() };
      faults.refuse('server-error', { times: 1, on: 'any' });
      const run = await syncThroughFaults(h);
      if (faults.retries) {
        expect(run).toMatchObject({ failed: 0 });
        expect(faults.retryWaits.length).toBeGreaterThan(0);
        await h.expectTrees(expected);
      } else {
        expect(run).toBeInstanceOf(Error);
        expect((run as Error).message).toMatch(/restarting|unavailable/i);
        expect({ a: await h.a.files(), b: await h.b.files() }).toEqual(before);
      }
      await expectRecovered(h, faults, expected);
    });

    it('5xx on uploads beyond the retry budget: the refused copies fail with the reason, the rest is done, the next run converges', async () => {
      const { h, expected } = await pairWithPendingWork(pair, faulty);
      const faults = switchesOf(h, faulty);
      faults.refuse('server-error', { times: 100, on: 'upload' }); // more than every upload's retries, however many run at once
      const run = await syncThroughFaults(h);
      expectCleanStop(run, /giving up|restarting|unavailable|503/i);
      // The download from the faulty side and whatever got past the refusals are done and kept.
      expect(run.records.filter((record) => record.status === 'done').map((record) => record.path)).toContain('down/w.txt');
      expect((await h[otherSide(faulty)].files())['down/w.txt']).toBe(expected['down/w.txt']);
      await expectRecovered(h, faults, expected);
    });

    // Only where the test runs the server: a restart of the Ferry server (providers have no restart a client could see).
    if (pair[faulty] === 'ferry') {
      it('the server goes down in the middle of the run: the actions after it fail with the reason and the run ends; once it is back, the next run converges with nothing lost', async () => {
        const { h, expected } = await pairWithPendingWork(pair, faulty);
        const faults = switchesOf(h, faulty);
        expect(faults.startOutage).toBeDefined();
        faults.startOutage?.('upload');
        const run = await syncThroughFaults(h);
        await faults.endOutage?.();
        expectCleanStop(run, /reach|unavailable|refused|fetch failed/i);
        await expectRecovered(h, faults, expected);
      });
    }

    // Ferry API tokens do not expire within a run; provider access tokens do (an hour), and the driver refreshes them.
    if (pair[faulty] !== 'ferry') {
      it('an access token that expires in the middle of the run is refreshed and the run finishes', async () => {
        const { h, expected } = await pairWithPendingWork(pair, faulty);
        const faults = switchesOf(h, faulty);
        let expired = false;
        const run = await h.sync({
          onProgress: (progress) => {
            if (progress.phase === 'applying' && !expired) {
              expired = true;
              faults.expireTokens?.();
            }
          },
        });
        expect(expired).toBe(true);
        expect(run).toMatchObject({ failed: 0, copied: 5 });
        await h.expectTrees(expected);
        await h.expectConverged();
      });
    }
  });
}
