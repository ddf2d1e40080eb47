/**
 * @module sync-pairs/pair-drivers
 * The two replicas of a pair run. The remote side is the connection's Drive
 * or Dropbox folder (`GoogleDriveDriver`/`DropboxDriver` with the connection
 * as token source and the catalog's API base URL, which tests point at the
 * emulators). The workspace side is `FerryDriver` over this server's own REST
 * API, acting as the pair's creator with an API token minted for the run and
 * deleted after it. That is the simplest correct option: the API already does
 * everything a sync client needs (If-Match writes, version ids, the event
 * feed as change source, folder creation, events and audit for every write),
 * so server-side sync behaves exactly like any other client; a driver over
 * the file store directly would duplicate those rules.
 */
import { createClient, FerryError } from '@ferry/core';
import { providerIntegration } from '../analytics/provider-calls.js';
import { measuredDriverFetch, type DriverFetch } from '../analytics/sync-calls.js';
import type { ServerContext } from '../context.js';
import { connectionServices } from '../connections/connection-services.js';
import { connectionTokenProvider } from '../connections/token-refresher.js';
import { providerOf } from '../connections/connection-store.js';
import { resolveProvider } from '../connections/provider-catalog.js';
import type { SyncPairRow } from '../db/schema.js';
import { pathOf } from '../files/node-paths.js';
import { newId, newSecret, sha256Hex } from '../ids.js';
import type { DriverRetry, EngineDriver, SyncEngineModule } from './sync-engine-port.js';

export interface PairReplicas {
  workspace: EngineDriver;
  remote: EngineDriver;
  provider: string;
  /** Deletes the run's API token. */
  release(): Promise<void>;
}

/**
 * The fetch a driver of the pair's connection sends every request with: the server's provider
 * client (SSRF guard on every resolved address, no redirects, time-outs), the connection's pace
 * (rate, Retry-After), and one analytics call per request under the provider's integration.
 * `rewrite` adjusts a URL first (the Dropbox SDK always builds https:// ones).
 */
function connectionFetch(ctx: ServerContext, row: SyncPairRow, providerId: 'google-drive' | 'dropbox', rewrite: (url: string) => string = (url) => url): DriverFetch {
  const http = connectionServices(ctx).http;
  const send = http.paced(`connection:${row.connection_id}`, resolveProvider(providerId, ctx.config.providers).rateLimitPerSecond, (target, init) => http.guardedFetch(rewrite(target), init));
  return measuredDriverFetch(ctx, { workspaceId: row.workspace_id, integration: providerIntegration(ctx, providerId), userId: row.created_by }, send);
}

/** A standard fetch signature over a driver fetch (what the Drive SDK's gaxios calls). */
function asFetch(send: DriverFetch): typeof fetch {
  return (input, init) => send(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, init);
}

function remoteDriver(ctx: ServerContext, engine: SyncEngineModule, row: SyncPairRow, providerId: string, retry: DriverRetry): EngineDriver {
  const getAccessToken = connectionTokenProvider(ctx, row.connection_id);
  const auth = { kind: 'token-provider' as const, getAccessToken };
  if (providerId === 'google-drive') {
    const base = resolveProvider('google-drive', ctx.config.providers).apiBaseUrl;
    // Every Drive request of the run (API, media, uploads) goes through the server's provider client, paced and measured per call.
    const fetch = asFetch(connectionFetch(ctx, row, 'google-drive'));
    return new engine.GoogleDriveDriver({ auth, root: { path: row.remote_path.replace(/^\/+/, '') }, rootUrl: base.endsWith('/') ? base : `${base}/`, retry, fetch });
  }
  if (providerId === 'dropbox') {
    const url = new URL(resolveProvider('dropbox', ctx.config.providers).apiBaseUrl);
    const official = url.hostname.endsWith('.dropboxapi.com');
    // Every Dropbox call of the run keeps the connection's pace (rate, Retry-After), passes the SSRF guard and is measured for integration analytics.
    const measured = connectionFetch(ctx, row, 'dropbox', url.protocol === 'http:' ? (target) => target.replace(/^https:/, 'http:') : undefined);
    const host = official ? { fetch: measured } : { domain: url.host, domainDelimiter: '', fetch: measured };
    return new engine.DropboxDriver({ auth, root: row.remote_path === '/' ? '' : row.remote_path, ...host, retry });
  }
  throw new FerryError('bad_request', `Connections to ${providerId} cannot be synced.`);
}

export async function openPairReplicas(ctx: ServerContext, engine: SyncEngineModule, row: SyncPairRow, selfUrl: string, retry: DriverRetry = {}): Promise<PairReplicas> {
  const connection = await ctx.db.selectFrom('connections').selectAll().where('id', '=', row.connection_id).executeTakeFirst();
  if (connection === undefined || connection.revoked_at !== null) throw new FerryError('connection_not_found', 'The pair\'s connection was removed; delete the pair or create it again with another connection.');
  if (connection.status === 'needs_reauth') throw new FerryError('unauthenticated', 'The connection needs to be reconnected.');
  const folder = await ctx.db.selectFrom('nodes').select(['id', 'kind', 'deleted_at']).where('id', '=', row.folder_id).executeTakeFirst();
  if (folder === undefined || folder.kind !== 'folder' || folder.deleted_at !== null) throw new FerryError('folder_not_found', 'The pair\'s workspace folder no longer exists.');
  const rootPath = await pathOf(ctx.db, row.folder_id);
  const providerId = providerOf(connection);
  const remote = remoteDriver(ctx, engine, row, providerId, retry);
  // A token for this run only: the creator's rights, expiring within the hour even if the delete below never happens.
  const secret = `fry_${newSecret(32)}`;
  const tokenId = newId('tok');
  const now = ctx.clock.now();
  await ctx.db
    .insertInto('api_tokens')
    .values({
      id: tokenId,
      user_id: row.created_by,
      name: `sync pair ${row.id}`,
      token_hash: sha256Hex(secret),
      prefix: secret.slice(0, 10),
      created_at: now.toISOString(),
      last_used_at: null,
      expires_at: new Date(now.getTime() + 3600_000).toISOString(),
      revoked_at: null,
    })
    .execute();
  const client = createClient({ baseUrl: selfUrl, token: secret, source: `sync-pair:${row.id}` });
  const workspace = new engine.FerryDriver({ client, workspaceId: row.workspace_id, rootPath });
  return {
    workspace,
    remote,
    provider: providerId,
    release: async () => {
      await ctx.db.deleteFrom('api_tokens').where('id', '=', tokenId).execute();
    },
  };
}
