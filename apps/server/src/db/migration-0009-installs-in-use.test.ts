/**
 * @module db/migration-0009-installs-in-use.test
 * The upgrade story of the install rule: a database built at migration 0008
 * (before the rule) with real rows — connections, a sync pair the runner
 * already stopped, a webhook endpoint, a Zapier OAuth client with a consent
 * in another workspace and its REST hook, an integration an admin installed
 * and disabled — is opened by the server of this version. Each workspace
 * then has exactly the integrations it used installed and enabled (as the
 * marketplace API shows them, with no upgrade waiting: the versions are the
 * shipped manifests'), one audit row per install says the upgrade did it
 * and why, the stopped pair is scheduled again, the existing install is
 * left as it was, and a workspace that used nothing gets nothing. A fresh
 * database gets no install. The snapshot of manifests the migration writes
 * matches manifests/marketplace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, integrationInstallSchema } from '@ferry/core';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiToken } from '../auth/users.js';
import { defaultMarketplaceDir, loadManifests } from '../marketplace/catalog-loader.js';
import { startTestServer } from '../testing/index.js';
import { installsInUseMigrationName, manifestsAtUpgrade } from './migration-0009-installs-in-use.js';
import { migrations } from './migrations.js';
import type { Database } from './schema.js';

const before = '0008_oauth_client_integration';
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openAt(dataDir: string): { db: Kysely<Database>; migrator: Migrator } {
  const sqlite = new SqliteDatabase(join(dataDir, 'ferry.db'));
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, migrator: new Migrator({ db, provider: { getMigrations: async () => migrations } }) };
}

async function migrated(migrator: Migrator, target: string | null): Promise<void> {
  const { error, results } = target === null ? await migrator.migrateToLatest() : await migrator.migrateTo(target);
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  expect(results?.every((result) => result.status === 'Success')).toBe(true);
}

const at = '2026-11-01T10:00:00.000Z';

/** The rows of a deployment from before the rule (schema 0008). */
async function seedOldDeployment(db: Kysely<Database>): Promise<void> {
  await db.insertInto('users').values({ id: 'usr_ann', email: 'ann@example.test', name: 'Ann', password_hash: 'x', created_at: at }).execute();
  for (const id of ['wsp_drive', 'wsp_zap', 'wsp_guest', 'wsp_idle']) {
    await db.insertInto('workspaces').values({ id, name: id, root_folder_id: `nod_${id}`, event_seq: 0, created_at: at }).execute();
    await db.insertInto('members').values({ workspace_id: id, user_id: 'usr_ann', role: 'owner', added_at: at }).execute();
  }
  const connection = (id: string, workspaceId: string, provider: string, status: 'active' | 'revoked') => ({
    id,
    workspace_id: workspaceId,
    provider,
    status,
    account_id: `acct-${id}`,
    account_email: null,
    account_name: null,
    scopes: '',
    key_id: null,
    access_token_ciphertext: null,
    refresh_token_ciphertext: null,
    access_token_expires_at: null,
    refresh_lease_owner: null,
    refresh_lease_until: null,
    refresh_not_before: null,
    last_error: null,
    created_by: 'usr_ann',
    created_at: at,
    updated_at: at,
    revoked_at: status === 'revoked' ? at : null,
  });
  // wsp_drive: Google Drive with a pair the runner stopped (this build ran once without the migration), a revoked Dropbox connection, a webhook endpoint.
  await db.insertInto('connections').values([connection('con_drive', 'wsp_drive', 'google-drive', 'active'), connection('con_dropbox', 'wsp_drive', 'dropbox', 'revoked')]).execute();
  await db
    .insertInto('sync_pairs')
    .values({
      id: 'pair_drive',
      workspace_id: 'wsp_drive',
      folder_id: 'nod_folder',
      connection_id: 'con_drive',
      remote_path: '/Ferry',
      conflict_policy: 'keep-both',
      interval_seconds: 300,
      paused: 0,
      status: 'paused',
      schedule_token: '',
      next_run_at: null,
      consecutive_failures: 0,
      circuit: 'closed',
      circuit_open_until: null,
      last_run: null,
      last_error: JSON.stringify({ at, code: 'integration_not_enabled', message: 'Google Drive is not installed in this workspace; installing it from the marketplace resumes this pair.' }),
      recent_errors: '[]',
      last_event_seq: 0,
      created_by: 'usr_ann',
      created_at: at,
      updated_at: at,
    })
    .execute();
  const endpoint = (id: string, workspaceId: string, kind: 'endpoint' | 'rest_hook', enabled: number) => ({
    id,
    workspace_id: workspaceId,
    kind,
    url: 'https://hooks.example.test/in',
    description: '',
    event_types: '[]',
    enabled,
    disabled_reason: null,
    secret_ciphertext: 'sealed',
    previous_secret_ciphertext: null,
    previous_secret_expires_at: null,
    secret_rotated_at: null,
    cursor_seq: 0,
    failing_since: null,
    created_by: 'usr_ann',
    created_at: at,
    updated_at: at,
  });
  await db.insertInto('webhook_endpoints').values([endpoint('whe_drive', 'wsp_drive', 'endpoint', 0), endpoint('whe_zap', 'wsp_zap', 'rest_hook', 1)]).execute();
  // wsp_zap: the Zapier client is registered here; Ann consented to it in wsp_guest. Slack: installed and disabled by an admin, with a connection.
  await db
    .insertInto('oauth_clients')
    .values({ id: 'cli_zapier', workspace_id: 'wsp_zap', name: 'Zapier', type: 'confidential', secret_hash: 'x', redirect_uris: '[]', scopes: 'files:read', created_by: 'usr_ann', created_at: at, integration_id: 'zapier' })
    .execute();
  await db.insertInto('oauth_grants').values({ id: 'grt_guest', user_id: 'usr_ann', client_id: 'cli_zapier', workspace_id: 'wsp_guest', scopes: 'files:read', created_at: at, updated_at: at }).execute();
  await db.insertInto('connections').values([connection('con_slack', 'wsp_zap', 'slack', 'active'), connection('con_outlook', 'wsp_guest', 'microsoft', 'active')]).execute();
  await db
    .insertInto('marketplace_installs')
    .values({
      id: 'ins_slack',
      workspace_id: 'wsp_zap',
      integration_id: 'slack',
      version: '1.0.0',
      enabled: 0,
      scopes: JSON.stringify(manifestsAtUpgrade.slack?.scopes),
      settings: JSON.stringify({ channel: 'C123' }),
      installed_by: 'usr_ann',
      installed_at: at,
      updated_at: at,
    })
    .execute();
}

const auditDetailsSchema = z.object({ version: z.string(), scopes: z.array(z.string()), reason: z.string(), inUse: z.record(z.string(), z.number()), resumedPairs: z.number().optional() });

describe(`migration ${installsInUseMigrationName}`, () => {
  it('installs, per workspace, the integrations in use when a deployment from before the install rule starts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-upgrade-'));
    dirs.push(dataDir);
    const old = openAt(dataDir);
    await migrated(old.migrator, before);
    await seedOldDeployment(old.db);
    await old.db.destroy();

    // The new server opens the old database: its start migrates to latest.
    const server = await startTestServer({ dataDir, webhookWorker: false, syncPairWorker: false });
    try {
      const { token } = await createApiToken(server.ctx, { userId: 'usr_ann', name: 'test' });
      const installsOf = async (workspaceId: string) => {
        const answer = await fetch(`${server.url}/api/v1/workspaces/${workspaceId}/integrations`, { headers: { authorization: `Bearer ${token}` } });
        expect(answer.status).toBe(200);
        const { items } = z.object({ items: z.array(integrationInstallSchema) }).parse(await answer.json());
        return Object.fromEntries(items.map((item) => [item.integrationId, { enabled: item.enabled, version: item.version, upgrade: item.upgrade, by: item.installedBy }]));
      };
      const fresh = (version: string) => ({ enabled: true, version, upgrade: null, by: null });
      // Google Drive (connection + pair) and Webhooks (an endpoint, even switched off); not Dropbox (its only connection is revoked).
      expect(await installsOf('wsp_drive')).toEqual({ 'google-drive': fresh('1.2.0'), webhooks: fresh('1.1.0') });
      // Zapier (its client and REST hook); Slack stays as the admin left it: disabled.
      expect(await installsOf('wsp_zap')).toEqual({ zapier: fresh('1.0.0'), slack: { enabled: false, version: '1.0.0', upgrade: null, by: 'usr_ann' } });
      // Zapier (a consent given here: the gate checks the token's workspace) and Outlook (a Microsoft connection).
      expect(await installsOf('wsp_guest')).toEqual({ zapier: fresh('1.0.0'), outlook: fresh('1.0.0') });
      expect(await installsOf('wsp_idle')).toEqual({});

      const db = server.ctx.db;
      const drive = await db.selectFrom('marketplace_installs').selectAll().where('workspace_id', '=', 'wsp_drive').where('integration_id', '=', 'google-drive').executeTakeFirstOrThrow();
      expect(JSON.parse(drive.scopes)).toEqual(['files:read', 'files:write', 'google:drive.file']);
      expect(JSON.parse(drive.settings)).toEqual(manifestsAtUpgrade['google-drive']?.settings);
      const slack = await db.selectFrom('marketplace_installs').selectAll().where('id', '=', 'ins_slack').executeTakeFirstOrThrow();
      expect([slack.enabled, slack.settings, slack.updated_at]).toEqual([0, JSON.stringify({ channel: 'C123' }), at]);

      const audit = await db.selectFrom('audit').selectAll().where('action', 'like', 'integration.%').orderBy('seq').execute();
      const entries = audit.map((row) => {
        const details = auditDetailsSchema.parse(JSON.parse(row.details ?? 'null'));
        return { workspace: row.workspace_id, action: row.action, target: row.target, actor: row.actor_id, reason: details.reason, version: details.version, inUse: details.inUse };
      });
      expect(entries.sort((a, b) => `${a.workspace ?? ''}${a.target ?? ''}`.localeCompare(`${b.workspace ?? ''}${b.target ?? ''}`))).toEqual([
        { workspace: 'wsp_drive', action: 'integration.installed', target: 'google-drive', actor: null, reason: 'in_use_at_upgrade', version: '1.2.0', inUse: { connections: 1, syncPairs: 1 } },
        { workspace: 'wsp_drive', action: 'integration.installed', target: 'webhooks', actor: null, reason: 'in_use_at_upgrade', version: '1.1.0', inUse: { webhookEndpoints: 1 } },
        { workspace: 'wsp_guest', action: 'integration.installed', target: 'outlook', actor: null, reason: 'in_use_at_upgrade', version: '1.0.0', inUse: { connections: 1 } },
        { workspace: 'wsp_guest', action: 'integration.installed', target: 'zapier', actor: null, reason: 'in_use_at_upgrade', version: '1.0.0', inUse: { oauthConsents: 1 } },
        { workspace: 'wsp_zap', action: 'integration.installed', target: 'zapier', actor: null, reason: 'in_use_at_upgrade', version: '1.0.0', inUse: { restHooks: 1, oauthClients: 1 } },
      ]);

      // The pair the runner had stopped for want of an install is scheduled again, with its run job.
      const pair = await db.selectFrom('sync_pairs').selectAll().where('id', '=', 'pair_drive').executeTakeFirstOrThrow();
      expect(pair.status).toBe('idle');
      expect(pair.schedule_token).not.toBe('');
      const jobs = await db.selectFrom('jobs').select(['kind', 'payload', 'status']).where('kind', '=', 'sync_pair.run').execute();
      expect(jobs).toEqual([{ kind: 'sync_pair.run', payload: JSON.stringify({ pairId: 'pair_drive', token: pair.schedule_token }), status: 'pending' }]);
    } finally {
      await server.close();
    }
  });

  it('installs nothing in a fresh database', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-fresh-'));
    dirs.push(dataDir);
    const fresh = openAt(dataDir);
    try {
      await migrated(fresh.migrator, null);
      const applied = (await fresh.migrator.getMigrations()).filter((migration) => migration.executedAt !== undefined).map((migration) => migration.name);
      expect(applied).toContain(installsInUseMigrationName);
      expect(await fresh.db.selectFrom('marketplace_installs').selectAll().execute()).toEqual([]);
      expect(await fresh.db.selectFrom('audit').selectAll().execute()).toEqual([]);
    } finally {
      await fresh.db.destroy();
    }
  });

  it('writes the versions, scopes and default settings of manifests the marketplace ships', () => {
    const catalog = loadManifests(defaultMarketplaceDir());
    for (const [id, snapshot] of Object.entries(manifestsAtUpgrade)) {
      const loaded = catalog.get(id)?.find((candidate) => candidate.manifest.version === snapshot.version);
      expect(loaded === undefined ? `${id} ${snapshot.version} missing` : id).toBe(id);
      if (loaded === undefined) continue;
      expect(snapshot.scopes).toEqual(loaded.manifest.scopes.map((scope) => scope.id));
      expect(snapshot.settings).toEqual(defaultSettings(loaded.manifest.settings));
      expect(snapshot.provider).toBe(loaded.manifest.provider ?? null);
    }
  });
});
