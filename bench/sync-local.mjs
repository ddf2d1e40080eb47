// @module bench/sync-local
// Local↔local on the same trees, side by side with `rclone bisync` and
// `unison`: first sync, no-change re-sync (median of rounds), peak memory per
// file, and renaming a folder of files (time and bytes written). Scale with
// BENCH_SYNC_FILES (100,000), BENCH_SYNC_RENAME_FILES (10,000), BENCH_ROUNDS (3);
// BENCH_SYNC_TOOLS picks tools (default all).
import { mkdirSync, mkdtempSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, median, mib } from './lib/measure.mjs';
import { ageTree, copyTree, ferryCliSync, ferrySync, makeTree, rcloneBisync, references, unisonSync } from './lib/sync-tools.mjs';

const files = Number(process.env.BENCH_SYNC_FILES ?? 100_000);
const renameFiles = Number(process.env.BENCH_SYNC_RENAME_FILES ?? Math.min(10_000, Math.floor(files / 4)));
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const work = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ferry-bench-sync-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

const found = references();
const tools = {
  ferry: (pair, step) => {
    const run = ferrySync({ a: pair.a, b: pair.b, state: join(pair.dir, 'state.db') });
    return { ...run, engineBytes: run.child.bytes, copied: run.child.copied, moved: run.child.moved, growth: run.child.peakRss - run.child.baselineRss, step };
  },
  rclone: (pair, step) => rcloneBisync(pair.a, pair.b, join(pair.dir, 'work'), { resync: step === 'first' }),
  unison: (pair) => unisonSync(pair.a, pair.b, join(pair.dir, 'unison')),
};
// BENCH_SYNC_TOOLS=ferry,unison runs only those (e.g. to compare Ferry and unison at the same load without rclone's minutes).
const chosen = process.env.BENCH_SYNC_TOOLS ? process.env.BENCH_SYNC_TOOLS.split(',') : Object.keys(tools);
const active = Object.keys(tools).filter((name) => chosen.includes(name) && (name === 'ferry' || found[name]));

console.log(`tree: ${files} files (${renameFiles} in the renamed folder); ${rounds} rounds; work dir ${work}`);
const source = join(work, 'source');
const generated = Date.now();
makeTree(source, files, renameFiles);
ageTree(source);
console.log(`generated in ${fmt((Date.now() - generated) / 1000)} s`);

const results = {};
for (const name of active) {
  const dir = join(work, name);
  mkdirSync(dir);
  const pair = { dir, a: join(dir, 'a'), b: join(dir, 'b') };
  copyTree(source, pair.a);
  copyTree(source, pair.b);
  const first = tools[name](pair, 'first');
  const again = [];
  for (let round = 0; round < rounds; round++) again.push(tools[name](pair, 'again'));
  // Ferry also as a user runs it: `ferry sync a b` (its own state file: one first run, not counted, then the rounds).
  const cli = [];
  if (name === 'ferry') {
    const cliState = join(dir, 'cli-state');
    ferryCliSync(pair.a, pair.b, cliState);
    for (let round = 0; round < rounds; round++) cli.push(ferryCliSync(pair.a, pair.b, cliState).seconds);
  }
  renameSync(join(pair.a, 'rename-me'), join(pair.a, 'renamed'));
  writeFileSync(join(dir, 'marker'), '');
  const rename = tools[name](pair, 'rename');
  const arrived = existsSync(join(pair.b, 'renamed/d0000/f0.txt')) && !existsSync(join(pair.b, 'rename-me/d0000/f0.txt'));
  results[name] = {
    firstSeconds: first.seconds,
    firstPeakRss: first.peakRss,
    againSeconds: again.map((run) => run.seconds),
    againMedian: median(again.map((run) => run.seconds)),
    againInProcessMedian: name === 'ferry' ? median(again.map((run) => run.child.seconds)) : null,
    againCliSeconds: name === 'ferry' ? cli : null,
    againCliMedian: name === 'ferry' ? median(cli) : null,
    againPeakRss: Math.max(...again.map((run) => run.peakRss)),
    growthPerFile: name === 'ferry' ? Math.max(...again.map((run) => run.growth), first.growth) / files : null,
    growthPerFileNoChange: name === 'ferry' ? Math.max(...again.map((run) => run.growth)) / files : null,
    // The first no-change run after a change compares the base row by row (and stores the listing
    // fingerprints); the later ones only compare fingerprints: each run's growth is kept.
    againGrowthPerFile: name === 'ferry' ? again.map((run) => Math.round(run.growth / files)) : null,
    againInProcessSeconds: name === 'ferry' ? again.map((run) => run.child.seconds) : null,
    renameSeconds: rename.seconds,
    renameBytesWritten: rename.bytesWritten,
    renameEngineBytes: rename.engineBytes ?? rename.transferred ?? null,
    renameCopied: rename.copied ?? null,
    renameMoved: rename.moved ?? null,
    renameArrived: arrived,
  };
  console.log(`${name}: done (${JSON.stringify(results[name])})`);
  rmSync(dir, { recursive: true, force: true });
}

const ferry = results.ferry;
const cell = (name, pick, format) => (results[name] ? format(pick(results[name])) : found[name] ? 'not run' : 'not installed');
const ratio = (name, pick) => (results[name] && pick(results[name]) ? `${fmt(pick(ferry) / pick(results[name]), 2)}×` : '—');
const rows = [
  ['first sync (both sides equal), s', (r) => r.firstSeconds, (v) => fmt(v, 2), ''],
  [`no-change re-sync, median s (aim ≤ 0.5 s at 100k)`, (r) => r.againMedian, (v) => fmt(v, 3), ''],
  ['no-change re-sync, median s inside the process (Ferry: runSync alone, without Node start and imports)', (r) => r.againInProcessMedian ?? r.againMedian, (v) => fmt(v, 3), ''],
  ['no-change re-sync, median s of the command a user runs (Ferry: `ferry sync a b`)', (r) => r.againCliMedian ?? r.againMedian, (v) => fmt(v, 3), ''],
  ['peak RSS of a no-change run, MiB', (r) => r.againPeakRss, (v) => fmt(mib(v)), ''],
  [`rename a folder of ${renameFiles} files, s`, (r) => r.renameSeconds, (v) => fmt(v, 2), ''],
  ['rename: bytes written by the process tree, MiB (aim ≤ 1 MiB)', (r) => r.renameBytesWritten, (v) => fmt(mib(v), 2), ''],
  ['rename: bytes the tool reports transferred, MiB', (r) => r.renameEngineBytes, (v) => (v === null ? 'n/a' : fmt(mib(v), 2)), ''],
];
console.log(`\n| ${files} files, local↔local | Ferry | rclone bisync | unison | Ferry/rclone | Ferry/unison |\n|---|---|---|---|---|---|`);
for (const [label, pick, format] of rows) {
  console.log(`| ${label} | ${format(pick(ferry))} | ${cell('rclone', pick, format)} | ${cell('unison', pick, format)} | ${ratio('rclone', pick)} | ${ratio('unison', pick)} |`);
}
console.log(`\nrename: Ferry ${ferry.renameCopied} files copied, ${ferry.renameMoved} moves (arrived: ${ferry.renameArrived}); rclone ${results.rclone?.renameCopied ?? '—'} files copied (arrived: ${results.rclone?.renameArrived ?? '—'}); unison arrived: ${results.unison?.renameArrived ?? '—'}`);
console.log(`Ferry peak RSS growth per file: ${fmt(ferry.growthPerFileNoChange, 0)} B (no-change run), ${fmt(ferry.growthPerFile, 0)} B (worst of first/no-change; aim ≤ 300 B)`);
console.log(`Ferry no-change runs in order: ${ferry.againGrowthPerFile.join(', ')} B/file; runSync ${ferry.againInProcessSeconds.map((seconds) => fmt(seconds, 3)).join(', ')} s (the first one after a run that changed something checks the base row by row; a first sync of equal trees stores the fingerprints itself); \`ferry sync\` ${ferry.againCliSeconds.map((seconds) => fmt(seconds, 3)).join(', ')} s`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/sync-local.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), files, renameFiles, rounds, results }, null, 2));
