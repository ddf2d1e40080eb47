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
import { FerryError } from '@ferry/core';
import { drive as createDriveClient, type drive_v3 } from '@googleapis/drive';
import type { OAuth2Client } from 'google-auth-library';
import { baseName, type ByteStream, type ChangesResult, type DriverCapabilities, type DriverChange, type DriverEntry, type EntryKind, type EntryRef, parentPath, type SyncDriver, type WriteOptions } from '../driver.js';
import { pathProblem } from '../name-rules.js';
import { ChunkReader } from './byte-chunks.js';
import {
  changeListSchema,
  classifyDriveFailure,
  createOAuthClient,
  describeDriveFailure,
  type DriveFile,
  driveFileSchema,
  fileFields,
  fileListSchema,
  folderMimeType,
  forceTokenRefresh,
  type GoogleDriveAuth,
  googleAppsPrefix,
  httpFailure,
  providerName,
  queryLiteral,
  resumableChunkUnit,
} from './google-drive-api.js';
import { resumableUpload } from './google-drive-upload.js';
import { type RetryContext, type RetryPolicy, responseDeadline, retryPolicy, stallGuard, withProviderRetry } from './provider-retry.js';

export type { GoogleDriveAuth } from './google-drive-api.js';

export interface GoogleDriveDriverOptions {
  readonly auth: GoogleDriveAuth;
  /** The folder to sync: by id, or by a `/`-separated path under My Drive. */
  readonly root: { readonly folderId: string } | { readonly path: string };
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

interface CallOptions {
  readonly signal: AbortSignal;
  readonly retry: false;
  readonly rootUrl: string;
}

interface UnmappableName {
  readonly path: string;
  readonly ids: string[];
  readonly problem: string;
}

const isFolder = (file: DriveFile): boolean => file.mimeType === folderMimeType;
/** Folders and files with bytes; not Docs, Sheets, shortcuts. */
const isSyncable = (file: DriveFile): boolean => isFolder(file) || !file.mimeType.startsWith(googleAppsPrefix);
const joinPath = (parent: string, name: string): string => (parent === '' ? name : `${parent}/${name}`);

export class GoogleDriveDriver implements SyncDriver {
  readonly kind = 'google-drive';
  readonly capabilities = googleDriveCapabilities;
  readonly client: OAuth2Client;
  private readonly api: drive_v3.Drive;
  private readonly rootUrl: string;
  private readonly policy: RetryPolicy;
  private readonly retryContext: RetryContext;
  private readonly resumableThreshold: number;
  private readonly chunkSize: number;
  private readonly downloadIdleMs: number;
  private rootId: Promise<string> | undefined;
  /** Folder ids by path, from the last listing and from lookups since. */
  private folderIds = new Map<string, string>();
  /** Paths by file id, for mapping changes. */
  private pathsById = new Map<string, { path: string; kind: EntryKind }>();

  constructor(private readonly options: GoogleDriveDriverOptions) {
    this.client = createOAuthClient(options.auth);
    this.rootUrl = options.rootUrl ?? 'https://www.googleapis.com/';
    this.policy = retryPolicy(options.retry);
    this.api = createDriveClient({ version: 'v3', auth: this.client, rootUrl: this.rootUrl, retry: false });
    this.retryContext = { provider: providerName, policy: this.policy, classify: classifyDriveFailure, refreshAuth: () => forceTokenRefresh(this.client) };
    this.resumableThreshold = options.resumableThreshold ?? 5 * 1024 * 1024;
    this.chunkSize = options.chunkSize ?? 32 * resumableChunkUnit;
    this.downloadIdleMs = options.downloadIdleMs ?? 60_000;
  }

  /** One API call under the retry policy and a response deadline; failures it gives up on are thrown as they came. */
  private callRaw<T>(label: string, operation: (options: CallOptions, attempt: number) => Promise<T>): Promise<T> {
    return withProviderRetry(this.retryContext, label, async (attempt) => {
      const deadline = responseDeadline(this.policy.requestTimeoutMs);
      try {
        return await operation({ signal: deadline.signal, retry: false, rootUrl: this.rootUrl }, attempt);
      } finally {
        deadline.done();
      }
    });
  }

  /** `callRaw`, with what is left mapped to a FerryError. */
  private async call<T>(label: string, operation: (options: CallOptions, attempt: number) => Promise<T>): Promise<T> {
    try {
      return await this.callRaw(label, operation);
    } catch (error) {
      throw describeDriveFailure(error, label);
    }
  }

  private resolveRoot(): Promise<string> {
    this.rootId ??= this.findRoot().catch((error: unknown) => {
      this.rootId = undefined;
      throw error;
    });
    return this.rootId;
  }

  private async findRoot(): Promise<string> {
    const root = this.options.root;
    if ('folderId' in root) {
      const folder = await this.getById(root.folderId);
      if (folder === null || !isFolder(folder)) throw new FerryError('unavailable', `The ${providerName} folder ${root.folderId} does not exist (or is in the trash).`);
      return folder.id;
    }
    const myDrive = await this.call('files.get root', (options) => this.api.files.get({ fileId: 'root', fields: 'id' }, options));
    let id = driveFileSchema.pick({ id: true }).parse(myDrive.data).id;
    for (const segment of root.path.split('/').filter((part) => part !== '')) id = (await this.ensureChild(id, segment)).id;
    return id;
  }

  /** The file with this id, or null when it is gone or trashed. */
  private async getById(fileId: string): Promise<DriveFile | null> {
    try {
      const answer = await this.call('files.get', (options) => this.api.files.get({ fileId, fields: fileFields }, options));
      const file = driveFileSchema.parse(answer.data);
      return file.trashed === true ? null : file;
    } catch (error) {
      if (error instanceof FerryError && error.code === 'node_not_found') return null;
      throw error;
    }
  }

  private async listChildren(folderId: string, extraQuery = '', signal?: AbortSignal): Promise<DriveFile[]> {
    const files: DriveFile[] = [];
    let pageToken: string | undefined;
    do {
      const q = `${queryLiteral(folderId)} in parents and trashed = false${extraQuery}`;
      const params = { q, pageSize: 1000, fields: `nextPageToken,files(${fileFields})`, ...(pageToken !== undefined ? { pageToken } : {}) };
      const page =
        signal === undefined
          ? await this.call('files.list', (options) => this.api.files.list(params, options))
          : await this.api.files.list(params, { signal, retry: false });
      const parsed = fileListSchema.parse(page.data);
      files.push(...parsed.files.filter((file) => file.trashed !== true && isSyncable(file)));
      pageToken = parsed.nextPageToken;
    } while (pageToken !== undefined);
    return files;
  }

  /** Syncable children called exactly `name` (Drive may hold several). */
  private async childrenNamed(folderId: string, name: string, signal?: AbortSignal): Promise<DriveFile[]> {
    return (await this.listChildren(folderId, ` and name = ${queryLiteral(name)}`, signal)).filter((file) => file.name === name);
  }

  /** The one child called `name`, or null; fails when the name is used twice. */
  private async childNamed(folderId: string, path: string): Promise<DriveFile | null> {
    const found = await this.childrenNamed(folderId, baseName(path));
    if (found.length > 1) throw duplicateError([{ path, ids: found.map((file) => file.id), problem: 'the name is used more than once in its folder' }]);
    return found[0] ?? null;
  }

  /** The folder `name` below `parentId`, created when missing (a retried create first checks that the last one did not land). */
  private async ensureChild(parentId: string, name: string): Promise<DriveFile> {
    const existing = await this.childNamed(parentId, name);
    if (existing !== null) {
      if (!isFolder(existing)) throw new FerryError('not_a_folder', `${name} exists in ${providerName} and is a file.`);
      return existing;
    }
    return this.call('create folder', async (options, attempt) => {
      if (attempt > 1) {
        const landed = (await this.childrenNamed(parentId, name, options.signal)).find(isFolder);
        if (landed !== undefined) return landed;
      }
      const created = await this.api.files.create({ requestBody: { name, mimeType: folderMimeType, parents: [parentId] }, fields: fileFields }, options);
      return driveFileSchema.parse(created.data);
    });
  }

  /** The id of the folder at `path`; null when missing (or created, with `create`). */
  private async folderId(path: string, create: boolean): Promise<string | null> {
    const rootId = await this.resolveRoot();
    if (path === '') return rootId;
    const cached = this.folderIds.get(path);
    if (cached !== undefined) return cached;
    const parentId = await this.folderId(parentPath(path), create);
    if (parentId === null) return null;
    let folder: DriveFile | null;
    if (create) folder = await this.ensureChild(parentId, baseName(path));
    else {
      folder = await this.childNamed(parentId, path);
      if (folder !== null && !isFolder(folder)) throw new FerryError('not_a_folder', `${path} is a file in ${providerName}.`);
    }
    if (folder === null) return null;
    this.folderIds.set(path, folder.id);
    return folder.id;
  }

  private forgetFolders(below: string): void {
    for (const path of [...this.folderIds.keys()]) if (path === below || path.startsWith(`${below}/`)) this.folderIds.delete(path);
  }

  private toEntry(file: DriveFile, path: string): DriverEntry {
    const kind: EntryKind = isFolder(file) ? 'folder' : 'file';
    const modified = Date.parse(file.modifiedTime ?? '');
    return {
      path,
      kind,
      size: kind === 'file' ? Number(file.size ?? 0) : 0,
      mtimeMs: Number.isNaN(modified) ? 0 : modified,
      id: file.id,
      hash: kind === 'file' ? (file.sha256Checksum ?? null) : null,
      revision: kind === 'file' ? (file.headRevisionId ?? `v${file.version ?? 0}`) : 'folder',
    };
  }

  async list(options?: { readonly skip?: (path: string, kind: EntryKind) => boolean }): Promise<DriverEntry[]> {
    const rootId = await this.resolveRoot();
    const entries: DriverEntry[] = [];
    const unmappable: UnmappableName[] = [];
    const folderIds = new Map<string, string>();
    const pending: Array<{ path: string; id: string }> = [{ path: '', id: rootId }];
    const visit = async (folder: { path: string; id: string }): Promise<void> => {
      const children = await this.listChildren(folder.id);
      const byName = new Map<string, DriveFile[]>();
      for (const child of children) byName.set(child.name, [...(byName.get(child.name) ?? []), child]);
      for (const [name, files] of byName) {
        const path = joinPath(folder.path, name);
        const problem = files.length > 1 ? 'the name is used more than once in its folder' : name === '' || name === '.' || name === '..' || name.includes('/') ? 'the name cannot be part of a path' : null;
        if (problem !== null) {
          unmappable.push({ path, ids: files.map((file) => file.id), problem });
          continue;
        }
        const file = files[0] as DriveFile;
        const entry = this.toEntry(file, path);
        if (options?.skip?.(path, entry.kind) === true) continue;
        entries.push(entry);
        if (entry.kind === 'folder') {
          folderIds.set(path, file.id);
          pending.push({ path, id: file.id });
        }
      }
    };
    await runPool(pending, visit, 4);
    if (unmappable.length > 0) throw duplicateError(unmappable);
    this.folderIds = folderIds;
    this.pathsById = new Map(entries.map((entry) => [entry.id, { path: entry.path, kind: entry.kind }]));
    return entries;
  }

  async stat(path: string): Promise<DriverEntry | null> {
    const parentId = await this.folderId(parentPath(path), false).catch((error: unknown) => {
      if (error instanceof FerryError && error.code === 'not_a_folder') return null;
      throw error;
    });
    if (parentId === null) return null;
    const file = await this.childNamed(parentId, path);
    return file === null ? null : this.toEntry(file, path);
  }

  async read(path: string): Promise<ByteStream> {
    const entry = await this.stat(path);
    if (entry === null) throw new FerryError('file_not_found', `${path} does not exist in ${providerName}.`);
    if (entry.kind !== 'file') throw new FerryError('not_a_file', `${path} is a folder.`);
    return this.download(entry.id);
  }

  private async download(fileId: string): Promise<ByteStream> {
    let abort = (): void => undefined;
    const stream = await this.call('download', async (options) => {
      const deadline = responseDeadline(this.policy.requestTimeoutMs);
      abort = deadline.abort;
      try {
        const answer = await this.api.files.get({ fileId, alt: 'media' }, { ...options, signal: deadline.signal, responseType: 'stream' });
        return answer.data;
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

  /** Throws `precondition_failed` unless the file at the path is what the caller expects. */
  private checkExpected(path: string, current: DriveFile | null, options: WriteOptions): void {
    const expected = options.expected;
    if (expected.kind === 'any') return;
    if (expected.kind === 'absent') {
      if (current !== null) throw new FerryError('precondition_failed', `${path} appeared in ${providerName} while syncing.`);
      return;
    }
    if (current === null || this.toEntry(current, path).revision !== expected.revision) {
      throw new FerryError('precondition_failed', `${path} changed in ${providerName} while syncing.`);
    }
  }

  async write(path: string, content: ByteStream, options: WriteOptions): Promise<DriverEntry> {
    this.assertName(path);
    const parentId = (await this.folderId(parentPath(path), true)) as string;
    const name = baseName(path);
    const reader = new ChunkReader(content);
    const head = await reader.read(this.resumableThreshold);
    const large = await reader.hasMore();
    const recheck = async (): Promise<DriveFile | null> => {
      const current = await this.childNamed(parentId, path);
      if (current !== null && isFolder(current)) throw new FerryError('not_a_file', `${path} is a folder in ${providerName}.`);
      this.checkExpected(path, current, options);
      return current;
    };
    const existing = await recheck();
    const metadata = options.mtimeMs === undefined ? {} : { modifiedTime: new Date(options.mtimeMs).toISOString() };
    let file: DriveFile;
    if (large) {
      reader.putBack(head);
      file = await resumableUpload({
        client: this.client,
        rootUrl: this.rootUrl,
        fileId: existing?.id,
        metadata: existing === null ? { ...metadata, name, parents: [parentId] } : metadata,
        reader,
        chunkSize: this.chunkSize,
        call: (label, operation) => this.call(label, (callOptions, attempt) => operation(callOptions.signal, attempt)),
        beforeLastChunk: async () => {
          await recheck();
        },
      });
    } else if (existing !== null) {
      file = await this.call('files.update (content)', async (callOptions) => {
        const media = { mimeType: 'application/octet-stream', body: Readable.from([head]) };
        const answer = await this.api.files.update({ fileId: existing.id, requestBody: metadata, media, fields: fileFields }, callOptions);
        return driveFileSchema.parse(answer.data);
      });
    } else {
      const sha256 = createHash('sha256').update(head).digest('hex');
      file = await this.call('files.create (content)', async (callOptions, attempt) => {
        if (attempt > 1) {
          const landed = (await this.childrenNamed(parentId, name, callOptions.signal)).find((candidate) => candidate.sha256Checksum === sha256);
          if (landed !== undefined) return landed;
        }
        const media = { mimeType: 'application/octet-stream', body: Readable.from([head]) };
        const answer = await this.api.files.create({ requestBody: { ...metadata, name, parents: [parentId] }, media, fields: fileFields }, callOptions);
        return driveFileSchema.parse(answer.data);
      });
    }
    this.pathsById.set(file.id, { path, kind: 'file' });
    return this.toEntry(file, path);
  }

  async mkdir(path: string): Promise<DriverEntry> {
    this.assertName(path);
    const id = (await this.folderId(path, true)) as string;
    const folder = await this.getById(id);
    if (folder === null) throw new FerryError('internal', `${path} vanished from ${providerName} right after creating it.`);
    this.pathsById.set(id, { path, kind: 'folder' });
    return this.toEntry(folder, path);
  }

  /** The entry `ref` names, if it is still where and what the caller saw; null when it is gone. */
  private async resolveRef(ref: EntryRef): Promise<DriveFile | null> {
    const current = await this.getById(ref.id);
    if (current === null) return null;
    const parentId = await this.folderId(parentPath(ref.path), false).catch(() => null);
    const sameKind = isFolder(current) === (ref.kind === 'folder');
    if (!sameKind || current.name !== baseName(ref.path) || parentId === null || !(current.parents ?? []).includes(parentId)) {
      throw new FerryError('precondition_failed', `${ref.path} was moved or replaced in ${providerName} while syncing.`);
    }
    if (ref.revision !== undefined && ref.kind === 'file' && this.toEntry(current, ref.path).revision !== ref.revision) {
      throw new FerryError('precondition_failed', `${ref.path} changed in ${providerName} while syncing.`);
    }
    return current;
  }

  async move(from: EntryRef, toPath: string): Promise<DriverEntry> {
    const current = await this.resolveRef(from);
    if (current === null) throw new FerryError('node_not_found', `${from.path} no longer exists in ${providerName}.`);
    this.assertName(toPath);
    const newParent = (await this.folderId(parentPath(toPath), true)) as string;
    const occupants = (await this.childrenNamed(newParent, baseName(toPath))).filter((file) => file.id !== current.id);
    if (occupants.length > 0) throw new FerryError('name_conflict', `${toPath} already exists in ${providerName}.`);
    const oldParents = (current.parents ?? []).filter((id) => id !== newParent);
    const moved = await this.call('files.update (move)', async (options) => {
      const params = {
        fileId: current.id,
        requestBody: { name: baseName(toPath) },
        fields: fileFields,
        ...(oldParents.length > 0 ? { addParents: newParent, removeParents: oldParents.join(',') } : {}),
      };
      return driveFileSchema.parse((await this.api.files.update(params, options)).data);
    });
    if (from.kind === 'folder') this.forgetFolders(from.path);
    this.pathsById.set(moved.id, { path: toPath, kind: from.kind });
    return this.toEntry(moved, toPath);
  }

  async delete(entry: EntryRef): Promise<void> {
    const current = await this.resolveRef(entry);
    if (current === null) return;
    if (this.options.deleteMode === 'permanent') await this.call('files.delete', (options) => this.api.files.delete({ fileId: current.id }, options));
    else await this.call('files.update (trash)', (options) => this.api.files.update({ fileId: current.id, requestBody: { trashed: true }, fields: 'id' }, options));
    if (entry.kind === 'folder') this.forgetFolders(entry.path);
    this.pathsById.delete(current.id);
  }

  async changes(cursor: string | null): Promise<ChangesResult> {
    if (cursor === null) {
      const answer = await this.call('changes.getStartPageToken', (options) => this.api.changes.getStartPageToken({}, options));
      const token = answer.data.startPageToken;
      if (typeof token !== 'string') throw new FerryError('internal', `${providerName} sent no start page token.`);
      return { kind: 'changes', changes: [], cursor: token };
    }
    if (this.pathsById.size === 0) await this.list();
    const rootId = await this.resolveRoot();
    const changes: DriverChange[] = [];
    let pageToken: string | undefined = cursor;
    for (;;) {
      const token: string = pageToken;
      let page;
      try {
        page = await this.callRaw('changes.list', async (options) => {
          const answer = await this.api.changes.list({ pageToken: token, pageSize: 1000, fields: `nextPageToken,newStartPageToken,changes(fileId,removed,file(${fileFields}))` }, options);
          return changeListSchema.parse(answer.data);
        });
      } catch (error) {
        const failure = httpFailure(error);
        if (failure !== undefined && (failure.status === 410 || (failure.status === 400 && failure.location === 'pageToken') || failure.status === 404)) return { kind: 'expired' };
        throw describeDriveFailure(error, 'changes.list');
      }
      for (const change of page.changes) changes.push(...(await this.mapChange(change, rootId)));
      if (page.newStartPageToken !== undefined) return { kind: 'changes', changes, cursor: page.newStartPageToken };
      if (page.nextPageToken === undefined) throw new FerryError('internal', `${providerName} ended a change page without a token.`);
      pageToken = page.nextPageToken;
    }
  }

  /** A Drive change as paths below the root: the old path (removed) and/or the new one. */
  private async mapChange(change: { fileId?: string | undefined; removed?: boolean | undefined; file?: Partial<DriveFile> | undefined }, rootId: string): Promise<DriverChange[]> {
    const fileId = change.fileId ?? change.file?.id;
    if (fileId === undefined) return [];
    const known = this.pathsById.get(fileId);
    const file = change.file;
    const gone = change.removed === true || file === undefined || file.trashed === true;
    const result: DriverChange[] = [];
    let newPath: string | null = null;
    if (!gone && file.name !== undefined && file.mimeType !== undefined && isSyncable(file as DriveFile)) {
      const parentId = file.parents?.[0];
      const parent = parentId === rootId ? '' : parentId === undefined ? undefined : this.pathsById.get(parentId)?.path;
      if (parent !== undefined) newPath = joinPath(parent, file.name);
    }
    if (known !== undefined && known.path !== newPath) {
      result.push({ path: known.path, id: fileId, removed: true });
      this.pathsById.delete(fileId);
      if (known.kind === 'folder') this.forgetFolders(known.path);
    }
    if (newPath !== null) {
      result.push({ path: newPath, id: fileId, removed: false });
      this.pathsById.set(fileId, { path: newPath, kind: file?.mimeType === folderMimeType ? 'folder' : 'file' });
    }
    return result;
  }

  async hash(entry: DriverEntry): Promise<string> {
    if (entry.hash !== null) return entry.hash;
    const current = await this.getById(entry.id);
    if (current?.sha256Checksum !== undefined) return current.sha256Checksum;
    const digest = createHash('sha256');
    for await (const chunk of await this.download(entry.id)) digest.update(chunk);
    return digest.digest('hex');
  }

  async close(): Promise<void> {}
}

/** Visits every item of `queue` (which `visit` may grow), `width` at a time; the first failure ends it. */
async function runPool<T>(queue: T[], visit: (item: T) => Promise<void>, width: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      while (!failed && active < width && queue.length > 0) {
        const item = queue.pop() as T;
        active++;
        visit(item).then(
          () => {
            active--;
            if (active === 0 && queue.length === 0) resolve();
            else pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
}

function duplicateError(names: readonly UnmappableName[]): FerryError {
  const listed = names
    .slice(0, 10)
    .map((name) => `"${name.path}" (${name.problem}; ids ${name.ids.join(', ')})`)
    .join('; ');
  const more = names.length > 10 ? ` and ${names.length - 10} more` : '';
  return new FerryError(
    'name_conflict',
    `${providerName} holds names that cannot be mapped to paths: ${listed}${more}. Rename or remove one of each in ${providerName}; nothing was synced.`,
    { duplicates: names },
  );
}
