/**
 * @module drivers/local-scan
 * One scan of a local folder kept in columns instead of an object per entry:
 * the name as `readdir` returned it, the folder it lies in, and inode, size,
 * mtime in typed arrays (about 70 bytes per entry instead of ~400). A folder's
 * entries are added together, sorted by name, so an entry is found by the
 * folder's path and a binary search of its names: no full path string and no
 * map entry per file. `entries()` rebuilds the plain `DriverEntry` list in
 * scan order, identical to what the driver listed before.
 */
import type { DriverEntry, EntryKind } from '../driver.js';
import type { CompactListing } from '../listing.js';

/** A file touched this recently may change again within the same mtime tick. */
export const racyWindowMs = 2_000;

function grown<T extends Float64Array | Int32Array | Uint8Array>(array: T, make: (length: number) => T): T {
  const bigger = make(array.length * 2);
  bigger.set(array);
  return bigger;
}

export class LocalScan implements CompactListing {
  count = 0;
  private readonly folderPaths: string[] = [''];
  private readonly folderIndex = new Map<string, number>([['', 0]]);
  /** Per folder index: where its entries start and how many there are (-1: not listed). */
  private firsts = new Int32Array(64).fill(-1);
  private counts = new Int32Array(64);
  private readonly names: string[] = [];
  private parents = new Int32Array(1024);
  private inodes = new Float64Array(1024);
  private sizes = new Float64Array(1024);
  private mtimes = new Float64Array(1024);
  private folders = new Uint8Array(1024);

  /**
   * @param now the scan's clock (racy files are those modified after `now - racyWindowMs`)
   * @param scan the driver's scan counter (part of a racy file's revision)
   */
  constructor(
    private readonly now: number,
    private readonly scan: number,
  ) {}

  /**
   * Starts the entries of folder `folder` (an index from `addFolder`, 0 for the root): every `add` until
   * the next `openFolder` belongs to it, in ascending name order (JavaScript string order).
   */
  openFolder(folder: number): void {
    this.firsts[folder] = this.count;
  }

  /** Adds an entry of the open folder `folder`; returns its index. */
  add(folder: number, name: string, isFolder: boolean, inode: number, size: number, mtimeMs: number): number {
    const index = this.count++;
    if (index === this.inodes.length) {
      this.parents = grown(this.parents, (length) => new Int32Array(length));
      this.inodes = grown(this.inodes, (length) => new Float64Array(length));
      this.sizes = grown(this.sizes, (length) => new Float64Array(length));
      this.mtimes = grown(this.mtimes, (length) => new Float64Array(length));
      this.folders = grown(this.folders, (length) => new Uint8Array(length));
    }
    this.names.push(name);
    this.parents[index] = folder;
    this.inodes[index] = inode;
    this.sizes[index] = isFolder ? 0 : size;
    this.mtimes[index] = mtimeMs;
    this.folders[index] = isFolder ? 1 : 0;
    this.counts[folder] = (this.counts[folder] as number) + 1;
    return index;
  }

  /** Registers a listed folder at `path` so its children can be added; returns its folder index. */
  addFolder(path: string): number {
    const folder = this.folderPaths.length;
    this.folderPaths.push(path);
    this.folderIndex.set(path, folder);
    if (folder === this.firsts.length) {
      const firsts = new Int32Array(folder * 2).fill(-1);
      firsts.set(this.firsts);
      this.firsts = firsts;
      this.counts = grown(this.counts, (length) => new Int32Array(length));
    }
    return folder;
  }

  find(path: string): number {
    const slash = path.lastIndexOf('/');
    const folder = this.folderIndex.get(slash < 0 ? '' : path.slice(0, slash));
    if (folder === undefined) return -1;
    const name = slash < 0 ? path : path.slice(slash + 1);
    let low = this.firsts[folder] as number;
    if (low < 0) return -1;
    let high = low + (this.counts[folder] as number) - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const candidate = this.names[middle] as string;
      if (candidate === name) return middle;
      if (candidate < name) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  path(index: number): string {
    const folder = this.folderPaths[this.parents[index] as number] as string;
    const name = this.names[index] as string;
    return folder === '' ? name : `${folder}/${name}`;
  }

  kind(index: number): EntryKind {
    return this.folders[index] === 1 ? 'folder' : 'file';
  }

  id(index: number): string {
    return String(this.inodes[index]);
  }

  revision(index: number): string {
    const mtimeMs = this.mtimes[index] as number;
    const revision = `${this.inodes[index]}:${this.sizes[index]}:${mtimeMs}`;
    return this.folders[index] === 0 && mtimeMs > this.now - racyWindowMs ? `${revision}~${this.now}.${this.scan}` : revision;
  }

  countKept(isIgnored: (path: string, kind: EntryKind) => boolean): number {
    let kept = 0;
    for (let index = 0; index < this.count; index++) if (!isIgnored(this.path(index), this.kind(index))) kept++;
    return kept;
  }

  entries(): DriverEntry[] {
    const entries: DriverEntry[] = [];
    for (let index = 0; index < this.count; index++) {
      const size = this.sizes[index] as number;
      entries.push({ path: this.path(index), kind: this.kind(index), size, mtimeMs: Math.floor(this.mtimes[index] as number), id: this.id(index), hash: null, revision: this.revision(index) });
    }
    return entries;
  }
}
