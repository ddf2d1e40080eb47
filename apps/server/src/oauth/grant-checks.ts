/**
 * @module oauth/grant-checks
 * Checks shared by the token grants: the user must still be a member of the
 * granted workspace, and a refused grant is `invalid_grant`.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { OAuthError } from './oauth-error.js';

export function invalidGrant(description: string): OAuthError {
  return new OAuthError('invalid_grant', description);
}

export async function isMember(db: Kysely<Database>, userId: string, workspaceId: string): Promise<boolean> {
  const member = await db.selectFrom('members').select('user_id').where('workspace_id', '=', workspaceId).where('user_id', '=', userId).executeTakeFirst();
  return member !== undefined;
}
