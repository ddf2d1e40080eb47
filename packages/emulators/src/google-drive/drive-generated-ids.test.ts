/**
 * @module google-drive/drive-generated-ids.test
 * Pre-generated file ids with the real @googleapis/drive SDK against the
 * Drive emulator: files.generateIds hands out ids a create may take once; a
 * create whose answer was lost after Drive made the file (the emulator's
 * `resetAfter` switch) is sent again with the same id and answers 409, so
 * the folder holds one file, not two; ids Drive never generated are refused.
 */
import { Readable } from 'node:stream';
import { drive as createDrive, type drive_v3 } from '@googleapis/drive';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startGoogleDriveEmulator, type GoogleDriveEmulator } from './google-drive-emulator.js';

let emulator: GoogleDriveEmulator;
let auth: OAuth2Client;
let drive: drive_v3.Drive;
/** Media calls need the host per call (the SDK's upload URL does not follow `rootUrl`). */
let media: { rootUrl: string };

const googleErrorSchema = z.object({
  status: z.number(),
  response: z.object({
    data: z.object({ error: z.object({ code: z.number(), message: z.string(), errors: z.array(z.object({ reason: z.string(), message: z.string() })) }) }),
  }),
});

/** The status and Google error of a call that must fail with an answer. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; reason: string | undefined; message: string }> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  const parsed = googleErrorSchema.parse(error);
  return { status: parsed.status, reason: parsed.response.data.error.errors[0]?.reason, message: parsed.response.data.error.message };
}

async function namesIn(folderId: string): Promise<string[]> {
  const listed = await drive.files.list({ q: `'${folderId}' in parents and trashed = false`, fields: 'files(id,name)' });
  return (listed.data.files ?? []).map((file) => file.name ?? '');
}

async function newFolder(name: string): Promise<string> {
  const created = await drive.files.create({ requestBody: { name, mimeType: 'application/vnd.google-apps.folder' }, fields: 'id' });
  return created.data.id ?? '';
}

async function generatedIds(count: number): Promise<string[]> {
  const answer = await drive.files.generateIds({ count, space: 'drive', type: 'files' });
  expect(answer.data).toMatchObject({ kind: 'drive#generatedIds', space: 'drive' });
  return answer.data.ids ?? [];
}

beforeAll(async () => {
  emulator = await startGoogleDriveEmulator();
  const tokens = emulator.issueToken();
  auth = new OAuth2Client({ clientId: 'ferry-test', forceRefreshOnFailure: true, endpoints: { oauth2TokenUrl: `${emulator.url}/token` } });
  auth.setCredentials({ access_token: tokens.accessToken, refresh_token: tokens.refreshToken, expiry_date: Date.now() + 3_600_000 });
  drive = createDrive({ version: 'v3', auth, rootUrl: `${emulator.url}/`, retry: false });
  media = { rootUrl: `${emulator.url}/` };
});

afterAll(async () => {
  await emulator.close();
});

describe('Drive emulator: pre-generated file ids (real SDK)', () => {
  it('generateIds gives distinct ids (10 by default, at most 1,000) that a create takes, once', async () => {
    const folderId = await newFolder('ids');
    expect(await generatedIds(10)).toHaveLength(10);
    const byDefault = await drive.files.generateIds({});
    expect(byDefault.data.ids).toHaveLength(10);
    expect((await refusal(drive.files.generateIds({ count: 1001 }))).status).toBe(400);
    const [id, other] = await generatedIds(2);
    expect(id).not.toBe(other);
    const created = await drive.files.create({ requestBody: { id, name: 'a.txt', parents: [folderId] }, media: { mimeType: 'text/plain', body: Readable.from(['a']) }, fields: 'id,name' }, media);
    expect(created.data).toEqual({ id, name: 'a.txt' });
    const again = await refusal(drive.files.create({ requestBody: { id, name: 'a.txt', parents: [folderId] }, media: { mimeType: 'text/plain', body: Readable.from(['a']) }, fields: 'id' }, media));
    expect(again).toEqual({ status: 409, reason: 'fileIdInUse', message: 'A file already exists with the provided ID.' });
    expect(await namesIn(folderId)).toEqual(['a.txt']);
  });

  it('an id Drive did not generate is refused, and a generated id cannot be given to an existing file', async () => {
    const folderId = await newFolder('not generated');
    const made = await refusal(drive.files.create({ requestBody: { id: '1madeUpByTheClientNotByDrive000000', name: 'x.txt', parents: [folderId] }, fields: 'id' }));
    expect(made).toEqual({ status: 400, reason: 'fileIdNotUsable', message: 'The provided file ID is not usable.' });
    const [id] = await generatedIds(1);
    const folder = await refusal(drive.files.update({ fileId: folderId, requestBody: { id } }));
    expect(folder).toMatchObject({ status: 403, reason: 'fieldNotWritable' });
    expect(await namesIn(folderId)).toEqual([]);
  });

  it('a create whose answer is lost after Drive made the file: the same create again answers 409, and there is one file, not two', async () => {
    const folderId = await newFolder('lost answer');
    const [id] = await generatedIds(1);
    const create = (): Promise<unknown> =>
      drive.files.create({ requestBody: { id, name: 'report.pdf', parents: [folderId] }, media: { mimeType: 'application/pdf', body: Readable.from(['%PDF']) }, fields: 'id' }, media);
    emulator.faults.push({ match: { method: 'POST', path: '/upload/drive/v3/files' }, resetAfter: true });
    const lost = await create().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(lost).toBeInstanceOf(Error); // no answer: the client cannot tell whether the file was made
    expect(await namesIn(folderId)).toEqual(['report.pdf']);
    expect(await refusal(create())).toMatchObject({ status: 409, reason: 'fileIdInUse' });
    const file = await drive.files.get({ fileId: id ?? '', fields: 'id,name,parents' });
    expect(file.data).toEqual({ id, name: 'report.pdf', parents: [folderId] });
    expect(await namesIn(folderId)).toEqual(['report.pdf']);
  });

  it('a resumable upload may carry a generated id; a taken id is refused when the session starts', async () => {
    const folderId = await newFolder('resumable');
    const [id] = await generatedIds(1);
    const start = (): Promise<{ status: number; headers: { get(name: string): string | null } }> =>
      auth.request({ url: `${emulator.url}/upload/drive/v3/files`, method: 'POST', params: { uploadType: 'resumable', fields: 'id' }, data: { id, name: 'big.bin', parents: [folderId] }, retry: false });
    const session = await start();
    const location = session.headers.get('location') ?? '';
    const finished = await auth.request<{ id: string }>({ url: location, method: 'PUT', headers: { 'content-range': 'bytes 0-1023/1024' }, data: Buffer.alloc(1024, 7), retry: false });
    expect(finished.data.id).toBe(id);
    expect(await refusal(start())).toMatchObject({ status: 409, reason: 'fileIdInUse' });
    expect(await namesIn(folderId)).toEqual(['big.bin']);
  });
});
