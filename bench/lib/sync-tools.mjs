// @module bench/lib/sync-tools
// The sync benchmarks' shared pieces: a test tree generator, and one measured
// run of each tool (Ferry's engine in a child process, Debian's `rclone bisync`
// and `unison`) with wall time, peak RSS and bytes written by the process tree
// (`wchar` of /proc/<sh>/io, which includes reaped children).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const childScript = new URL('./sync-child.mjs', import.meta.url).pathname;

/** `true` when `command` is on PATH. */
export function installed(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** The reference tools found on this machine; a missing one prints "not installed". */
export function references() {
  const found = { rclone: installed('rclone'), unison: installed('unison') };
  for (const [name, present] of Object.entries(found)) if (!present) console.log(`${name}: not installed — its column is skipped`);
  return found;
}

/**
 * Writes `count` small files (unique ~100-byte contents) under `root`, 100 per
 * folder: the first `renameCount` in `rename-me/`, the rest in `rest/`.
 */
export function makeTree(root, count, renameCount = 0) {
  for (let index = 0; index < count; index++) {
    const top = index < renameCount ? 'rename-me' : 'rest';
    const local = index < renameCount ? index : index - renameCount;
    const folder = join(root, top, `d${String(Math.floor(local / 100)).padStart(4, '0')}`);
    if (local % 100 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `f${index}.txt`), `file ${index} ${'x'.repeat(80)} ${index * 7919}\n`);
  }
}

/** Sets every entry's mtime a day back, as an old tree in steady state (outside racy-timestamp windows). */
export function ageTree(root) {
  execFileSync('find', [root, '-exec', 'touch', '-h', '-d', '1 day ago', '{}', '+']);
}

/** `cp -a`: the copy keeps mtimes, so both sides start equal for every tool. */
export function copyTree(from, to) {
  execFileSync('cp', ['-a', from, to]);
}

/**
 * Runs `command args` through /usr/bin/time inside `sh`, so peak RSS (%M) and
 * bytes written by the whole process tree can be read after it ends.
 */
export function measured(command, args, { env = {}, cwd, allowFail = false } = {}) {
  const scratch = join(process.env.BENCH_SCRATCH ?? '/tmp', `ferry-bench-measure-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const timeFile = join(scratch, 'time');
  const ioFile = join(scratch, 'io');
  const script = '"$@"; rc=$?; cat /proc/$$/io > "$FERRY_BENCH_IO"; exit $rc';
  const started = process.hrtime.bigint();
  const result = spawnSync('sh', ['-c', script, 'sh', '/usr/bin/time', '-f', '%M', '-o', timeFile, command, ...args], {
    env: { ...process.env, ...env, FERRY_BENCH_IO: ioFile },
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0 && !allowFail) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}\n${result.stderr.slice(-4000)}${result.stdout.slice(-2000)}`);
  }
  const io = Object.fromEntries(
    readFileSync(ioFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(': '))
      .map(([key, value]) => [key, Number(value)]),
  );
  const peakKiB = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  rmSync(scratch, { recursive: true, force: true });
  return { seconds, peakRss: peakKiB * 1024, bytesWritten: io.wchar, diskWritten: io.write_bytes, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cliBin = new URL('../../apps/cli/dist/bin.js', import.meta.url).pathname;

/** One `ferry sync a b --state dir` as a user runs it (the CLI: Node's start, its imports, the early scan thread, the run). */
export function ferryCliSync(a, b, stateDir) {
  return measured(process.execPath, [cliBin, 'sync', a, b, '--state', stateDir]);
}

/** One `runSync` of Ferry's engine in a child process (see sync-child.mjs). */
export function ferrySync(job) {
  const run = measured(process.execPath, [childScript, JSON.stringify(job)]);
  const line = run.stdout.trim().split('\n').pop();
  return { ...run, child: JSON.parse(line) };
}

export function rcloneBisync(a, b, workdir, { resync = false, force = false } = {}) {
  mkdirSync(workdir, { recursive: true });
  const args = ['bisync', a, b, '--workdir', workdir, '-v'];
  if (resync) args.push('--resync');
  if (force) args.push('--force');
  const run = measured('rclone', args, { env: { RCLONE_CONFIG: '/dev/null' } });
  return { ...run, transferred: rcloneTransferred(run.stderr), copied: (run.stderr.match(/: Copied \(/g) ?? []).length };
}

const units = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, Bytes: 1 };

/** Bytes in the last "Transferred: X unit / ..." stats line of rclone (null when absent). */
export function rcloneTransferred(output) {
  const matches = [...output.matchAll(/Transferred:\s+([\d.]+)\s*(B|Bytes|KiB|MiB|GiB)\s*\//g)];
  const last = matches.pop();
  return last ? Number(last[1]) * units[last[2]] : null;
}

export function unisonSync(a, b, unisonDir) {
  mkdirSync(unisonDir, { recursive: true });
  return measured('unison', [a, b, '-batch', '-auto', '-silent', '-times'], { env: { UNISON: unisonDir } });
}
