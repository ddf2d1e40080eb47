/**
 * @module oauth/tokens
 * Access and refresh tokens: opaque random secrets, stored only as sha256.
 * Access tokens live one hour; refresh tokens rotate on every use and live
 * 30 days. Every token belongs to a family (the tokens descending from one
 * authorization code): revoking the family stops all of them at once.
 */
import type { Kysely } from 'kysely';
import type { Database, OAuthTokensTable } from '../db/schema.js';
import { newId, newSecret, sha256Hex } from '../ids.js';
import { formatScopes } from './scopes.js';

export const accessTokenTtlMs = 3600_000;
export const refreshTokenTtlMs = 30 * 24 * 3600_000;
/** Expired rows stay this long (reuse detection of rotated refresh tokens still needs them), then go. */
const keepExpiredMs = 24 * 3600_000;

export type OAuthTokenRow = OAuthTokensTable;

export interface TokenIssue {
  familyId: string;
  clientId: string;
  userId: string;
  workspaceId: string;
  /** Scopes of the access token (may be narrower than the family's). */
  accessScopes: readonly string[];
  /** Scopes of the refresh token, when one is issued (always the family's full grant, RFC 6749 §6). */
  refreshScopes: readonly string[] | null;
  now: Date;
}

/** The successful answer of the token endpoint (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

async function insertToken(db: Kysely<Database>, kind: OAuthTokenRow['kind'], issue: TokenIssue, scopes: readonly string[], ttlMs: number): Promise<string> {
  const secret = `${kind === 'access' ? 'fat' : 'frt'}_${newSecret(32)}`;
  await db
    .insertInto('oauth_tokens')
    .values({
      id: newId(kind === 'access' ? 'oat' : 'ort'),
      token_hash: sha256Hex(secret),
      kind,
      family_id: issue.familyId,
      client_id: issue.clientId,
      user_id: issue.userId,
      workspace_id: issue.workspaceId,
      scopes: formatScopes(scopes),
      created_at: issue.now.toISOString(),
      expires_at: new Date(issue.now.getTime() + ttlMs).toISOString(),
      rotated_at: null,
      revoked_at: null,
    })
    .execute();
  return secret;
}

export async function issueTokens(db: Kysely<Database>, issue: TokenIssue): Promise<TokenResponse> {
  await db
    .deleteFrom('oauth_tokens')
    .where('expires_at', '<', new Date(issue.now.getTime() - keepExpiredMs).toISOString())
    .execute();
  const accessToken = await insertToken(db, 'access', issue, issue.accessScopes, accessTokenTtlMs);
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: Math.floor(accessTokenTtlMs / 1000),
    scope: formatScopes(issue.accessScopes),
  };
  if (issue.refreshScopes !== null) response.refresh_token = await insertToken(db, 'refresh', issue, issue.refreshScopes, refreshTokenTtlMs);
  return response;
}

export function newFamilyId(): string {
  return newId('fam');
}

export async function findTokenBySecret(db: Kysely<Database>, secret: string): Promise<OAuthTokenRow | undefined> {
  return db.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', sha256Hex(secret)).executeTakeFirst();
}

export function isLive(row: Pick<OAuthTokenRow, 'revoked_at' | 'expires_at'>, now: Date): boolean {
  return row.revoked_at === null && row.expires_at > now.toISOString();
}

/** Revokes every token of a family; answers how many were still unrevoked. */
export async function revokeFamily(db: Kysely<Database>, familyId: string, at: string): Promise<number> {
  const result = await db.updateTable('oauth_tokens').set({ revoked_at: at }).where('family_id', '=', familyId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
