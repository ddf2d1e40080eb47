/**
 * @module google-drive/drive-state
 * The in-memory Drive of one emulator: file records under a root folder and
 * the change log behind changes.list. Every mutation bumps the file's
 * version and appends a change; changes.list reports each file once, in the
 * state it has now, as Drive does.
 */
import { driveErrors } from './drive-errors.js';
import { folderMimeType, isFolder, newDriveId, newRevisionId, type DriveFileRecord } from './drive-model.js';

export interface DriveChangeEntry {
  seq: number;
  fileId: string;
  time: string;
  removed: boolean;
}

export interface NewFileInput {
  /** An id from `generateIds` (each is taken once); Drive picks one when absent. */
  id?: string;
  name?: string;
  mimeType?: string;
  parents?: string[];
  content?: Buffer;
  description?: string;
  modifiedTime?: string;
  createdTime?: string;
  appProperties?: Record<string, string>;
  properties?: Record<string, string>;
}

export interface MetadataPatch {
  name?: string;
  mimeType?: string;
  trashed?: boolean;
  description?: string;
  modifiedTime?: string;
  appProperties?: Record<string, string | null>;
  properties?: Record<string, string | null>;
}

export interface ChangePage {
  entries: DriveChangeEntry[];
  nextPageToken?: string;
  newStartPageToken?: string;
}

function mergeProperties(
  current: Record<string, string> | undefined,
  patch: Record<string, string | null> | undefined,
): Record<string, string> | undefined {
  if (!patch) return current;
  const merged = new Map(Object.entries(current ?? {}));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}

export class DriveState {
  readonly rootId = '0AEmu' + newDriveId().slice(1, 15) + 'Uk9PVA';
  private readonly files = new Map<string, DriveFileRecord>();
  /** Ids handed out by files.generateIds and not taken by a create yet. */
  private readonly generatedIds = new Set<string>();
  private readonly changeLog: DriveChangeEntry[] = [];
  private readonly lastSeqByFile = new Map<string, number>();
  private nextSeq = 1;
  private minChangeToken = 1;
  /** Bumped when page tokens are expired; files.list tokens carry it. */
  listEpoch = 0;

  constructor(private readonly now: () => number = Date.now) {
    const time = this.isoNow();
    this.files.set(this.rootId, {
      id: this.rootId,
      name: 'My Drive',
      mimeType: folderMimeType,
      parents: [],
      trashed: false,
      explicitlyTrashed: false,
      createdTime: time,
      modifiedTime: time,
      version: 1,
    });
  }

  isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  resolveId(id: string): string {
    return id === 'root' ? this.rootId : id;
  }

  get(id: string): DriveFileRecord | undefined {
    return this.files.get(this.resolveId(id));
  }

  require(id: string): DriveFileRecord {
    const record = this.get(id);
    if (!record) throw driveErrors.fileNotFound(id);
    return record;
  }

  /** Every file but the root, in creation order. */
  all(): DriveFileRecord[] {
    return [...this.files.values()].filter((record) => record.id !== this.rootId);
  }

  private requireFolder(id: string): DriveFileRecord {
    const record = this.require(id);
    if (!isFolder(record)) throw driveErrors.badRequest(`The parent ${id} is not a folder.`);
    return record;
  }

  /** files.generateIds: fresh ids a create may take, each once. */
  generateIds(count: number): string[] {
    const ids = Array.from({ length: count }, () => newDriveId());
    for (const id of ids) this.generatedIds.add(id);
    return ids;
  }

  /**
   * Whether a create may take `id`: 409 when a file has it already (a
   * retried create that landed), 400 when Drive never generated it, 403 for
   * Docs Editors types, which take no generated id.
   */
  checkNewId(id: string, mimeType: string | undefined): void {
    if (this.files.has(id)) throw driveErrors.fileIdInUse();
    if (!this.generatedIds.has(id)) throw driveErrors.fileIdNotUsable();
    if (mimeType !== undefined && mimeType !== folderMimeType && mimeType.startsWith('application/vnd.google-apps.')) {
      throw driveErrors.forbidden('insufficientFilePermissions', 'Generated IDs are not supported for Docs Editors formats.');
    }
  }

  create(input: NewFileInput): DriveFileRecord {
    if (input.id !== undefined) this.checkNewId(input.id, input.mimeType);
    const parents = (input.parents && input.parents.length > 0 ? input.parents : [this.rootId]).map((id) => this.requireFolder(id).id);
    if (parents.length > 1) throw driveErrors.forbidden('cannotAddParent', 'A shared drive item must have exactly one parent.');
    const time = this.isoNow();
    const mimeType = input.mimeType ?? 'application/octet-stream';
    const folder = mimeType === folderMimeType;
    const record: DriveFileRecord = {
      id: input.id ?? newDriveId(),
      name: input.name ?? 'Untitled',
      mimeType,
      parents,
      trashed: false,
      explicitlyTrashed: false,
      createdTime: input.createdTime ?? time,
      modifiedTime: input.modifiedTime ?? time,
      version: 1,
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.appProperties ? { appProperties: input.appProperties } : {}),
      ...(input.properties ? { properties: input.properties } : {}),
    };
    if (!folder && !mimeType.startsWith('application/vnd.google-apps.')) {
      record.content = input.content ?? Buffer.alloc(0);
      record.headRevisionId = newRevisionId();
    }
    this.files.set(record.id, record);
    this.generatedIds.delete(record.id);
    this.recordChange(record.id, false);
    return record;
  }

  setContent(record: DriveFileRecord, content: Buffer, mimeType?: string): void {
    if (isFolder(record)) throw driveErrors.badRequest('Folders have no content.');
    record.content = content;
    record.headRevisionId = newRevisionId();
    if (mimeType) record.mimeType = mimeType;
    record.modifiedTime = this.isoNow();
    this.touch(record);
  }

  private touch(record: DriveFileRecord): void {
    record.version += 1;
    this.recordChange(record.id, false);
  }

  private isAncestor(candidateId: string, of: DriveFileRecord): boolean {
    let current: DriveFileRecord | undefined = of;
    while (current) {
      if (current.id === candidateId) return true;
      const parentId: string | undefined = current.parents[0];
      current = parentId ? this.files.get(parentId) : undefined;
    }
    return false;
  }

  /** Applies a metadata patch and parent moves; one version bump and one change. */
  update(record: DriveFileRecord, patch: MetadataPatch, addParents: string[], removeParents: string[]): void {
    if (record.id === this.rootId) throw driveErrors.forbidden('insufficientFilePermissions', 'The root folder cannot be modified.');
    const removeIds = removeParents.map((id) => this.resolveId(id));
    const addIds = addParents.map((id) => this.requireFolder(id).id);
    for (const id of addIds) {
      if (this.isAncestor(record.id, this.require(id))) throw driveErrors.badRequest('The move would create a cycle in the folder graph.');
    }
    const parents = [...record.parents.filter((id) => !removeIds.includes(id)), ...addIds.filter((id) => !record.parents.includes(id))];
    if (parents.length > 1) throw driveErrors.forbidden('cannotAddParent', 'Increasing the number of parents is not allowed.');
    record.parents = parents.length > 0 ? parents : [this.rootId];
    if (patch.name !== undefined) record.name = patch.name;
    if (patch.mimeType !== undefined && !isFolder(record)) record.mimeType = patch.mimeType;
    if (patch.description !== undefined) record.description = patch.description;
    const appProperties = mergeProperties(record.appProperties, patch.appProperties);
    if (appProperties) record.appProperties = appProperties;
    const properties = mergeProperties(record.properties, patch.properties);
    if (properties) record.properties = properties;
    if (patch.modifiedTime !== undefined) record.modifiedTime = patch.modifiedTime;
    if (patch.trashed !== undefined && patch.trashed !== record.trashed) {
      record.trashed = patch.trashed;
      record.explicitlyTrashed = patch.trashed;
      this.cascadeTrash(record, patch.trashed);
    }
    this.touch(record);
  }

  private descendants(folderId: string): DriveFileRecord[] {
    const found: DriveFileRecord[] = [];
    for (const record of this.files.values()) {
      if (record.parents.includes(folderId)) found.push(record, ...this.descendants(record.id));
    }
    return found;
  }

  private cascadeTrash(folder: DriveFileRecord, trashed: boolean): void {
    for (const child of this.descendants(folder.id)) {
      if (child.explicitlyTrashed) continue;
      child.trashed = trashed;
      this.touch(child);
    }
  }

  /** Deletes a file for good; a folder takes its descendants with it. */
  delete(record: DriveFileRecord): void {
    if (record.id === this.rootId) throw driveErrors.forbidden('insufficientFilePermissions', 'The root folder cannot be deleted.');
    for (const victim of [record, ...this.descendants(record.id)]) {
      this.files.delete(victim.id);
      this.recordChange(victim.id, true);
    }
  }

  private recordChange(fileId: string, removed: boolean): void {
    const entry = { seq: this.nextSeq, fileId, time: this.isoNow(), removed };
    this.nextSeq += 1;
    this.changeLog.push(entry);
    this.lastSeqByFile.set(fileId, entry.seq);
  }

  startPageToken(): string {
    return String(this.nextSeq);
  }

  /** Page tokens issued before now become invalid (400 on use). */
  expirePageTokens(): void {
    this.nextSeq += 1;
    this.minChangeToken = this.nextSeq;
    this.listEpoch += 1;
  }

  /** One page of changes from a token; undefined when the token is not valid. */
  changesSince(token: string, pageSize: number, includeRemoved: boolean): ChangePage | undefined {
    if (!/^\d+$/.test(token)) return undefined;
    const from = Number(token);
    if (from < this.minChangeToken || from > this.nextSeq) return undefined;
    const entries: DriveChangeEntry[] = [];
    for (const entry of this.changeLog) {
      if (entry.seq < from) continue;
      if (this.lastSeqByFile.get(entry.fileId) !== entry.seq) continue;
      if (entry.removed && !includeRemoved) continue;
      if (entries.length === pageSize) return { entries, nextPageToken: String(entry.seq) };
      entries.push(entry);
    }
    return { entries, newStartPageToken: String(this.nextSeq) };
  }

  /** Bytes stored, for about.storageQuota. */
  usage(): { total: number; trash: number } {
    let total = 0;
    let trash = 0;
    for (const record of this.files.values()) {
      const size = record.content?.length ?? 0;
      total += size;
      if (record.trashed) trash += size;
    }
    return { total, trash };
  }
}
