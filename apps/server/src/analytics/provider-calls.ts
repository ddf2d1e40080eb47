/**
 * @module analytics/provider-calls
 * Integration analytics of the calls the server makes to providers through
 * connections (`ProviderHttp`, the one client they all go through): token
 * exchange and refresh, account identity, revocation, and any other API call.
 * `measureProviderCall(ctx)` is the client's `onCall` hook. A call paced by a
 * connection (`connection:<id>`) counts for that connection's workspace and
 * owner under the integration of its provider (`google-drive`, `dropbox`,
 * `slack`, `outlook` for Microsoft); a call made before a connection exists
 * (`provider:<id>`, the code exchange) has no workspace yet and goes to
 * `/metrics` only.
 */
import { providerIdSchema, type IntegrationErrorKind } from '@ferry/core';
import type { ServerContext } from '../context.js';
import type { ProviderCallReport } from '../connections/provider-http.js';
import { resolveProvider } from '../connections/provider-catalog.js';
import { catalogOf } from '../marketplace/catalog.js';
import { integrationRecorder } from './recorder.js';

interface ConnectionOwner {
  workspaceId: string;
  provider: string;
  userId: string | null;
}

/** The marketplace id of a provider's integration (the manifest that names the provider), else the provider id. */
export function providerIntegration(ctx: ServerContext, provider: string): string {
  return catalogOf(ctx).search(undefined, undefined).find((loaded) => loaded.manifest.provider === provider)?.manifest.id ?? provider;
}

function sameEndpoint(url: string, other: string | null): boolean {
  if (other === null || other === '') return false;
  try {
    const a = new URL(url);
    const b = new URL(other);
    return a.origin === b.origin && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

/** What the call was, from the provider's endpoints. */
export function providerOperation(ctx: ServerContext, provider: string, url: string, byConnection: boolean): string {
  const parsed = providerIdSchema.safeParse(provider);
  if (!parsed.success) return 'api';
  const endpoints = resolveProvider(parsed.data, ctx.config.providers);
  if (sameEndpoint(url, endpoints.tokenUrl)) return byConnection ? 'token_refresh' : 'token_exchange';
  if (sameEndpoint(url, endpoints.revokeUrl)) return 'revoke';
  if (sameEndpoint(url, endpoints.accountUrl)) return 'account_identity';
  return 'api';
}

export function providerErrorKind(report: Pick<ProviderCallReport, 'status' | 'failure'>): IntegrationErrorKind | null {
  if (report.status === null) return report.failure ?? 'other';
  if (report.status >= 200 && report.status < 300) return null;
  if (report.status === 429) return 'rate_limited';
  if (report.status >= 500) return 'http_5xx';
  if (report.status >= 400) return 'http_4xx';
  if (report.status >= 300) return 'http_3xx';
  return 'other';
}

/** The `onCall` hook of a server's ProviderHttp. */
export function measureProviderCall(ctx: ServerContext): (report: ProviderCallReport) => void {
  // One lookup per connection, shared by concurrent calls (a burst of calls reads the row once).
  const owners = new Map<string, Promise<ConnectionOwner | null>>();
  const ownerOf = (connectionId: string): Promise<ConnectionOwner | null> => {
    let owner = owners.get(connectionId);
    if (owner === undefined) {
      owner = ctx.db
        .selectFrom('connections')
        .select(['workspace_id', 'provider', 'created_by'])
        .where('id', '=', connectionId)
        .executeTakeFirst()
        .then((row) => (row === undefined ? null : { workspaceId: row.workspace_id, provider: row.provider, userId: row.created_by }));
      if (owners.size >= 10_000) owners.clear();
      owners.set(connectionId, owner);
      // A failed lookup is not remembered.
      owner.catch(() => owners.delete(connectionId));
    }
    return owner;
  };
  return (report) => {
    const errorKind = providerErrorKind(report);
    const measured = { ok: errorKind === null, errorKind, durationMs: report.durationMs, bytesIn: report.bytesIn, bytesOut: report.bytesOut };
    const [scope, id = ''] = report.paceKey.split(':', 2);
    if (scope === 'connection') {
      void ownerOf(id)
        .then((owner) => {
          if (owner === null) return;
          integrationRecorder(ctx).record({
            workspaceId: owner.workspaceId,
            integration: providerIntegration(ctx, owner.provider),
            operation: providerOperation(ctx, owner.provider, report.url, true),
            userId: owner.userId,
            ...measured,
          });
        })
        .catch((error: unknown) => ctx.log.warn({ err: error }, 'analytics: a provider call could not be attributed'));
      return;
    }
    integrationRecorder(ctx).observeOnly({ integration: providerIntegration(ctx, id), operation: providerOperation(ctx, id, report.url, false), ...measured });
  };
}
