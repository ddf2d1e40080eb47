/**
 * @module connections/key-rotation.test
 * Rotating the secret key re-seals every connection token and webhook
 * secret: no ciphertext of the old key is left, the old key is retired, the
 * new key file is 0600, and everything still opens — also in the running
 * server, whose secret box follows the new key without a restart.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSecretKeyring, SecretBox } from '../outbound/secret-box.js';
import { startConnectionHarness, type ConnectionHarness } from './connection-test-harness.js';
import { rotateSecretKey } from './key-rotation.js';

let harness: ConnectionHarness;

beforeAll(async () => {
  harness = await startConnectionHarness();
  // Connecting a provider needs its integration installed in the workspace.
  await harness.install('google-drive');
  await harness.install('dropbox');
  await harness.install('webhooks');
});

afterAll(async () => {
  await harness.close();
});

async function sealedValues(): Promise<string[]> {
  const { db } = harness.server.ctx;
  const connections = await db.selectFrom('connections').select(['access_token_ciphertext', 'refresh_token_ciphertext']).execute();
  const endpoints = await db.selectFrom('webhook_endpoints').select(['secret_ciphertext', 'previous_secret_ciphertext']).execute();
  return [...connections.flatMap((row) => [row.access_token_ciphertext, row.refresh_token_ciphertext]), ...endpoints.flatMap((row) => [row.secret_ciphertext, row.previous_secret_ciphertext])].filter(
    (value): value is string => value !== null,
  );
}

describe('ferry admin rotate-key', () => {
  it('re-seals connection tokens and webhook secrets with a new key and retires the old one', async () => {
    const google = await harness.connect('google-drive');
    await harness.connect('dropbox');
    const created = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/webhooks`, { method: 'POST', body: JSON.stringify({ url: 'http://127.0.0.1:9/hook' }) });
    expect(created.status).toBe(201);
    const rotated = await harness.api(`/api/v1/webhooks/${((await created.json()) as { id: string }).id}/rotate-secret`, { method: 'POST' });
    expect(rotated.status).toBe(200);

    const oldKey = readFileSync(join(harness.server.dataDir, 'secret.key'));
    const oldBox = new SecretBox(oldKey);
    const before = await sealedValues();
    expect(before).toHaveLength(6);
    const plaintexts = before.map((sealed) => oldBox.open(sealed));

    const result = await rotateSecretKey(harness.server.ctx, {});
    expect(result.oldKeyId).toBe(oldBox.keyId);
    expect(result.resealed).toEqual({ connectionTokens: 4, pendingVerifiers: 0, webhookSecrets: 2 });
    expect(result.retiredKeyIds).toEqual([oldBox.keyId]);

    const after = await sealedValues();
    for (const sealed of after) expect(sealed.split('.')[1]).toBe(result.newKeyId);
    for (const old of before) expect(after).not.toContain(old);
    const keyring = loadSecretKeyring(harness.server.dataDir, {});
    expect(keyring.old).toHaveLength(0);
    const newBox = new SecretBox(keyring.current);
    expect(after.map((sealed) => newBox.open(sealed))).toEqual(plaintexts);
    expect(() => oldBox.open(after[0] ?? '')).toThrow(/does not have/);
    expect(statSync(join(harness.server.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(harness.server.dataDir, 'secret.keys'))).toEqual([]);

    // The running server opens the re-sealed tokens and seals new ones with the new key.
    await harness.server.ctx.db.updateTable('connections').set({ access_token_expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', google.connectionId).execute();
    const checked = await harness.api(`/api/v1/workspaces/${harness.workspaceId}/connections/${google.connectionId}/check`, { method: 'POST' });
    expect(checked.status).toBe(200);
    const row = await harness.server.ctx.db.selectFrom('connections').selectAll().where('id', '=', google.connectionId).executeTakeFirstOrThrow();
    expect(row.key_id).toBe(result.newKeyId);
    expect(row.access_token_ciphertext?.split('.')[1]).toBe(result.newKeyId);
  });
});
