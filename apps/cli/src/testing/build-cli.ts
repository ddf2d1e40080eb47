/**
 * @module testing/build-cli
 * Builds the CLI (and what it depends on: core, server) to dist once, so
 * that tests run the real `ferry` binary. `tsc -b` is incremental: a second
 * call on an unchanged tree costs about a second.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const ferryBin = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

function run(args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` });
    });
  });
}

/** A lock held while building, so test files running in parallel never run two `tsc -b` on the same tree. */
const lockDir = join(tmpdir(), `ferry-cli-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 16)}.lock`);
const staleLockMs = 10 * 60_000;

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch {
      const since = await stat(lockDir).then((info) => Date.now() - info.mtimeMs, () => 0);
      if (since > staleLockMs) await rmdir(lockDir).catch(() => undefined);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(lockDir).catch(() => undefined);
  }
}

/**
 * Runs `tsc -b apps/cli`; fails only when the binary is not there or does not
 * load afterwards (type errors elsewhere are reported, not fatal). When an
 * output file went missing behind tsc's back (another build cleaned a dist
 * folder), one forced rebuild repairs it.
 */
export async function buildCli(): Promise<void> {
  await withBuildLock(build);
}

async function build(): Promise<void> {
  const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', `file://${repoRoot}`));
  let result = await run([tsc, '-b', 'apps/cli']);
  if (existsSync(ferryBin) && (await run([ferryBin, '--version'])).code !== 0) result = await run([tsc, '-b', '--force', 'apps/cli']);
  const cliErrors = result.output.split('\n').filter((line) => line.startsWith('apps/cli/') || line.startsWith('packages/core/'));
  if (cliErrors.length > 0) throw new Error(`The CLI does not compile:\n${cliErrors.join('\n')}`);
  if (!existsSync(ferryBin)) throw new Error(`tsc -b apps/cli did not produce ${ferryBin}:\n${result.output}`);
  const loads = await run([ferryBin, '--version']);
  if (loads.code !== 0) throw new Error(`The built ferry binary does not start:\n${loads.output}`);
  if (result.code !== 0) process.stderr.write(`(tsc -b reported errors outside the CLI; testing the CLI anyway)\n${result.output.slice(0, 2000)}\n`);
}
