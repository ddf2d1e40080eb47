/**
 * @module testing/stories
 * Every sync concern's story suite, defined once and run against any pair of
 * replica kinds: `renameStories({ a: 'local', b: 'ferry' })` declares the
 * rename scenarios for that pair (register the kinds first).
 */
import type { Side } from '../../plan-types.js';
import { basicStories } from './basics.js';
import { conflictStories } from './conflicts.js';
import { deleteStories } from './deletes.js';
import { faultStories } from './faults.js';
import { ignoreStories } from './ignore.js';
import { largeFileStories } from './large-files.js';
import { nameStories } from './names.js';
import { renameStories } from './renames.js';
import type { PairKinds } from './story-pair.js';

export { basicStories, conflictStories, deleteStories, faultStories, ignoreStories, largeFileStories, nameStories, renameStories };
export { bothCaseSensitive, kindCapabilities, localOnA, openPair, pairLabel, type PairKinds } from './story-pair.js';

/** The concerns every pair runs, by name (the faults concern needs a side with fault switches: see `allStories`). */
export const storyConcerns = {
  basics: basicStories,
  conflicts: conflictStories,
  renames: renameStories,
  deletes: deleteStories,
  names: nameStories,
  ignore: ignoreStories,
  'large-files': largeFileStories,
} as const;

/** Every concern for one pair; the faults on `faulty`, the side reached over the network. */
export function allStories(pair: PairKinds, faulty: Side): void {
  for (const stories of Object.values(storyConcerns)) stories(pair);
  faultStories(pair, faulty);
}
