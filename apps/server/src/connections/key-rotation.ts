/**
 * @module connections/key-rotation
 * `ferry admin rotate-key`: a new secret key replaces `<dataDir>/secret.key`
 * while the old one stays readable in `secret.keys/<keyId>.key` (0600); every
 * sealed secret — connection tokens, pending PKCE verifiers, webhook signing
 * secrets (current and previous) — is re-sealed with the new key in one
 * transaction; once no ciphertext names the old key, it is retired (deleted).
 * Running servers follow: their secret box re-reads the keyring when it meets
 * the new key id, and before sealing.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '@ferry/core';
import type { Kysely } from 'kysely';
import type { ServerContext } from '../context.js';
import type { Database } from '../db/schema.js';
import { keyIdOf, loadSecretKeyring, retiredKeysDir, SecretBox } from '../outbound/secret-box.js';

export interface KeyRotationResult {
  oldKeyId: string;
  newKeyId: string;
  resealed: { connectionTokens: number; pendingVerifiers: number; webhookSecrets: number };
  retiredKeyIds: string[];
}

function keyIdIn(sealed: string | null): string | null {
  return sealed === null ? null : (sealed.split('.')[1] ?? null);
}

/** Re-seals every secret not sealed with the current key; answers how many of each kind. */
async function resealAll(db: Kysely<Database>, box: SecretBox): Promise<KeyRotationResult['resealed']> {
  const current = box.keyId;
  const reseal = (sealed: string | null): string | null => (sealed === null || keyIdIn(sealed) === current ? sealed : box.seal(box.open(sealed)));
  return db.transaction().execute(async (trx) => {
    const counts = { connectionTokens: 0, pendingVerifiers: 0, webhookSecrets: 0 };
    const connections = await trx.selectFrom('connections').select(['id', 'access_token_ciphertext', 'refresh_token_ciphertext', 'key_id']).execute();
    for (const row of connections) {
      const stale = [row.access_token_ciphertext, row.refresh_token_ciphertext].filter((sealed) => sealed !== null && keyIdIn(sealed) !== current);
      if (stale.length === 0) continue;
      await trx
        .updateTable('connections')
        .set({ access_token_ciphertext: reseal(row.access_token_ciphertext), refresh_token_ciphertext: reseal(row.refresh_token_ciphertext), key_id: current })
        .where('id', '=', row.id)
        .execute();
      counts.connectionTokens += stale.length;
    }
    const pending = await trx.selectFrom('connection_authorizations').select(['id', 'verifier_ciphertext']).execute();
    for (const row of pending) {
      if (keyIdIn(row.verifier_ciphertext) === current) continue;
      await trx.updateTable('connection_authorizations').set({ verifier_ciphertext: reseal(row.verifier_ciphertext) ?? row.verifier_ciphertext }).where('id', '=', row.id).execute();
      counts.pendingVerifiers += 1;
    }
    const endpoints = await trx.selectFrom('webhook_endpoints').select(['id', 'secret_ciphertext', 'previous_secret_ciphertext']).execute();
    for (const row of endpoints) {
      const stale = [row.secret_ciphertext, row.previous_secret_ciphertext].filter((sealed) => sealed !== null && keyIdIn(sealed) !== current);
      if (stale.length === 0) continue;
      await trx
        .updateTable('webhook_endpoints')
        .set({ secret_ciphertext: reseal(row.secret_ciphertext) ?? row.secret_ciphertext, previous_secret_ciphertext: reseal(row.previous_secret_ciphertext) })
        .where('id', '=', row.id)
        .execute();
      counts.webhookSecrets += stale.length;
    }
    return counts;
  });
}

function writePrivate(path: string, key: Buffer): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, key, { mode: 0o600 });
  renameSync(temp, path);
}

export async function rotateSecretKey(ctx: ServerContext, env: NodeJS.ProcessEnv = process.env): Promise<KeyRotationResult> {
  if (env.FERRY_SECRET_KEY !== undefined && env.FERRY_SECRET_KEY !== '') {
    throw new FerryError('bad_request', 'The secret key comes from FERRY_SECRET_KEY; unset it to rotate the key file, or rotate the variable yourself.');
  }
  const { dataDir } = ctx.config;
  const keyring = loadSecretKeyring(dataDir, env);
  const oldKeyId = keyIdOf(keyring.current);
  const retired = retiredKeysDir(dataDir);
  mkdirSync(retired, { recursive: true, mode: 0o700 });
  // The old key stays readable until nothing sealed with it is left.
  writePrivate(join(retired, `${oldKeyId}.key`), keyring.current);
  const newKey = randomBytes(32);
  writePrivate(join(dataDir, 'secret.key'), newKey);
  const box = new SecretBox(newKey, { old: [keyring.current, ...keyring.old] });
  const resealed = await resealAll(ctx.db, box);
  // A server that sealed with the old key just before it noticed the new one: seal those again.
  await resealAll(ctx.db, box);
  const retiredKeyIds: string[] = [];
  for (const name of existsSync(retired) ? readdirSync(retired) : []) {
    if (!name.endsWith('.key') || name === `${box.keyId}.key`) continue;
    unlinkSync(join(retired, name));
    retiredKeyIds.push(name.slice(0, -'.key'.length));
  }
  return { oldKeyId, newKeyId: box.keyId, resealed, retiredKeyIds };
}
