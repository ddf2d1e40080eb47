/**
 * @module program.test
 * The program loads only the sub-command that runs, yet every way of asking
 * for help still lists every command, and global options before the command
 * name (with their values) do not hide it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokedCommand } from './program.js';
import { runFerry } from './testing/index.js';

const allCommands = ['serve', 'admin', 'whoami', 'ls', 'mkdir', 'put', 'get', 'mv', 'rm', 'restore', 'versions', 'share', 'events', 'sync', 'emulators'];

describe('invokedCommand', () => {
  it('finds the command after global options and their values', () => {
    expect(invokedCommand(['sync', 'a', 'b'])).toBe('sync');
    expect(invokedCommand(['--json', '--server', 'http://127.0.0.1:1', '--token', 'sync', 'ls', '/'])).toBe('ls');
    expect(invokedCommand(['--workspace=ops', 'put', 'x', '/'])).toBe('put');
  });

  it('loads everything for the root help, an unknown name, or no command', () => {
    expect(invokedCommand([])).toBeNull();
    expect(invokedCommand(['--help', 'sync'])).toBeNull();
    expect(invokedCommand(['-h'])).toBeNull();
    expect(invokedCommand(['synk', 'a', 'b'])).toBeNull();
    expect(invokedCommand(['help', 'sync'])).toBeNull();
  });
});

describe('the ferry binary', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-program-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('lists every command in the root help, whichever way it is asked for', async () => {
    for (const args of [['--help'], ['--help', 'sync'], ['help']]) {
      const run = await runFerry(args);
      const listed = run.stdout + run.stderr;
      for (const name of allCommands) expect(listed, `${args.join(' ')} lists ${name}`).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  it("shows a command's own help and suggests the right name for a typo", async () => {
    const help = await runFerry(['--json', 'sync', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--conflict');
    const typo = await runFerry(['synk', 'a', 'b']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Did you mean sync?");
  });

  it('runs a sync of two local folders, loading only what it needs', async () => {
    await mkdir(join(dir, 'a'));
    await writeFile(join(dir, 'a', 'x.txt'), 'hello');
    const run = await runFerry(['--json', 'sync', join(dir, 'a'), join(dir, 'b'), '--state', join(dir, 'state')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const summary: unknown = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}');
    expect(summary).toMatchObject({ copied: 1 });
    expect(await readFile(join(dir, 'b', 'x.txt'), 'utf8')).toBe('hello');
  });
});
