/**
 * @module drivers/local-scan
 * One scan of a local folder kept in the columns `walkFolderTree` produced
 * (see `local-scan-walk.ts`) instead of an object per entry: names, the
 * folder each entry lies in, and inode, size, mtime in typed arrays. A
 * folder's entries are contiguous and sorted by name, so an entry is found by
 * its folder's path and a binary search of its names: no full path string and
 * no map entry per file. Names stay in their joined string (a lookup compares
 * characters in place; only `path()` cuts a name out), so a check against the
 * base creates no string per entry.
 * `entries()` rebuilds the plain `DriverEntry` list in scan order.
 */
import type { DriverEntry, EntryKind } from '../driver.js';
import type { CompactListing } from '../listing.js';
import { localEntryId } from './local-id.js';
import type { WalkColumns } from './local-scan-walk.js';

/** A file touched this recently may change again within the same mtime tick. */
export const racyWindowMs = 2_000;

export class LocalScan implements CompactListing {
  readonly count: number;
  /** Where each entry's name starts in `columns.names` (entry `count` = one past the end). */
  private nameStartsCache: Int32Array | null = null;
  private folderPathsCache: string[] | null = null;
  private folderIndexCache: Map<string, number> | null = null;

  /**
   * @param columns the walk's result
   * @param now the scan's clock (racy files are those modified after `now - racyWindowMs`)
   * @param scan the driver's scan counter (part of a racy file's revision)
   */
  constructor(
    private readonly columns: WalkColumns,
    private readonly now: number,
    private readonly scan: number,
  ) {
    this.count = columns.count;
  }

  /** sha256 of the listing (see `local-scan-walk.ts`), or null. */
  fingerprint(): string | null {
    return this.columns.fingerprint;
  }

  private get nameStarts(): Int32Array {
    if (this.nameStartsCache === null) {
      const starts = new Int32Array(this.count + 1);
      const names = this.columns.names;
      let at = 0;
      for (let index = 0; index < this.count; index++) {
        starts[index] = at;
        const end = names.indexOf('\0', at);
        at = end < 0 ? names.length + 1 : end + 1;
      }
      starts[this.count] = names.length + 1;
      this.nameStartsCache = starts;
    }
    return this.nameStartsCache;
  }

  private name(index: number): string {
    const starts = this.nameStarts;
    return this.columns.names.slice(starts[index], (starts[index + 1] as number) - 1);
  }

  /** Compares entry `index`'s name with `name` in JavaScript string order (negative: the entry's name sorts first). */
  private compareName(index: number, name: string, starts: Int32Array): number {
    const names = this.columns.names;
    const start = starts[index] as number;
    const length = (starts[index + 1] as number) - 1 - start;
    const common = Math.min(length, name.length);
    for (let offset = 0; offset < common; offset++) {
      const difference = names.charCodeAt(start + offset) - name.charCodeAt(offset);
      if (difference !== 0) return difference;
    }
    return length - name.length;
  }

  private get folderPaths(): string[] {
    this.folderPathsCache ??= this.columns.folderPaths.split('\0');
    return this.folderPathsCache;
  }

  private get folderIndex(): Map<string, number> {
    if (this.folderIndexCache === null) {
      this.folderIndexCache = new Map();
      this.folderPaths.forEach((path, index) => this.folderIndexCache?.set(path, index));
    }
    return this.folderIndexCache;
  }

  /** Column `column` (0 inode, 1 size, 2 mtime) of entry `index`. */
  private number(index: number, column: number): number {
    return this.columns.numbers[index * 3 + column] as number;
  }

  private isFolder(index: number): boolean {
    return this.columns.folders[index] === 1;
  }

  find(path: string): number {
    const slash = path.lastIndexOf('/');
    return slash < 0 ? this.findIn('', path) : this.findIn(path.slice(0, slash), path.slice(slash + 1));
  }

  findIn(folderPath: string, name: string): number {
    const folder = this.folderIndex.get(folderPath);
    if (folder === undefined) return -1;
    let low = this.columns.firsts[folder] as number;
    if (low < 0) return -1;
    let high = low + (this.columns.counts[folder] as number) - 1;
    const starts = this.nameStarts;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = this.compareName(middle, name, starts);
      if (order === 0) return middle;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  path(index: number): string {
    const folder = this.folderPaths[this.columns.parents[index] as number] as string;
    const name = this.name(index);
    return folder === '' ? name : `${folder}/${name}`;
  }

  kind(index: number): EntryKind {
    return this.isFolder(index) ? 'folder' : 'file';
  }

  id(index: number): string {
    return localEntryId(this.number(index, 0), this.columns.births[index] as number);
  }

  revision(index: number): string {
    const mtimeMs = this.number(index, 2);
    const revision = [this.number(index, 0), this.number(index, 1), mtimeMs].join(':');
    return !this.isFolder(index) && mtimeMs > this.now - racyWindowMs ? `${revision}~${this.now}.${this.scan}` : revision;
  }

  countKept(isIgnored: (path: string, kind: EntryKind) => boolean): number {
    let kept = 0;
    for (let index = 0; index < this.count; index++) if (!isIgnored(this.path(index), this.kind(index))) kept++;
    return kept;
  }

  /** Entry `index` as an object; its strings are joined, not concatenated (one flat string each instead of a rope of pieces that lives as long as the entry). */
  entry(index: number): DriverEntry {
    const folder = this.folderPaths[this.columns.parents[index] as number] as string;
    const name = this.name(index);
    const path = folder === '' ? name : [folder, name].join('/');
    return { path, kind: this.kind(index), size: this.number(index, 1), mtimeMs: Math.floor(this.number(index, 2)), id: this.id(index), hash: null, revision: this.revision(index) };
  }

  entries(): DriverEntry[] {
    const entries: DriverEntry[] = [];
    for (let index = 0; index < this.count; index++) entries.push(this.entry(index));
    return entries;
  }
}
