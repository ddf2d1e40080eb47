// @module bench/server-api
// Issue 2's benchmark: the Ferry API over loopback against `cp` on the same
// disk, side by side in one run. Prints a table and writes
// bench/results/server-api.json. Scale with BENCH_SMALL_FILES, BENCH_LARGE_MIB,
// BENCH_LIST_ENTRIES, BENCH_ROUNDS.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { fmt, median, memoryOf, mib, pool, run, timed } from './lib/measure.mjs';

const smallFiles = Number(process.env.BENCH_SMALL_FILES ?? 10_000);
const largeMiB = Number(process.env.BENCH_LARGE_MIB ?? 1024);
const listEntries = Number(process.env.BENCH_LIST_ENTRIES ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = 16;
/** Files per batch request (POST /api/v1/nodes/:folder/files) and batches in flight. */
const batchFiles = Number(process.env.BENCH_BATCH_FILES ?? 500);
const batchConcurrency = 4;

const work = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ferry-bench-'));
const cleanup = [];
process.on('exit', () => {
  for (const step of cleanup.reverse()) step();
  rmSync(work, { recursive: true, force: true });
});

function makeData() {
  const small = join(work, 'small');
  mkdirSync(small);
  for (let index = 0; index < smallFiles; index++) writeFileSync(join(small, `f${index}.bin`), randomBytes(4096));
  const large = join(work, 'large.bin');
  const fd = openSync(large, 'w');
  const block = randomBytes(1024 * 1024);
  for (let index = 0; index < largeMiB; index++) {
    block.writeUInt32LE(index, 0);
    writeSync(fd, block);
  }
  closeSync(fd);
  return { small, large };
}

async function startFerry() {
  const dataDir = join(work, 'ferry-data');
  const child = spawn(process.execPath, [new URL('./lib/server-process.mjs', import.meta.url).pathname, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_SEED_ENTRIES: String(listEntries) },
  });
  cleanup.push(() => child.kill('SIGKILL'));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, dataDir, ...JSON.parse(line) };
}

async function startPlainReceiver() {
  const dir = join(work, 'plain-receiver');
  mkdirSync(dir);
  const child = spawn(process.execPath, [new URL('./lib/plain-upload-receiver.mjs', import.meta.url).pathname, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => child.kill('SIGKILL'));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`plain receiver exited with ${code}`)));
  });
  return { child, ...JSON.parse(line) };
}

async function call(client, token, method, path, body, headers = {}) {
  const response = await client.request({ method, path, body, headers: { authorization: `Bearer ${token}`, ...headers } });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`${method} ${path} → ${response.statusCode} ${text}`);
  return text.length > 0 ? JSON.parse(text) : null;
}

/** One multipart/form-data body: the manifest, then each file part (what `ferry put` of a folder sends). */
function batchBody(names, contents) {
  const boundary = `ferry-bench-${randomBytes(8).toString('hex')}`;
  const manifest = JSON.stringify({ files: names.map((name, index) => ({ name, size: contents[index].length })) });
  const parts = [Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="manifest"\r\ncontent-type: application/json\r\n\r\n${manifest}\r\n`)];
  names.forEach((name, index) => {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`), contents[index], Buffer.from('\r\n'));
  });
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function uploadBatches(client, ferry, folderId, dir) {
  const batches = Math.ceil(smallFiles / batchFiles);
  await pool(batches, batchConcurrency, async (batch) => {
    const names = [];
    for (let index = batch * batchFiles; index < Math.min(smallFiles, (batch + 1) * batchFiles); index++) names.push(`f${index}.bin`);
    const { body, contentType } = batchBody(names, names.map((name) => readFileSync(join(dir, name))));
    const answer = await call(client, ferry.token, 'POST', `/api/v1/nodes/${folderId}/files`, body, { 'content-type': contentType });
    const failed = answer.entries.filter((entry) => entry.error);
    if (failed.length > 0) throw new Error(`batch ${batch}: ${failed.length} entries failed, first: ${JSON.stringify(failed[0])}`);
  });
}

const mkdir = (client, ferry, parentId, name) =>
  call(client, ferry.token, 'POST', `/api/v1/nodes/${parentId}/folders`, JSON.stringify({ name }), { 'content-type': 'application/json' });

async function main() {
  console.log(`data: ${smallFiles} × 4 KiB, 1 × ${largeMiB} MiB, ${listEntries} entries; ${rounds} rounds; work dir ${work}`);
  const data = makeData();
  const ferry = await startFerry();
  const client = new Pool(ferry.url, { connections: concurrency, pipelining: 1 });
  cleanup.push(() => void client.close());
  const plain = await startPlainReceiver();
  const plainClient = new Pool(plain.url, { connections: 1, pipelining: 1 });
  cleanup.push(() => void plainClient.close());
  const results = { small: { ferry: [], ferryBatch: [], cp: [], cpSync: [] }, large: { ferry: [], plain: [], cp: [], cpSync: [] } };

  for (let round = 0; round < rounds; round++) {
    // cp -r of the same files on the same disk (page cache), then the same with sync.
    results.small.cp.push((await timed(() => run('cp', ['-r', data.small, join(work, `cp-small-${round}`)]))).seconds);
    results.small.cpSync.push((await timed(() => run('sh', ['-c', `cp -r "${data.small}" "${join(work, `cps-small-${round}`)}" && sync`]))).seconds);
    const folder = await mkdir(client, ferry, ferry.rootFolderId, `small-${round}`);
    const uploaded = await timed(() =>
      pool(smallFiles, concurrency, async (index) => {
        const name = `f${index}.bin`;
        await call(client, ferry.token, 'PUT', `/api/v1/nodes/${folder.id}/files/${name}`, readFileSync(join(data.small, name)), {
          'content-type': 'application/octet-stream',
        });
      }),
    );
    results.small.ferry.push(uploaded.seconds);
    const batchFolder = await mkdir(client, ferry, ferry.rootFolderId, `batch-${round}`);
    const batched = await timed(() => uploadBatches(client, ferry, batchFolder.id, data.small));
    results.small.ferryBatch.push(batched.seconds);

    results.large.cp.push((await timed(() => run('cp', [data.large, join(work, `cp-large-${round}`)]))).seconds);
    rmSync(join(work, `cp-large-${round}`));
    results.large.cpSync.push((await timed(() => run('sh', ['-c', `cp "${data.large}" "${join(work, `cps-large-${round}`)}" && sync`]))).seconds);
    rmSync(join(work, `cps-large-${round}`));
    const size = statSync(data.large).size;
    const big = await timed(() =>
      call(client, ferry.token, 'PUT', `/api/v1/nodes/${ferry.rootFolderId}/files/large-${round}.bin`, createReadStream(data.large, { highWaterMark: 1024 * 1024 }), {
        'content-type': 'application/octet-stream',
        'content-length': String(size),
      }),
    );
    results.large.ferry.push(big.seconds);
    const plainBig = await timed(() =>
      call(plainClient, 'none', 'PUT', '/', createReadStream(data.large, { highWaterMark: 1024 * 1024 }), { 'content-length': String(size) }),
    );
    results.large.plain.push(plainBig.seconds);
    console.log(`round ${round + 1}: small ${fmt(smallFiles / uploaded.seconds, 0)} files/s (batches: ${fmt(smallFiles / batched.seconds, 0)}), large ${fmt(mib(size) / big.seconds)} MiB/s (plain Node receiver: ${fmt(mib(size) / plainBig.seconds)})`);
  }

  // Creation rate through the API (a sample), then listing a folder of listEntries entries seeded in the database.
  const createCount = Math.min(listEntries, 5_000);
  const sampleFolder = await mkdir(client, ferry, ferry.rootFolderId, 'created');
  const created = await timed(() => pool(createCount, concurrency, (index) => mkdir(client, ferry, sampleFolder.id, `entry-${index}`)));
  const many = { id: ferry.seededFolderId };
  const listing = await timed(async () => {
    let cursor = null;
    let seen = 0;
    do {
      const query = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) });
      const page = await call(client, ferry.token, 'GET', `/api/v1/nodes/${many.id}/children?${query}`);
      seen += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    return seen;
  });
  if (listing.value !== listEntries) throw new Error(`listed ${listing.value} of ${listEntries}`);

  const feed = await timed(async () => {
    let cursor = '';
    let seen = 0;
    for (;;) {
      const page = await call(client, ferry.token, 'GET', `/api/v1/workspaces/${ferry.workspaceId}/events?limit=1000&cursor=${cursor}`);
      if (page.events.length === 0) return seen;
      seen += page.events.length;
      cursor = page.nextCursor;
    }
  });
  const memory = memoryOf(ferry.child.pid);

  const smallRate = smallFiles / median(results.small.ferry);
  const batchRate = smallFiles / median(results.small.ferryBatch);
  const cpSmallRate = smallFiles / median(results.small.cp);
  const cpSyncSmallRate = smallFiles / median(results.small.cpSync);
  const largeRate = largeMiB / median(results.large.ferry);
  const plainLargeRate = largeMiB / median(results.large.plain);
  const cpLargeRate = largeMiB / median(results.large.cp);
  const cpSyncLargeRate = largeMiB / median(results.large.cpSync);
  const rows = [
    [`upload 4 KiB files, one PUT each, ${concurrency} at a time (files/s)`, smallRate, cpSmallRate, cpSyncSmallRate, '≥ 2,000'],
    [`upload 4 KiB files, batches of ${batchFiles}, ${batchConcurrency} at a time (files/s)`, batchRate, cpSmallRate, cpSyncSmallRate, '≥ 2,000'],
    [`upload ${largeMiB} MiB file (MiB/s)`, largeRate, cpLargeRate, cpSyncLargeRate, '≥ 50% of cp'],
  ];
  console.log('\n| measure (median of %d) | Ferry API | cp | cp + sync | Ferry / cp | Ferry / (cp + sync) | aim |', rounds);
  console.log('|---|---|---|---|---|---|---|');
  for (const [label, ours, cp, cpSync, aim] of rows) {
    console.log(`| ${label} | ${fmt(ours, 0)} | ${fmt(cp, 0)} | ${fmt(cpSync, 0)} | ${fmt((ours / cp) * 100, 0)}% | ${fmt((ours / cpSync) * 100, 0)}% | ${aim} |`);
  }
  console.log(`| upload ${largeMiB} MiB file to a bare node:http receiver (sha256 + write + fsync, nothing else) (MiB/s) | ${fmt(plainLargeRate, 0)} | ${fmt(cpLargeRate, 0)} | ${fmt(cpSyncLargeRate, 0)} | ${fmt((plainLargeRate / cpLargeRate) * 100, 0)}% | ${fmt((plainLargeRate / cpSyncLargeRate) * 100, 0)}% | Ferry = ${fmt((largeRate / plainLargeRate) * 100, 0)}% of it |`);
  console.log(`| create ${createCount} folders through the API (folders/s) | ${fmt(createCount / created.seconds, 0)} | | | | | |`);
  console.log(`| list ${listEntries} entries, pages of 1,000 (entries/s) | ${fmt(listEntries / listing.seconds, 0)} | | | | | |`);
  console.log(`| read the event feed (${feed.value} events, events/s) | ${fmt(feed.value / feed.seconds, 0)} | | | | | ≥ 20,000 |`);
  console.log(`| server RSS at the end / peak (MiB) | ${fmt(mib(memory.rss))} / ${fmt(mib(memory.peak))} | | | | | |`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('./results/server-api.json', import.meta.url),
    `${JSON.stringify({ at: new Date().toISOString(), smallFiles, largeMiB, listEntries, rounds, results, created: created.seconds, listing: listing.seconds, feed: { events: feed.value, seconds: feed.seconds }, memory }, null, 2)}\n`,
  );
  ferry.child.kill('SIGTERM');
  plain.child.kill('SIGTERM');
}

await main();
