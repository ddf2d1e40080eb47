/**
 * @module google-drive/drive-files-routes
 * Drive v3 metadata endpoints: about.get, files.generateIds (ids a create
 * may take once, so a retried create that landed answers 409 instead of
 * making a second file), files.list/get/create/update/delete
 * (with `alt=media` downloads and Range), changes.getStartPageToken and
 * changes.list. Responses honour `fields`, with Drive's default selections.
 */
import type { ServerResponse } from 'node:http';
import { sendBytes, sendEmpty, sendJson, type EmulatorRequest, type Router } from '../http/http-kit.js';
import { driveRoute, parseFileMetadata, plainProperties, splitIds, type DriveContext } from './drive-context.js';
import { DriveApiError, driveErrors } from './drive-errors.js';
import { applyFields } from './drive-fields.js';
import { isFolder, toFileResource, type DriveFileRecord } from './drive-model.js';
import { parseDriveQuery } from './drive-query.js';

export const defaultFileFields = 'kind,id,name,mimeType';
const defaultListFields = 'kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)';
const defaultChangeFields = 'kind,nextPageToken,newStartPageToken,changes(kind,changeType,time,removed,fileId,file(kind,id,name,mimeType))';

/** Renders a file resource with the request's `fields`. */
export function sendFile(context: DriveContext, request: EmulatorRequest, response: ServerResponse, record: DriveFileRecord, status = 200): void {
  const resource = toFileResource(record, context.owner);
  sendJson(response, status, applyFields(resource, request.url.searchParams.get('fields'), defaultFileFields));
}

function intParam(request: EmulatorRequest, name: string, fallback: number, min: number, max: number): number {
  const raw = request.url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw driveErrors.invalidValue(name);
  return value;
}

function boolParam(request: EmulatorRequest, name: string, fallback: boolean): boolean {
  const raw = request.url.searchParams.get(name);
  return raw === null ? fallback : raw === 'true';
}

type Comparator = (left: DriveFileRecord, right: DriveFileRecord) => number;

function orderComparator(orderBy: string | null): Comparator | undefined {
  if (!orderBy) return undefined;
  const keys = orderBy.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
    const [key = '', direction] = part.split(/\s+/);
    const sign = direction?.toLowerCase() === 'desc' ? -1 : 1;
    const pick: Record<string, (record: DriveFileRecord) => string | number> = {
      name: (record) => record.name.toLowerCase(),
      name_natural: (record) => record.name.toLowerCase(),
      folder: (record) => (isFolder(record) ? 0 : 1),
      createdTime: (record) => record.createdTime,
      modifiedTime: (record) => record.modifiedTime,
      quotaBytesUsed: (record) => record.content?.length ?? 0,
    };
    const picker = pick[key];
    if (!picker) throw driveErrors.invalidValue('orderBy');
    return { picker, sign };
  });
  return (left, right) => {
    for (const { picker, sign } of keys) {
      const a = picker(left);
      const b = picker(right);
      if (a < b) return -sign;
      if (a > b) return sign;
    }
    return 0;
  };
}

interface ListToken {
  offset: number;
  query: string;
  epoch: number;
}

function encodeListToken(token: ListToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeListToken(raw: string): ListToken | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { offset, query, epoch } = value as Record<string, unknown>;
    if (typeof offset !== 'number' || typeof query !== 'string' || typeof epoch !== 'number') return undefined;
    return { offset, query, epoch };
  } catch {
    return undefined;
  }
}

function registerFilesList(router: Router, context: DriveContext): void {
  router.on('GET', '/drive/v3/files', driveRoute(context, (request, response) => {
    const params = request.url.searchParams;
    const q = params.get('q') ?? '';
    const orderBy = params.get('orderBy');
    const pageSize = intParam(request, 'pageSize', 100, 1, 1000);
    const predicate = q ? parseDriveQuery(q, (id) => context.state.resolveId(id)) : () => true;
    const comparator = orderComparator(orderBy);
    const queryKey = `${q}\u0000${orderBy ?? ''}`;
    let offset = 0;
    const rawToken = params.get('pageToken');
    if (rawToken) {
      const token = decodeListToken(rawToken);
      if (!token || token.query !== queryKey || token.epoch !== context.state.listEpoch) throw driveErrors.invalidValue('pageToken');
      offset = token.offset;
    }
    const matches = context.state.all().filter(predicate);
    if (comparator) matches.sort(comparator);
    const page = matches.slice(offset, offset + pageSize);
    const more = offset + pageSize < matches.length;
    const body: Record<string, unknown> = {
      kind: 'drive#fileList',
      incompleteSearch: false,
      files: page.map((record) => toFileResource(record, context.owner)),
      ...(more ? { nextPageToken: encodeListToken({ offset: offset + pageSize, query: queryKey, epoch: context.state.listEpoch }) } : {}),
    };
    sendJson(response, 200, applyFields(body, params.get('fields'), defaultListFields));
  }));
}

function registerFileEndpoints(router: Router, context: DriveContext): void {
  // Before `/drive/v3/files/:fileId`, which would take "generateIds" for an id.
  router.on('GET', '/drive/v3/files/generateIds', driveRoute(context, (request, response) => {
    const params = request.url.searchParams;
    const count = intParam(request, 'count', 10, 1, 1000);
    const space = params.get('space') ?? 'drive';
    if (space !== 'drive' && space !== 'appDataFolder') throw driveErrors.invalidValue('space');
    const type = params.get('type') ?? 'files';
    if (type !== 'files' && type !== 'shortcuts') throw driveErrors.invalidValue('type');
    if (type === 'shortcuts' && space !== 'drive') throw driveErrors.badRequest('Shortcuts can only be created in the drive space.');
    const body = { kind: 'drive#generatedIds', space, ids: context.state.generateIds(count) };
    sendJson(response, 200, applyFields(body, params.get('fields'), 'kind,space,ids'));
  }));

  router.on('GET', '/drive/v3/files/:fileId', driveRoute(context, (request, response) => {
    const record = context.state.require(request.params['fileId'] ?? '');
    if (request.url.searchParams.get('alt') !== 'media') {
      sendFile(context, request, response, record);
      return;
    }
    if (!record.content) {
      throw new DriveApiError(403, 'fileNotDownloadable', 'Only files with binary content can be downloaded. Use Export with Docs Editors files.', {
        location: 'alt',
        locationType: 'parameter',
      });
    }
    sendBytes(response, record.content, request.header('range'), { 'content-type': record.mimeType });
  }));

  router.on('POST', '/drive/v3/files', driveRoute(context, async (request, response) => {
    const metadata = parseFileMetadata(await request.body());
    const record = context.state.create({
      ...metadata,
      appProperties: plainProperties(metadata.appProperties),
      properties: plainProperties(metadata.properties),
    });
    sendFile(context, request, response, record);
  }));

  router.on('PATCH', '/drive/v3/files/:fileId', driveRoute(context, async (request, response) => {
    const record = context.state.require(request.params['fileId'] ?? '');
    const metadata = parseFileMetadata(await request.body());
    updateRecord(context, request, record, metadata);
    sendFile(context, request, response, record);
  }));

  router.on('DELETE', '/drive/v3/files/:fileId', driveRoute(context, (request, response) => {
    context.state.delete(context.state.require(request.params['fileId'] ?? ''));
    sendEmpty(response, 204);
  }));
}

/** files.update semantics shared by the metadata and the upload endpoints. */
export function updateRecord(
  context: DriveContext,
  request: EmulatorRequest,
  record: DriveFileRecord,
  metadata: ReturnType<typeof parseFileMetadata>,
): void {
  if (metadata.id !== undefined && metadata.id !== record.id) {
    throw driveErrors.forbidden('fieldNotWritable', 'The resource body includes fields which are not directly writable.');
  }
  if (metadata.parents !== undefined) {
    throw driveErrors.forbidden(
      'fieldNotWritable',
      'The resource body includes fields which are not directly writable. Use addParents and removeParents to change parents.',
    );
  }
  const params = request.url.searchParams;
  context.state.update(record, metadata, splitIds(params.get('addParents')), splitIds(params.get('removeParents')));
}

function registerAboutAndChanges(router: Router, context: DriveContext): void {
  router.on('GET', '/drive/v3/about', driveRoute(context, (request, response) => {
    const fields = request.url.searchParams.get('fields');
    if (!fields) throw driveErrors.required('fields', "The 'fields' parameter is required for this method.");
    const usage = context.state.usage();
    const about = {
      kind: 'drive#about',
      user: { kind: 'drive#user', ...context.owner, me: true },
      storageQuota: {
        limit: String(context.quotaLimit),
        usage: String(usage.total),
        usageInDrive: String(usage.total),
        usageInDriveTrash: String(usage.trash),
      },
      rootFolderId: context.state.rootId,
      maxUploadSize: String(5 * 1024 ** 4),
    };
    sendJson(response, 200, applyFields(about, fields, fields));
  }));

  router.on('GET', '/drive/v3/changes/startPageToken', driveRoute(context, (request, response) => {
    const body = { kind: 'drive#startPageToken', startPageToken: context.state.startPageToken() };
    sendJson(response, 200, applyFields(body, request.url.searchParams.get('fields'), 'kind,startPageToken'));
  }));

  router.on('GET', '/drive/v3/changes', driveRoute(context, (request, response) => {
    const params = request.url.searchParams;
    const token = params.get('pageToken');
    if (!token) throw driveErrors.required('pageToken', 'Required parameter: pageToken');
    const pageSize = intParam(request, 'pageSize', 100, 1, 1000);
    const page = context.state.changesSince(token, pageSize, boolParam(request, 'includeRemoved', true));
    if (!page) throw driveErrors.invalidValue('pageToken');
    const changes = page.entries.map((entry) => {
      const record = entry.removed ? undefined : context.state.get(entry.fileId);
      return {
        kind: 'drive#change',
        changeType: 'file',
        time: entry.time,
        removed: entry.removed,
        fileId: entry.fileId,
        ...(record ? { file: toFileResource(record, context.owner) } : {}),
      };
    });
    const body = {
      kind: 'drive#changeList',
      changes,
      ...(page.nextPageToken !== undefined ? { nextPageToken: page.nextPageToken } : {}),
      ...(page.newStartPageToken !== undefined ? { newStartPageToken: page.newStartPageToken } : {}),
    };
    sendJson(response, 200, applyFields(body, params.get('fields'), defaultChangeFields));
  }));
}

export function registerDriveFileRoutes(router: Router, context: DriveContext): void {
  registerFilesList(router, context);
  registerFileEndpoints(router, context);
  registerAboutAndChanges(router, context);
}
