/**
 * @module testing/stories/story-pair
 * Which two replica kinds a story suite runs against, and what names each
 * kind can hold (its declared `DriverCapabilities`), so a scenario can expect
 * the right outcome for the pair (a case clash is reported on Dropbox and
 * Ferry, merged nowhere) or leave itself out of a pair where it cannot
 * apply, with the reason beside the filter.
 */
import { type DriverCapabilities, posixCapabilities } from '../../driver.js';
import { dropboxCapabilities } from '../../drivers/dropbox.js';
import { ferryCapabilities } from '../../drivers/ferry.js';
import { googleDriveCapabilities } from '../../drivers/google-drive.js';
import { syncPair, type SyncPairHarness, type SyncPairOptions } from '../harness.js';

export interface PairKinds {
  readonly a: string;
  readonly b: string;
  /**
   * Files in the "moved folder of many files" story (default 200). Pairs
   * over HTTP pass fewer to keep the run short: one move and no bytes is
   * asserted all the same.
   */
  readonly manyFiles?: number;
}

const declared = new Map<string, DriverCapabilities>([
  ['local', posixCapabilities],
  ['ferry', ferryCapabilities],
  ['google-drive', googleDriveCapabilities],
  ['dropbox', dropboxCapabilities],
]);

/** The capabilities a replica kind declares (what its driver will report). */
export function kindCapabilities(kind: string): DriverCapabilities {
  const capabilities = declared.get(kind);
  if (capabilities === undefined) throw new Error(`No declared capabilities for replica kind "${kind}".`);
  return capabilities;
}

/** "local ↔ ferry" */
export function pairLabel(pair: PairKinds): string {
  return `${pair.a} ↔ ${pair.b}`;
}

/** Both sides keep names that differ only by case apart. */
export function bothCaseSensitive(pair: PairKinds): boolean {
  return !kindCapabilities(pair.a).caseInsensitive && !kindCapabilities(pair.b).caseInsensitive;
}

/** A local folder on side a: the story changes files there behind the engine's back (modification times, stray files). */
export function localOnA(pair: PairKinds): boolean {
  return pair.a === 'local';
}

/** A new pair of these kinds (each side a fresh root). */
export function openPair(pair: PairKinds, options: SyncPairOptions = {}): Promise<SyncPairHarness> {
  return syncPair(pair.a, pair.b, options);
}
