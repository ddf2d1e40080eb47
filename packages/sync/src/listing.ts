/**
 * @module listing
 * A side's listing as the no-change check reads it: find an entry by path and
 * read its kind, id and revision without a `DriverEntry` object per file.
 * The local driver answers with its columnar scan (`compactList`); any other
 * driver's `list()` is wrapped. `entries()` gives the plain list when the
 * full planner must run after all.
 */
import type { DriverEntry, EntryKind, SyncDriver } from './driver.js';

export interface ListOptions {
  readonly skip?: (path: string, kind: EntryKind) => boolean;
  /** How many entries the caller expects (the base's size): a driver may pick its scan strategy by it. */
  readonly sizeHint?: number;
}

/** An entry of a side that no sync carries (a symbolic link, a socket, …), and why. */
export interface NotSyncedEntry {
  readonly path: string;
  readonly reason: string;
}

export interface CompactListing {
  /** Number of distinct paths; entries are indexed 0 … count − 1, one per path. */
  readonly count: number;
  /** Index of the entry at `path`, or -1. */
  find(path: string): number;
  /** Index of the entry `name` in folder `folder` ("" for the root), or -1. */
  findIn(folder: string, name: string): number;
  path(index: number): string;
  kind(index: number): EntryKind;
  id(index: number): string;
  revision(index: number): string;
  /** Entry `index` as `SyncDriver.list()` gives it. */
  entry(index: number): DriverEntry;
  /** Number of distinct paths that `isIgnored` keeps. */
  countKept(isIgnored: (path: string, kind: EntryKind) => boolean): number;
  /** The listing as `SyncDriver.list()` returns it. */
  entries(): DriverEntry[];
  /**
   * A digest that changes whenever any entry's path, kind, id or revision
   * changes (equal digests: equal listings), or null when the driver has none
   * for this listing. The no-change check compares it with the one stored
   * when the listing was last found equal to the base.
   */
  fingerprint?(): string | null;
  /** The side's entries that are neither files nor folders (not synced): the first ones, and how many in all. */
  notSynced?(): { readonly listed: readonly NotSyncedEntry[]; readonly count: number };
}

/** Key of the optional columnar listing method of a driver (not part of the public contract). */
export const compactList = Symbol('compactList');

interface CompactLister {
  [compactList](options: ListOptions): Promise<CompactListing>;
}

function hasCompactList(driver: SyncDriver): driver is SyncDriver & CompactLister {
  return compactList in driver;
}

class EntryListing implements CompactListing {
  /** Path → index of its (last) entry: duplicates count once, as in a map keyed by path. */
  private readonly byPath = new Map<string, number>();

  private readonly list: DriverEntry[];

  constructor(listed: DriverEntry[]) {
    listed.forEach((entry, index) => this.byPath.set(entry.path, index));
    // A path listed twice keeps its last entry (as a map keyed by path would), so every index is one path.
    this.list = this.byPath.size === listed.length ? listed : listed.filter((entry, index) => this.byPath.get(entry.path) === index);
    if (this.list !== listed) this.list.forEach((entry, index) => this.byPath.set(entry.path, index));
  }

  get count(): number {
    return this.byPath.size;
  }

  find(path: string): number {
    return this.byPath.get(path) ?? -1;
  }

  findIn(folder: string, name: string): number {
    return this.find(folder === '' ? name : `${folder}/${name}`);
  }

  private at(index: number): DriverEntry {
    return this.list[index] as DriverEntry;
  }

  path(index: number): string {
    return this.at(index).path;
  }

  kind(index: number): EntryKind {
    return this.at(index).kind;
  }

  id(index: number): string {
    return this.at(index).id;
  }

  revision(index: number): string {
    return this.at(index).revision;
  }

  countKept(isIgnored: (path: string, kind: EntryKind) => boolean): number {
    let kept = 0;
    for (const [path, index] of this.byPath) if (!isIgnored(path, this.at(index).kind)) kept++;
    return kept;
  }

  entry(index: number): DriverEntry {
    return this.at(index);
  }

  entries(): DriverEntry[] {
    return this.list;
  }
}

/** Lists `driver` in its most compact form. */
export async function compactListing(driver: SyncDriver, options: ListOptions): Promise<CompactListing> {
  if (hasCompactList(driver)) return driver[compactList](options);
  return new EntryListing(await driver.list(options.skip === undefined ? {} : { skip: options.skip }));
}
