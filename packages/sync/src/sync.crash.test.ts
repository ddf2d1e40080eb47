/**
 * @module sync.crash.test
 * kill -9 a sync running in a child process at chosen points (before and
 * after each change, in the middle of writing a file), run again, and the
 * invariants hold: nothing lost, nothing duplicated, no delete undone, both
 * sides converge — with no manual step in between.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultTransfers } from './apply-run.js';
import { closeAllPairs, syncPair } from './testing/harness.js';
import { defaultTempRoot, seededRandom, startModel } from './testing/model.js';

afterEach(closeAllPairs);

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const childSource = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));
// Bundled once so each child starts in plain Node, fast (native modules stay external and resolve from the package).
const childBundle = join(packageDir, 'node_modules', '.cache', 'ferry-sync-tests', `crash-child-${process.pid}.mjs`);

beforeAll(async () => {
  mkdirSync(join(childBundle, '..'), { recursive: true });
  await build({ entryPoints: [childSource], outfile: childBundle, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['better-sqlite3', '@parcel/watcher'], logLevel: 'error' });
});

afterAll(() => rmSync(childBundle, { force: true }));

function runChild(dir: string, crashAt: number): { crashed: boolean; output: string } {
  const args = JSON.stringify({ a: join(dir, 'a', 'root'), b: join(dir, 'b', 'root'), state: join(dir, 'state.sqlite'), crashAt });
  const result = spawnSync(process.execPath, [childBundle, args], { cwd: packageDir, encoding: 'utf8', timeout: 60_000 });
  if (result.signal !== 'SIGKILL' && result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return { crashed: result.signal === 'SIGKILL', output: result.stdout };
}

function tempFilesIn(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.split('/').at(-1)?.startsWith('.ferry-tmp-'));
}

describe('crash safety', () => {
  it('a run killed at any point resumes with a plain re-run', { timeout: 120_000 }, async () => {
    const random = seededRandom(2026);
    let crashes = 0;
    for (let iteration = 0; iteration < 24; iteration++) {
      const seed = 100 + iteration;
      const h = await syncPair('local', 'local', { tempRoot: defaultTempRoot() });
      const run = await startModel(seed, h);
      const state = await run.mutate(10);
      const crashAt = 1 + Math.floor(random() * 16);
      run.log.push(`sync killed at point ${crashAt}`);
      if (runChild(h.dir, crashAt).crashed) crashes++;
      const resumed = await h.sync({ deleteGuard: false });
      expect(resumed.failed, run.log.join('\n')).toBe(0);
      await run.verify(state);
      // Temp files left by the kill: at most one per copy that was in flight (scans never list them and remove them once stale).
      expect(tempFilesIn(join(h.dir, 'a', 'root')).length + tempFilesIn(join(h.dir, 'b', 'root')).length).toBeLessThanOrEqual(defaultTransfers);
      await h.close();
    }
    expect(crashes).toBeGreaterThan(12);
  });

  it('a kill in the middle of a big transfer leaves the target untouched until the re-run', { timeout: 60_000 }, async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('keep.txt', 'k');
    await h.sync();
    await h.a.write('big.txt', 'x'.repeat(3 * 1024 * 1024));
    await h.b.write('keep.txt', 'edited on b');
    expect(runChild(h.dir, 3).crashed).toBe(true); // after the first chunk of big.txt
    expect(Object.keys(await h.b.files())).not.toContain('big.txt');
    await h.sync();
    await h.expectTrees({ 'big.txt': 'x'.repeat(3 * 1024 * 1024), 'keep.txt': 'edited on b' });
    await h.expectConverged();
  });
});

describe('one run at a time', () => {
  it('a second run of the same pair is refused while one runs; a lock left by a killed run is taken over', async () => {
    const h = await syncPair('local', 'local');
    await h.a.write('x.txt', 'x');
    const first = h.sync();
    await expect(h.sync()).rejects.toThrow(/Another sync of this pair is running/);
    await first;
    expect(runChild(h.dir, 2).crashed).toBe(false); // nothing to change: the child completes
    await h.a.write('y.txt', 'y');
    expect(runChild(h.dir, 1).crashed).toBe(true); // killed while holding the lock
    await h.sync();
    await h.expectTrees({ 'x.txt': 'x', 'y.txt': 'y' });
  });
});
