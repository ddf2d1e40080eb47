/**
 * @module oauth/clients
 * Registering, listing and deleting OAuth clients. A confidential client's
 * secret is returned once at creation and stored only as its sha256; deleting
 * a client deletes every code, token and consent issued to it (cascade).
 */
import { FerryError, type OAuthClient } from '@ferry/core';
import { z } from 'zod';
import { appendAudit } from '../audit/audit-log.js';
import type { ServerContext } from '../context.js';
import type { OAuthClientsTable } from '../db/schema.js';
import { newId, newSecret, sha256Hex } from '../ids.js';
import { checkRedirectUri } from './redirect-uris.js';
import { formatScopes, storedScopes, type OAuthScope } from './scopes.js';

export type OAuthClientRow = OAuthClientsTable;

const redirectUrisColumn = z.array(z.string());

export function redirectUrisOf(row: Pick<OAuthClientRow, 'redirect_uris'>): string[] {
  return redirectUrisColumn.parse(JSON.parse(row.redirect_uris));
}

export function toOAuthClient(row: OAuthClientRow): OAuthClient {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    type: row.type,
    redirectUris: redirectUrisOf(row),
    scopes: storedScopes(row.scopes),
    createdAt: row.created_at,
    createdBy: row.created_by,
    integrationId: row.integration_id,
  };
}

export interface NewClientInput {
  workspaceId: string;
  actorId: string;
  ip: string | null;
  name: string;
  type: 'public' | 'confidential';
  redirectUris: string[];
  scopes: OAuthScope[];
  /** The marketplace integration the client belongs to (checked by the caller). */
  integrationId?: string | undefined;
}

export async function registerClient(ctx: ServerContext, input: NewClientInput): Promise<OAuthClient & { clientSecret: string | null }> {
  const refused = input.redirectUris.map(checkRedirectUri).flatMap((result) => (result.ok ? [] : [result.error]));
  if (refused.length > 0) throw new FerryError('validation_failed', refused.join(' '), { redirectUris: refused });
  const secret = input.type === 'confidential' ? `fcs_${newSecret(32)}` : null;
  const at = ctx.clock.now().toISOString();
  const row: OAuthClientRow = {
    id: newId('cli'),
    workspace_id: input.workspaceId,
    name: input.name,
    type: input.type,
    secret_hash: secret === null ? null : sha256Hex(secret),
    redirect_uris: JSON.stringify([...new Set(input.redirectUris)]),
    scopes: formatScopes(input.scopes),
    created_by: input.actorId,
    created_at: at,
    integration_id: input.integrationId ?? null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('oauth_clients').values(row).execute();
    await appendAudit(trx, {
      at,
      workspaceId: input.workspaceId,
      actorId: input.actorId,
      action: 'oauth.client_registered',
      target: row.id,
      ip: input.ip,
      details: { name: row.name, type: row.type, redirectUris: redirectUrisOf(row), scopes: storedScopes(row.scopes), integrationId: row.integration_id },
    });
  });
  return { ...toOAuthClient(row), clientSecret: secret };
}

export async function listClients(ctx: ServerContext, workspaceId: string): Promise<OAuthClient[]> {
  const rows = await ctx.db.selectFrom('oauth_clients').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toOAuthClient);
}

export async function deleteClient(ctx: ServerContext, input: { workspaceId: string; clientId: string; actorId: string; ip: string | null }): Promise<void> {
  const at = ctx.clock.now().toISOString();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('oauth_clients')
      .select(['id', 'name'])
      .where('id', '=', input.clientId)
      .where('workspace_id', '=', input.workspaceId)
      .executeTakeFirst();
    if (!row) throw new FerryError('oauth_client_not_found', 'No such OAuth client in this workspace.');
    // Explicit deletes (not only the foreign-key cascade), so the result does not depend on PRAGMA foreign_keys.
    for (const table of ['oauth_tokens', 'oauth_codes', 'oauth_pending', 'oauth_grants'] as const) {
      await trx.deleteFrom(table).where('client_id', '=', row.id).execute();
    }
    await trx.deleteFrom('oauth_clients').where('id', '=', row.id).execute();
    await appendAudit(trx, {
      at,
      workspaceId: input.workspaceId,
      actorId: input.actorId,
      action: 'oauth.client_deleted',
      target: row.id,
      ip: input.ip,
      details: { name: row.name },
    });
  });
}

export async function findClient(ctx: ServerContext, clientId: string): Promise<OAuthClientRow | undefined> {
  return ctx.db.selectFrom('oauth_clients').selectAll().where('id', '=', clientId).executeTakeFirst();
}
