/**
 * @module testing/stories/names
 * Case and Unicode: names one side cannot hold (a case clash on a
 * case-insensitive side, NFC/NFD twins on a normalising side, a character or
 * ending the other side forbids) are reported per file and never merged or
 * deleted; everything else syncs. The expected outcome follows the pair's
 * declared capabilities: the same story expects "reported" on Dropbox and
 * Ferry and "synced" on Drive or a Linux folder.
 *
 * A lone NFD name (no NFC twin) is no clash: the normalising side (Ferry)
 * shows it in NFC, and the user keeps their own spelling — nothing on their
 * side is renamed; the two spellings are mapped to one entry (`spellings.ts`),
 * so the run after the copy has nothing to do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Side } from '../../plan-types.js';
import { nameProblem } from '../../name-rules.js';
import { closeAllPairs } from '../harness.js';
import { kindCapabilities, openPair, pairLabel, type PairKinds } from './story-pair.js';

const otherSide = (side: Side): Side => (side === 'a' ? 'b' : 'a');

export function nameStories(pair: PairKinds): void {
  const capabilities = { a: kindCapabilities(pair.a), b: kindCapabilities(pair.b) };
  const caseHolder: Side | null = !capabilities.a.caseInsensitive ? 'a' : !capabilities.b.caseInsensitive ? 'b' : null;
  const unicodeHolder: Side | null = !capabilities.a.normalizesUnicode ? 'a' : !capabilities.b.normalizesUnicode ? 'b' : null;

  describe(`names (case, Unicode, forbidden characters), ${pairLabel(pair)}`, () => {
    afterEach(closeAllPairs);

    // Needs a side that can hold "Report.txt" and "report.txt" at once; when both sides are case-insensitive there is none.
    if (caseHolder !== null) {
      const receiver = otherSide(caseHolder);
      it(`names that differ only by case (written on ${caseHolder}) are ${capabilities[receiver].caseInsensitive ? `reported for ${receiver}, the rest goes on` : 'both synced'}`, async () => {
        const h = await openPair(pair);
        await h[caseHolder].write('Report.txt', 'upper');
        await h[caseHolder].write('report.txt', 'lower');
        await h[caseHolder].write('other.txt', 'fine');
        const summary = await h.sync();
        const all = { 'Report.txt': 'upper', 'other.txt': 'fine', 'report.txt': 'lower' };
        if (capabilities[receiver].caseInsensitive) {
          expect(summary.issues).toEqual([{ path: 'report.txt', side: receiver, problem: expect.stringContaining('clashes with "Report.txt"') }]);
          await h.expectTree(receiver, { 'Report.txt': 'upper', 'other.txt': 'fine' });
          await h.expectTree(caseHolder, all);
          const again = await h.sync();
          expect(again.issues).toHaveLength(1);
          expect(again.deleted).toBe(0);
          await h.expectTree(caseHolder, all);
        } else {
          expect(summary.issues).toEqual([]);
          await h.expectTrees(all);
          await h.expectConverged();
        }
      });
    }

    // Needs a side that keeps NFC and NFD spellings apart; every kind but Ferry does.
    if (unicodeHolder !== null) {
      const receiver = otherSide(unicodeHolder);
      it(`names that differ only by Unicode normalisation (written on ${unicodeHolder}) are ${capabilities[receiver].normalizesUnicode ? `reported for ${receiver}` : 'both synced'}`, async () => {
        const h = await openPair(pair);
        await h[unicodeHolder].write('caf\u00e9.txt', 'nfc');
        await h[unicodeHolder].write('cafe\u0301.txt', 'nfd');
        const summary = await h.sync();
        if (capabilities[receiver].normalizesUnicode) {
          // The normalising side would store any name in NFC: the NFC spelling keeps the name there, the NFD one is reported.
          expect(summary.issues).toEqual([{ path: 'cafe\u0301.txt', side: receiver, problem: expect.stringContaining('clashes with "caf\u00e9.txt"') }]);
          expect(await h[receiver].files()).toEqual({ 'caf\u00e9.txt': 'nfc' });
          expect((await h.sync()).deleted).toBe(0);
          expect(Object.keys(await h[unicodeHolder].files())).toHaveLength(2);
        } else {
          expect(summary.issues).toEqual([]);
          await h.expectTrees({ 'caf\u00e9.txt': 'nfc', 'cafe\u0301.txt': 'nfd' });
          await h.expectConverged();
        }
      });
    }

    // A name in NFD alone (as macOS keyboards and some archives write it) reaching a side that stores every name in NFC.
    if (unicodeHolder !== null && capabilities[otherSide(unicodeHolder)].normalizesUnicode) {
      const receiver = otherSide(unicodeHolder);
      const nfdFolder = 'Cafe\u0301';
      const nfdFile = `${nfdFolder}/re\u0301sume\u0301.txt`;
      const stored = nfdFile.normalize('NFC');
      it(`a file and folder named in NFD (written on ${unicodeHolder}) settle in one run: ${receiver} shows them in NFC, the NFD names stay as they are on ${unicodeHolder}, and later edits and deletes travel both ways`, async () => {
        const h = await openPair(pair);
        await h[unicodeHolder].write(nfdFile, 'v1');
        const first = await h.sync();
        expect(first).toMatchObject({ copied: 1, failed: 0, issues: [] });
        expect(await h[receiver].files()).toEqual({ [stored]: 'v1' });
        // What the user sees: their own names untouched (no rename on their disk), the other side's NFC spelling mapped to them.
        expect(await h[unicodeHolder].files()).toEqual({ [nfdFile]: 'v1' });
        const second = await h.sync();
        expect(second).toMatchObject({ copied: 0, moved: 0, deleted: 0, conflicts: 0, failed: 0, issues: [] });
        expect(await h[unicodeHolder].files()).toEqual({ [nfdFile]: 'v1' });

        await h[receiver].write(stored, 'v2, edited where the name is NFC');
        expect(await h.sync()).toMatchObject({ copied: 1, moved: 0, deleted: 0, conflicts: 0, failed: 0 });
        expect(await h[unicodeHolder].files()).toEqual({ [nfdFile]: 'v2, edited where the name is NFC' });
        await h.settle();
        await h[unicodeHolder].write(nfdFile, 'v3, edited where the name is NFD');
        expect(await h.sync()).toMatchObject({ copied: 1, moved: 0, deleted: 0, conflicts: 0, failed: 0 });
        expect(await h[receiver].files()).toEqual({ [stored]: 'v3, edited where the name is NFD' });
        expect(await h.sync()).toMatchObject({ copied: 0, moved: 0, deleted: 0, conflicts: 0, failed: 0 });

        await h[receiver].delete(stored);
        expect(await h.sync()).toMatchObject({ deleted: 1, failed: 0 });
        expect(await h[unicodeHolder].files()).toEqual({});
      });

      it(`names already on both sides before the first run, NFD on ${unicodeHolder} and NFC on ${receiver}, are one name: equal contents are one file, different ones a conflict that keeps both`, async () => {
        const h = await openPair(pair);
        const nfdOther = `${nfdFolder}/e\u0301te\u0301.txt`;
        await h[unicodeHolder].write(nfdFile, 'the same');
        await h[receiver].write(stored, 'the same');
        await h[unicodeHolder].write(nfdOther, `summer on ${unicodeHolder}`);
        await h[receiver].write(nfdOther.normalize('NFC'), `summer on ${receiver}`);
        const first = await h.sync();
        expect(first).toMatchObject({ conflicts: 1, failed: 0, issues: [] });
        const holderFiles = await h[unicodeHolder].files();
        const receiverFiles = await h[receiver].files();
        // The user's names stay NFD; nothing is copied under a second spelling.
        expect(holderFiles[nfdFile]).toBe('the same');
        expect(receiverFiles[stored]).toBe('the same');
        expect(Object.keys(holderFiles).filter((path) => path.normalize('NFC') === stored)).toEqual([nfdFile]);
        // Both versions of the differing file are kept on both sides.
        expect(Object.values(holderFiles).sort()).toEqual(['summer on a', 'summer on b', 'the same']);
        expect(Object.values(receiverFiles).sort()).toEqual(['summer on a', 'summer on b', 'the same']);
        expect(Object.keys(holderFiles).some((path) => path.includes('conflicted copy'))).toBe(true);
        expect(await h.sync()).toMatchObject({ copied: 0, moved: 0, deleted: 0, conflicts: 0, failed: 0, issues: [] });
      });
    }

    it('names side b cannot hold are reported per file (a bad folder with what is below it), everything else syncs', async () => {
      const candidates = ['trailing.', 'ends with space ', 'back\\slash.txt', 'what?.txt', 'CON.txt', 'bad\\folder/inside.txt', 'ok/fine.txt'];
      // Only names side a can hold are written there; whether b refuses one is its declared rule.
      const written = candidates.filter((path) => path.split('/').every((name) => nameProblem(name, capabilities.a) === null));
      const refusedOnB = (path: string): boolean => path.split('/').some((name) => nameProblem(name, capabilities.b) !== null);
      const reported = new Set<string>();
      for (const path of written.filter(refusedOnB)) {
        const segments = path.split('/');
        segments.forEach((_, index) => {
          const prefix = segments.slice(0, index + 1).join('/');
          if (refusedOnB(prefix)) reported.add(prefix);
        });
      }
      const h = await openPair(pair);
      for (const path of written) await h.a.write(path, `content of ${path}`);
      const summary = await h.sync();
      expect(summary.issues.map((issue) => issue.path).sort()).toEqual([...reported].sort());
      expect(summary.issues.every((issue) => issue.side === 'b')).toBe(true);
      const expectedOnB = Object.fromEntries(written.filter((path) => !refusedOnB(path)).map((path) => [path, `content of ${path}`]));
      expect(Object.keys(expectedOnB)).toContain('ok/fine.txt');
      await h.expectTree('b', expectedOnB);
      expect((await h.sync()).deleted).toBe(0); // unsynced files on a are not deleted later
      expect(Object.keys(await h.a.files())).toHaveLength(written.length);
    });

    // Only Drive lets two entries share one name in a folder (another client made the second one).
    const twinSide: Side | null = pair.a === 'google-drive' ? 'a' : pair.b === 'google-drive' ? 'b' : null;
    if (twinSide !== null) {
      const healthy = otherSide(twinSide);
      it(`two files with one name in a Drive folder stop the run with their names, nothing is synced or deleted; once one is renamed, the run converges`, async () => {
        const h = await openPair(pair);
        await h[twinSide].write('docs/report.txt', 'first');
        await h[healthy].write('keep.txt', 'k');
        await h.sync();
        const twin = await h[twinSide].addSameNameTwin?.('docs/report.txt', 'second');
        expect(twin).toBeDefined();
        await h[healthy].write('new.txt', 'written meanwhile');
        await h[healthy].delete('keep.txt');
        await expect(h.sync()).rejects.toThrow(/"docs\/report\.txt".*nothing was synced/);
        await h.expectTree(healthy, { 'docs/report.txt': 'first', 'new.txt': 'written meanwhile' });
        await twin?.rename('report (2).txt');
        const next = await h.sync();
        expect(next.failed).toBe(0);
        await h.expectTrees({ 'docs/report (2).txt': 'second', 'docs/report.txt': 'first', 'new.txt': 'written meanwhile' });
        await h.expectConverged();
      });
    }

    it('a case-only rename made on b reaches a', async () => {
      const h = await openPair(pair);
      await h.b.write('docs/Plan.md', 'p');
      await h.sync();
      await h.b.move('docs/Plan.md', 'docs/PLAN.md');
      await h.sync();
      await h.expectTrees({ 'docs/PLAN.md': 'p' });
      await h.expectConverged();
    });
  });
}
