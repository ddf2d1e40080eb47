/**
 * @module drivers/dropbox
 * A Dropbox folder as a sync replica, through the `dropbox` SDK (API v2).
 *
 * - `list()` is `filesListFolder({recursive: true})` + `continue`. Entries
 *   carry Dropbox's `id:` as id and `rev` as revision. Paths are built from
 *   each entry's `name` under its parent (Dropbox's `path_display` may not
 *   have the real case of the folders above).
 * - Hashes: Dropbox reports `content_hash` (sha256 of 4 MiB block hashes),
 *   not the sha256 the engine compares. The driver keeps a map
 *   content_hash → sha256 of every content it uploaded or downloaded (give
 *   it a persistent `hashCache` to keep it across runs): known contents are
 *   listed with their sha256, so unchanged files are recognised without a
 *   download; `hash()` downloads only contents never seen.
 * - `write()`: `add` (with `strict_conflict`) for new files, `update` with the
 *   expected `rev` for replacements — Dropbox checks the rev itself, so there
 *   is no race; a 409 conflict is `precondition_failed`. Above
 *   `sessionThreshold` (8 MiB) an upload session (start / append_v2 /
 *   finish) in chunks of `chunkSize`, each retried on its own.
 * - `move()` is `filesMoveV2` by id (the id stays, case-only renames work);
 *   `delete()` is `filesDeleteV2` (Dropbox keeps deleted files restorable).
 * - `changes()` follows list_folder cursors (`reset` → `expired`);
 *   `waitForChanges()` long-polls for watch mode.
 * - Case-insensitive; `\` and names ending with a space or a dot are refused
 *   (help.dropbox.com "Naming Dropbox files and folders").
 * - Every call runs under the driver's retry policy (provider-retry.ts).
 */
import { FerryError } from '@ferry/core/errors';
import type { Dropbox, files } from 'dropbox';
import { type ByteStream, type ChangesResult, type DriverCapabilities, type DriverChange, type DriverEntry, type EntryKind, type EntryRef, parentPath, type SyncDriver, type WriteOptions } from '../driver.js';
import { pathProblem } from '../name-rules.js';
import {
  createFolderResultSchema,
  cursorResultSchema,
  describeDropboxFailure,
  downloadResultSchema,
  type DropboxFetch,
  type DropboxFileMetadata,
  dropboxFailure,
  type DropboxMetadata,
  dropboxTime,
  isEndpointError,
  listFolderResultSchema,
  longpollResultSchema,
  metadataSchema,
  providerName,
  relocationResultSchema,
} from './dropbox-api.js';
import { DualHasher } from './dropbox-content-hash.js';
import { type DropboxAuthOptions, DropboxSession } from './dropbox-session.js';
import { uploadFile } from './dropbox-upload.js';
import { type RetryPolicy, retryPolicy } from './provider-retry.js';

export type { DropboxAuthOptions } from './dropbox-session.js';

/** Where the driver remembers which sha256 a content_hash stands for. */
export interface ContentHashCache {
  get(contentHash: string): string | undefined;
  set(contentHash: string, sha256: string): void;
}

export interface DropboxDriverOptions {
  readonly auth: DropboxAuthOptions;
  /** The folder to sync (`/Team/Projects`), or `''` for the whole Dropbox. Created when missing. */
  readonly root: string;
  /** The SDK's `domain` / `domainDelimiter` (emulators). */
  readonly domain?: string;
  readonly domainDelimiter?: string;
  /** The fetch the SDK sends with (default the global one). */
  readonly fetch?: DropboxFetch;
  /** Files above this many bytes go through an upload session (default 8 MiB). */
  readonly sessionThreshold?: number;
  /** Upload session chunk size (default 8 MiB). */
  readonly chunkSize?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly hashCache?: ContentHashCache;
}

export const dropboxCapabilities: DriverCapabilities = {
  caseInsensitive: true,
  normalizesUnicode: false,
  maxNameBytes: 255,
  forbiddenCharacters: '\\',
  forbidsReservedNames: false,
  forbidsTrailingDotOrSpace: true,
};

const joinPath = (parent: string, name: string): string => (parent === '' ? name : `${parent}/${name}`);
const lowerParent = (pathLower: string): string => pathLower.slice(0, Math.max(0, pathLower.lastIndexOf('/')));

export class DropboxDriver implements SyncDriver {
  readonly kind = 'dropbox';
  readonly capabilities = dropboxCapabilities;
  private readonly session: DropboxSession;
  private readonly root: string;
  private readonly sessionThreshold: number;
  private readonly chunkSize: number;
  private readonly hashCache: ContentHashCache;
  /** content_hash by id, from listings. */
  private readonly contentHashes = new Map<string, string>();
  private rootReady: Promise<void> | undefined;

  constructor(options: DropboxDriverOptions) {
    this.root = options.root.replace(/\/+$/, '');
    if (this.root !== '' && !this.root.startsWith('/')) throw new FerryError('bad_request', `The Dropbox root must start with "/" (got "${options.root}").`);
    this.session = new DropboxSession(options.auth, options, retryPolicy(options.retry));
    this.sessionThreshold = options.sessionThreshold ?? 8 * 1024 * 1024;
    this.chunkSize = options.chunkSize ?? 8 * 1024 * 1024;
    this.hashCache = options.hashCache ?? new Map<string, string>();
  }

  private full(path: string): string {
    return path === '' ? this.root : `${this.root}/${path}`;
  }

  /** Creates the root folder on first use when it is missing. */
  private ensureRoot(): Promise<void> {
    if (this.root === '') return Promise.resolve();
    this.rootReady ??= this.mkdirAt(this.root).then(
      () => undefined,
      (error: unknown) => {
        this.rootReady = undefined;
        throw error;
      },
    );
    return this.rootReady;
  }

  private toEntry(metadata: DropboxMetadata, path: string): DriverEntry {
    if (metadata['.tag'] === 'deleted') throw new FerryError('internal', `${path} is deleted.`);
    if (metadata['.tag'] === 'folder') return { path, kind: 'folder', size: 0, mtimeMs: 0, id: metadata.id, hash: null, revision: 'folder' };
    return this.fileEntry(metadata, path);
  }

  /** A file entry; its hash is the sha256 when the content_hash is known, else null (the engine asks `hash()`). */
  private fileEntry(metadata: DropboxFileMetadata, path: string): DriverEntry {
    if (metadata.content_hash !== undefined) this.contentHashes.set(metadata.id, metadata.content_hash);
    const modified = Date.parse(metadata.client_modified ?? metadata.server_modified ?? '');
    const sha256 = metadata.content_hash === undefined ? undefined : this.hashCache.get(metadata.content_hash);
    return { path, kind: 'file', size: metadata.size, mtimeMs: Number.isNaN(modified) ? 0 : modified, id: metadata.id, hash: sha256 ?? null, revision: metadata.rev };
  }

  async list(options?: { readonly skip?: (path: string, kind: EntryKind) => boolean }): Promise<DriverEntry[]> {
    await this.ensureRoot();
    const all: DropboxMetadata[] = [];
    let page = await this.session.call('files/list_folder', async (client) => listFolderResultSchema.parse((await client.filesListFolder({ path: this.root, recursive: true, limit: 2000 })).result));
    all.push(...page.entries);
    while (page.has_more) {
      const cursor = page.cursor;
      page = await this.session.call('files/list_folder/continue', async (client) => listFolderResultSchema.parse((await client.filesListFolderContinue({ cursor })).result));
      all.push(...page.entries);
    }
    // Paths from names under their parents (path_display may not have the folders' real case).
    const rootLower = this.root.toLowerCase();
    const depth = (entry: DropboxMetadata): number => (entry.path_lower ?? '').split('/').length;
    const paths = new Map<string, string>([[rootLower, '']]);
    const entries: DriverEntry[] = [];
    for (const item of all.filter((candidate) => candidate['.tag'] !== 'deleted').sort((left, right) => depth(left) - depth(right))) {
      const lower = item.path_lower ?? '';
      if (lower === rootLower) continue;
      const parent = paths.get(lowerParent(lower));
      if (parent === undefined) continue; // below a skipped folder
      const path = joinPath(parent, item.name);
      const entry = this.toEntry(item, path);
      if (options?.skip?.(path, entry.kind) === true) continue;
      entries.push(entry);
      if (entry.kind === 'folder') paths.set(lower, path);
    }
    return entries;
  }

  private async metadataAt(target: string): Promise<DropboxMetadata | null> {
    try {
      return await this.session.callRaw('files/get_metadata', async (client) => metadataSchema.parse((await client.filesGetMetadata({ path: target })).result));
    } catch (error) {
      if (isEndpointError(error, 'path/not_found')) return null;
      throw describeDropboxFailure(error, 'files/get_metadata');
    }
  }

  async stat(path: string): Promise<DriverEntry | null> {
    await this.ensureRoot();
    const metadata = await this.metadataAt(this.full(path));
    if (metadata === null || metadata['.tag'] === 'deleted') return null;
    return this.toEntry(metadata, joinPath(parentPath(path), metadata.name));
  }

  async read(path: string): Promise<ByteStream> {
    const content = await this.download(this.full(path), path);
    return (async function* single(): ByteStream {
      yield content;
    })();
  }

  /** Downloads a whole file (the SDK buffers it in memory) and remembers its hashes. */
  private async download(target: string, path: string): Promise<Buffer> {
    let result;
    try {
      result = await this.session.callRaw('files/download', async (client) => downloadResultSchema.parse((await client.filesDownload({ path: target })).result));
    } catch (error) {
      if (isEndpointError(error, 'path/not_found')) throw new FerryError('file_not_found', `${path} does not exist in ${providerName}.`);
      if (isEndpointError(error, 'path/not_file')) throw new FerryError('not_a_file', `${path} is a folder.`);
      throw describeDropboxFailure(error, 'files/download');
    }
    const content = result.fileBinary ?? (result.fileBlob !== undefined ? Buffer.from(await result.fileBlob.arrayBuffer()) : Buffer.alloc(0));
    const hasher = new DualHasher();
    hasher.update(content);
    const { contentHash, sha256 } = hasher.digest();
    this.hashCache.set(contentHash, sha256);
    return content;
  }

  private assertName(path: string): void {
    const problem = pathProblem(path, this.capabilities);
    if (problem !== null) throw new FerryError('invalid_name', `${path}: ${problem}`);
  }

  async write(path: string, content: ByteStream, options: WriteOptions): Promise<DriverEntry> {
    this.assertName(path);
    await this.ensureRoot();
    const expected = options.expected;
    const mode: files.WriteMode = expected.kind === 'absent' ? { '.tag': 'add' } : expected.kind === 'revision' ? { '.tag': 'update', update: expected.revision } : { '.tag': 'overwrite' };
    const commit: files.CommitInfo = {
      path: this.full(path),
      mode,
      autorename: false,
      mute: true,
      strict_conflict: expected.kind !== 'any',
      ...(options.mtimeMs !== undefined ? { client_modified: dropboxTime(options.mtimeMs) } : {}),
    };
    try {
      const uploaded = await uploadFile(this.session, commit, content, { sessionThreshold: this.sessionThreshold, chunkSize: this.chunkSize });
      if (uploaded.metadata.content_hash === undefined || uploaded.metadata.content_hash === uploaded.contentHash) this.hashCache.set(uploaded.contentHash, uploaded.sha256);
      return this.fileEntry(uploaded.metadata, path);
    } catch (error) {
      if (isEndpointError(error, 'path/conflict')) {
        throw new FerryError('precondition_failed', `${path} changed in ${providerName} while syncing (${dropboxFailure(error)?.summary ?? 'conflict'}).`);
      }
      throw describeDropboxFailure(error, 'upload');
    }
  }

  private async mkdirAt(target: string): Promise<DropboxMetadata> {
    try {
      return await this.session.callRaw('files/create_folder_v2', async (client) => {
        const created = createFolderResultSchema.parse((await client.filesCreateFolderV2({ path: target, autorename: false })).result);
        return { '.tag': 'folder' as const, ...created.metadata };
      });
    } catch (error) {
      if (!isEndpointError(error, 'path/conflict')) throw describeDropboxFailure(error, 'files/create_folder_v2');
      const existing = await this.metadataAt(target);
      if (existing?.['.tag'] !== 'folder') throw new FerryError('not_a_folder', `${target} exists in ${providerName} and is a file.`);
      return existing;
    }
  }

  async mkdir(path: string): Promise<DriverEntry> {
    this.assertName(path);
    await this.ensureRoot();
    return this.toEntry(await this.mkdirAt(this.full(path)), path);
  }

  /** The entry `ref` names if it is still there and unchanged; null when it is gone. */
  private async resolveRef(ref: EntryRef): Promise<DropboxMetadata | null> {
    const current = await this.metadataAt(this.full(ref.path));
    if (current === null || current['.tag'] === 'deleted') return null;
    if (current.id !== ref.id || (current['.tag'] === 'folder') !== (ref.kind === 'folder')) {
      throw new FerryError('precondition_failed', `${ref.path} was replaced in ${providerName} while syncing.`);
    }
    if (ref.revision !== undefined && current['.tag'] === 'file' && current.rev !== ref.revision) {
      throw new FerryError('precondition_failed', `${ref.path} changed in ${providerName} while syncing.`);
    }
    return current;
  }

  async move(from: EntryRef, toPath: string): Promise<DriverEntry> {
    const current = await this.resolveRef(from);
    if (current === null) throw new FerryError('node_not_found', `${from.path} no longer exists in ${providerName}.`);
    this.assertName(toPath);
    try {
      const moved = await this.session.callRaw('files/move_v2', async (client) =>
        relocationResultSchema.parse((await client.filesMoveV2({ from_path: from.id, to_path: this.full(toPath), autorename: false })).result),
      );
      return this.toEntry(moved.metadata, toPath);
    } catch (error) {
      if (isEndpointError(error, 'to/conflict')) throw new FerryError('name_conflict', `${toPath} already exists in ${providerName}.`);
      throw describeDropboxFailure(error, 'files/move_v2');
    }
  }

  async delete(entry: EntryRef): Promise<void> {
    const current = await this.resolveRef(entry);
    if (current === null) return;
    try {
      await this.session.callRaw('files/delete_v2', (client) => client.filesDeleteV2({ path: entry.id, ...(current['.tag'] === 'file' ? { parent_rev: current.rev } : {}) }));
    } catch (error) {
      if (isEndpointError(error, 'path_lookup/not_found')) return;
      if (isEndpointError(error, 'path_lookup')) throw new FerryError('precondition_failed', `${entry.path} changed in ${providerName} while syncing.`);
      throw describeDropboxFailure(error, 'files/delete_v2');
    }
  }

  async changes(cursor: string | null): Promise<ChangesResult> {
    await this.ensureRoot();
    if (cursor === null) {
      const latest = await this.session.call('files/list_folder/get_latest_cursor', async (client) =>
        cursorResultSchema.parse((await client.filesListFolderGetLatestCursor({ path: this.root, recursive: true })).result),
      );
      return { kind: 'changes', changes: [], cursor: latest.cursor };
    }
    const changes: DriverChange[] = [];
    for (let next = cursor; ; ) {
      const at = next;
      let page;
      try {
        page = await this.session.callRaw('files/list_folder/continue', async (client) => listFolderResultSchema.parse((await client.filesListFolderContinue({ cursor: at })).result));
      } catch (error) {
        if (isEndpointError(error, 'reset')) return { kind: 'expired' };
        throw describeDropboxFailure(error, 'files/list_folder/continue');
      }
      for (const item of page.entries) {
        const path = this.relative(item.path_display ?? item.path_lower ?? '');
        if (path !== null) changes.push({ path, id: item['.tag'] === 'deleted' ? null : item.id, removed: item['.tag'] === 'deleted' });
      }
      next = page.cursor;
      if (!page.has_more) return { kind: 'changes', changes, cursor: next };
    }
  }

  /** A full Dropbox path as a path below the root; null for the root itself or outside it. */
  private relative(fullPath: string): string | null {
    const prefix = `${this.root.toLowerCase()}/`;
    return fullPath.toLowerCase().startsWith(prefix) ? fullPath.slice(prefix.length) : null;
  }

  /** Watch mode: waits (up to `timeoutSeconds`, 30–480) until something changed after `cursor`. */
  async waitForChanges(cursor: string, timeoutSeconds = 30): Promise<{ changed: boolean; backoffSeconds: number }> {
    const poll = async (client: Dropbox): Promise<{ changes: boolean; backoff?: number | undefined }> =>
      longpollResultSchema.parse((await client.filesListFolderLongpoll({ cursor, timeout: timeoutSeconds })).result);
    const answer = await this.session.call('files/list_folder/longpoll', poll, (timeoutSeconds + 90) * 1000);
    return { changed: answer.changes, backoffSeconds: answer.backoff ?? 0 };
  }

  async hash(entry: DriverEntry): Promise<string> {
    if (entry.hash !== null) return entry.hash;
    let contentHash = this.contentHashes.get(entry.id);
    if (contentHash === undefined) {
      const metadata = await this.metadataAt(entry.id);
      if (metadata?.['.tag'] === 'file') contentHash = metadata.content_hash;
    }
    const known = contentHash === undefined ? undefined : this.hashCache.get(contentHash);
    if (known !== undefined) return known;
    const content = await this.download(entry.id, entry.path);
    const hasher = new DualHasher();
    hasher.update(content);
    return hasher.digest().sha256;
  }

  async close(): Promise<void> {}
}
