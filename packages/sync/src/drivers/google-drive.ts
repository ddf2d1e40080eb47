/**
 * @module drivers/google-drive
 * A Google Drive folder as a sync replica, through `@googleapis/drive` v3.
 *
 * - The replica root is a folder given by id, or by a path under My Drive
 *   (created when missing). `rootUrl` points the SDK (and every media call)
 *   at another host, such as the emulator.
 * - `list()` walks the tree with `files.list` (`'<id>' in parents and
 *   trashed = false`, paged, with `fields`). Entries carry the Drive file id
 *   as their id, `headRevisionId` (content revision; renames keep it) as
 *   revision and `sha256Checksum` as hash. Google Docs, Sheets and shortcuts
 *   have no bytes and are not synced.
 * - Drive allows two entries with the same name in one folder (and `/` in
 *   names). Such names cannot be mapped to paths: `list()` fails with
 *   `name_conflict` naming each of them instead of silently picking one, so
 *   the engine stops before deciding anything from a partial view.
 * - `write()`: up to `resumableThreshold` bytes in one multipart request,
 *   more through a resumable session in chunks of `chunkSize`. Drive has no
 *   If-Match on uploads, so the precondition is checked by reading the
 *   file's metadata right before the request that makes the new content
 *   visible. Remaining race: a change landing between that read and the
 *   upload is replaced (Drive keeps it in the file's revision history).
 *   A new file or folder is created with an id reserved by
 *   `files.generateIds`, so a create whose answer was lost is recognised
 *   when it is sent again (409) instead of making a second same-name file
 *   (`google-drive-ids.ts`).
 * - `move()` is `files.update` with addParents/removeParents + name (the id
 *   stays). `delete()` moves to Drive's trash (restorable for 30 days) unless
 *   `deleteMode: 'permanent'`.
 * - `changes()` follows `changes.getStartPageToken` / `changes.list` page
 *   tokens, mapping file ids back to paths; an invalid token is `expired`.
 * - Every call runs under the driver's own retry policy (provider-retry.ts);
 *   the SDK's own retries are off.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { FerryError } from '@ferry/core/errors';
import { baseName, type ByteStream, type ChangesResult, type DriverCapabilities, type DriverEntry, type EntryKind, type EntryRef, parentPath, type SyncDriver, type WriteOptions } from '../driver.js';
import { pathProblem } from '../name-rules.js';
import { ChunkReader } from './byte-chunks.js';
import { type DriveFile, driveFileSchema, fileFields, type GoogleDriveAuth, isFolder, providerName, resumableChunkUnit, toEntry } from './google-drive-api.js';
import { DriveChangeFeed } from './google-drive-changes.js';
import { type DriveFetch, DriveSession } from './google-drive-session.js';
import { createOnce, GeneratedIdPool } from './google-drive-ids.js';
import { type DriveRoot, DriveTree } from './google-drive-tree.js';
import { resumableUpload } from './google-drive-upload.js';
import { type RetryPolicy, responseDeadline, retryPolicy, stallGuard } from './provider-retry.js';

export type { GoogleDriveAuth } from './google-drive-api.js';

export interface GoogleDriveDriverOptions {
  readonly auth: GoogleDriveAuth;
  /** The folder to sync: by id, or by a `/`-separated path under My Drive (created when missing). */
  readonly root: DriveRoot;
  /** Drive's API host with a trailing slash (default `https://www.googleapis.com/`). */
  readonly rootUrl?: string;
  /** Files above this many bytes use a resumable session (default 5 MiB). */
  readonly resumableThreshold?: number;
  /** Resumable chunk size, a multiple of 256 KiB (default 8 MiB). */
  readonly chunkSize?: number;
  /** `trash` (default, restorable) or `permanent`. */
  readonly deleteMode?: 'trash' | 'permanent';
  readonly retry?: Partial<RetryPolicy>;
  /** A download that sends nothing for this long fails (default 60 s). */
  readonly downloadIdleMs?: number;
  /**
   * Sends every HTTP request of the driver — API, media, uploads, token refresh — instead of the
   * global fetch (gaxios' `fetchImplementation`), e.g. the server's guarded, paced and measured client.
   */
  readonly fetch?: DriveFetch;
}

/** Drive takes nearly any name; `/` cannot be part of a path segment anyway. */
export const googleDriveCapabilities: DriverCapabilities = {
  caseInsensitive: false,
  normalizesUnicode: false,
  maxNameBytes: 32_767,
  forbiddenCharacters: '',
  forbidsReservedNames: false,
  forbidsTrailingDotOrSpace: false,
};

export class GoogleDriveDriver implements SyncDriver {
  readonly kind = 'google-drive';
  readonly capabilities = googleDriveCapabilities;
  private readonly session: DriveSession;
  private readonly tree: DriveTree;
  private readonly ids: GeneratedIdPool;
  private readonly feed: DriveChangeFeed;
  private readonly resumableThreshold: number;
  private readonly chunkSize: number;
  private readonly downloadIdleMs: number;

  constructor(private readonly options: GoogleDriveDriverOptions) {
    this.session = new DriveSession(options.auth, options.rootUrl ?? 'https://www.googleapis.com/', retryPolicy(options.retry), options.fetch);
    this.ids = new GeneratedIdPool(this.session);
    this.tree = new DriveTree(this.session, options.root, this.ids);
    this.feed = new DriveChangeFeed(this.session, this.tree);
    this.resumableThreshold = options.resumableThreshold ?? 5 * 1024 * 1024;
    this.chunkSize = options.chunkSize ?? 32 * resumableChunkUnit;
    this.downloadIdleMs = options.downloadIdleMs ?? 60_000;
  }

  async list(options?: { readonly skip?: (path: string, kind: EntryKind) => boolean }): Promise<DriverEntry[]> {
    const entries = await this.tree.walk(options?.skip);
    this.feed.remember(entries);
    return entries;
  }

  async stat(path: string): Promise<DriverEntry | null> {
    const parentId = await this.tree.existingFolderId(parentPath(path));
    if (parentId === null) return null;
    const file = await this.tree.childNamed(parentId, path);
    return file === null ? null : toEntry(file, path);
  }

  async read(path: string): Promise<ByteStream> {
    const entry = await this.stat(path);
    if (entry === null) throw new FerryError('file_not_found', `${path} does not exist in ${providerName}.`);
    if (entry.kind !== 'file') throw new FerryError('not_a_file', `${path} is a folder.`);
    return this.download(entry.id);
  }

  private async download(fileId: string): Promise<ByteStream> {
    let abort = (): void => undefined;
    const stream = await this.session.call('download', async ({ api }, options) => {
      const deadline = responseDeadline(this.session.policy.requestTimeoutMs);
      abort = deadline.abort;
      try {
        return (await api.files.get({ fileId, alt: 'media' }, { ...options, signal: deadline.signal, responseType: 'stream' })).data;
      } finally {
        deadline.done();
      }
    });
    return stallGuard(stream, this.downloadIdleMs, providerName, abort);
  }

  private assertName(path: string): void {
    const problem = pathProblem(path, this.capabilities);
    if (problem !== null) throw new FerryError('invalid_name', `${path}: ${problem}`);
  }

  /** The file now at `path` (below `parentId`), if it is what `options.expected` wants; else `precondition_failed`. */
  private async checkExpected(parentId: string, path: string, options: WriteOptions): Promise<DriveFile | null> {
    const current = await this.tree.childNamed(parentId, path);
    if (current !== null && isFolder(current)) throw new FerryError('not_a_file', `${path} is a folder in ${providerName}.`);
    const expected = options.expected;
    if (expected.kind === 'absent' && current !== null) throw new FerryError('precondition_failed', `${path} appeared in ${providerName} while syncing.`);
    if (expected.kind === 'revision' && (current === null || toEntry(current, path).revision !== expected.revision)) {
      throw new FerryError('precondition_failed', `${path} changed in ${providerName} while syncing.`);
    }
    return current;
  }

  async write(path: string, content: ByteStream, options: WriteOptions): Promise<DriverEntry> {
    this.assertName(path);
    const parentId = (await this.tree.folderId(parentPath(path), true)) as string;
    const name = baseName(path);
    const reader = new ChunkReader(content);
    const head = await reader.read(this.resumableThreshold);
    const large = await reader.hasMore();
    const existing = await this.checkExpected(parentId, path, options); // after reading: the window to the upload is short
    const metadata = options.mtimeMs === undefined ? {} : { modifiedTime: new Date(options.mtimeMs).toISOString() };
    let file: DriveFile;
    if (large) {
      reader.putBack(head);
      file = await resumableUpload({
        client: (await this.session.connect()).client,
        rootUrl: this.session.rootUrl,
        fileId: existing?.id,
        // A new file takes a reserved id, so a session started twice cannot make two files.
        metadata: existing === null ? { ...metadata, id: await this.ids.next(), name, parents: [parentId] } : metadata,
        reader,
        chunkSize: this.chunkSize,
        call: (label, operation) => this.session.call(label, (_connection, callOptions, attempt) => operation(callOptions.signal, attempt)),
        beforeLastChunk: async () => void (await this.checkExpected(parentId, path, options)),
      });
    } else if (existing !== null) {
      file = await this.session.call('files.update (content)', async ({ api }, callOptions) => {
        const media = { mimeType: 'application/octet-stream', body: Readable.from([head]) };
        return driveFileSchema.parse((await api.files.update({ fileId: existing.id, requestBody: metadata, media, fields: fileFields }, callOptions)).data);
      });
    } else {
      // A create whose answer was lost is sent again with the same reserved id: Drive answers 409 instead of making a second file.
      const sha256 = createHash('sha256').update(head).digest('hex');
      const id = await this.ids.next();
      file = await createOnce(this.session, {
        label: 'files.create (content)',
        id,
        create: async ({ api }, callOptions) => {
          const media = { mimeType: 'application/octet-stream', body: Readable.from([head]) };
          return driveFileSchema.parse((await api.files.create({ requestBody: { ...metadata, id, name, parents: [parentId] }, media, fields: fileFields }, callOptions)).data);
        },
        isTheSame: (landed) => landed.name === name && (landed.parents ?? []).includes(parentId) && landed.sha256Checksum === sha256,
      });
    }
    this.feed.note(file.id, path, 'file');
    return toEntry(file, path);
  }

  async mkdir(path: string): Promise<DriverEntry> {
    this.assertName(path);
    const id = (await this.tree.folderId(path, true)) as string;
    const folder = await this.tree.getById(id);
    if (folder === null) throw new FerryError('internal', `${path} vanished from ${providerName} right after creating it.`);
    this.feed.note(id, path, 'folder');
    return toEntry(folder, path);
  }

  /** The entry `ref` names, if it is still where and what the caller saw; null when it is gone. */
  private async resolveRef(ref: EntryRef): Promise<DriveFile | null> {
    const current = await this.tree.getById(ref.id);
    if (current === null) return null;
    const parentId = await this.tree.existingFolderId(parentPath(ref.path));
    const sameKind = isFolder(current) === (ref.kind === 'folder');
    if (!sameKind || current.name !== baseName(ref.path) || parentId === null || !(current.parents ?? []).includes(parentId)) {
      throw new FerryError('precondition_failed', `${ref.path} was moved or replaced in ${providerName} while syncing.`);
    }
    if (ref.revision !== undefined && ref.kind === 'file' && toEntry(current, ref.path).revision !== ref.revision) {
      throw new FerryError('precondition_failed', `${ref.path} changed in ${providerName} while syncing.`);
    }
    return current;
  }

  async move(from: EntryRef, toPath: string): Promise<DriverEntry> {
    const current = await this.resolveRef(from);
    if (current === null) throw new FerryError('node_not_found', `${from.path} no longer exists in ${providerName}.`);
    this.assertName(toPath);
    const newParent = (await this.tree.folderId(parentPath(toPath), true)) as string;
    const occupants = (await this.tree.childrenNamed(newParent, baseName(toPath))).filter((file) => file.id !== current.id);
    if (occupants.length > 0) throw new FerryError('name_conflict', `${toPath} already exists in ${providerName}.`);
    const oldParents = (current.parents ?? []).filter((id) => id !== newParent);
    const parents = oldParents.length > 0 ? { addParents: newParent, removeParents: oldParents.join(',') } : {};
    const moved = await this.session.call('files.update (move)', async ({ api }, options) =>
      driveFileSchema.parse((await api.files.update({ fileId: current.id, requestBody: { name: baseName(toPath) }, fields: fileFields, ...parents }, options)).data),
    );
    if (from.kind === 'folder') this.tree.forgetFolders(from.path);
    this.feed.note(moved.id, toPath, from.kind);
    return toEntry(moved, toPath);
  }

  async delete(entry: EntryRef): Promise<void> {
    const current = await this.resolveRef(entry);
    if (current === null) return;
    if (this.options.deleteMode === 'permanent') await this.session.call('files.delete', ({ api }, options) => api.files.delete({ fileId: current.id }, options));
    else await this.session.call('files.update (trash)', ({ api }, options) => api.files.update({ fileId: current.id, requestBody: { trashed: true }, fields: 'id' }, options));
    if (entry.kind === 'folder') this.tree.forgetFolders(entry.path);
    this.feed.forget(current.id);
  }

  async changes(cursor: string | null): Promise<ChangesResult> {
    if (cursor === null) return this.feed.startCursor();
    if (!this.feed.primed) await this.list(); // ids can only be mapped to paths once the tree is known
    return this.feed.since(cursor);
  }

  async hash(entry: DriverEntry): Promise<string> {
    if (entry.hash !== null) return entry.hash;
    const current = await this.tree.getById(entry.id);
    if (current?.sha256Checksum !== undefined) return current.sha256Checksum;
    const digest = createHash('sha256');
    for await (const chunk of await this.download(entry.id)) digest.update(chunk);
    return digest.digest('hex');
  }

  async close(): Promise<void> {}
}
