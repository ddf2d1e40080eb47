/**
 * @module testing/run-ferry
 * Spawns the built `ferry` binary (asynchronously: the server under test may
 * run in the same process) and collects its output and exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ferryBin } from './build-cli.js';

export interface FerryRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface FerryRunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to stdin, which is then closed. */
  input?: string;
}

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // The caller's own FERRY_* settings must not leak into a test run.
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('FERRY_'));
  const entries = [...inherited, ...Object.entries(extra)].filter((entry): entry is [string, string] => entry[1] !== undefined);
  return Object.fromEntries(entries);
}

export function spawnFerry(args: readonly string[], options: FerryRunOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [ferryBin, ...args], { cwd: options.cwd, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin?.end(options.input ?? '');
  return child;
}

export function runFerry(args: readonly string[], options: FerryRunOptions = {}): Promise<FerryRun> {
  const child = spawnFerry(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
