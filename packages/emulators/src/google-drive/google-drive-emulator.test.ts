/**
 * @module google-drive/google-drive-emulator.test
 * The real @googleapis/drive SDK (with google-auth-library's OAuth2Client)
 * against the Drive emulator: folders, the three upload types, listing with
 * q and paging, ranged downloads, moves, trash, delete, changes, and errors.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { drive as createDrive, type drive_v3 } from '@googleapis/drive';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startGoogleDriveEmulator, type GoogleDriveEmulator } from './google-drive-emulator.js';

const folderType = 'application/vnd.google-apps.folder';
let emulator: GoogleDriveEmulator;
let auth: OAuth2Client;
let drive: drive_v3.Drive;
let media: { rootUrl: string };

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function md5(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

const googleErrorSchema = z.object({
  status: z.number(),
  response: z.object({
    headers: z.custom<Pick<Headers, 'get'>>((value) => typeof value === 'object' && value !== null && 'get' in value),
    data: z.object({
      error: z.object({
        code: z.number(),
        message: z.string(),
        status: z.string(),
        errors: z.array(z.object({ domain: z.string(), reason: z.string(), message: z.string(), location: z.string().optional() })),
      }),
    }),
  }),
});

/** What a driver reads from a failed SDK call: the GaxiosError's status and Google's error object. */
async function failure(call: Promise<unknown>): Promise<z.infer<typeof googleErrorSchema>> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).constructor.name).toBe('GaxiosError');
  return googleErrorSchema.parse(error);
}

beforeAll(async () => {
  emulator = await startGoogleDriveEmulator();
  const tokens = emulator.issueToken();
  auth = new OAuth2Client({ clientId: 'ferry-test', clientSecret: 'secret', forceRefreshOnFailure: true, endpoints: { oauth2TokenUrl: `${emulator.url}/token` } });
  auth.setCredentials({ access_token: tokens.accessToken, refresh_token: tokens.refreshToken, expiry_date: Date.now() + 3_600_000 });
  media = { rootUrl: `${emulator.url}/` };
  drive = createDrive({ version: 'v3', auth, rootUrl: `${emulator.url}/` });
});

afterAll(async () => {
  await emulator.close();
});

async function makeFolder(name: string, parent?: string): Promise<string> {
  const created = await drive.files.create({
    requestBody: { name, mimeType: folderType, ...(parent ? { parents: [parent] } : {}) },
    fields: 'id',
  });
  return created.data.id ?? '';
}

describe('Google Drive emulator with the real SDK', () => {
  it('creates folders and uploads with media, multipart and resumable, reporting checksums', async () => {
    const folderId = await makeFolder('Projects');
    const folder = await drive.files.get({ fileId: folderId, fields: 'id,name,mimeType,parents,size' });
    expect(folder.data).toMatchObject({ name: 'Projects', mimeType: folderType });
    expect(folder.data.size).toBeUndefined();

    const plain = await drive.files.create(
      { media: { mimeType: 'text/plain', body: 'hello drive' }, fields: 'id,name,size,md5Checksum,sha256Checksum,version' },
      media,
    );
    expect(plain.data).toMatchObject({ name: 'Untitled', size: '11', md5Checksum: md5('hello drive'), sha256Checksum: sha256('hello drive') });

    const content = Buffer.alloc(300_000, 7);
    const multipart = await drive.files.create(
      {
        requestBody: { name: 'report.bin', parents: [folderId] },
        media: { mimeType: 'application/octet-stream', body: Readable.from([content]) },
        fields: 'id,name,parents,size,md5Checksum,sha256Checksum,headRevisionId,version,modifiedTime',
      },
      media,
    );
    expect(multipart.data).toMatchObject({ name: 'report.bin', parents: [folderId], size: '300000', sha256Checksum: sha256(content), md5Checksum: md5(content) });
    expect(typeof multipart.data.version).toBe('string');
    expect(multipart.data.headRevisionId).toBeTruthy();

    const big = Buffer.alloc(600 * 1024, Uint8Array.from({ length: 251 }, (_, index) => index));
    const start = await auth.request<unknown>({
      url: `${emulator.url}/upload/drive/v3/files`,
      method: 'POST',
      params: { uploadType: 'resumable', fields: 'id,name,size,sha256Checksum' },
      headers: { 'x-upload-content-type': 'application/octet-stream', 'x-upload-content-length': String(big.length) },
      data: { name: 'big.bin', parents: [folderId] },
    });
    const location = start.headers.get('location') ?? '';
    expect(location).toContain('upload_id=');
    const chunk = 256 * 1024;
    const first = await auth.request<unknown>({
      url: location,
      method: 'PUT',
      headers: { 'content-range': `bytes 0-${chunk - 1}/${big.length}` },
      data: big.subarray(0, chunk),
      validateStatus: (status) => status === 308,
    });
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${chunk - 1}`);
    const status = await auth.request<unknown>({
      url: location,
      method: 'PUT',
      headers: { 'content-range': `bytes */${big.length}` },
      validateStatus: (code) => code === 308,
    });
    expect(status.headers.get('range')).toBe(`bytes=0-${chunk - 1}`);
    await auth.request({
      url: location,
      method: 'PUT',
      headers: { 'content-range': `bytes ${chunk}-${2 * chunk - 1}/${big.length}` },
      data: big.subarray(chunk, 2 * chunk),
      validateStatus: (code) => code === 308,
    });
    const done = await auth.request<{ id: string; name: string; size: string; sha256Checksum: string }>({
      url: location,
      method: 'PUT',
      headers: { 'content-range': `bytes ${2 * chunk}-${big.length - 1}/${big.length}` },
      data: big.subarray(2 * chunk),
    });
    expect(done.data).toMatchObject({ name: 'big.bin', size: String(big.length), sha256Checksum: sha256(big) });

    const ranged = await drive.files.get({ fileId: done.data.id, alt: 'media' }, { responseType: 'arraybuffer', headers: { Range: 'bytes=1000-1999' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(ranged.data as unknown as ArrayBuffer)).toEqual(big.subarray(1000, 2000));
  });

  it('lists with q, fields and paging', async () => {
    const parent = await makeFolder('Paged');
    for (const name of ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']) {
      await drive.files.create({ requestBody: { name, parents: [parent] }, media: { mimeType: 'text/plain', body: name } }, media);
    }
    await makeFolder('sub', parent);
    const seen: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await drive.files.list({
        q: `'${parent}' in parents and trashed = false and mimeType != '${folderType}'`,
        pageSize: 2,
        orderBy: 'name',
        fields: 'nextPageToken,files(id,name,size)',
        ...(pageToken ? { pageToken } : {}),
      });
      pages += 1;
      seen.push(...(page.data.files ?? []).map((file) => file.name ?? ''));
      pageToken = page.data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(seen).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']);
    expect(pages).toBe(3);

    const byName = await drive.files.list({ q: `name = 'c.txt' and '${parent}' in parents`, fields: 'files(name,size)' });
    expect(byName.data.files).toEqual([{ name: 'c.txt', size: '5' }]);
    const defaults = await drive.files.list({ q: `'${parent}' in parents and mimeType = '${folderType}'` });
    expect(defaults.data.files).toEqual([{ kind: 'drive#file', id: expect.any(String), name: 'sub', mimeType: folderType }]);
  });

  it('renames, moves, trashes and deletes, and changes.list reports each with paging', async () => {
    const { data: startToken } = await drive.changes.getStartPageToken({});
    const from = await makeFolder('From');
    const to = await makeFolder('To');
    const file = await drive.files.create({ requestBody: { name: 'note.txt', parents: [from] }, media: { mimeType: 'text/plain', body: 'v1' }, fields: 'id,version' }, media);
    const fileId = file.data.id ?? '';

    const renamed = await drive.files.update({ fileId, requestBody: { name: 'renamed.txt' }, fields: 'name,version' });
    expect(renamed.data.name).toBe('renamed.txt');
    expect(Number(renamed.data.version)).toBeGreaterThan(Number(file.data.version));
    const moved = await drive.files.update({ fileId, addParents: to, removeParents: from, fields: 'parents' });
    expect(moved.data.parents).toEqual([to]);
    const updated = await drive.files.update({ fileId, media: { mimeType: 'text/plain', body: 'version two' }, fields: 'size,sha256Checksum' }, media);
    expect(updated.data).toMatchObject({ size: '11', sha256Checksum: sha256('version two') });
    const trashed = await drive.files.update({ fileId: from, requestBody: { trashed: true }, fields: 'trashed' });
    expect(trashed.data.trashed).toBe(true);
    await drive.files.delete({ fileId: to });

    const changes: drive_v3.Schema$Change[] = [];
    let pageToken: string | undefined = startToken.startPageToken ?? '';
    let newStart: string | undefined;
    while (pageToken) {
      const page: { data: drive_v3.Schema$ChangeList } = await drive.changes.list({
        pageToken,
        pageSize: 1,
        fields: 'nextPageToken,newStartPageToken,changes(fileId,removed,time,file(name,trashed,parents))',
      });
      changes.push(...(page.data.changes ?? []));
      pageToken = page.data.nextPageToken ?? undefined;
      newStart = page.data.newStartPageToken ?? newStart;
    }
    const byId = new Map(changes.map((change) => [change.fileId, change]));
    expect(changes).toHaveLength(3);
    expect(byId.get(from)).toMatchObject({ removed: false, file: { name: 'From', trashed: true } });
    expect(byId.get(to)).toMatchObject({ removed: true });
    expect(byId.get(to)?.file).toBeUndefined();
    expect(byId.get(fileId)).toMatchObject({ removed: true });
    expect(newStart).toBeTruthy();

    const quiet = await drive.changes.list({ pageToken: newStart ?? '' });
    expect(quiet.data.changes).toEqual([]);
    expect(quiet.data.newStartPageToken).toBe(newStart);
    await expect(drive.files.get({ fileId })).rejects.toMatchObject({ status: 404 });

    emulator.expireCursors();
    const expired = await failure(drive.changes.list({ pageToken: newStart ?? '' }));
    expect(expired.response.data.error).toMatchObject({ code: 400, errors: [{ reason: 'invalid', location: 'pageToken' }] });
    const { data: fresh } = await drive.changes.getStartPageToken({});
    await expect(drive.changes.list({ pageToken: fresh.startPageToken ?? '' })).resolves.toMatchObject({ status: 200 });
  });

  it('surfaces 404, 400 and rate-limit errors as GaxiosError with Google error objects', async () => {
    const notFound = await failure(drive.files.get({ fileId: 'missing-id' }));
    expect(notFound.status).toBe(404);
    expect(notFound.response.data.error).toMatchObject({
      code: 404,
      status: 'NOT_FOUND',
      errors: [{ reason: 'notFound', domain: 'global', message: 'File not found: missing-id.', location: 'fileId' }],
    });
    const badQuery = await failure(drive.files.list({ q: 'nonsense ~~ 3' }));
    expect(badQuery.response.data.error).toMatchObject({ code: 400, errors: [{ reason: 'invalid', location: 'q' }] });

    emulator.faults.push({ match: { method: 'POST', path: '/drive/v3/files' }, status: 429, retryAfter: 2 });
    const limited = await failure(drive.files.create({ requestBody: { name: 'x', mimeType: folderType } }));
    expect(limited.response.data.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', errors: [{ reason: 'rateLimitExceeded', domain: 'usageLimits' }] });
    expect(limited.response.headers.get('retry-after')).toBe('2');

    emulator.faults.push({ match: { path: '/drive/v3/files/*' }, status: 403, times: 2 });
    const userLimited = await failure(drive.files.get({ fileId: 'root' }, { retry: false }));
    expect(userLimited.response.data.error).toMatchObject({ code: 403, errors: [{ reason: 'userRateLimitExceeded', domain: 'usageLimits' }] });
    emulator.faults.clear();
  });

  it('refreshes an expired access token through the OAuth token endpoint and keeps working', async () => {
    emulator.expireTokens();
    const about = await drive.about.get({ fields: 'user(emailAddress),storageQuota(usage,limit)' });
    expect(about.data.user?.emailAddress).toBe('user@example.com');
    expect(Number(about.data.storageQuota?.usage)).toBeGreaterThan(0);
  });
});
