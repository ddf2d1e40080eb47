/**
 * @module google-drive/drive-model
 * The file records the Drive emulator keeps and how they render as Drive v3
 * `File` resources (sizes and versions as strings, RFC 3339 times, md5/sha1/
 * sha256 checksums and a headRevisionId only for blobs, never for folders).
 */
import { createHash, randomBytes } from 'node:crypto';

export const folderMimeType = 'application/vnd.google-apps.folder';

export interface DriveFileRecord {
  id: string;
  name: string;
  mimeType: string;
  parents: string[];
  trashed: boolean;
  explicitlyTrashed: boolean;
  createdTime: string;
  modifiedTime: string;
  version: number;
  description?: string;
  appProperties?: Record<string, string>;
  properties?: Record<string, string>;
  /** Present for blob files only. */
  content?: Buffer;
  headRevisionId?: string;
}

export type DriveFileResource = Record<string, unknown>;

export function isFolder(record: DriveFileRecord): boolean {
  return record.mimeType === folderMimeType;
}

/** Drive ids are 33 URL-safe characters for files. */
export function newDriveId(): string {
  return '1' + randomBytes(24).toString('base64url').slice(0, 32);
}

export function newRevisionId(): string {
  return '0B' + randomBytes(24).toString('base64url').slice(0, 40);
}

function digest(algorithm: 'md5' | 'sha1' | 'sha256', content: Buffer): string {
  return createHash(algorithm).update(content).digest('hex');
}

function extensionOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1) : undefined;
}

export interface DriveOwner {
  displayName: string;
  emailAddress: string;
  permissionId: string;
}

/** The full resource (every field the emulator knows); `fields` trims it later. */
export function toFileResource(record: DriveFileRecord, owner: DriveOwner): DriveFileResource {
  const resource: DriveFileResource = {
    kind: 'drive#file',
    id: record.id,
    name: record.name,
    mimeType: record.mimeType,
    parents: [...record.parents],
    trashed: record.trashed,
    explicitlyTrashed: record.explicitlyTrashed,
    starred: false,
    spaces: ['drive'],
    version: String(record.version),
    createdTime: record.createdTime,
    modifiedTime: record.modifiedTime,
    modifiedByMe: true,
    modifiedByMeTime: record.modifiedTime,
    ownedByMe: true,
    owners: [{ kind: 'drive#user', displayName: owner.displayName, emailAddress: owner.emailAddress, permissionId: owner.permissionId, me: true }],
    quotaBytesUsed: String(record.content?.length ?? 0),
    capabilities: { canEdit: true, canDelete: true, canTrash: true, canRename: true, canDownload: !isFolder(record) },
  };
  if (record.description !== undefined) resource['description'] = record.description;
  if (record.appProperties) resource['appProperties'] = { ...record.appProperties };
  if (record.properties) resource['properties'] = { ...record.properties };
  if (record.content) {
    const extension = extensionOf(record.name);
    Object.assign(resource, {
      size: String(record.content.length),
      md5Checksum: digest('md5', record.content),
      sha1Checksum: digest('sha1', record.content),
      sha256Checksum: digest('sha256', record.content),
      headRevisionId: record.headRevisionId,
      originalFilename: record.name,
      ...(extension ? { fileExtension: extension, fullFileExtension: extension } : {}),
    });
  }
  return resource;
}
