/**
 * @module commands/sync.test
 * The built `ferry` binary syncing real replicas: two local folders (both
 * directions, edits on each side, a conflict kept as a conflicted copy,
 * `--conflict a`, `--dry-run`, `--json` lines, `.ferryignore`, a symbolic
 * link reported as skipped), a local folder
 * with a workspace on a real Ferry server, and one with Google Drive (the
 * emulator); a missing folder is made on a pair's first run only; bad
 * addresses exit 2; `ferry emulators --json` serves real URLs.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startGoogleDriveEmulator, type GoogleDriveEmulator } from '@ferry/emulators';
import { startTestServer, type TestServer, type TestUser } from '@ferry/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildCli } from '../testing/build-cli.js';
import { runFerry, spawnFerry, type FerryRun } from '../testing/run-ferry.js';

let work: string;
let server: TestServer;
let user: TestUser;
let drive: GoogleDriveEmulator;

const actionLine = z.object({ type: z.literal('action'), action: z.string(), side: z.enum(['a', 'b']).nullable(), path: z.string(), status: z.enum(['planned', 'done', 'failed']) });
const skippedSummary = z.object({ type: z.literal('summary'), skipped: z.array(z.object({ side: z.enum(['a', 'b']), path: z.string(), reason: z.string() })) });
const summaryLine = z.object({ type: z.literal('summary'), dryRun: z.boolean(), copied: z.number(), conflicts: z.number(), failed: z.number(), issues: z.array(z.unknown()) });

function sync(args: string[], env: Record<string, string> = {}): Promise<FerryRun> {
  return runFerry(['sync', '--state', join(work, 'state'), ...args], { cwd: work, env: { FERRY_TOKEN: user.token, ...env } });
}

function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function readTree(root: string, prefix = ''): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(tree, await readTree(root, path));
    else tree[path] = await readFile(join(root, path), 'utf8');
  }
  return tree;
}

const starter = { 'readme.md': '# Team\n', 'docs/plan.txt': 'plan v1', 'docs/deep/notes.txt': 'notes', '.ferryignore': '*.tmp\nbuild/\n', 'scratch.tmp': 'temp', 'build/out.bin': 'binary' };

beforeAll(async () => {
  [, server, drive] = await Promise.all([buildCli(), startTestServer(), startGoogleDriveEmulator()]);
  user = await server.newUser();
  work = await mkdtemp(join(tmpdir(), 'ferry-cli-sync-'));
}, 300_000);

afterAll(async () => {
  await Promise.all([server?.close(), drive?.close()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('ferry sync between two local folders', () => {
  it('copies the tree both ways, keeps ignored files home, and turns a clash into a conflicted copy', async () => {
    const [a, b] = [join(work, 'l1-a'), join(work, 'l1-b')];
    await writeTree(a, starter);
    const first = await sync([a, b]);
    expect(first.code, first.stderr).toBe(0);
    expect(await readTree(b)).toEqual({ 'readme.md': '# Team\n', 'docs/plan.txt': 'plan v1', 'docs/deep/notes.txt': 'notes', '.ferryignore': '*.tmp\nbuild/\n' });

    await writeFile(join(a, 'docs/plan.txt'), 'plan v2 from a');
    await writeTree(b, { 'from-b.txt': 'hello from b', 'build/b-only.bin': 'stays in b' });
    const second = await sync([a, b]);
    expect(second.code, second.stderr).toBe(0);
    expect(await readFile(join(b, 'docs/plan.txt'), 'utf8')).toBe('plan v2 from a');
    expect(await readFile(join(a, 'from-b.txt'), 'utf8')).toBe('hello from b');
    expect((await readTree(a))['build/b-only.bin']).toBeUndefined();

    await writeFile(join(a, 'readme.md'), '# Team (a)\n');
    await writeFile(join(b, 'readme.md'), '# Team (b), longer\n');
    const clash = await sync([a, b, '--labels', 'laptop,desk']);
    expect(clash.code, clash.stderr).toBe(7);
    expect(clash.stderr).toMatch(/1 conflicts/);
    const treeA = await readTree(a);
    const treeB = await readTree(b);
    expect(treeB['build/b-only.bin']).toBe('stays in b');
    delete treeB['build/b-only.bin'];
    delete treeA['build/out.bin'];
    delete treeA['scratch.tmp'];
    expect(treeB).toEqual(treeA);
    const copies = Object.keys(treeA).filter((path) => path.startsWith('readme (conflicted copy'));
    expect(copies).toHaveLength(1);
    expect([treeA['readme.md'], treeA[copies[0] ?? '']].sort()).toEqual(['# Team (a)\n', '# Team (b), longer\n']);
    expect(copies[0]).toMatch(/from (laptop|desk)\)\.md$/);

    const quiet = await sync([a, b]);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe('');
  });

  it('--dry-run lists the plan and changes nothing; --json prints parseable lines ending with a summary', async () => {
    const [a, b] = [join(work, 'l2-a'), join(work, 'l2-b')];
    await writeTree(a, { 'one.txt': '1', 'sub/two.txt': '22' });
    const plan = await sync(['--dry-run', a, b]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/would copy .*one\.txt/);
    expect(plan.stdout).toMatch(/would copy .*sub\/two\.txt/);
    expect(existsSync(b)).toBe(false);

    const jsonPlan = await runFerry(['--json', 'sync', '--dry-run', '--state', join(work, 'state'), a, b], { cwd: work });
    const planLines = jsonLines(jsonPlan.stdout);
    expect(planLines.slice(0, -1).map((line) => actionLine.parse(line).status)).toEqual(['planned', 'planned', 'planned']);
    expect(summaryLine.parse(planLines.at(-1)).dryRun).toBe(true);
    expect(existsSync(b)).toBe(false);

    const real = await runFerry(['--json', 'sync', '--state', join(work, 'state'), a, b], { cwd: work });
    expect(real.code, real.stderr).toBe(0);
    const lines = jsonLines(real.stdout);
    const actions = lines.slice(0, -1).map((line) => actionLine.parse(line));
    expect(actions.filter((action) => action.action === 'copy').map((action) => action.path).sort()).toEqual(['one.txt', 'sub/two.txt']);
    expect(actions.every((action) => action.status === 'done')).toBe(true);
    expect(summaryLine.parse(lines.at(-1))).toMatchObject({ dryRun: false, copied: 2, conflicts: 0, failed: 0 });
    expect(await readTree(b)).toEqual({ 'one.txt': '1', 'sub/two.txt': '22' });
  });

  it('says which entries it skips (a symbolic link), syncs the rest, and still exits 0', async () => {
    const [a, b] = [join(work, 'l10-a'), join(work, 'l10-b')];
    await writeTree(a, { 'real.txt': 'real' });
    await symlink('real.txt', join(a, 'link.txt'));
    const run = await sync([a, b]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('skipped (local a) link.txt: a symbolic link: not synced');
    expect(run.stderr).toMatch(/0 issues, 1 skipped/);
    expect(await readTree(b)).toEqual({ 'real.txt': 'real' });
    const json = await runFerry(['--json', 'sync', '--state', join(work, 'state'), a, b], { cwd: work });
    expect(json.code, json.stderr).toBe(0);
    expect(jsonLines(json.stdout).at(-1)).toMatchObject({ type: 'summary', skipped: [{ side: 'a', path: 'link.txt', reason: 'a symbolic link: not synced' }], skippedUnlisted: 0 });
  });

  it('--conflict a lets side a win a clash without a conflicted copy', async () => {
    const [a, b] = [join(work, 'l3-a'), join(work, 'l3-b')];
    await writeTree(a, { 'shared.txt': 'base' });
    expect((await sync([a, b])).code).toBe(0);
    await writeFile(join(a, 'shared.txt'), 'a wins');
    await writeFile(join(b, 'shared.txt'), 'b loses this one');
    const run = await sync(['--conflict', 'a', a, b]);
    expect(run.code, run.stderr).toBe(0);
    expect(await readTree(b)).toEqual({ 'shared.txt': 'a wins' });
    expect(await readTree(a)).toEqual({ 'shared.txt': 'a wins' });
  });
});

describe('ferry sync guards and --watch', () => {
  it('stops a run that would delete most files, unless the delete guard is off', async () => {
    const [a, b] = [join(work, 'd-a'), join(work, 'd-b')];
    await writeTree(a, Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`file-${index}.txt`, `content ${index}`])));
    expect((await sync([a, b])).code).toBe(0);
    for (let index = 0; index < 10; index++) await rm(join(a, `file-${index}.txt`));
    const guarded = await sync([a, b]);
    expect(guarded.code).toBe(5);
    expect(guarded.stderr).toMatch(/Delete guard/);
    expect(Object.keys(await readTree(b))).toHaveLength(12);
    const forced = await sync(['--delete-guard', 'off', a, b]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(Object.keys(await readTree(b)).sort()).toEqual(['file-10.txt', 'file-11.txt']);
  });

  it('makes a missing folder on a pair\'s first run only; once synced, a missing folder stops the run (exit 3) and says how to go on', async () => {
    const [a, b] = [join(work, 'l9-a'), join(work, 'l9-b')];
    await writeTree(a, { 'one.txt': '1', 'sub/two.txt': '22' });
    const first = await sync([a, b]);
    expect(first.code, first.stderr).toBe(0);
    expect(await readTree(b)).toEqual({ 'one.txt': '1', 'sub/two.txt': '22' });

    await rm(b, { recursive: true });
    const gone = await sync([a, b]);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain(`The folder ${b} is missing, and this pair has synced 3 entries before.`);
    expect(existsSync(b)).toBe(false);
    expect(await readTree(a)).toEqual({ 'one.txt': '1', 'sub/two.txt': '22' });

    // As the message says: an empty folder and no state file fill it again from the other side.
    const stateFile = /remove the pair's state file \((.+)\)\./.exec(gone.stderr)?.[1];
    expect(stateFile !== undefined && existsSync(stateFile)).toBe(true);
    await mkdir(b);
    await rm(stateFile ?? '');
    const again = await sync([a, b]);
    expect(again.code, again.stderr).toBe(0);
    expect(await readTree(b)).toEqual({ 'one.txt': '1', 'sub/two.txt': '22' });
  });

  it('--watch syncs a change as it happens, one JSON line per action, and stops cleanly on SIGINT', async () => {
    const [a, b] = [join(work, 'w-a'), join(work, 'w-b')];
    await writeTree(a, { 'first.txt': 'first' });
    const child = spawnFerry(['--json', 'sync', '--watch', '--state', join(work, 'state'), a, b], { cwd: work });
    let stdout = '';
    const waitFor = (pattern: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(stdout)) resolve();
        };
        child.stdout?.on('data', check);
        child.on('close', () => reject(new Error(`ferry sync --watch ended early: ${stdout}`)));
        check();
      });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await waitFor(/"type":"summary"/);
    await writeFile(join(a, 'later.txt'), 'written while watching');
    await waitFor(/"path":"later\.txt"/);
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(await readTree(b)).toEqual({ 'first.txt': 'first', 'later.txt': 'written while watching' });
    for (const line of jsonLines(stdout)) expect(['action', 'summary']).toContain(z.object({ type: z.string() }).parse(line).type);
  });

  it('--watch tells skipped entries on its first run and again when they change, not after every run', async () => {
    const [a, b] = [join(work, 'w2-a'), join(work, 'w2-b')];
    await writeTree(a, { 'first.txt': 'first' });
    await symlink('first.txt', join(a, 'link1.txt'));
    const child = spawnFerry(['--json', 'sync', '--watch', '--state', join(work, 'state'), a, b], { cwd: work });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const summaries = (): z.infer<typeof skippedSummary>[] => jsonLines(stdout).flatMap((line) => (skippedSummary.safeParse(line).success ? [skippedSummary.parse(line)] : []));
    const waitUntil = async (done: () => boolean): Promise<void> => {
      while (!done()) {
        if (child.exitCode !== null) throw new Error(`ferry sync --watch ended early: ${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitUntil(() => summaries().length === 1);
    expect(summaries()[0]?.skipped.map((entry) => entry.path)).toEqual(['link1.txt']);
    await writeFile(join(a, 'later.txt'), 'written while watching');
    await waitUntil(() => summaries().length === 2);
    await symlink('later.txt', join(a, 'link2.txt'));
    await waitUntil(() => summaries().length === 3);
    expect(summaries()[2]?.skipped.map((entry) => entry.path).sort()).toEqual(['link1.txt', 'link2.txt']);
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    expect(await readTree(b)).toEqual({ 'first.txt': 'first', 'later.txt': 'written while watching' });
  });
});

describe('ferry sync with remote replicas', () => {
  it('puts a local tree into a Ferry workspace folder and brings it back into another folder', async () => {
    const local = join(work, 'f-local');
    await writeTree(local, starter);
    const address = `ferry://${new URL(server.url).host}/${encodeURIComponent(user.workspace.name)}/synced`;
    const up = await sync([local, address]);
    expect(up.code, up.stderr).toBe(0);

    const resolved = await user.api(`/api/v1/workspaces/${user.workspace.id}/resolve?path=${encodeURIComponent('/synced/docs/deep/notes.txt')}`);
    expect(resolved.status).toBe(200);
    const node = z.object({ id: z.string(), size: z.number() }).parse(await resolved.json());
    expect(node.size).toBe(5);
    expect(await (await user.api(`/api/v1/nodes/${node.id}/content`)).text()).toBe('notes');
    const ignored = await user.api(`/api/v1/workspaces/${user.workspace.id}/resolve?path=${encodeURIComponent('/synced/scratch.tmp')}`);
    expect(ignored.status).toBe(404);

    const down = await sync([`ferry://${new URL(server.url).host}/${user.workspace.id}/synced`, join(work, 'f-copy')]);
    expect(down.code, down.stderr).toBe(0);
    expect(await readTree(join(work, 'f-copy'))).toEqual({ 'readme.md': '# Team\n', 'docs/plan.txt': 'plan v1', 'docs/deep/notes.txt': 'notes', '.ferryignore': '*.tmp\nbuild/\n' });
  });

  it('syncs a local tree with a Google Drive folder through the emulator, and says how to configure a missing one', async () => {
    const local = join(work, 'g-local');
    await writeTree(local, { 'report.txt': 'quarterly', 'img/logo.svg': '<svg/>' });
    const env = { FERRY_GDRIVE_API_URL: drive.url, FERRY_GDRIVE_TOKEN: drive.issueToken().accessToken };
    const up = await sync([local, 'gdrive:demo/Team Files'], env);
    expect(up.code, up.stderr).toBe(0);
    const down = await sync(['gdrive:demo/Team Files', join(work, 'g-copy')], env);
    expect(down.code, down.stderr).toBe(0);
    expect(await readTree(join(work, 'g-copy'))).toEqual({ 'report.txt': 'quarterly', 'img/logo.svg': '<svg/>' });

    const unconfigured = await sync([local, 'gdrive:demo/Team Files']);
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.stderr).toMatch(/--gdrive-url/);
  });

  it('rejects addresses it cannot use with exit code 2 and a clear message', async () => {
    const unknown = await sync(['s3://bucket/x', join(work, 'x')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown scheme "s3:"/);
    const noWorkspace = await sync([join(work, 'x'), `ferry://${new URL(server.url).host}`]);
    expect(noWorkspace.code).toBe(2);
    expect(noWorkspace.stderr).toMatch(/workspace is missing/);
    const badTransfers = await sync(['--transfers', '0', join(work, 'x'), join(work, 'y')]);
    expect(badTransfers.code).toBe(2);
    expect(badTransfers.stderr).toMatch(/--transfers takes a whole number from 1 to 64/);
  });

  it('puts 120 files into Ferry with 16 copies in flight, each once, and reports them in plan order', async () => {
    const local = join(work, 'many-local');
    const files = Object.fromEntries(Array.from({ length: 120 }, (_, index) => [`batch/f${String(index).padStart(3, '0')}.txt`, `file ${index}`]));
    await writeTree(local, files);
    const run = await sync(['--json', '--transfers', '16', local, `ferry://${new URL(server.url).host}/${user.workspace.id}/many`]);
    expect(run.code, run.stderr).toBe(0);
    const copies = jsonLines(run.stdout).flatMap((line) => {
      const parsed = actionLine.safeParse(line);
      return parsed.success && parsed.data.action === 'copy' ? [parsed.data] : [];
    });
    expect(copies.map((copy) => copy.status)).toEqual(Array(120).fill('done'));
    expect(copies.map((copy) => copy.path)).toEqual(Object.keys(files).sort());
    const down = await sync([`ferry://${new URL(server.url).host}/${user.workspace.id}/many`, join(work, 'many-copy')]);
    expect(down.code, down.stderr).toBe(0);
    expect(await readTree(join(work, 'many-copy'))).toEqual(files);
  });
});

describe('ferry emulators', () => {
  it('--json prints URLs and tokens that answer, and stops on SIGTERM', async () => {
    const child = spawnFerry(['--json', 'emulators']);
    let stdout = '';
    const firstLine = await new Promise<string>((resolve, reject) => {
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
      });
      child.on('error', reject);
      child.on('close', () => reject(new Error(`ferry emulators ended early: ${stdout}`)));
    });
    const started = z
      .object({
        googleDrive: z.object({ url: z.string(), accessToken: z.string() }),
        dropbox: z.object({ url: z.string(), accessToken: z.string() }),
        slack: z.object({ apiUrl: z.string(), accessToken: z.string() }),
        microsoft: z.object({ graphUrl: z.string(), accessToken: z.string() }),
      })
      .parse(JSON.parse(firstLine));
    const about = await fetch(`${started.googleDrive.url}/drive/v3/about?fields=user`, { headers: { authorization: `Bearer ${started.googleDrive.accessToken}` } });
    expect(about.status).toBe(200);
    const account = await fetch(`${started.dropbox.url}/2/users/get_current_account`, { method: 'POST', headers: { authorization: `Bearer ${started.dropbox.accessToken}` } });
    expect(account.status).toBe(200);
    const slackAuth = await fetch(`${started.slack.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${started.slack.accessToken}` } });
    expect(await slackAuth.json()).toMatchObject({ ok: true });
    const me = await fetch(`${started.microsoft.graphUrl}/me`, { headers: { authorization: `Bearer ${started.microsoft.accessToken}` } });
    expect(me.status).toBe(200);
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
  });
});
