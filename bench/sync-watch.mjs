// @module bench/sync-watch
// `--watch` latency, local↔local: the time from saving a file on one side to
// seeing its new content on the other (p50/p95 over the edits, alternating
// sides). The watcher runs in its own process with the default debounce.
// Neither reference has a built-in watch mode here (rclone bisync has none;
// unison's `-repeat watch` needs unison-fsmonitor), so there is no column for
// them. Scale with BENCH_SYNC_EDITS (200) and BENCH_SYNC_WATCH_FILES (1,000).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt } from './lib/measure.mjs';
import { ageTree, copyTree, installed, makeTree } from './lib/sync-tools.mjs';

const edits = Number(process.env.BENCH_SYNC_EDITS ?? 200);
const treeFiles = Number(process.env.BENCH_SYNC_WATCH_FILES ?? 1_000);
const work = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ferry-bench-syncw-'));
const cleanup = [];
process.on('exit', () => {
  for (const step of cleanup.reverse()) step();
  rmSync(work, { recursive: true, force: true });
});

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const readOr = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

console.log(`tree: ${treeFiles} files; ${edits} edits; work dir ${work}`);
console.log(`references: rclone bisync has no watch mode; unison -repeat watch ${installed('unison-fsmonitor') ? 'has unison-fsmonitor but is not measured' : 'needs unison-fsmonitor: not installed'}`);
const a = join(work, 'a');
const b = join(work, 'b');
makeTree(join(work, 'source'), treeFiles);
mkdirSync(join(work, 'source', 'edits'));
for (let index = 0; index < 10; index++) writeFileSync(join(work, 'source', 'edits', `e${index}.txt`), 'start\n');
ageTree(join(work, 'source'));
copyTree(join(work, 'source'), a);
copyTree(join(work, 'source'), b);

const child = spawn(process.execPath, [new URL('./lib/sync-watch-child.mjs', import.meta.url).pathname, a, b, join(work, 'state.db')], { stdio: ['ignore', 'pipe', 'inherit'] });
cleanup.push(() => child.kill('SIGKILL'));
await new Promise((resolve, reject) => {
  createInterface({ input: child.stdout }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`watcher exited with ${code}`)));
});
await sleep(500);

const latencies = [];
let missed = 0;
for (let index = 0; index < edits; index++) {
  const [from, to] = index % 2 === 0 ? [a, b] : [b, a];
  const name = join('edits', `e${index % 10}.txt`);
  const content = `edit ${index} from ${from === a ? 'a' : 'b'}\n`;
  const saved = process.hrtime.bigint();
  writeFileSync(join(from, name), content);
  let seen = false;
  while (Number(process.hrtime.bigint() - saved) / 1e9 < 10) {
    if (readOr(join(to, name)) === content) {
      seen = true;
      break;
    }
    await sleep(2);
  }
  if (seen) latencies.push(Number(process.hrtime.bigint() - saved) / 1e9);
  else missed++;
  await sleep(100);
}
child.kill('SIGTERM');

const sorted = [...latencies].sort((x, y) => x - y);
const p50 = quantile(sorted, 0.5);
const p95 = quantile(sorted, 0.95);
console.log(`\n| --watch, save → seen on the other side (${edits} edits, ${treeFiles}-file tree) | Ferry | aim |\n|---|---|---|`);
console.log(`| p50, s | ${fmt(p50, 3)} | |`);
console.log(`| p95, s | ${fmt(p95, 3)} | ≤ 1 s |`);
console.log(`| max, s | ${fmt(sorted[sorted.length - 1], 3)} | |`);
console.log(`| edits not seen within 10 s | ${missed} | 0 |`);

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/sync-watch.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), edits, treeFiles, p50, p95, missed, latencies }, null, 2));
