/**
 * @module drivers/google-drive-changes
 * Drive's change feed for one replica: `changes.getStartPageToken` gives a
 * cursor, `changes.list` pages from it. Changes name file ids; this maps them
 * to paths below the root with what the driver last listed (the old path of
 * a moved or removed entry, the new path from the file's parent), and
 * answers an invalid or expired page token with `expired` (the engine then
 * relists; never a mass delete).
 */
import { FerryError } from '@ferry/core/errors';
import type { ChangesResult, DriverChange, DriverEntry, EntryKind } from '../driver.js';
import { changeListSchema, describeDriveFailure, type DriveFile, fileFields, folderMimeType, httpFailure, isSyncable, providerName } from './google-drive-api.js';
import type { DriveSession } from './google-drive-session.js';
import { type DriveTree, joinPath } from './google-drive-tree.js';

type ChangedFile = { fileId?: string | undefined; removed?: boolean | undefined; file?: (Partial<DriveFile> & { id: string }) | undefined };

export class DriveChangeFeed {
  /** Where each entry was at the last listing, updated as changes come in. */
  private pathsById = new Map<string, { path: string; kind: EntryKind }>();

  constructor(
    private readonly session: DriveSession,
    private readonly tree: DriveTree,
  ) {}

  get primed(): boolean {
    return this.pathsById.size > 0;
  }

  remember(entries: readonly DriverEntry[]): void {
    this.pathsById = new Map(entries.map((entry) => [entry.id, { path: entry.path, kind: entry.kind }]));
  }

  note(id: string, path: string, kind: EntryKind): void {
    this.pathsById.set(id, { path, kind });
  }

  forget(id: string): void {
    this.pathsById.delete(id);
  }

  async startCursor(): Promise<ChangesResult> {
    const answer = await this.session.call('changes.getStartPageToken', ({ api }, options) => api.changes.getStartPageToken({}, options));
    const token = answer.data.startPageToken;
    if (typeof token !== 'string') throw new FerryError('internal', `${providerName} sent no start page token.`);
    return { kind: 'changes', changes: [], cursor: token };
  }

  async since(cursor: string): Promise<ChangesResult> {
    const rootId = await this.tree.resolveRoot();
    const changes: DriverChange[] = [];
    let pageToken = cursor;
    for (;;) {
      const token = pageToken;
      let page;
      try {
        page = await this.session.callRaw('changes.list', async ({ api }, options) => {
          const answer = await api.changes.list({ pageToken: token, pageSize: 1000, fields: `nextPageToken,newStartPageToken,changes(fileId,removed,file(${fileFields}))` }, options);
          return changeListSchema.parse(answer.data);
        });
      } catch (error) {
        const failure = httpFailure(error);
        if (failure !== undefined && (failure.status === 410 || failure.status === 404 || (failure.status === 400 && failure.location === 'pageToken'))) return { kind: 'expired' };
        throw describeDriveFailure(error, 'changes.list');
      }
      for (const change of page.changes) changes.push(...this.mapChange(change, rootId));
      if (page.newStartPageToken !== undefined) return { kind: 'changes', changes, cursor: page.newStartPageToken };
      if (page.nextPageToken === undefined) throw new FerryError('internal', `${providerName} ended a change page without a token.`);
      pageToken = page.nextPageToken;
    }
  }

  /** One Drive change as paths below the root: the old path (removed) and/or the new one. */
  private mapChange(change: ChangedFile, rootId: string): DriverChange[] {
    const fileId = change.fileId ?? change.file?.id;
    if (fileId === undefined) return [];
    const known = this.pathsById.get(fileId);
    const file = change.file;
    const result: DriverChange[] = [];
    let newPath: string | null = null;
    const present = change.removed !== true && file !== undefined && file.trashed !== true;
    if (present && file.name !== undefined && file.mimeType !== undefined && isSyncable({ ...file, name: file.name, mimeType: file.mimeType })) {
      const parentId = file.parents?.[0];
      const parent = parentId === rootId ? '' : parentId === undefined ? undefined : this.pathsById.get(parentId)?.path;
      if (parent !== undefined) newPath = joinPath(parent, file.name);
    }
    if (known !== undefined && known.path !== newPath) {
      result.push({ path: known.path, id: fileId, removed: true });
      this.pathsById.delete(fileId);
      if (known.kind === 'folder') this.tree.forgetFolders(known.path);
    }
    if (newPath !== null && file !== undefined) {
      result.push({ path: newPath, id: fileId, removed: false });
      this.pathsById.set(fileId, { path: newPath, kind: file.mimeType === folderMimeType ? 'folder' : 'file' });
    }
    return result;
  }
}
