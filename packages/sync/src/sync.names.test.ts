/**
 * @module sync.names.test — the name stories between two local folders
 * (testing/stories/names), and local folders with simulated stricter
 * capabilities (case-insensitive, macOS normalisation, Windows names).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { macCapabilities, windowsCapabilities } from './driver.js';
import { nameProblem } from './name-rules.js';
import { closeAllPairs, syncPair } from './testing/harness.js';
import { nameStories } from './testing/stories/index.js';

nameStories({ a: 'local', b: 'local' });

describe('names on local folders with simulated capabilities', () => {
  afterEach(closeAllPairs);

  it('names that clash by case on a case-insensitive side are reported, the rest goes on', async () => {
    const h = await syncPair('local', 'local', { b: { capabilities: { caseInsensitive: true } } });
    await h.a.write('Report.txt', 'upper');
    await h.a.write('report.txt', 'lower');
    await h.a.write('other.txt', 'fine');
    const summary = await h.sync();
    expect(summary.issues).toEqual([{ path: 'report.txt', side: 'b', problem: expect.stringContaining('clashes with "Report.txt"') }]);
    await h.expectTree('b', { 'Report.txt': 'upper', 'other.txt': 'fine' });
    await h.expectTree('a', { 'Report.txt': 'upper', 'other.txt': 'fine', 'report.txt': 'lower' });
    const again = await h.sync();
    expect(again.issues).toHaveLength(1);
    expect(again.deleted).toBe(0);
  });

  it('names that differ only by Unicode normalisation clash on a normalising side', async () => {
    const h = await syncPair('local', 'local', { b: { capabilities: macCapabilities } });
    await h.a.write('caf\u00e9.txt', 'nfc');
    await h.a.write('cafe\u0301.txt', 'nfd');
    const summary = await h.sync();
    expect(summary.issues).toHaveLength(1);
    expect(Object.keys(await h.b.files())).toHaveLength(1);
  });

  it('names Windows cannot hold are reported per file, everything else syncs', async () => {
    const h = await syncPair('local', 'local', { b: { capabilities: { ...windowsCapabilities, maxNameBytes: 200 } } });
    await h.a.write('CON.txt', 'reserved');
    await h.a.write('trailing.', 'dot');
    await h.a.write('what?.txt', 'question mark');
    await h.a.write(`${'x'.repeat(300).slice(0, 250)}.txt`, 'long');
    await h.a.write('bad:folder/inside.txt', 'below a bad folder');
    await h.a.write('ok/fine.txt', 'fine');
    const summary = await h.sync();
    expect(summary.issues.map((issue) => issue.path).sort()).toEqual(['CON.txt', 'bad:folder', 'bad:folder/inside.txt', 'trailing.', 'what?.txt', `${'x'.repeat(250)}.txt`].sort());
    await h.expectTree('b', { 'ok/fine.txt': 'fine' });
    expect((await h.sync()).deleted).toBe(0); // unsynced files on a are not deleted later
    expect(Object.keys(await h.a.files())).toHaveLength(6);
  });

  it('a case-only rename on a case-insensitive side reaches the other side', async () => {
    const h = await syncPair('local', 'local', { a: { capabilities: { caseInsensitive: true } } });
    await h.b.write('docs/Plan.md', 'p');
    await h.sync();
    await h.b.move('docs/Plan.md', 'docs/PLAN.md');
    await h.sync();
    await h.expectTrees({ 'docs/PLAN.md': 'p' });
  });

  it('explains why a name cannot be used', () => {
    expect(nameProblem('aux', windowsCapabilities)).toMatch(/reserved/);
    expect(nameProblem('lpt1.log', windowsCapabilities)).toMatch(/reserved/);
    expect(nameProblem('auxiliary.txt', windowsCapabilities)).toBeNull();
    expect(nameProblem('a b ', windowsCapabilities)).toMatch(/ends with/);
    expect(nameProblem('a|b', windowsCapabilities)).toMatch(/forbidden character "\|"/);
    expect(nameProblem('é'.repeat(128), windowsCapabilities)).toMatch(/longer than 255 bytes/);
  });
});
