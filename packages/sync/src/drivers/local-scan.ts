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

function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

const blockBits = 12;
const blockMask = (1 << blockBits) - 1;

/** The numbers of 4,096 entries (fixed blocks: growing never copies, at most one block is partly empty). */
interface Block {
  /** inode, size, mtime (ms, fractional) of each entry. */
  readonly numbers: Float64Array;
  /** Folder index of the folder each entry lies in. */
  readonly parents: Int32Array;
  /** 1 for folders. */
  readonly folders: Uint8Array;
}

export class LocalScan implements CompactListing {
  count = 0;
  private readonly folderPaths: string[] = [''];
  private readonly folderIndex = new Map<string, number>([['', 0]]);
  /** Per folder index: where its entries start and how many there are (-1: not listed). */
  private firsts = new Int32Array(64).fill(-1);
  private counts = new Int32Array(64);
  private readonly names: string[] = [];
  private readonly blocks: Block[] = [];

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
    const at = index & blockMask;
    if (at === 0) this.blocks.push({ numbers: new Float64Array(3 << blockBits), parents: new Int32Array(1 << blockBits), folders: new Uint8Array(1 << blockBits) });
    const block = this.blocks[this.blocks.length - 1] as Block;
    this.names.push(name);
    block.numbers[at * 3] = inode;
    block.numbers[at * 3 + 1] = isFolder ? 0 : size;
    block.numbers[at * 3 + 2] = mtimeMs;
    block.parents[at] = folder;
    block.folders[at] = isFolder ? 1 : 0;
    this.counts[folder] = (this.counts[folder] as number) + 1;
    return index;
  }

  /** Column `column` (0 inode, 1 size, 2 mtime) of entry `index`. */
  private number(index: number, column: number): number {
    return (this.blocks[index >>> blockBits] as Block).numbers[(index & blockMask) * 3 + column] as number;
  }

  private isFolder(index: number): boolean {
    return (this.blocks[index >>> blockBits] as Block).folders[index & blockMask] === 1;
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
      this.counts = grown(this.counts);
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
    const folder = this.folderPaths[(this.blocks[index >>> blockBits] as Block).parents[index & blockMask] as number] as string;
    const name = this.names[index] as string;
    return folder === '' ? name : `${folder}/${name}`;
  }

  kind(index: number): EntryKind {
    return this.isFolder(index) ? 'folder' : 'file';
  }

  id(index: number): string {
    return String(this.number(index, 0));
  }

  revision(index: number): string {
    const mtimeMs = this.number(index, 2);
    const revision = `${this.number(index, 0)}:${this.number(index, 1)}:${mtimeMs}`;
    return !this.isFolder(index) && mtimeMs > this.now - racyWindowMs ? `${revision}~${this.now}.${this.scan}` : revision;
  }

  countKept(isIgnored: (path: string, kind: EntryKind) => boolean): number {
    let kept = 0;
    for (let index = 0; index < this.count; index++) if (!isIgnored(this.path(index), this.kind(index))) kept++;
    return kept;
  }

  entries(): DriverEntry[] {
    const entries: DriverEntry[] = [];
    for (let index = 0; index < this.count; index++) {
      const size = this.number(index, 1);
      entries.push({ path: this.path(index), kind: this.kind(index), size, mtimeMs: Math.floor(this.number(index, 2)), id: this.id(index), hash: null, revision: this.revision(index) });
    }
    return entries;
  }
}
