/**
 * @module replica-address.test
 * What `ferry sync` makes of the addresses a user types: each kind, the
 * workspace and path of a Ferry address, and a clear usage error (exit code 2)
 * for what cannot be meant; the state file is stable per ordered pair.
 */
import { describe, expect, it } from 'vitest';
import { exitCodeFor, UsageError } from './exit-codes.js';
import { canonicalAddress, parseReplicaAddress, stateFileFor } from './replica-address.js';

const cwd = '/home/ada/work';

function usageMessage(address: string): string {
  try {
    parseReplicaAddress(address, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect(exitCodeFor(error)).toBe(2);
    return (error as Error).message;
  }
  throw new Error(`"${address}" was accepted`);
}

describe('replica addresses', () => {
  it('reads local paths, relative to the working folder', () => {
    expect(parseReplicaAddress('notes', cwd)).toEqual({ kind: 'local', path: '/home/ada/work/notes' });
    expect(parseReplicaAddress('/srv/team', cwd)).toEqual({ kind: 'local', path: '/srv/team' });
    expect(parseReplicaAddress('./odd:name', cwd)).toEqual({ kind: 'local', path: '/home/ada/work/odd:name' });
  });

  it('reads ferry:// and ferrys:// with the workspace and the folder in it', () => {
    expect(parseReplicaAddress('ferry://127.0.0.1:8080/design/specs/2026', cwd)).toEqual({ kind: 'ferry', baseUrl: 'http://127.0.0.1:8080', workspace: 'design', path: '/specs/2026' });
    expect(parseReplicaAddress('ferrys://files.example.com/My%20Team', cwd)).toEqual({ kind: 'ferry', baseUrl: 'https://files.example.com', workspace: 'My Team', path: '/' });
  });

  it('reads gdrive: and dropbox: with the connection name first', () => {
    expect(parseReplicaAddress('gdrive:work/Shared/Plans', cwd)).toEqual({ kind: 'gdrive', connection: 'work', path: '/Shared/Plans' });
    expect(parseReplicaAddress('dropbox:home', cwd)).toEqual({ kind: 'dropbox', connection: 'home', path: '/' });
  });

  it('says what is wrong with an address it cannot use', () => {
    expect(usageMessage('s3://bucket/x')).toMatch(/unknown scheme "s3:"/);
    expect(usageMessage('ferry://127.0.0.1:8080')).toMatch(/workspace is missing/);
    expect(usageMessage('ferry://127.0.0.1:8080/')).toMatch(/workspace is missing/);
    expect(usageMessage('ferry://127.0.0.1:8080/team/../other')).toMatch(/without "\." or "\.\."/);
    expect(usageMessage('ferry:team/docs')).toMatch(/ferry:\/\/host:port/);
    expect(usageMessage('ferry+https://example.com/team')).toMatch(/ferrys:\/\//);
    expect(usageMessage('https://example.com/team')).toMatch(/ferrys:\/\//);
    expect(usageMessage('gdrive:')).toMatch(/connection is missing/);
    expect(usageMessage('dropbox://home/x')).toMatch(/dropbox:<connection>\/<path>/);
    expect(usageMessage('')).toMatch(/empty/);
  });

  it('keeps one state file per ordered pair, under XDG_STATE_HOME or --state', () => {
    const a = canonicalAddress(parseReplicaAddress('notes', cwd));
    const b = canonicalAddress(parseReplicaAddress('ferry://h:1/team/x', cwd), 'ws_123');
    expect(b).toBe('ferry://h:1/ws_123/x');
    const env = { XDG_STATE_HOME: '/var/state', HOME: '/home/ada' };
    const file = stateFileFor(a, b, env);
    expect(file).toMatch(/^\/var\/state\/ferry\/sync\/[0-9a-f]{64}\.db$/);
    expect(stateFileFor(a, b, env)).toBe(file);
    expect(stateFileFor(b, a, env)).not.toBe(file);
    expect(stateFileFor(a, b, { HOME: '/home/ada' })).toMatch(/^\/home\/ada\/\.local\/state\/ferry\/sync\//);
    expect(stateFileFor(a, b, env, '/tmp/pairs')).toMatch(/^\/tmp\/pairs\/[0-9a-f]{64}\.db$/);
  });
});
