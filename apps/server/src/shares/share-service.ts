/**
 * @module shares/share-service
 * Share links: create (files only; token of 32 random bytes, optional
 * password hashed with scrypt, expiry, download limit), list, revoke, and the
 * checks a public request passes: unknown or revoked → 404 share_not_found,
 * expired → 410 share_expired, used up → 410 share_exhausted, password → 401.
 * A download is counted with one conditional UPDATE, so concurrent downloads
 * never exceed the limit.
 */
import { FerryError } from '@ferry/core';
import type { Actor } from '../auth/actor.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { appendAudit } from '../audit/audit-log.js';
import { isoNow, type ServerContext } from '../context.js';
import type { NodeRow, ShareRow } from '../db/schema.js';
import { newId, newSecret } from '../ids.js';
import { recordChange } from '../files/change-record.js';
import { pathOf } from '../files/node-paths.js';
import { nodeView } from '../files/node-view.js';

export interface NewShareInput {
  expiresAt?: string;
  password?: string;
  maxDownloads?: number;
}

export async function createShare(ctx: ServerContext, actor: Actor, ip: string | null, node: NodeRow, input: NewShareInput): Promise<ShareRow> {
  if (node.kind !== 'file') throw new FerryError('not_a_file', 'Only files can be shared by link.');
  const at = isoNow(ctx);
  const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt).toISOString();
  if (expiresAt !== null && expiresAt <= at) throw new FerryError('validation_failed', 'expiresAt must be in the future.');
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const row: ShareRow = {
    id: newId('shr'),
    workspace_id: node.workspace_id,
    node_id: node.id,
    token: newSecret(32),
    password_hash: passwordHash,
    expires_at: expiresAt,
    max_downloads: input.maxDownloads ?? null,
    downloads: 0,
    created_at: at,
    created_by: actor.userId,
    revoked_at: null,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('shares').values(row).execute();
    const path = await pathOf(trx, node.id);
    await recordChange(trx, {
      workspaceId: node.workspace_id,
      type: 'share.created',
      at,
      actor,
      ip,
      target: row.id,
      node: nodeView(node, path),
      data: { shareId: row.id, expiresAt, hasPassword: passwordHash !== null, maxDownloads: row.max_downloads },
    });
  });
  ctx.hub.notify(node.workspace_id);
  return row;
}

export async function listShares(ctx: ServerContext, workspaceId: string): Promise<ShareRow[]> {
  return ctx.db.selectFrom('shares').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id').execute();
}

export async function findShare(ctx: ServerContext, shareId: string): Promise<ShareRow | undefined> {
  return ctx.db.selectFrom('shares').selectAll().where('id', '=', shareId).executeTakeFirst();
}

/** Revokes at once; revoking twice is harmless. */
export async function revokeShare(ctx: ServerContext, actor: Actor, ip: string | null, share: ShareRow): Promise<void> {
  if (share.revoked_at !== null) return;
  const at = isoNow(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('shares').set({ revoked_at: at }).where('id', '=', share.id).where('revoked_at', 'is', null).execute();
    await recordChange(trx, { workspaceId: share.workspace_id, type: 'share.revoked', at, actor, ip, target: share.id, data: { shareId: share.id, nodeId: share.node_id } });
  });
  ctx.hub.notify(share.workspace_id);
}

/** Why a share cannot be used now, or null when it can. */
function unusable(share: ShareRow, node: NodeRow | undefined, now: string): FerryError | null {
  if (share.revoked_at !== null || !node || node.deleted_at !== null || node.kind !== 'file') return new FerryError('share_not_found', 'No such share link.');
  if (share.expires_at !== null && share.expires_at <= now) return new FerryError('share_expired', 'This share link has expired.');
  if (share.max_downloads !== null && share.downloads >= share.max_downloads) return new FerryError('share_exhausted', 'This share link has been used up.');
  return null;
}

/** The share behind a public token with its file, if the link may be used now. */
export async function openPublicShare(ctx: ServerContext, token: string): Promise<{ share: ShareRow; node: NodeRow }> {
  const share = await ctx.db.selectFrom('shares').selectAll().where('token', '=', token).executeTakeFirst();
  if (!share) throw new FerryError('share_not_found', 'No such share link.');
  const node = await ctx.db.selectFrom('nodes').selectAll().where('id', '=', share.node_id).executeTakeFirst();
  const problem = unusable(share, node, isoNow(ctx));
  if (problem || !node) throw problem ?? new FerryError('share_not_found', 'No such share link.');
  return { share, node };
}

export async function checkSharePassword(share: ShareRow, password: string | undefined): Promise<void> {
  if (share.password_hash === null) return;
  if (password === undefined || password === '' || !(await verifyPassword(password, share.password_hash))) {
    throw new FerryError('share_password_required', 'This share link needs its password (send it as X-Share-Password).');
  }
}

/** Counts one download, atomically against the limit, expiry and revocation. */
export async function countDownload(ctx: ServerContext, share: ShareRow, ip: string | null): Promise<void> {
  const now = isoNow(ctx);
  await ctx.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('shares')
      .set((eb) => ({ downloads: eb('downloads', '+', 1) }))
      .where('id', '=', share.id)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('max_downloads', 'is', null), eb('downloads', '<', eb.ref('max_downloads'))]))
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const current = await trx.selectFrom('shares').selectAll().where('id', '=', share.id).executeTakeFirstOrThrow();
      const node = await trx.selectFrom('nodes').selectAll().where('id', '=', share.node_id).executeTakeFirst();
      throw unusable(current, node, now) ?? new FerryError('share_exhausted', 'This share link has been used up.');
    }
    await appendAudit(trx, { at: now, workspaceId: share.workspace_id, actorId: null, action: 'share.downloaded', target: share.id, ip });
  });
}
