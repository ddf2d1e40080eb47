/**
 * @module google-drive/drive-upload-routes
 * The Drive upload endpoint (`/upload/drive/v3/files`) for create (POST) and
 * update (PATCH): `uploadType=media`, `multipart` (multipart/related) and
 * `resumable` (initiate → Location with upload_id → PUT chunks with
 * Content-Range → 308 Resume Incomplete with Range, or the file when done;
 * `Content-Range: bytes *\/N` asks for the status).
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendEmpty, type EmulatorRequest, type Router } from '../http/http-kit.js';
import { boundaryOf, parseMultipartRelated } from '../http/multipart-related.js';
import { driveRoute, parseFileMetadata, plainProperties, type DriveContext, type FileMetadata } from './drive-context.js';
import { DriveApiError, driveErrors } from './drive-errors.js';
import { sendFile, updateRecord } from './drive-files-routes.js';

/** Google's resumable protocol wants non-final chunks of at least 256 KiB. */
const minimumChunk = 256 * 1024;

interface ResumableSession {
  readonly fileId: string | undefined;
  readonly metadata: FileMetadata;
  readonly contentType: string | undefined;
  readonly query: URLSearchParams;
  totalSize: number | undefined;
  chunks: Buffer[];
  received: number;
}

interface UploadPayload {
  metadata: FileMetadata;
  content: Buffer;
  contentType: string | undefined;
}

async function readPayload(request: EmulatorRequest, uploadType: string): Promise<UploadPayload> {
  const body = await request.body();
  if (uploadType === 'media') {
    return { metadata: {}, content: body, contentType: request.header('content-type') };
  }
  const boundary = boundaryOf(request.header('content-type'));
  const parts = boundary ? parseMultipartRelated(body, boundary) : undefined;
  const [metadataPart, mediaPart] = parts ?? [];
  if (!metadataPart || !mediaPart) throw driveErrors.badRequest('Malformed multipart body.');
  return {
    metadata: parseFileMetadata(metadataPart.content),
    content: mediaPart.content,
    contentType: mediaPart.headers['content-type'],
  };
}

function commit(context: DriveContext, request: EmulatorRequest, fileId: string | undefined, payload: UploadPayload): ReturnType<DriveContext['state']['require']> {
  const { metadata, content, contentType } = payload;
  if (fileId === undefined) {
    return context.state.create({
      ...metadata,
      mimeType: metadata.mimeType ?? contentType ?? 'application/octet-stream',
      content,
      appProperties: plainProperties(metadata.appProperties),
      properties: plainProperties(metadata.properties),
    });
  }
  const record = context.state.require(fileId);
  context.state.setContent(record, content, metadata.mimeType);
  if (Object.keys(metadata).length > 0 || request.url.searchParams.has('addParents') || request.url.searchParams.has('removeParents')) {
    updateRecord(context, request, record, metadata);
  }
  return record;
}

function parseContentRange(header: string | undefined): { start?: number; end?: number; total?: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const match = /^bytes (\*|(\d+)-(\d+))\/(\*|\d+)$/.exec(header.trim());
  if (!match) return 'invalid';
  const total = match[4] === '*' ? undefined : Number(match[4]);
  if (match[1] === '*') return { ...(total !== undefined ? { total } : {}) };
  return { start: Number(match[2]), end: Number(match[3]), ...(total !== undefined ? { total } : {}) };
}

function sendIncomplete(response: ServerResponse, received: number): void {
  sendEmpty(response, 308, received > 0 ? { range: `bytes=0-${received - 1}` } : {});
}

export function registerDriveUploadRoutes(router: Router, context: DriveContext): void {
  const sessions = new Map<string, ResumableSession>();
  /** Finished sessions answer a status query with the file they made. */
  const completed = new Map<string, string>();

  const initiate = async (request: EmulatorRequest, response: ServerResponse, fileId: string | undefined): Promise<void> => {
    if (fileId !== undefined) context.state.require(fileId);
    const metadata = parseFileMetadata(await request.body());
    if (fileId === undefined && metadata.id !== undefined) context.state.checkNewId(metadata.id, metadata.mimeType); // checked again when the file is made
    const declared = request.header('x-upload-content-length');
    const uploadId = 'ADPyc' + randomBytes(24).toString('base64url');
    const query = new URLSearchParams(request.url.searchParams);
    sessions.set(uploadId, {
      fileId,
      metadata,
      contentType: request.header('x-upload-content-type'),
      query,
      totalSize: declared !== undefined ? Number(declared) : undefined,
      chunks: [],
      received: 0,
    });
    const location = new URL(`${context.baseUrl()}/upload/drive/v3/files${fileId !== undefined ? `/${fileId}` : ''}`);
    query.forEach((value, key) => location.searchParams.set(key, value));
    location.searchParams.set('upload_id', uploadId);
    sendEmpty(response, 200, { location: location.toString(), 'x-guploader-uploadid': uploadId });
  };

  const upload = (fileIdOf: (request: EmulatorRequest) => string | undefined) =>
    driveRoute(context, async (request, response) => {
      const uploadType = request.url.searchParams.get('uploadType') ?? 'media';
      const fileId = fileIdOf(request);
      if (uploadType === 'resumable') {
        await initiate(request, response, fileId);
        return;
      }
      if (uploadType !== 'media' && uploadType !== 'multipart') throw driveErrors.invalidValue('uploadType');
      const record = commit(context, request, fileId, await readPayload(request, uploadType));
      sendFile(context, request, response, record);
    });

  const resumeChunk = driveRoute(context, async (request, response) => {
    const uploadId = request.url.searchParams.get('upload_id') ?? '';
    const session = sessions.get(uploadId);
    const finishedId = completed.get(uploadId);
    if (!session && finishedId !== undefined) {
      sendFile(context, request, response, context.state.require(finishedId));
      return;
    }
    if (!session) throw new DriveApiError(404, 'notFound', 'Upload session not found or expired.');
    const range = parseContentRange(request.header('content-range'));
    if (range === 'invalid') throw driveErrors.badRequest('Failed to parse Content-Range header.');
    const body = await request.body();
    if (range?.total !== undefined) session.totalSize = range.total;
    if (range?.start !== undefined && range.end !== undefined) {
      if (range.start > session.received) {
        throw driveErrors.badRequest(
          `Invalid request. According to the Content-Range header, the upload offset is ${range.start} byte(s), which exceeds already uploaded size of ${session.received} byte(s).`,
        );
      }
      if (range.end - range.start + 1 !== body.length) throw driveErrors.badRequest('The Content-Range header does not match the body length.');
      const fresh = body.subarray(session.received - range.start);
      const isFinal = session.totalSize !== undefined && range.end + 1 === session.totalSize;
      if (!isFinal && body.length < minimumChunk) {
        throw driveErrors.badRequest(
          `Invalid request. The number of bytes uploaded is required to be equal or greater than ${minimumChunk}, except for the final request (it's recommended to be the exact multiple of ${minimumChunk}). The received request contained ${body.length} bytes, which does not meet this requirement.`,
        );
      }
      session.chunks.push(fresh);
      session.received += fresh.length;
    } else if (range === undefined && body.length > 0) {
      session.chunks.push(body);
      session.received += body.length;
      session.totalSize = session.received;
    }
    if (session.totalSize !== undefined && session.received > session.totalSize) {
      throw driveErrors.badRequest('More bytes were uploaded than the declared size.');
    }
    if (session.totalSize === undefined || session.received < session.totalSize) {
      sendIncomplete(response, session.received);
      return;
    }
    sessions.delete(uploadId);
    const finalRequest: EmulatorRequest = { ...request, url: new URL(`${request.url.pathname}?${session.query.toString()}`, request.url) };
    const record = commit(context, finalRequest, session.fileId, {
      metadata: session.metadata,
      content: Buffer.concat(session.chunks),
      contentType: session.contentType,
    });
    completed.set(uploadId, record.id);
    sendFile(context, finalRequest, response, record);
  });

  const cancel = driveRoute(context, (request, response) => {
    const uploadId = request.url.searchParams.get('upload_id') ?? '';
    if (!sessions.delete(uploadId)) throw new DriveApiError(404, 'notFound', 'Upload session not found or expired.');
    sendEmpty(response, 499);
  });

  router.on('POST', '/upload/drive/v3/files', upload(() => undefined));
  router.on('PATCH', '/upload/drive/v3/files/:fileId', upload((request) => request.params['fileId']));
  router.on('PUT', '/upload/drive/v3/files', resumeChunk);
  router.on('PUT', '/upload/drive/v3/files/:fileId', resumeChunk);
  router.on('DELETE', '/upload/drive/v3/files', cancel);
}
