/**
 * @module oauth/consent-store
 * What the authorization pages keep: pending requests (waiting on the consent
 * page, found by the hash of their CSRF token and bound to the browser
 * session), remembered consents (grants), and single-use authorization codes
 * (60 s, bound to client, redirect URI, PKCE challenge, scopes, user, workspace).
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../audit/audit-log.js';
import type { Database, OAuthGrantsTable, OAuthPendingTable } from '../db/schema.js';
import { newId, newSecret, sha256Hex } from '../ids.js';
import type { ValidAuthorizationRequest } from './authorization-request.js';
import { formatScopes, storedScopes } from './scopes.js';

export const codeTtlMs = 60_000;
export const pendingTtlMs = 10 * 60_000;
const keepUsedCodesMs = 24 * 3600_000;

export interface PendingInput {
  sessionId: string;
  userId: string;
  request: ValidAuthorizationRequest;
  now: Date;
}

/** Stores the request for the consent page; answers the CSRF token the form must send back. */
export async function createPending(db: Kysely<Database>, input: PendingInput): Promise<string> {
  const csrfToken = newSecret(32);
  const at = input.now.toISOString();
  await db.deleteFrom('oauth_pending').where('expires_at', '<=', at).execute();
  await db
    .insertInto('oauth_pending')
    .values({
      id: sha256Hex(csrfToken),
      session_id: input.sessionId,
      user_id: input.userId,
      client_id: input.request.client.id,
      redirect_uri: input.request.redirectUri,
      scopes: formatScopes(input.request.scopes),
      state: input.request.state ?? null,
      code_challenge: input.request.codeChallenge,
      created_at: at,
      expires_at: new Date(input.now.getTime() + pendingTtlMs).toISOString(),
    })
    .execute();
  return csrfToken;
}

/** Takes (deletes and answers) the pending request of this CSRF token and session, if it is live. */
export async function takePending(db: Kysely<Database>, csrfToken: string, sessionId: string, now: Date): Promise<OAuthPendingTable | undefined> {
  const id = sha256Hex(csrfToken);
  const row = await db.selectFrom('oauth_pending').selectAll().where('id', '=', id).where('session_id', '=', sessionId).executeTakeFirst();
  if (!row) return undefined;
  const deleted = await db.deleteFrom('oauth_pending').where('id', '=', id).executeTakeFirst();
  if (Number(deleted.numDeletedRows) !== 1 || row.expires_at <= now.toISOString()) return undefined;
  return row;
}

export async function findGrant(db: Kysely<Database>, userId: string, clientId: string): Promise<OAuthGrantsTable | undefined> {
  return db.selectFrom('oauth_grants').selectAll().where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
}

export interface ConsentInput {
  userId: string;
  clientId: string;
  workspaceId: string;
  scopes: readonly string[];
  ip: string | null;
  now: Date;
}

/** Remembers the consent (adding to an earlier one for the same workspace) and audits it. */
export async function rememberConsent(db: Kysely<Database>, input: ConsentInput): Promise<void> {
  const at = input.now.toISOString();
  await db.transaction().execute(async (trx) => {
    const earlier = await findGrant(trx, input.userId, input.clientId);
    if (earlier) {
      const scopes = earlier.workspace_id === input.workspaceId ? [...storedScopes(earlier.scopes), ...input.scopes] : input.scopes;
      await trx.updateTable('oauth_grants').set({ workspace_id: input.workspaceId, scopes: formatScopes(scopes), updated_at: at }).where('id', '=', earlier.id).execute();
    } else {
      await trx
        .insertInto('oauth_grants')
        .values({ id: newId('grt'), user_id: input.userId, client_id: input.clientId, workspace_id: input.workspaceId, scopes: formatScopes(input.scopes), created_at: at, updated_at: at })
        .execute();
    }
    await appendAudit(trx, {
      at,
      workspaceId: input.workspaceId,
      actorId: input.userId,
      action: 'oauth.consent_granted',
      target: input.clientId,
      ip: input.ip,
      details: { scopes: formatScopes(input.scopes).split(' ') },
    });
  });
}

export interface CodeInput {
  clientId: string;
  userId: string;
  workspaceId: string;
  redirectUri: string;
  codeChallenge: string | null;
  scopes: readonly string[];
  now: Date;
}

export async function createAuthorizationCode(db: Kysely<Database>, input: CodeInput): Promise<string> {
  const code = newSecret(32);
  await db
    .deleteFrom('oauth_codes')
    .where('expires_at', '<', new Date(input.now.getTime() - keepUsedCodesMs).toISOString())
    .execute();
  await db
    .insertInto('oauth_codes')
    .values({
      id: sha256Hex(code),
      client_id: input.clientId,
      user_id: input.userId,
      workspace_id: input.workspaceId,
      redirect_uri: input.redirectUri,
      code_challenge: input.codeChallenge,
      scopes: formatScopes(input.scopes),
      created_at: input.now.toISOString(),
      expires_at: new Date(input.now.getTime() + codeTtlMs).toISOString(),
      used_at: null,
      family_id: null,
    })
    .execute();
  return code;
}
