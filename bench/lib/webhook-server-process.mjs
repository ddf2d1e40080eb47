// @module bench/lib/webhook-server-process
// A Ferry server with its webhook worker on and 127.0.0.1 allowed for outbound
// calls, in its own process, with one user and an API token. Prints one JSON
// line {url, token, workspaceId, rootFolderId}. Over IPC, `{burst: n}` commits
// n folder.created events in one transaction (as a large import would), wakes
// the worker, and answers `{committedAt}` (epoch ms); `{steady: {rate,
// seconds}}` commits events at that rate (a small transaction every 10 ms, each
// event stamped with its own time) and answers `{events, seconds}`; `cpu`
// answers `{cpuMicros, threads}`, the process's CPU time so far and, on Linux,
// each thread's (µs by thread id, the main thread as `main`; from /proc, in
// steps of 10 ms); `database` answers `{autocheckpoint, databaseBytes,
// walBytes}`, the connection's WAL auto-checkpoint setting (pages) and the
// sizes of the database file and its WAL.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createApiToken, createUser, startServer } from '@ferry/server';

// Kysely's sql tag, from the server's own dependency.
const { sql } = await import(createRequire(new URL('../../apps/server/package.json', import.meta.url)).resolve('kysely'));

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: webhook-server-process.mjs DATA_DIR');
const server = await startServer({ dataDir, port: 0, logLevel: 'warn', rateLimitPerMinute: 100_000_000, webhookWorker: true, outboundAllowList: ['127.0.0.1'] });
const { user, workspace } = await createUser(server.ctx, { email: 'bench@example.test', password: 'bench-password-1' });
const { token } = await createApiToken(server.ctx, { userId: user.id, name: 'bench' });

let burstNumber = 0;
/**
 * Commits `count` folder.created events in one transaction, made by SQLite itself (a recursive CTE): the events
 * are the input of the measurement, so making them costs the server process next to nothing and leaves no garbage
 * for its collector to meet during the deliveries. Each row is what the event log writes for a folder creation (the
 * payload compact, its keys in the event log's order).
 */
async function burst(count) {
  burstNumber += 1;
  if (count === 0) return Date.now();
  const at = new Date().toISOString();
  const tag = `burst${burstNumber}x`;
  await server.ctx.db.transaction().execute(async (trx) => {
    const { event_seq: start } = await trx.selectFrom('workspaces').select('event_seq').where('id', '=', workspace.id).executeTakeFirstOrThrow();
    await sql`INSERT INTO "events" ("workspace_id", "seq", "id", "type", "at", "actor_id", "source", "payload")
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${count})
      SELECT ${workspace.id}, ${start} + i + 1, 'evt_' || ${tag} || i, 'folder.created', ${at}, ${user.id}, 'bench',
        json_object('node', json_object('id', 'nod_' || ${tag} || i, 'workspaceId', ${workspace.id}, 'parentId', ${workspace.rootFolderId},
          'kind', 'folder', 'name', 'burst-' || ${burstNumber} || '-' || i, 'size', 0, 'sha256', NULL, 'versionId', 'ver_nod_' || ${tag} || i,
          'contentVersionId', NULL, 'createdAt', ${at}, 'updatedAt', ${at}, 'deletedAt', NULL, 'path', '/burst-' || ${burstNumber} || '-' || i))
      FROM n`.execute(trx);
    await trx.updateTable('workspaces').set({ event_seq: start + count }).where('id', '=', workspace.id).execute();
  });
  const committedAt = Date.now();
  server.ctx.hub.notify(workspace.id);
  return committedAt;
}

async function steady(rate, seconds) {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let committed = 0;
  while (committed < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    if (due > committed) {
      await burst(due - committed);
      committed = due;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { events: total, seconds: (performance.now() - started) / 1000 };
}

/** CPU µs so far by thread id (the main thread as `main`; Node 20 names every thread "node"), or null off Linux. */
function threadCpu() {
  try {
    const byName = {};
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = tid === String(process.pid) ? 'main' : `thread ${tid}`;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms.
      byName[name] = (byName[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10_000;
    }
    return byName;
  } catch {
    return null;
  }
}

/** The server connection's auto-checkpoint setting and the sizes of the database file and its WAL. */
async function database() {
  const { rows } = await sql`PRAGMA wal_autocheckpoint`.execute(server.ctx.db);
  const size = (name) => statSync(`${dataDir}/${name}`, { throwIfNoEntry: false })?.size ?? 0;
  return { autocheckpoint: rows[0]?.wal_autocheckpoint ?? null, databaseBytes: size('ferry.db'), walBytes: size('ferry.db-wal') };
}

process.on('message', (message) => {
  if (message === 'database') {
    database().then(
      (answer) => process.send(answer),
      (error) => process.send({ error: String(error) }),
    );
  }
  if (message === 'cpu') {
    // CPU time of this process (user + system, µs): a per-delivery cost that machine load does not inflate.
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system, threads: threadCpu() });
  }
  if (message?.steady !== undefined) {
    steady(message.steady.rate, message.steady.seconds).then(
      (done) => process.send(done),
      (error) => process.send({ error: String(error) }),
    );
  }
  if (typeof message?.burst === 'number') {
    burst(message.burst).then(
      (committedAt) => process.send({ committedAt }),
      (error) => process.send({ error: String(error) }),
    );
  }
});
process.stdout.write(`${JSON.stringify({ url: server.url, token, workspaceId: workspace.id, rootFolderId: workspace.rootFolderId })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
