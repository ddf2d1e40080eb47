/**
 * @module testing/replicas
 * A replica as a test story sees it: a driver for the engine, plus the
 * operations a user would do on that side behind the engine's back
 * (write, delete, rename...). One factory per driver kind, so every sync
 * scenario can run against local folders today and Ferry, Drive or Dropbox
 * replicas later (`registerReplicaKind`).
 */
import { mkdir, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DriverCapabilities, SyncDriver } from '../driver.js';
import { LocalDriver, tempFilePrefix } from '../drivers/local.js';

/** What a user's own write may set besides the content. */
export interface UserWriteOptions {
  /**
   * The file's modification time, where the replica lets a client set it
   * (a local file, Drive's modifiedTime, Dropbox's client_modified); see
   * `ReplicaFixture.setsModifiedTime`.
   */
  readonly mtimeMs?: number;
}

/** Fault switches of a replica reached over the network (an emulator's or a proxy's). */
export interface ReplicaFaults {
  /**
   * The next `times` matching requests are refused: 'rate-limit' answers 429
   * with `Retry-After: retryAfterSeconds`, 'server-error' answers 503,
   * 'connection-reset' drops the connection without an answer.
   * `on: 'upload'` matches only requests that send file content.
   */
  refuse(kind: 'rate-limit' | 'server-error' | 'connection-reset', options: { readonly times: number; readonly on?: 'any' | 'upload'; readonly retryAfterSeconds?: number }): void;
  /**
   * Where the switches can do it: the next `times` matching requests reach
   * the server and are carried out, but their answers are lost (the
   * connection drops before the client reads it), so the client cannot tell
   * whether its write landed.
   */
  loseAnswer?(options: { readonly times: number; readonly on?: 'any' | 'upload' }): void;
  /** Every access token issued so far stops working (refresh tokens stay valid). */
  expireTokens?(): void;
  /**
   * Only where the test runs the server itself (Ferry): the server shuts
   * down right before the next request matching `on` goes out, and stays
   * down (connections refused) until `endOutage` starts it again with the
   * same data at the same address.
   */
  startOutage?(on: 'any' | 'upload'): void;
  endOutage?(): Promise<void>;
  /** Drops every pending refusal. */
  clear(): void;
  /**
   * The engine's driver retries a refused call itself (waiting as told):
   * true for the provider drivers and the Ferry driver.
   */
  readonly retries: boolean;
  /** How long the engine's driver was told to wait before each retry (ms), in order. */
  readonly retryWaits: number[];
}

export interface ReplicaFixture {
  readonly kind: string;
  readonly driver: SyncDriver;
  /** True when `write(..., { mtimeMs })` gives the file that modification time. */
  readonly setsModifiedTime: boolean;
  /** Present on replicas whose faults a test can switch on. */
  readonly faults?: ReplicaFaults;
  write(path: string, content: string | Uint8Array, options?: UserWriteOptions): Promise<void>;
  read(path: string): Promise<string>;
  readBytes(path: string): Promise<Uint8Array>;
  mkdir(path: string): Promise<void>;
  /** Deletes a file or a folder with its contents. */
  delete(path: string): Promise<void>;
  /** Renames or moves a file or folder (keeps its identity). */
  move(from: string, to: string): Promise<void>;
  /** Every file with its content (UTF-8), keyed by path. */
  files(): Promise<Record<string, string>>;
  /** Every folder path, sorted. */
  folders(): Promise<string[]>;
  /** Files and folders in one walk. */
  snapshot(): Promise<{ files: Record<string, string>; folders: string[] }>;
  /**
   * Only on replicas that let two entries share one name in a folder (Drive):
   * adds a second file with the name of the existing file at `path`, as
   * another client could; `rename` renames that twin (not the first one).
   */
  addSameNameTwin?(path: string, content: string): Promise<{ rename(newName: string): Promise<void> }>;
  /**
   * Makes every file look written long ago, where the replica's listing
   * tells "touched just now" apart (local modification times); a no-op on
   * replicas whose revisions never look racy.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  /** Simulate a stricter replica (case-insensitive, Windows names). */
  readonly capabilities?: Partial<DriverCapabilities>;
  /** Durable writes (fsync); off by default in tests, where no power is lost. */
  readonly fsync?: boolean;
}

export type ReplicaFactory = (workDir: string, options: ReplicaOptions) => Promise<ReplicaFixture>;

/** Tolerates entries that vanish while walking (a sync may run at the same time in watch tests). */
async function orNull<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return null;
    throw error;
  }
}

async function walk(root: string, relative: string, files: Map<string, string>, folders: string[]): Promise<void> {
  for (const dirent of (await orNull(readdir(join(root, relative), { withFileTypes: true }))) ?? []) {
    if (dirent.name.startsWith(tempFilePrefix)) continue;
    const path = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
    if (dirent.isDirectory()) {
      folders.push(path);
      await walk(root, path, files, folders);
    } else if (dirent.isFile()) {
      const text = await orNull(readFile(join(root, path), 'utf8'));
      if (text !== null) files.set(path, text);
    }
  }
}

/** A local folder replica. */
export const localReplica: ReplicaFactory = async (workDir, options) => {
  const root = join(workDir, 'root');
  await mkdir(root, { recursive: true });
  const driver = new LocalDriver({ root, fsync: options.fsync ?? false, ...(options.capabilities ? { capabilities: options.capabilities } : {}) });
  const at = (path: string): string => join(root, path);
  const snapshot = async (): Promise<{ files: Map<string, string>; folders: string[] }> => {
    const files = new Map<string, string>();
    const folders: string[] = [];
    await walk(root, '', files, folders);
    return { files, folders };
  };
  return {
    kind: 'local',
    driver,
    setsModifiedTime: true,
    async write(path, content, writeOptions) {
      await mkdir(join(at(path), '..'), { recursive: true });
      await writeFile(at(path), content);
      if (writeOptions?.mtimeMs !== undefined) await utimes(at(path), writeOptions.mtimeMs / 1000, writeOptions.mtimeMs / 1000);
    },
    read: (path) => readFile(at(path), 'utf8'),
    readBytes: async (path) => new Uint8Array(await readFile(at(path))),
    async mkdir(path) {
      await mkdir(at(path), { recursive: true });
    },
    delete: (path) => rm(at(path), { recursive: true }),
    async move(from, to) {
      await mkdir(join(at(to), '..'), { recursive: true });
      await rename(at(from), at(to));
    },
    async files() {
      const { files } = await snapshot();
      return Object.fromEntries([...files].sort(([left], [right]) => (left < right ? -1 : 1)));
    },
    async folders() {
      return (await snapshot()).folders.sort();
    },
    async snapshot() {
      const { files, folders } = await snapshot();
      return { files: Object.fromEntries([...files].sort(([left], [right]) => (left < right ? -1 : 1))), folders: folders.sort() };
    },
    async settle() {
      const hourAgo = Date.now() / 1000 - 3600;
      for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) await utimes(join(entry.parentPath, entry.name), hourAgo, hourAgo);
      }
    },
    close: () => driver.close(),
  };
};

const factories = new Map<string, ReplicaFactory>([['local', localReplica]]);

/** Makes a driver kind available to `syncPair(kind, ...)`. */
export function registerReplicaKind(kind: string, factory: ReplicaFactory): void {
  factories.set(kind, factory);
}

export function replicaFactory(kind: string): ReplicaFactory {
  const factory = factories.get(kind);
  if (factory === undefined) throw new Error(`No replica kind "${kind}" is registered (known: ${[...factories.keys()].join(', ')}).`);
  return factory;
}
