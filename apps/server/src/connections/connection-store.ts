/**
 * @module connections/connection-store
 * Connection rows: the public shape (never a token), and the token vault —
 * tokens are sealed with the secret box (AES-256-GCM) and the row records
 * the key id, so a rotation can find and re-seal them.
 */
import { FerryError, providerIdSchema, type Connection, type ProviderId } from '@ferry/core';
import type { ServerContext } from '../context.js';
import type { ConnectionRow } from '../db/schema.js';
import type { SecretBox } from '../outbound/secret-box.js';
import { providerCatalog } from './provider-catalog.js';

export interface VaultTokens {
  accessToken: string | null;
  refreshToken: string | null;
}

export interface SealedTokens {
  key_id: string;
  access_token_ciphertext: string | null;
  refresh_token_ciphertext: string | null;
}

export function sealTokens(box: SecretBox, tokens: VaultTokens): SealedTokens {
  return {
    key_id: box.keyId,
    access_token_ciphertext: tokens.accessToken === null ? null : box.seal(tokens.accessToken),
    refresh_token_ciphertext: tokens.refreshToken === null ? null : box.seal(tokens.refreshToken),
  };
}

export function openTokens(box: SecretBox, row: Pick<ConnectionRow, 'access_token_ciphertext' | 'refresh_token_ciphertext'>): VaultTokens {
  return {
    accessToken: row.access_token_ciphertext === null ? null : box.open(row.access_token_ciphertext),
    refreshToken: row.refresh_token_ciphertext === null ? null : box.open(row.refresh_token_ciphertext),
  };
}

export function providerOf(row: Pick<ConnectionRow, 'provider'>): ProviderId {
  return providerIdSchema.parse(row.provider);
}

export function connectionFromRow(row: ConnectionRow): Connection {
  const provider = providerOf(row);
  const name = providerCatalog[provider].name;
  const action =
    row.status === 'needs_reauth'
      ? `${name} no longer accepts this connection: reconnect it (Connections → ${name} → Connect).`
      : row.status === 'revoked'
        ? 'This connection was disconnected; connect again to use it.'
        : null;
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    provider,
    status: row.status,
    account: { id: row.account_id, email: row.account_email, name: row.account_name },
    scopes: row.scopes.split(' ').filter((scope) => scope !== ''),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    accessTokenExpiresAt: row.access_token_expires_at,
    lastError: row.last_error,
    action,
  };
}

export async function findConnectionRow(ctx: ServerContext, connectionId: string): Promise<ConnectionRow | undefined> {
  return ctx.db.selectFrom('connections').selectAll().where('id', '=', connectionId).executeTakeFirst();
}

/** The connection in this workspace, or connection_not_found (also for another workspace's id). */
export async function requireConnectionRow(ctx: ServerContext, workspaceId: string, connectionId: string): Promise<ConnectionRow> {
  const row = await findConnectionRow(ctx, connectionId);
  if (row === undefined || row.workspace_id !== workspaceId) throw new FerryError('connection_not_found', 'No such connection in this workspace.');
  return row;
}

export async function listConnectionRows(ctx: ServerContext, workspaceId: string): Promise<ConnectionRow[]> {
  return ctx.db.selectFrom('connections').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
}
