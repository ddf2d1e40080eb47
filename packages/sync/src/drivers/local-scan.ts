/**
 * @module drivers/local-scan
 * One scan of a local folder kept in the columns `walkFolderTree` produced
 * (see `local-scan-walk.ts`) instead of an object per entry: names, the
 * folder each entry lies in, and inode, size, mtime in typed arrays. A
 * folder's entries are contiguous and sorted by name, so an entry is found by
 * its folder's path and a binary search of its names: no full path string and
 * no map entry per file. Names stay in their UTF-8 byte column (a lookup
 * compares them in place, decoding as it goes, in the order the walk sorted
 * them; only `path()` makes a string), so a check against the base creates
 * no string per entry.
 * `entries()` rebuilds the plain `DriverEntry` list in scan order.
 */
import { createHash } from 'node:crypto';
import type { DriverEntry, EntryKind } from '../driver.js';
import type { CompactListing, NotSyncedEntry } from '../listing.js';
import { localEntryId, localRevision } from './local-id.js';
import type { WalkColumns } from './local-scan-walk.js';

/** A file touched this recently may change again within the same mtime tick. */
export const racyWindowMs = 2_000;

export class LocalScan implements CompactListing {
  readonly count: number;
  /** The names column as a Buffer (same memory), for decoding a name. */
  private readonly nameBytes: Buffer;
  private folderPathsCache: string[] | null = null;
  private folderIndexCache: Map<string, number> | null = null;
  private fingerprintCache: string | null = null;

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
    this.nameBytes = Buffer.from(columns.names.buffer, columns.names.byteOffset, columns.names.byteLength);
  }

  /**
   * sha256 over every entry's name, folder, kind, inode, size, mtime and
   * birth time in walk order, or null (racy entry, or a `skip` applied).
   * Computed here, not in the walk: a worker thread then never loads
   * `node:crypto` (≈ 0.8 MB more per thread), for ≈ 6 ms per 100,000 entries.
   */
  fingerprint(): string | null {
    if (!this.columns.fingerprintable) return null;
    if (this.fingerprintCache === null) {
      const { count, names, nameEnds, parents, folders, inodes, sizes, mtimes, births } = this.columns;
      const digest = createHash('sha256').update(`${count}\0${inodes.BYTES_PER_ELEMENT}\0${sizes.BYTES_PER_ELEMENT}\0`);
      for (const column of [names, nameEnds, parents, folders, inodes, sizes, mtimes, births]) digest.update(column);
      this.fingerprintCache = digest.digest('hex');
    }
    return this.fingerprintCache;
  }

  /** Symbolic links and other entries that are neither files nor folders: not synced, each with why. */
  notSynced(): { listed: NotSyncedEntry[]; count: number } {
    const { skipped, skippedCount } = this.columns;
    const listed = skipped === '' ? [] : skipped.split('\0').map((item) => ({ path: item.slice(1), reason: item.startsWith('l') ? 'a symbolic link: not synced' : 'not a file or folder (a socket, pipe or device): not synced' }));
    return { listed, count: skippedCount };
  }

  private nameStart(index: number): number {
    return index === 0 ? 0 : (this.columns.nameEnds[index - 1] as number);
  }

  private name(index: number): string {
    return this.nameBytes.toString('utf8', this.nameStart(index), this.columns.nameEnds[index]);
  }

  /**
   * Compares entry `index`'s name with `name` in JavaScript string order
   * (UTF-16 code units, as the walk's `sort()`; negative: the entry's name
   * sorts first), decoding the entry's UTF-8 bytes as it goes.
   */
  private compareName(index: number, name: string): number {
    const bytes = this.columns.names;
    const end = this.columns.nameEnds[index] as number;
    let at = this.nameStart(index);
    let unit = 0;
    while (at < end && unit < name.length) {
      const lead = bytes[at] as number;
      let codePoint: number;
      if (lead < 0x80) {
        codePoint = lead;
        at += 1;
      } else if (lead < 0xe0) {
        codePoint = ((lead & 0x1f) << 6) | ((bytes[at + 1] as number) & 0x3f);
        at += 2;
      } else if (lead < 0xf0) {
        codePoint = ((lead & 0x0f) << 12) | (((bytes[at + 1] as number) & 0x3f) << 6) | ((bytes[at + 2] as number) & 0x3f);
        at += 3;
      } else {
        codePoint = ((lead & 0x07) << 18) | (((bytes[at + 1] as number) & 0x3f) << 12) | (((bytes[at + 2] as number) & 0x3f) << 6) | ((bytes[at + 3] as number) & 0x3f);
        at += 4;
      }
      if (codePoint > 0xffff) {
        const high = 0xd800 + ((codePoint - 0x10000) >> 10);
        const highDifference = high - name.charCodeAt(unit++);
        if (highDifference !== 0) return highDifference;
        if (unit === name.length) return 1; // the entry's name goes on (its low surrogate)
        codePoint = 0xdc00 + ((codePoint - 0x10000) & 0x3ff);
      }
      const difference = codePoint - name.charCodeAt(unit++);
      if (difference !== 0) return difference;
    }
    if (at < end) return 1;
    return unit < name.length ? -1 : 0;
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

  private inode(index: number): number {
    return this.columns.inodes[index] as number;
  }

  private size(index: number): number {
    return this.columns.sizes[index] as number;
  }

  private mtime(index: number): number {
    return this.columns.mtimes[index] as number;
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
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const order = this.compareName(middle, name);
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
    return localEntryId(this.inode(index), this.columns.births[index] as number);
  }

  revision(index: number): string {
    const mtimeMs = this.mtime(index);
    const revision = localRevision(this.inode(index), this.size(index), mtimeMs);
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
    return { path, kind: this.kind(index), size: this.size(index), mtimeMs: Math.floor(this.mtime(index)), id: this.id(index), hash: null, revision: this.revision(index) };
  }

  entries(): DriverEntry[] {
    const entries: DriverEntry[] = [];
    for (let index = 0; index < this.count; index++) entries.push(this.entry(index));
    return entries;
  }
}
