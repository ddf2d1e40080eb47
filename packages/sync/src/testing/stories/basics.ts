/**
 * @module testing/stories/basics
 * New files and folders travel both ways; an edit on one side reaches the
 * other; progress and records report what happened; a dry run changes
 * nothing; a re-sync is a no-op.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeAllPairs } from '../harness.js';
import { openPair, pairLabel, type PairKinds } from './story-pair.js';

export function basicStories(pair: PairKinds): void {
  describe(`basic sync, ${pairLabel(pair)}`, () => {
    afterEach(closeAllPairs);

    it('copies new files and folders in both directions', async () => {
      const h = await openPair(pair);
      await h.a.write('docs/x.txt', 'hello');
      await h.a.mkdir('empty');
      await h.b.write('notes/todo.md', '- milk');
      const summary = await h.sync();
      expect(summary.copied).toBe(2);
      await h.expectTrees({ 'docs/x.txt': 'hello', 'notes/todo.md': '- milk' });
      expect(await h.b.folders()).toEqual(['docs', 'empty', 'notes']);
      await h.expectConverged();
    });

    it('carries an edit on one side to the other', async () => {
      const h = await openPair(pair);
      await h.a.write('x.txt', 'one');
      await h.sync();
      await h.b.write('x.txt', 'two, longer');
      const summary = await h.sync();
      expect(summary.copied).toBe(1);
      await h.expectTrees({ 'x.txt': 'two, longer' });
      await h.a.write('x.txt', 'six'); // same size as before: found by hash
      await h.sync();
      await h.expectTrees({ 'x.txt': 'six' });
      await h.expectConverged();
    });

    it('reports bytes, progress and one record per action', async () => {
      const h = await openPair(pair);
      await h.a.write('a.bin', 'x'.repeat(1000));
      await h.a.write('b.bin', 'y'.repeat(24));
      const phases: string[] = [];
      const lines: string[] = [];
      const summary = await h.sync({ onProgress: (progress) => phases.push(progress.phase), onAction: (record) => lines.push(JSON.stringify(record)) });
      expect(summary.bytes).toBe(1024);
      expect(lines).toHaveLength(2);
      expect(JSON.parse(lines[0] as string)).toMatchObject({ action: 'copy', side: 'b', path: 'a.bin', bytes: 1000, status: 'done' });
      expect(phases.at(-1)).toBe('done');
    });

    it('a dry run returns the plan and changes nothing', async () => {
      const h = await openPair(pair);
      await h.a.write('x.txt', 'hello');
      const plan = await h.sync({ dryRun: true });
      expect(plan.records).toEqual([expect.objectContaining({ action: 'copy', path: 'x.txt', status: 'planned' })]);
      await h.expectTree('b', {});
      await h.sync();
      await h.expectTrees({ 'x.txt': 'hello' });
    });

    it('does not re-copy files that are already the same on both sides', async () => {
      const h = await openPair(pair);
      await h.a.write('same.txt', 'identical');
      await h.b.write('same.txt', 'identical');
      const summary = await h.sync();
      expect(summary.records).toEqual([]);
      await h.expectTrees({ 'same.txt': 'identical' });
    });
  });
}
