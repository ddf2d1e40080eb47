// @module bench/lib/server-process
// A Ferry server in its own process (so its RSS can be read), on a data dir,
// with one user and an API token. Prints one JSON line {url, token, rootFolderId,
// workspaceId} on stdout, then serves until killed.
import { createApiToken, createUser, startServer } from '@ferry/server';

/**
 * Puts `count` folders into a new folder "seeded" straight through the database, with one
 * event each, so listing and feed reading can be measured at 100,000 entries without
 * waiting for 100,000 API calls (their creation rate is measured separately).
 */
async function seedFolder(ctx, workspace, count) {
  if (count === 0) return null;
  const at = new Date().toISOString();
  const id = (n) => `nod_seed${String(n).padStart(8, '0')}`;
  const parent = { id: 'nod_seedparent', workspace_id: workspace.id, parent_id: workspace.rootFolderId, kind: 'folder', name: 'seeded', name_key: 'seeded', size: 0, sha256: null, version_id: 'ver_seedparent', content_version_id: null, created_at: at, updated_at: at, deleted_at: null, trashed: 0 };
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('nodes').values(parent).execute();
    const { event_seq: start } = await trx.selectFrom('workspaces').select('event_seq').where('id', '=', workspace.id).executeTakeFirstOrThrow();
    for (let first = 0; first < count; first += 500) {
      const rows = [];
      const events = [];
      for (let n = first; n < Math.min(count, first + 500); n++) {
        const name = `entry-${String(n).padStart(6, '0')}`;
        rows.push({ ...parent, id: id(n), parent_id: parent.id, name, name_key: name, version_id: `ver_seed${n}` });
        const node = { id: id(n), workspaceId: workspace.id, parentId: parent.id, kind: 'folder', name, size: 0, sha256: null, versionId: `ver_seed${n}`, contentVersionId: null, createdAt: at, updatedAt: at, deletedAt: null, path: `/seeded/${name}` };
        events.push({ workspace_id: workspace.id, seq: start + n + 1, id: `evt_seed${n}`, type: 'folder.created', at, actor_id: null, source: 'bench', payload: JSON.stringify({ node }) });
      }
      await trx.insertInto('nodes').values(rows).execute();
      await trx.insertInto('events').values(events).execute();
    }
    await trx.updateTable('workspaces').set({ event_seq: start + count }).where('id', '=', workspace.id).execute();
  });
  return parent.id;
}

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: server-process.mjs DATA_DIR');
const server = await startServer({ dataDir, port: 0, logLevel: 'warn', rateLimitPerMinute: 100_000_000, maxUploadBytes: 4 * 1024 ** 3 });
const { user, workspace } = await createUser(server.ctx, { email: 'bench@example.test', password: 'bench-password-1' });
const { token } = await createApiToken(server.ctx, { userId: user.id, name: 'bench' });
const seeded = await seedFolder(server.ctx, workspace, Number(process.env.BENCH_SEED_ENTRIES ?? 0));
process.stdout.write(`${JSON.stringify({ url: server.url, token, rootFolderId: workspace.rootFolderId, workspaceId: workspace.id, seededFolderId: seeded })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
