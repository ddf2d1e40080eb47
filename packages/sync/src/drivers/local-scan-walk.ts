/**
 * @module drivers/local-scan-walk
 * The walk of a local folder tree into columns: `readdirSync` (names only)
 * and one `lstatSync` per entry, which also tells folders from files.
 * Entry names are written as UTF-8 into one byte column (a folder at a time)
 * (with each name's end offset in another), inode, size and mtime into
 * typed arrays (inodes and sizes in 4 bytes while they fit), the folder
 * each entry lies in into an Int32Array — typed
 * arrays only, outside the JavaScript heap: no name string outlives its
 * folder's turn (surviving strings are what makes V8 grow its young
 * generation), and a worker thread hands every column back without a copy.
 *
 * `walkFolderTree` is self-contained on purpose: it refers to nothing but its
 * parameters and Node's globals (`Buffer`), so `local-scan-thread.ts` can run
 * its source text in a worker thread. The same function runs in the calling
 * thread when a `skip` callback (ignore rules) must be consulted, and for
 * one of the two sides of a pair (see `local-scan-thread.ts`).
 *
 * The walk also tells whether its listing may have a fingerprint (see
 * `LocalScan.fingerprint`): not when an entry's mtime is within the racy
 * window or a `skip` applies. The walk order is fixed (depth-first, each
 * folder's names sorted), so equal columns mean equal listings.
 */
import type { EntryKind } from '../driver.js';

/** The parts of `node:fs` the walk uses. */
export interface WalkFs {
  readdirSync(path: string): string[];
  lstatSync(path: string, options: { throwIfNoEntry: false }): WalkStats | undefined;
  rmSync(path: string, options: { force: boolean; recursive: boolean }): void;
}

export interface WalkStats {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  /** 0 when the file system records no birth time. */
  readonly birthtimeMs: number;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

export interface WalkRequest {
  /** Absolute path of the tree's root. */
  readonly root: string;
  /** The scan's clock (ms). */
  readonly now: number;
  /** Names starting with this are the driver's temp files: never listed, removed when stale. */
  readonly tempPrefix: string;
  readonly staleTempMs: number;
  readonly racyWindowMs: number;
  /** Expected number of entries (sizes the columns up front; 0 when unknown). */
  readonly sizeHint: number;
}

export interface WalkColumns {
  readonly count: number;
  /** Entry names in walk order, UTF-8, back to back (entry i spans `nameEnds[i - 1]` (0 for i = 0) to `nameEnds[i]`). */
  readonly names: Uint8Array<ArrayBuffer>;
  /** End offset of each entry's name in `names`. */
  readonly nameEnds: Int32Array<ArrayBuffer>;
  /** Inode per entry: 4 bytes each while every inode fits in 32 bits, else 8. */
  readonly inodes: Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer>;
  /** Size per entry (0 for folders): 4 bytes each while every size is under 4 GiB, else 8. */
  readonly sizes: Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer>;
  /** Modification time in ms (fractional) per entry. */
  readonly mtimes: Float64Array<ArrayBuffer>;
  /** Birth time in ms (fractional; 0 when the file system records none) per entry: part of the entry's id. */
  readonly births: Float64Array<ArrayBuffer>;
  /** Index (into `folderPaths`) of the folder each entry lies in. */
  readonly parents: Int32Array<ArrayBuffer>;
  /** 1 for folders, 0 for files. */
  readonly folders: Uint8Array<ArrayBuffer>;
  /** Relative paths of the listed folders joined with `\0`; index 0 is the root (""). */
  readonly folderPaths: string;
  /** Per folder index: first entry index of its (contiguous, name-sorted) children, -1 when not listed. */
  readonly firsts: Int32Array<ArrayBuffer>;
  /** Per folder index: number of children. */
  readonly counts: Int32Array<ArrayBuffer>;
  /** False when the listing must have no fingerprint (a racy entry, or a `skip` applied). */
  readonly fingerprintable: boolean;
  /**
   * Entries that are neither files nor folders, so not synced (and not kept
   * out by `skip`): each a kind letter (`l` a symbolic link, `o` anything
   * else: a socket, a pipe, a device) and its relative path, joined with `\0`;
   * the first `maxSkippedListed` of them.
   */
  readonly skipped: string;
  /** How many such entries there were in all. */
  readonly skippedCount: number;
}

export type WalkSkip = (path: string, kind: EntryKind) => boolean;

/**
 * Walks `request.root`. Throws when the root cannot be read; entries that
 * vanish during the walk are left out. `pause` (if given) is awaited every
 * 256 folders so a caller on the main thread keeps its timers and signals.
 */
export async function walkFolderTree(
  fs: WalkFs,
  request: WalkRequest,
  skip: WalkSkip | undefined,
  pause: (() => Promise<void>) | undefined,
): Promise<WalkColumns> {
  // Typed arrays are zero-filled lazily by the system: capacity never written costs no memory.
  // A walk that outgrows them (no size hint: a first sync) moves each column once into a
  // resizable buffer that reserves address space for 2^24 values and then grows in place:
  // doubling by copying would leave every outgrown array resident until a full collection.
  const reservedEntries = 1 << 24;
  const enlarge = <Column extends Float64Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(
    column: Column,
    length: number,
    view: (buffer: ArrayBuffer, length: number) => Column,
  ): Column => {
    const bytes = length * column.BYTES_PER_ELEMENT;
    if (column.buffer.resizable && bytes <= column.buffer.maxByteLength) {
      column.buffer.resize(bytes);
      return view(column.buffer, length);
    }
    let buffer: ArrayBuffer;
    try {
      // Room for 2^24 elements, or 16 times the present size (names outgrow 2^24 bytes): rarely a second move.
      buffer = new ArrayBuffer(bytes, { maxByteLength: Math.max(bytes * 16, column.BYTES_PER_ELEMENT * reservedEntries) });
    } catch {
      buffer = new ArrayBuffer(bytes); // no address space to reserve: copy on each growth
    }
    const larger = view(buffer, length);
    larger.set(column.subarray(0, Math.min(column.length, length)));
    return larger;
  };
  let capacity = Math.max(1024, Math.ceil(request.sizeHint * 1.1) + 64);
  let inodes: Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer> = new Uint32Array(capacity);
  let sizes: Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer> = new Uint32Array(capacity);
  let mtimes = new Float64Array(capacity);
  const wide = (buffer: ArrayBuffer, length: number): Float64Array<ArrayBuffer> => new Float64Array(buffer, 0, length);
  const narrow = (buffer: ArrayBuffer, length: number): Uint32Array<ArrayBuffer> => new Uint32Array(buffer, 0, length);
  /** The same numbers in 8-byte slots (a value past 32 bits came along). */
  const widened = (column: Uint32Array<ArrayBuffer>): Float64Array<ArrayBuffer> => {
    const widerColumn = new Float64Array(column.length);
    widerColumn.set(column);
    return widerColumn;
  };
  let births = new Float64Array(capacity);
  let parents = new Int32Array(capacity);
  let folders = new Uint8Array(capacity);
  let nameEnds = new Int32Array(capacity);
  let names = Buffer.alloc(capacity * 32);
  let nameBytes = 0;
  let folderCapacity = 64;
  let firsts = new Int32Array(folderCapacity).fill(-1);
  let counts = new Int32Array(folderCapacity);
  /** The names kept from the folder being read (written to `names` when it is done). */
  const kept: string[] = [];
  const folderPaths: string[] = [''];
  const pending: number[] = [0];
  const racyAfter = request.now - request.racyWindowMs;
  let racy = false;
  const maxSkippedListed = 1000;
  const skipped: string[] = [];
  let skippedCount = 0;
  let count = 0;
  let foldersRead = 0;
  while (pending.length > 0) {
    const folder = pending.pop() as number;
    const relativeDir = folderPaths[folder] as string;
    const absoluteDir = relativeDir === '' ? request.root : `${request.root}/${relativeDir}`;
    let listed: string[];
    try {
      listed = fs.readdirSync(absoluteDir);
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? error.code : '';
      if (relativeDir !== '' && (code === 'ENOENT' || code === 'ENOTDIR')) continue; // removed while walking
      throw error;
    }
    listed.sort();
    firsts[folder] = count;
    for (const name of listed) {
      const absolute = `${absoluteDir}/${name}`;
      if (name.startsWith(request.tempPrefix)) {
        const temp = fs.lstatSync(absolute, { throwIfNoEntry: false });
        if (temp !== undefined && temp.mtimeMs < request.now - request.staleTempMs) fs.rmSync(absolute, { force: true, recursive: true });
        continue;
      }
      const stats = fs.lstatSync(absolute, { throwIfNoEntry: false });
      if (stats === undefined) continue; // removed while walking
      const isFolder = stats.isDirectory();
      if (!isFolder && !stats.isFile()) {
        // Symbolic links, sockets, pipes, devices: not synced, and said so (unless the ignore rules keep them out).
        const path = relativeDir === '' ? name : `${relativeDir}/${name}`;
        if (skip !== undefined && skip(path, 'file')) continue;
        if (skippedCount++ < maxSkippedListed) skipped.push(`${stats.isSymbolicLink() ? 'l' : 'o'}${path}`);
        continue;
      }
      const path = isFolder || skip !== undefined ? (relativeDir === '' ? name : `${relativeDir}/${name}`) : '';
      if (skip !== undefined && skip(path, isFolder ? 'folder' : 'file')) continue;
      if (count === capacity) {
        capacity *= 2;
        inodes = inodes instanceof Float64Array ? enlarge(inodes, capacity, wide) : enlarge(inodes, capacity, narrow);
        sizes = sizes instanceof Float64Array ? enlarge(sizes, capacity, wide) : enlarge(sizes, capacity, narrow);
        mtimes = enlarge(mtimes, capacity, wide);
        births = enlarge(births, capacity, (buffer, length) => new Float64Array(buffer, 0, length));
        parents = enlarge(parents, capacity, (buffer, length) => new Int32Array(buffer, 0, length));
        folders = enlarge(folders, capacity, (buffer, length) => new Uint8Array(buffer, 0, length));
        nameEnds = enlarge(nameEnds, capacity, (buffer, length) => new Int32Array(buffer, 0, length));
      }
      kept.push(name);
      const size = isFolder ? 0 : stats.size;
      if (stats.ino > 0xffffffff && inodes instanceof Uint32Array) inodes = widened(inodes);
      if (size > 0xffffffff && sizes instanceof Uint32Array) sizes = widened(sizes);
      inodes[count] = stats.ino;
      sizes[count] = size;
      mtimes[count] = stats.mtimeMs;
      births[count] = stats.birthtimeMs;
      parents[count] = folder;
      folders[count] = isFolder ? 1 : 0;
      count++;
      if (!isFolder && stats.mtimeMs > racyAfter) racy = true;
      if (isFolder) {
        const index = folderPaths.length;
        folderPaths.push(path);
        pending.push(index);
        if (index === folderCapacity) {
          folderCapacity *= 2;
          const moreFirsts = new Int32Array(folderCapacity).fill(-1);
          moreFirsts.set(firsts);
          firsts = moreFirsts;
          const moreCounts = new Int32Array(folderCapacity);
          moreCounts.set(counts);
          counts = moreCounts;
        }
      }
    }
    counts[folder] = count - (firsts[folder] as number);
    // The folder's names go into the byte column in one write (a write per name cost more than the rest of the walk's JavaScript).
    const joined = kept.join('');
    if (nameBytes + joined.length * 3 > names.length) {
      const bytes = enlarge(names, Math.max(names.length * 2, nameBytes + joined.length * 3), (buffer, length) => new Uint8Array(buffer, 0, length));
      names = Buffer.from(bytes.buffer, 0, bytes.length);
    }
    const written = names.write(joined, nameBytes);
    const ascii = written === joined.length; // one byte per character: every name's byte length is its length
    let end = nameBytes;
    for (let offset = 0; offset < kept.length; offset++) {
      const name = kept[offset] as string;
      end += ascii ? name.length : Buffer.byteLength(name);
      nameEnds[(firsts[folder] as number) + offset] = end;
    }
    nameBytes += written;
    kept.length = 0;
    if (pause !== undefined && ++foldersRead % 256 === 0) await pause();
  }
  return {
    count,
    names: new Uint8Array(names.buffer, names.byteOffset, nameBytes),
    nameEnds: nameEnds.subarray(0, count),
    inodes: inodes.subarray(0, count),
    sizes: sizes.subarray(0, count),
    mtimes: mtimes.subarray(0, count),
    births: births.subarray(0, count),
    parents: parents.subarray(0, count),
    folders: folders.subarray(0, count),
    folderPaths: folderPaths.join('\0'),
    firsts: firsts.slice(0, folderPaths.length),
    counts: counts.slice(0, folderPaths.length),
    fingerprintable: skip === undefined && !racy,
    skipped: skipped.join('\0'),
    skippedCount,
  };
}
