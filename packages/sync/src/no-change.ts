/**
 * @module no-change
 * The common run finds nothing to do: every base entry is still at its path
 * on both sides with the same id and revision, and neither side has a path
 * the base lacks. This check answers that in one streamed pass over the base
 * rows against both (columnar) listings, without building the three trees.
 * When it says yes, the full planner would plan nothing either (no touched
 * entry means no move, no decision, no hash); when it says no, the engine
 * runs the full planner.
 *
 * Quicker still, when both listings carry a fingerprint (a digest of every
 * entry's path, kind, id and revision; the local driver's scan has one) and
 * no ignore rules apply: a row-by-row "unchanged" stores both fingerprints,
 * every base write drops them, so finding the same two fingerprints again
 * means both listings are exactly the ones already found equal to this very
 * base — the base rows need not be read at all.
 */
import type { EntryKind } from './driver.js';
import type { IgnoreMatcher } from './ignore-rules.js';
import type { CompactListing } from './listing.js';
import type { StateStore } from './state-store.js';

/** Both listings' fingerprints, when both have one and no ignore rules apply (else the shortcut is not taken). */
function comparableFingerprints(a: CompactListing, b: CompactListing, isIgnored: IgnoreMatcher | null): { a: string; b: string } | null {
  if (isIgnored !== null) return null;
  const onA = a.fingerprint?.() ?? null;
  const onB = b.fingerprint?.() ?? null;
  return onA !== null && onB !== null ? { a: onA, b: onB } : null;
}

/** True when both listings hold exactly what the base recorded (after ignore rules). */
export function unchangedSinceBase(store: StateStore, a: CompactListing, b: CompactListing, isIgnored: IgnoreMatcher | null): boolean {
  const comparable = comparableFingerprints(a, b, isIgnored);
  if (comparable !== null) {
    const stored = store.listingFingerprints();
    if (stored !== null && stored.a === comparable.a && stored.b === comparable.b) return true;
  }
  const unchanged = matchesBaseRows(store, a, b, isIgnored);
  if (unchanged && comparable !== null) store.putListingFingerprints(comparable);
  return unchanged;
}

/**
 * Stores the listings' fingerprints after a run that made the base exactly
 * these listings (a first run that found both trees equal and recorded every
 * entry as listed), so the next run may take the shortcut at once instead of
 * checking the base row by row first.
 */
export function rememberListings(store: StateStore, a: CompactListing, b: CompactListing, isIgnored: IgnoreMatcher | null): void {
  const comparable = comparableFingerprints(a, b, isIgnored);
  if (comparable !== null) store.putListingFingerprints(comparable);
}

function matchesBaseRows(store: StateStore, a: CompactListing, b: CompactListing, isIgnored: IgnoreMatcher | null): boolean {
  let matched = 0;
  const { folders, rows } = store.baseRefs();
  for (const [folderId, name, storedKind, aId, aRevision, bId, bRevision] of rows) {
    const kind: EntryKind = storedKind === 'folder' ? 'folder' : 'file';
    const folder = folders.get(folderId);
    if (folder === undefined) return false; // cannot happen in a consistent store; the planner will sort it out
    if (isIgnored !== null && isIgnored(folder === '' ? name : `${folder}/${name}`, kind)) continue;
    const onA = a.findIn(folder, name);
    const onB = b.findIn(folder, name);
    if (onA < 0 || onB < 0 || a.kind(onA) !== kind || b.kind(onB) !== kind || a.id(onA) !== aId || b.id(onB) !== bId) return false;
    if (kind === 'file' && (a.revision(onA) !== aRevision || b.revision(onB) !== bRevision)) return false;
    matched++;
  }
  if (isIgnored === null) return matched === a.count && matched === b.count;
  return matched === a.countKept(isIgnored) && matched === b.countKept(isIgnored);
}
