/**
 * @module spellings
 * One name, two spellings. A side that treats names differing only by
 * Unicode normalisation as the same entry (`normalizesUnicode`: Ferry
 * stores every name in NFC) shows a file copied there from a macOS folder
 * under "café" in NFC, while the user's folder keeps "café" in NFD. The base
 * records the entry under the spelling it was copied with (the user's), and
 * the normalising side's entry, found under its id at the NFC spelling of
 * that path, is read as that same path here — so the run after the copy
 * sees no change, and nothing on the user's disk is renamed to NFC.
 *
 * The same holds before any base: when the user's folder has "café" in NFD
 * and the normalising side already has it in NFC (a first run, or both sides
 * made it since the last one), the two are one path, decided like any name
 * both sides hold — equal contents are one file, different ones a conflict
 * that keeps both — instead of a clash and a second copy. Only when the
 * user's side holds that one spelling: NFC and NFD twins there are two
 * files, and the clash is reported.
 *
 * Reading the entry under the other spelling is safe on such a side by its
 * own definition: both spellings name the same entry there, so every later
 * read, write, move or delete through that path reaches it.
 */
import type { DriverCapabilities, EntryKind } from './driver.js';
import type { CompactListing } from './listing.js';
import { type PlanInput, type Side, sideId } from './plan-types.js';

const nonAscii = /[^ -~\t\n\r]/; // only names beyond printable ASCII can have another normalisation

/** The NFC spelling of `path` when it has another one, else null (ASCII paths, the common case, cost one regex test). */
function otherSpelling(path: string): string | null {
  if (!nonAscii.test(path)) return null;
  const composed = path.normalize('NFC');
  return composed === path ? null : composed;
}

/**
 * Re-keys, on each normalising side, the entries that the base knows under
 * a non-NFC spelling of their path (same id, NFC path in the listing) to
 * that spelling. Call it on the trees before moves are planned.
 */
export function spellLikeBase(input: PlanInput, capabilities: Record<Side, DriverCapabilities>): void {
  for (const side of ['a', 'b'] as const) {
    if (!capabilities[side].normalizesUnicode) continue;
    const tree = input.trees[side];
    for (const [path, base] of input.base) {
      const composed = otherSpelling(path);
      if (composed === null || tree.has(path)) continue;
      const entry = tree.get(composed);
      if (entry === undefined || entry.id !== sideId(base, side)) continue;
      tree.delete(composed);
      tree.set(path, { ...entry, path });
    }
    const other = side === 'a' ? 'b' : 'a';
    if (!capabilities[other].normalizesUnicode) spellLikeOtherSide(input, side, other);
  }
}

/**
 * Re-keys, on the normalising side `side`, the entries no base knows whose NFC path is the only spelling of a
 * non-NFC path of the other side (same kind): they are that path's entry there.
 */
function spellLikeOtherSide(input: PlanInput, side: Side, other: Side): void {
  const tree = input.trees[side];
  const otherTree = input.trees[other];
  for (const [path, otherEntry] of otherTree) {
    const composed = otherSpelling(path);
    if (composed === null || tree.has(path) || otherTree.has(composed) || input.base.has(path) || input.base.has(composed)) continue;
    const entry = tree.get(composed);
    if (entry === undefined || entry.kind !== otherEntry.kind) continue;
    tree.delete(composed);
    tree.set(path, { ...entry, path });
  }
}

/**
 * The no-change check's view of a normalising side's listing: an entry the
 * base names in NFD is found under its NFC spelling too, so a tree holding
 * such a name still ends in the quick "nothing changed" answer. Other
 * sides' listings are returned as they are.
 */
export function spellingTolerant(listing: CompactListing, capabilities: DriverCapabilities): CompactListing {
  if (!capabilities.normalizesUnicode) return listing;
  const find = (path: string): number => {
    const found = listing.find(path);
    if (found >= 0) return found;
    const composed = otherSpelling(path);
    return composed === null ? -1 : listing.find(composed);
  };
  const findIn = (folder: string, name: string): number => {
    const found = listing.findIn(folder, name);
    if (found >= 0) return found;
    const composed = { folder: otherSpelling(folder) ?? folder, name: otherSpelling(name) ?? name };
    return composed.folder === folder && composed.name === name ? -1 : listing.findIn(composed.folder, composed.name);
  };
  const fingerprint = listing.fingerprint?.bind(listing);
  const notSynced = listing.notSynced?.bind(listing);
  return {
    get count() {
      return listing.count;
    },
    find,
    findIn,
    path: (index) => listing.path(index),
    kind: (index) => listing.kind(index),
    id: (index) => listing.id(index),
    revision: (index) => listing.revision(index),
    entry: (index) => listing.entry(index),
    countKept: (isIgnored: (path: string, kind: EntryKind) => boolean) => listing.countKept(isIgnored),
    entries: () => listing.entries(),
    ...(fingerprint === undefined ? {} : { fingerprint }),
    ...(notSynced === undefined ? {} : { notSynced }),
  };
}
