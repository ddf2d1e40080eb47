/**
 * @module drivers/google-drive-tree
 * Paths on a system of ids: Drive knows files by id and parents, the engine
 * by path. This resolves the replica root (by id, or a path under My Drive),
 * finds children by name (`'<id>' in parents and name = ...`), creates
 * missing folders (with a reserved id, so a retried create that landed is
 * recognised: `google-drive-ids.ts`), caches folder ids by path, and walks the whole tree for `list()`.
 *
 * Drive allows two entries with one name in a folder, and `/` in names:
 * neither can be a path, so the walk collects them and fails with
 * `name_conflict` naming each, instead of silently picking one.
 */
import { FerryError } from '@ferry/core/errors';
import { baseName, type DriverEntry, type EntryKind, parentPath } from '../driver.js';
import { type DriveFile, driveFileSchema, fileFields, fileListSchema, folderMimeType, isFolder, isSyncable, providerName, queryLiteral, toEntry } from './google-drive-api.js';
import { createOnce, type GeneratedIdPool } from './google-drive-ids.js';
import type { DriveSession } from './google-drive-session.js';

export type DriveRoot = { readonly folderId: string } | { readonly path: string };

interface UnmappableName {
  readonly path: string;
  readonly ids: string[];
  readonly problem: string;
}

export const joinPath = (parent: string, name: string): string => (parent === '' ? name : `${parent}/${name}`);

export class DriveTree {
  private rootId: Promise<string> | undefined;
  /** Folder ids by path, from the last listing and from lookups since. */
  private folderIds = new Map<string, string>();

  constructor(
    private readonly session: DriveSession,
    private readonly root: DriveRoot,
    private readonly ids: GeneratedIdPool,
  ) {}

  resolveRoot(): Promise<string> {
    this.rootId ??= this.findRoot().catch((error: unknown) => {
      this.rootId = undefined;
      throw error;
    });
    return this.rootId;
  }

  private async findRoot(): Promise<string> {
    if ('folderId' in this.root) {
      const folder = await this.getById(this.root.folderId);
      if (folder === null || !isFolder(folder)) throw new FerryError('unavailable', `The ${providerName} folder ${this.root.folderId} does not exist (or is in the trash).`);
      return folder.id;
    }
    const myDrive = await this.session.call('files.get root', ({ api }, options) => api.files.get({ fileId: 'root', fields: 'id' }, options));
    let id = driveFileSchema.pick({ id: true }).parse(myDrive.data).id;
    for (const segment of this.root.path.split('/').filter((part) => part !== '')) id = (await this.ensureChild(id, segment)).id;
    return id;
  }

  /** The file with this id, or null when it is gone or trashed. */
  async getById(fileId: string): Promise<DriveFile | null> {
    try {
      const answer = await this.session.call('files.get', ({ api }, options) => api.files.get({ fileId, fields: fileFields }, options));
      const file = driveFileSchema.parse(answer.data);
      return file.trashed === true ? null : file;
    } catch (error) {
      if (error instanceof FerryError && error.code === 'node_not_found') return null;
      throw error;
    }
  }

  /** Syncable, untrashed children of a folder (all pages). With `signal`, one attempt only (inside a caller's retry). */
  private async listChildren(folderId: string, extraQuery = '', signal?: AbortSignal): Promise<DriveFile[]> {
    const files: DriveFile[] = [];
    let pageToken: string | undefined;
    do {
      const q = `${queryLiteral(folderId)} in parents and trashed = false${extraQuery}`;
      const params = { q, pageSize: 1000, fields: `nextPageToken,files(${fileFields})`, ...(pageToken !== undefined ? { pageToken } : {}) };
      const page =
        signal === undefined
          ? await this.session.call('files.list', ({ api }, options) => api.files.list(params, options))
          : await (await this.session.connect()).api.files.list(params, { signal, retry: false });
      const parsed = fileListSchema.parse(page.data);
      files.push(...parsed.files.filter((file) => file.trashed !== true && isSyncable(file)));
      pageToken = parsed.nextPageToken;
    } while (pageToken !== undefined);
    return files;
  }

  /** Syncable children called exactly `name` (Drive may hold several). */
  childrenNamed(folderId: string, name: string, signal?: AbortSignal): Promise<DriveFile[]> {
    return this.listChildren(folderId, ` and name = ${queryLiteral(name)}`, signal).then((files) => files.filter((file) => file.name === name));
  }

  /** The one child at `path` (below `folderId`), or null; fails when the name is used twice. */
  async childNamed(folderId: string, path: string): Promise<DriveFile | null> {
    const found = await this.childrenNamed(folderId, baseName(path));
    if (found.length > 1) throw unmappableError([{ path, ids: found.map((file) => file.id), problem: 'the name is used more than once in its folder' }]);
    return found[0] ?? null;
  }

  /** The folder `name` below `parentId`, created when missing. */
  private async ensureChild(parentId: string, name: string): Promise<DriveFile> {
    const existing = await this.childNamed(parentId, name);
    if (existing !== null) {
      if (!isFolder(existing)) throw new FerryError('not_a_folder', `${name} exists in ${providerName} and is a file.`);
      return existing;
    }
    const id = await this.ids.next();
    return createOnce(this.session, {
      label: 'create folder',
      id,
      create: async ({ api }, options) => {
        const created = await api.files.create({ requestBody: { id, name, mimeType: folderMimeType, parents: [parentId] }, fields: fileFields }, options);
        return driveFileSchema.parse(created.data);
      },
      isTheSame: (landed) => isFolder(landed) && landed.name === name && (landed.parents ?? []).includes(parentId),
    });
  }

  /** The id of the folder at `path`: null when missing, or created with `create`. */
  async folderId(path: string, create: boolean): Promise<string | null> {
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

  /** The folder id at `path` when it is there (null for missing or a file on the way). */
  async existingFolderId(path: string): Promise<string | null> {
    try {
      return await this.folderId(path, false);
    } catch (error) {
      if (error instanceof FerryError && error.code === 'not_a_folder') return null;
      throw error;
    }
  }

  forgetFolders(below: string): void {
    for (const path of [...this.folderIds.keys()]) if (path === below || path.startsWith(`${below}/`)) this.folderIds.delete(path);
  }

  /** Every entry below the root, a few folders at a time; fails on names that cannot be paths. */
  async walk(skip?: (path: string, kind: EntryKind) => boolean): Promise<DriverEntry[]> {
    const rootId = await this.resolveRoot();
    const entries: DriverEntry[] = [];
    const unmappable: UnmappableName[] = [];
    const folderIds = new Map<string, string>();
    const visit = async (folder: { path: string; id: string }, queue: Array<{ path: string; id: string }>): Promise<void> => {
      const byName = new Map<string, DriveFile[]>();
      for (const child of await this.listChildren(folder.id)) byName.set(child.name, [...(byName.get(child.name) ?? []), child]);
      for (const [name, files] of byName) {
        const path = joinPath(folder.path, name);
        const problem = files.length > 1 ? 'the name is used more than once in its folder' : ['', '.', '..'].includes(name) || name.includes('/') ? 'the name cannot be part of a path' : null;
        if (files.every((file) => skip?.(path, isFolder(file) ? 'folder' : 'file') === true)) continue; // ignored by the engine anyway
        if (problem !== null) {
          unmappable.push({ path, ids: files.map((file) => file.id), problem });
          continue;
        }
        const file = files[0] as DriveFile;
        const entry = toEntry(file, path);
        entries.push(entry);
        if (entry.kind === 'folder') {
          folderIds.set(path, file.id);
          queue.push({ path, id: file.id });
        }
      }
    };
    await runPool([{ path: '', id: rootId }], visit, 4);
    if (unmappable.length > 0) throw unmappableError(unmappable);
    this.folderIds = folderIds;
    return entries;
  }
}

/** Visits every item of `queue` (which `visit` may grow), `width` at a time; the first failure ends it. */
async function runPool<T>(queue: T[], visit: (item: T, queue: T[]) => Promise<void>, width: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const pump = (): void => {
      while (!failed && active < width && queue.length > 0) {
        const item = queue.pop() as T;
        active++;
        visit(item, queue).then(
          () => {
            active--;
            pump();
          },
          (error: unknown) => {
            failed = true;
            reject(error);
          },
        );
      }
      if (!failed && active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
}

function unmappableError(names: readonly UnmappableName[]): FerryError {
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
