/**
 * @module db/migration-0009-installs-in-use
 * The upgrade path to the install rule (marketplace/integration-gate.ts: an
 * integration works in a workspace only while installed and enabled; nothing
 * is installed by default). A deployment from before the rule has
 * connections, sync pairs, webhook endpoints, REST hooks and OAuth clients
 * that would otherwise wait for an admin to install their integration. This
 * migration installs, in each workspace, every integration the workspace
 * already uses — enabled, with the version, scopes and default settings of the
 * manifest shipped at this migration (`manifestsAtUpgrade`, as an install
 * without settings writes them) — and writes one audit row per install
 * (`integration.installed`, no actor, `details.reason: 'in_use_at_upgrade'`
 * and what was found in use). An integration already installed is left as it
 * is. A fresh database finds no use and gets nothing.
 *
 * What counts as use, per workspace (the tables as of migration 0008):
 * - a connection of the integration's provider that is not revoked, or a sync
 *   pair on a connection of that provider (google-drive, dropbox, slack;
 *   `microsoft` → outlook);
 * - a webhook endpoint (`endpoint` → webhooks) or a REST hook (`rest_hook` → zapier);
 * - an OAuth client registered with the integration's id (Zapier, Outlook):
 *   in the client's workspace, and in every workspace where a user consented
 *   to it or holds a live token of it (the gate checks the token's workspace).
 * A sync pair the pair runner already stopped because its integration was not
 * installed (a deployment that ran the rule before this migration) is
 * scheduled again, as installing does (`resumeIntegration`).
 *
 * It is a plain data migration: it reads no manifest files and calls no
 * service, so it writes the same rows on every deployment, whatever catalog
 * folder the server is later started with. The versions written are those of
 * manifests/marketplace on 2026-11-25: dropbox 1.1.0, google-drive 1.2.0,
 * outlook 1.0.0, slack 1.0.0, webhooks 1.1.0, zapier 1.0.0; a newer manifest
 * shows as an upgrade of the install, as for any install.
 */
import { sql, type Kysely } from 'kysely';
import { newId } from '../ids.js';
import { newOrderedId } from '../jobs/ordered-id.js';

export const installsInUseMigrationName = '0009_install_integrations_in_use';

interface ManifestAtUpgrade {
  version: string;
  scopes: readonly string[];
  /** The settings' defaults (what an install without settings stores). */
  settings: Readonly<Record<string, unknown>>;
  /** The connection provider whose connections and pairs mean the integration is used. */
  provider: string | null;
  /** The webhook endpoint kind it manages. */
  endpointKind: 'endpoint' | 'rest_hook' | null;
}

/** The shipped manifests at this migration (manifests/marketplace/<id>.json, 2026-11-25). */
export const manifestsAtUpgrade: Readonly<Record<string, ManifestAtUpgrade>> = {
  dropbox: {
    version: '1.1.0',
    scopes: ['files:read', 'files:write', 'dropbox:files.content.write'],
    settings: { ferryFolder: '/', dropboxFolder: '/Ferry', conflictPolicy: 'keep-both', intervalMinutes: 5 },
    provider: 'dropbox',
    endpointKind: null,
  },
  'google-drive': {
    version: '1.2.0',
    scopes: ['files:read', 'files:write', 'google:drive.file'],
    settings: { ferryFolder: '/', driveFolder: 'Ferry', direction: 'two-way', conflictPolicy: 'keep-both', intervalMinutes: 5, ignore: [] },
    provider: 'google-drive',
    endpointKind: null,
  },
  outlook: {
    version: '1.0.0',
    scopes: ['files:read', 'files:write', 'shares:write', 'microsoft:Mail.ReadWrite'],
    settings: { attachmentsFolder: '/Mail attachments', linkExpiryDays: 30, largeAttachmentMb: 20 },
    provider: 'microsoft',
    endpointKind: null,
  },
  slack: {
    version: '1.0.0',
    scopes: ['files:read', 'files:write', 'shares:write', 'slack:chat.write', 'slack:commands', 'slack:files.read'],
    settings: { watchedFolder: '/', notifyOn: ['file.created'], saveFolder: '/From Slack', unfurlLinks: true },
    provider: 'slack',
    endpointKind: null,
  },
  webhooks: {
    version: '1.1.0',
    scopes: ['webhooks:manage', 'files:read'],
    settings: { defaultEvents: ['file.created', 'file.updated'], maxPerMinute: 120 },
    provider: null,
    endpointKind: 'endpoint',
  },
  zapier: {
    version: '1.0.0',
    scopes: ['files:read', 'files:write', 'shares:write', 'webhooks:manage'],
    settings: { triggerFolder: '/', allowDeletes: false },
    provider: null,
    endpointKind: 'rest_hook',
  },
};

/** The tables this migration reads and writes, as they are at migration 0008 (a type, not an interface: `withTables` wants an indexable shape). */
type TablesAt0008 = {
  connections: { id: string; workspace_id: string; provider: string; status: string };
  sync_pairs: { id: string; workspace_id: string; connection_id: string; paused: number; status: string; schedule_token: string; next_run_at: string | null; last_error: string | null; updated_at: string };
  webhook_endpoints: { id: string; workspace_id: string; kind: string };
  oauth_clients: { id: string; workspace_id: string; integration_id: string | null };
  oauth_grants: { id: string; workspace_id: string; client_id: string };
  oauth_tokens: { id: string; workspace_id: string; client_id: string; expires_at: string; revoked_at: string | null };
  marketplace_installs: {
    id: string;
    workspace_id: string;
    integration_id: string;
    version: string;
    enabled: number;
    scopes: string;
    settings: string;
    installed_by: string | null;
    installed_at: string;
    updated_at: string;
  };
  audit: { at: string; workspace_id: string | null; actor_id: string | null; action: string; target: string | null; ip: string | null; details: string | null };
  jobs: { id: string; kind: string; payload: string; status: string; run_at: string; attempts: number; lease_owner: string | null; lease_expires_at: string | null; last_error: string | null; created_at: string; done_at: string | null };
};

type Db = Kysely<TablesAt0008>;

/** What was found in use, per kind (only kinds with a count appear in the audit). */
type UseCounts = Partial<Record<'connections' | 'syncPairs' | 'webhookEndpoints' | 'restHooks' | 'oauthClients' | 'oauthConsents' | 'oauthTokens', number>>;

interface UseRow {
  workspace_id: string;
  key: string | null;
  count: number | string | bigint;
}

class UseTally {
  readonly byInstall = new Map<string, { workspaceId: string; integrationId: string; counts: UseCounts }>();

  add(rows: readonly UseRow[], integrationOf: (key: string) => string | null, kind: keyof UseCounts): void {
    for (const row of rows) {
      const integrationId = row.key === null ? null : integrationOf(row.key);
      if (integrationId === null) continue;
      const id = `${row.workspace_id}\u0000${integrationId}`;
      const entry = this.byInstall.get(id) ?? { workspaceId: row.workspace_id, integrationId, counts: {} };
      entry.counts[kind] = (entry.counts[kind] ?? 0) + Number(row.count);
      this.byInstall.set(id, entry);
    }
  }
}

const integrationIds = Object.keys(manifestsAtUpgrade);

function byProvider(provider: string): string | null {
  return integrationIds.find((id) => manifestsAtUpgrade[id]?.provider === provider) ?? null;
}

function byEndpointKind(kind: string): string | null {
  return integrationIds.find((id) => manifestsAtUpgrade[id]?.endpointKind === kind) ?? null;
}

function byIntegrationId(id: string): string | null {
  return Object.hasOwn(manifestsAtUpgrade, id) ? id : null;
}

async function findUse(db: Db, now: string): Promise<UseTally> {
  const tally = new UseTally();
  const count = sql<number>`count(*)`.as('count');
  tally.add(
    await db.selectFrom('connections').select(['workspace_id', 'provider as key', count]).where('status', '<>', 'revoked').groupBy(['workspace_id', 'provider']).execute(),
    byProvider,
    'connections',
  );
  tally.add(
    await db
      .selectFrom('sync_pairs')
      .innerJoin('connections', 'connections.id', 'sync_pairs.connection_id')
      .select(['sync_pairs.workspace_id', 'connections.provider as key', count])
      .groupBy(['sync_pairs.workspace_id', 'connections.provider'])
      .execute(),
    byProvider,
    'syncPairs',
  );
  const endpoints = await db.selectFrom('webhook_endpoints').select(['workspace_id', 'kind as key', count]).groupBy(['workspace_id', 'kind']).execute();
  tally.add(
    endpoints.filter((row) => row.key === 'endpoint'),
    byEndpointKind,
    'webhookEndpoints',
  );
  tally.add(
    endpoints.filter((row) => row.key === 'rest_hook'),
    byEndpointKind,
    'restHooks',
  );
  tally.add(
    await db.selectFrom('oauth_clients').select(['workspace_id', 'integration_id as key', count]).where('integration_id', 'is not', null).groupBy(['workspace_id', 'integration_id']).execute(),
    byIntegrationId,
    'oauthClients',
  );
  tally.add(
    await db
      .selectFrom('oauth_grants')
      .innerJoin('oauth_clients', 'oauth_clients.id', 'oauth_grants.client_id')
      .select(['oauth_grants.workspace_id', 'oauth_clients.integration_id as key', count])
      .where('oauth_clients.integration_id', 'is not', null)
      .groupBy(['oauth_grants.workspace_id', 'oauth_clients.integration_id'])
      .execute(),
    byIntegrationId,
    'oauthConsents',
  );
  tally.add(
    await db
      .selectFrom('oauth_tokens')
      .innerJoin('oauth_clients', 'oauth_clients.id', 'oauth_tokens.client_id')
      .select(['oauth_tokens.workspace_id', 'oauth_clients.integration_id as key', count])
      .where('oauth_clients.integration_id', 'is not', null)
      .where('oauth_tokens.revoked_at', 'is', null)
      .where('oauth_tokens.expires_at', '>', now)
      .groupBy(['oauth_tokens.workspace_id', 'oauth_clients.integration_id'])
      .execute(),
    byIntegrationId,
    'oauthTokens',
  );
  return tally;
}

/** Pairs of the provider in the workspace that the pair runner stopped because the integration was not installed: scheduled to run now. */
async function resumeStoppedPairs(db: Db, workspaceId: string, provider: string, now: string): Promise<number> {
  const stopped = await db
    .selectFrom('sync_pairs')
    .innerJoin('connections', 'connections.id', 'sync_pairs.connection_id')
    .select('sync_pairs.id')
    .where('sync_pairs.workspace_id', '=', workspaceId)
    .where('connections.provider', '=', provider)
    .where('sync_pairs.paused', '=', 0)
    .where('sync_pairs.schedule_token', '=', '')
    .where('sync_pairs.last_error', 'like', '%"code":"integration_not_enabled"%')
    .execute();
  for (const pair of stopped) {
    // As pair-store's schedulePairRun writes it: a new schedule token and its run job (kind `sync_pair.run`).
    const token = newId('run');
    await db.updateTable('sync_pairs').set({ status: 'idle', schedule_token: token, next_run_at: now, updated_at: now }).where('id', '=', pair.id).execute();
    await db
      .insertInto('jobs')
      .values({
        id: newOrderedId('job'),
        kind: 'sync_pair.run',
        payload: JSON.stringify({ pairId: pair.id, token }),
        status: 'pending',
        run_at: now,
        attempts: 0,
        lease_owner: null,
        lease_expires_at: null,
        last_error: null,
        created_at: now,
        done_at: null,
      })
      .execute();
  }
  return stopped.length;
}

async function installWhatIsInUse(db: Db): Promise<void> {
  const now = new Date().toISOString();
  const tally = await findUse(db, now);
  const installed = new Set((await db.selectFrom('marketplace_installs').select(['workspace_id', 'integration_id']).execute()).map((row) => `${row.workspace_id}\u0000${row.integration_id}`));
  const pending = [...tally.byInstall.entries()].filter(([id]) => !installed.has(id)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [, { workspaceId, integrationId, counts }] of pending) {
    const manifest = manifestsAtUpgrade[integrationId];
    if (manifest === undefined) continue;
    await db
      .insertInto('marketplace_installs')
      .values({
        id: newId('ins'),
        workspace_id: workspaceId,
        integration_id: integrationId,
        version: manifest.version,
        enabled: 1,
        scopes: JSON.stringify(manifest.scopes),
        settings: JSON.stringify(manifest.settings),
        installed_by: null,
        installed_at: now,
        updated_at: now,
      })
      .execute();
    const resumedPairs = manifest.provider === null ? 0 : await resumeStoppedPairs(db, workspaceId, manifest.provider, now);
    await db
      .insertInto('audit')
      .values({
        at: now,
        workspace_id: workspaceId,
        actor_id: null,
        action: 'integration.installed',
        target: integrationId,
        ip: null,
        details: JSON.stringify({
          version: manifest.version,
          scopes: manifest.scopes,
          reason: 'in_use_at_upgrade',
          message: `Installed by the upgrade (migration ${installsInUseMigrationName}) because the workspace was already using it when installs became required.`,
          inUse: counts,
          ...(resumedPairs > 0 ? { resumedPairs } : {}),
        }),
      })
      .execute();
  }
}

/** Migration 0009: install what each workspace already uses (see the module header). */
export async function installIntegrationsInUse(db: Kysely<unknown>): Promise<void> {
  const typed = db.withTables<TablesAt0008>();
  // SQLite runs migrations outside a transaction (no transactional DDL): the installs and their audit rows commit together.
  if (typed.isTransaction) await installWhatIsInUse(typed);
  else await typed.transaction().execute(installWhatIsInUse);
}
