/**
 * @module cli.files.test
 * The built `ferry` binary against a real server: a user puts a folder tree,
 * lists and gets it back byte for byte, moves, trashes and restores, looks at
 * versions, shares a file, reads the event feed, and gets the documented exit
 * codes when something is wrong.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer, type TestUser } from '@ferry/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from './testing/build-cli.js';
import { runFerry, spawnFerry, type FerryRunOptions } from './testing/run-ferry.js';

let server: TestServer;
let user: TestUser;
let work: string;

function asUser(extra: FerryRunOptions = {}): FerryRunOptions {
  return { ...extra, cwd: extra.cwd ?? work, env: { FERRY_SERVER: server.url, FERRY_TOKEN: user.token, ...extra.env } };
}

/** Runs ferry as the test user and expects success. */
async function ferry(args: string[], extra: FerryRunOptions = {}): Promise<string> {
  const run = await runFerry(args, asUser(extra));
  if (run.code !== 0) throw new Error(`ferry ${args.join(' ')} exited ${String(run.code)}: ${run.stderr}`);
  return run.stdout;
}

function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

async function listTree(root: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(out, await listTree(root, relative));
    else out[relative] = (await readFile(join(root, relative))).toString('base64');
  }
  return out;
}

beforeAll(async () => {
  await buildCli();
  server = await startTestServer();
  user = await server.newUser();
  work = await mkdtemp(join(tmpdir(), 'ferry-cli-'));
}, 300_000);

afterAll(async () => {
  await server?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('ferry against a server', { timeout: 180_000 }, () => {
  it('says who the token belongs to', async () => {
    const human = await ferry(['whoami']);
    expect(human).toContain(user.user.email);
    expect(human).toContain(user.workspace.id);
    const me = JSON.parse(await ferry(['--json', 'whoami'])) as { user: { id: string } };
    expect(me.user.id).toBe(user.user.id);
  });

  it('puts a folder tree, lists it and gets it back byte-identical', async () => {
    const tree = join(work, 'project');
    await mkdir(join(tree, 'src', 'deep'), { recursive: true });
    await mkdir(join(tree, 'empty'), { recursive: true });
    await writeFile(join(tree, 'README.md'), '# Project\n');
    await writeFile(join(tree, 'src', 'main.ts'), 'console.log("hi");\n');
    await writeFile(join(tree, 'src', 'deep', 'data.bin'), randomBytes(300_000));
    await writeFile(join(tree, 'src', 'deep', 'naïve café.txt'), 'unicode names\n');
    await writeFile(join(work, 'loose.txt'), 'a loose file\n');
    await ferry(['mkdir', '/backup']);

    const lines = jsonLines(await ferry(['--json', 'put', tree, join(work, 'loose.txt'), '/backup'])) as { path: string; size: number }[];
    expect(lines.map((line) => line.path).sort()).toEqual(
      ['/backup/loose.txt', '/backup/project/README.md', '/backup/project/src/deep/data.bin', '/backup/project/src/deep/naïve café.txt', '/backup/project/src/main.ts'].sort(),
    );

    expect((await ferry(['ls', '/backup/project'])).trim().split('\n')).toEqual(['empty/', 'src/', 'README.md']);
    const long = await ferry(['ls', '-l', '/backup/project/src/deep']);
    expect(long).toMatch(/data\.bin/);
    expect(long).toMatch(/293 KiB/);
    const listed = JSON.parse(await ferry(['--json', 'ls', '/backup'])) as { items: { name: string; kind: string }[] };
    expect(listed.items.map((item) => `${item.kind}:${item.name}`)).toEqual(['folder:project', 'file:loose.txt']);

    const back = join(work, 'back');
    await mkdir(back);
    await ferry(['get', '/backup/project', back]);
    expect(await listTree(join(back, 'project'))).toEqual(await listTree(tree));
    await expect(readdir(join(back, 'project', 'empty'))).resolves.toEqual([]);

    await ferry(['get', '/backup/loose.txt', join(back, 'renamed.txt')]);
    expect(await readFile(join(back, 'renamed.txt'), 'utf8')).toBe('a loose file\n');
    expect(await ferry(['get', '/backup/loose.txt', '-'])).toBe('a loose file\n');
    expect((await readdir(back)).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('uploads a large file through a resumable session in chunks, creating its folder with -p', async () => {
    const big = randomBytes(50_000);
    await writeFile(join(work, 'big.bin'), big);
    const env = { FERRY_RESUMABLE_ABOVE_BYTES: '10000', FERRY_UPLOAD_CHUNK_BYTES: '7000' };
    const [line] = jsonLines(await ferry(['--json', 'put', '-p', join(work, 'big.bin'), '/large/inner'], { env })) as { resumable: boolean; size: number; path: string }[];
    expect(line).toMatchObject({ resumable: true, size: 50_000, path: '/large/inner/big.bin' });
    await ferry(['get', '/large/inner/big.bin', join(work, 'big.back')]);
    expect((await readFile(join(work, 'big.back'))).equals(big)).toBe(true);
  });

  it('moves and renames', async () => {
    await ferry(['mkdir', '-p', '/moves/inbox']);
    await writeFile(join(work, 'note.txt'), 'note\n');
    await ferry(['put', join(work, 'note.txt'), '/moves']);
    await ferry(['mv', '/moves/note.txt', '/moves/inbox']);
    await ferry(['mv', '/moves/inbox/note.txt', '/moves/inbox/renamed.txt']);
    expect((await ferry(['ls', '/moves/inbox'])).trim()).toBe('renamed.txt');
    expect((await ferry(['ls', '/moves'])).trim()).toBe('inbox/');
  });

  it('moves to the trash and restores by name or id', async () => {
    await ferry(['mkdir', '/trashy']);
    await writeFile(join(work, 'gone.txt'), 'bye\n');
    await ferry(['put', join(work, 'gone.txt'), '/trashy']);
    await ferry(['rm', '/trashy/gone.txt']);
    const missing = await runFerry(['ls', '/trashy/gone.txt'], asUser());
    expect(missing.code).toBe(3);

    await ferry(['restore', 'gone.txt']);
    expect((await ferry(['ls', '/trashy'])).trim()).toBe('gone.txt');

    const [deleted] = jsonLines(await ferry(['--json', 'rm', '/trashy'])) as { id: string }[];
    const trash = JSON.parse(await ferry(['--json', 'restore'])) as { items: { id: string }[] };
    expect(trash.items.map((item) => item.id)).toContain(deleted?.id);
    await ferry(['restore', deleted?.id ?? '']);
    expect((await ferry(['get', '/trashy/gone.txt', '-']))).toBe('bye\n');
  });

  it('lists versions after two puts of the same file', async () => {
    await writeFile(join(work, 'doc.txt'), 'first\n');
    await ferry(['put', join(work, 'doc.txt'), '/']);
    await writeFile(join(work, 'doc.txt'), 'second, longer\n');
    await ferry(['put', join(work, 'doc.txt'), '/']);
    const versions = JSON.parse(await ferry(['--json', 'versions', '/doc.txt'])) as { items: { size: number; current: boolean; source: string }[] };
    expect(versions.items.map((version) => [version.size, version.current])).toEqual([
      [15, true],
      [6, false],
    ]);
    expect(versions.items[0]?.source).toMatch(/^cli@/);
    expect(await ferry(['versions', '/doc.txt'])).toMatch(/^\s*\*\s+\S+/m);
  });

  it('shares a file; the printed link downloads its content without sign-in', async () => {
    await writeFile(join(work, 'shared.txt'), 'for everyone\n');
    await ferry(['put', join(work, 'shared.txt'), '/']);
    const url = (await ferry(['share', '/shared.txt', '--expires', '7d', '--max-downloads', '2'])).trim();
    expect(url).toMatch(/^http/);
    const share = JSON.parse(await ferry(['--json', 'share', '/shared.txt'])) as { token: string; maxDownloads: number | null };
    expect(share.maxDownloads).toBeNull();
    const response = await fetch(`${server.url}/api/v1/public/shares/${encodeURIComponent(share.token)}/content`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('for everyone\n');

    const protectedShare = JSON.parse(await ferry(['--json', 'share', '/shared.txt', '--password-stdin'], { input: 'open sesame\n' })) as { token: string; hasPassword: boolean };
    expect(protectedShare.hasPassword).toBe(true);
    const refused = await fetch(`${server.url}/api/v1/public/shares/${encodeURIComponent(protectedShare.token)}/content`);
    expect(refused.status).toBe(401);
  });

  it('prints the event feed as JSON lines and resumes after a cursor', async () => {
    await ferry(['mkdir', '/feed']);
    await writeFile(join(work, 'feed.txt'), 'fed\n');
    await ferry(['put', join(work, 'feed.txt'), '/feed']);
    const events = jsonLines(await ferry(['--json', 'events'])) as { seq: number; type: string }[];
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.map((event) => event.type)).toContain('folder.created');
    expect(events.map((event) => event.type)).toContain('file.created');
    const seqs = events.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    const run = await runFerry(['events'], asUser());
    const cursor = /^Cursor: (\S+)/m.exec(run.stderr)?.[1];
    expect(cursor).toBeDefined();
    await ferry(['mkdir', '/after-cursor']);
    const later = jsonLines(await ferry(['--json', 'events', '--cursor', cursor ?? ''])) as { type: string; node?: { name: string } }[];
    expect(later.map((event) => `${event.type} ${event.node?.name ?? ''}`)).toEqual(['folder.created after-cursor']);
  });

  it('follows the feed with --follow until interrupted', async () => {
    const start = await runFerry(['events'], asUser());
    const cursor = /^Cursor: (\S+)/m.exec(start.stderr)?.[1] ?? '';
    const child = spawnFerry(['--json', 'events', '--follow', '--wait', '5', '--cursor', cursor], asUser());
    let stdout = '';
    const firstLine = new Promise<string>((resolve) => {
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0] ?? '');
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await ferry(['mkdir', '/followed']);
    const event = JSON.parse(await firstLine) as { type: string; node?: { name: string } };
    expect(event).toMatchObject({ type: 'folder.created', node: { name: 'followed' } });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});

describe('ferry exit codes', { timeout: 180_000 }, () => {
  it('exits 3 with a clear message for an unknown path', async () => {
    const run = await runFerry(['ls', '/no/such/thing'], asUser());
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('/no/such/thing');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 4 for a bad token', async () => {
    const run = await runFerry(['whoami'], asUser({ env: { FERRY_TOKEN: 'fry_wrong' } }));
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/token/i);
  });

  it('exits 2 without a server, and for unknown options', async () => {
    const noServer = await runFerry(['ls'], { cwd: work, env: { FERRY_TOKEN: 'x' } });
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toContain('--server');
    const badOption = await runFerry(['ls', '--frobnicate'], asUser());
    expect(badOption.code).toBe(2);
  });

  it('exits 5 when the name is taken', async () => {
    await ferry(['mkdir', '/taken']);
    const run = await runFerry(['mkdir', '/taken'], asUser());
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('/taken');
  });

  it('puts a folder of many small files in batches, writes the rest when one name is taken by a folder, and exits 5 naming it', async () => {
    const many = join(work, 'many');
    await mkdir(many);
    for (let index = 0; index < 1_200; index++) await writeFile(join(many, `n${String(index).padStart(4, '0')}.txt`), `file ${index}\n`);
    await ferry(['mkdir', '-p', '/bulk/many/n0007.txt']);
    const run = await runFerry(['--json', 'put', many, '/bulk'], asUser());
    expect(run.stderr).toContain('n0007.txt');
    expect(run.code).toBe(5);
    const written = jsonLines(run.stdout) as { path: string }[];
    expect(written).toHaveLength(1_199);
    const listed = JSON.parse(await ferry(['--json', 'ls', '/bulk/many'])) as { items: { name: string; kind: string }[] };
    expect(listed.items.filter((item) => item.kind === 'file')).toHaveLength(1_199);
    expect(await ferry(['get', '/bulk/many/n1199.txt', '-'])).toBe('file 1199\n');
  });

  it('exits 6 when the server cannot be reached, and reports errors as JSON with --json', async () => {
    const run = await runFerry(['--json', 'whoami'], asUser({ env: { FERRY_SERVER: 'http://127.0.0.1:1' } }));
    expect(run.code).toBe(6);
    expect(JSON.parse(run.stderr)).toMatchObject({ error: { code: 'unavailable' } });
  });
});
