// @module bench/lib/sync-child
// One measured `runSync` in its own process, so its memory is that run's own.
// Argument: JSON {a, b: local path | {url, token, workspaceId, rootPath}, state}.
// Prints one JSON line: baseline RSS (before any tree is loaded), peak RSS
// (VmHWM), the in-process duration and the run summary's counts. Like
// `ferry sync`, it loads the light engine entry and the API client only when
// a side is a Ferry server.
import { readFileSync } from 'node:fs';
import { LocalDriver, runSync } from '@ferry/sync/local';

function memory() {
  const status = readFileSync('/proc/self/status', 'utf8');
  const read = (key) => Number(/(\d+) kB/.exec(status.split('\n').find((line) => line.startsWith(key)) ?? '')?.[1] ?? 0) * 1024;
  return { rss: read('VmRSS:'), peak: read('VmHWM:') };
}

/** BENCH_SYNC_SCAN_THREADS=1 scans each local side in its own worker thread at any size, =0 never (default: the driver's, from 20,000 entries). */
const threadScanFrom = { 1: 0, 0: Number.POSITIVE_INFINITY }[process.env.BENCH_SYNC_SCAN_THREADS ?? ''];

async function driverFor(side) {
  if (typeof side === 'string') return new LocalDriver({ root: side, threadScanFrom });
  const [{ createClient }, { FerryDriver }] = await Promise.all([import('@ferry/core'), import('@ferry/sync')]);
  const client = createClient({ baseUrl: side.url, token: side.token, source: 'bench' });
  return new FerryDriver({ client, workspaceId: side.workspaceId, rootPath: side.rootPath });
}

const job = JSON.parse(process.argv[2] ?? '{}');
const baseline = memory().rss;
const started = process.hrtime.bigint();
if (job.mkdirOnServer) await (await driverFor({ ...job.b, rootPath: '/' })).mkdir(job.mkdirOnServer);
const summary = await runSync({ a: await driverFor(job.a), b: await driverFor(job.b), state: job.state, deleteGuard: job.deleteGuard ?? undefined });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const { peak } = memory();
process.stdout.write(
  `${JSON.stringify({ baselineRss: baseline, peakRss: peak, seconds, copied: summary.copied, moved: summary.moved, deleted: summary.deleted, conflicts: summary.conflicts, failed: summary.failed, bytes: summary.bytes, issues: summary.issues.length })}\n`,
);
