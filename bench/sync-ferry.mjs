// @module bench/sync-ferry
// The first sync of many small files, local → a Ferry server over loopback
// (the server in its own process), beside the same first sync local↔local by
// `rclone bisync --resync` and `unison` into an empty folder. Scale with
// BENCH_SYNC_SMALL_FILES (10,000) and BENCH_ROUNDS (3).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fmt, median, mib } from './lib/measure.mjs';
import { ageTree, ferrySync, makeTree, rcloneBisync, references, unisonSync } from './lib/sync-tools.mjs';

const files = Number(process.env.BENCH_SYNC_SMALL_FILES ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const work = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ferry-bench-syncf-'));
const cleanup = [];
process.on('exit', () => {
  for (const step of cleanup.reverse()) step();
  rmSync(work, { recursive: true, force: true, maxRetries: 5 });
});

const found = references();
console.log(`tree: ${files} small files; ${rounds} rounds; work dir ${work}`);
const source = join(work, 'source');
makeTree(source, files);
ageTree(source);

const server = spawn(process.execPath, [new URL('./lib/server-process.mjs', import.meta.url).pathname, join(work, 'ferry-data')], { stdio: ['ignore', 'pipe', 'inherit'] });
cleanup.push(() => server.kill('SIGKILL'));
const ferry = JSON.parse(
  await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  }),
);
/** Bytes the server process read (rchar: sockets and files) — an upper bound of what it received. */
const serverRead = () => Number(/rchar: (\d+)/.exec(readFileSync(`/proc/${server.pid}/io`, 'utf8'))?.[1] ?? 0);

const results = { ferry: [], rclone: [], unison: [] };
for (let round = 0; round < rounds; round++) {
  const dir = join(work, `round-${round}`);
  mkdirSync(dir);
  const readBefore = serverRead();
  const run = ferrySync({ a: source, b: { ...ferry, rootPath: `/round-${round}` }, mkdirOnServer: `round-${round}`, state: join(dir, 'ferry.db') });
  results.ferry.push({ seconds: run.seconds, inProcess: run.child.seconds, copied: run.child.copied, bytes: run.child.bytes, serverRead: serverRead() - readBefore, peakRss: run.peakRss });
  if (found.rclone) {
    mkdirSync(join(dir, 'rclone'));
    const ref = rcloneBisync(source, join(dir, 'rclone'), join(dir, 'rclone-work'), { resync: true });
    results.rclone.push({ seconds: ref.seconds, copied: ref.copied, bytes: ref.transferred });
  }
  if (found.unison) {
    mkdirSync(join(dir, 'unison'));
    const ref = unisonSync(source, join(dir, 'unison'), join(dir, 'unison-archive'));
    results.unison.push({ seconds: ref.seconds, bytesWritten: ref.bytesWritten });
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`round ${round + 1}: Ferry ${fmt(run.seconds, 2)} s (${run.child.copied} copied)`);
}

const med = (name, key) => (results[name].length > 0 ? median(results[name].map((entry) => entry[key])) : null);
const show = (value, digits = 2) => (value === null ? 'not installed' : fmt(value, digits));
const ratio = (value) => (value === null ? '—' : `${fmt(med('ferry', 'seconds') / value, 2)}×`);
console.log(`\n| first sync of ${files} small files | Ferry (local → server, loopback) | rclone bisync --resync (local↔local) | unison (local↔local) | Ferry/rclone | Ferry/unison |\n|---|---|---|---|---|---|`);
console.log(`| median s | ${show(med('ferry', 'seconds'))} | ${show(med('rclone', 'seconds'))} | ${show(med('unison', 'seconds'))} | ${ratio(med('rclone', 'seconds'))} | ${ratio(med('unison', 'seconds'))} |`);
console.log(`| files per second | ${show(files / med('ferry', 'seconds'), 0)} | ${med('rclone', 'seconds') === null ? 'not installed' : fmt(files / med('rclone', 'seconds'), 0)} | ${med('unison', 'seconds') === null ? 'not installed' : fmt(files / med('unison', 'seconds'), 0)} | | |`);
console.log(`\nFerry: runSync alone ${fmt(med('ferry', 'inProcess'), 2)} s median; engine bytes ${fmt(mib(med('ferry', 'bytes')), 2)} MiB; server read ${fmt(mib(med('ferry', 'serverRead')), 2)} MiB (rchar, sockets + files); peak RSS of the sync process ${fmt(mib(med('ferry', 'peakRss')))} MiB`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/sync-ferry.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), files, rounds, results }, null, 2));
// Done: the server goes now (its pipe would keep this process, and a run of several suites, waiting).
server.kill('SIGTERM');
