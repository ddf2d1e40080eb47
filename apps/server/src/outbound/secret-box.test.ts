/**
 * @module outbound/secret-box.test
 * Secrets round-trip through the box, the key file is created once with
 * mode 0600 and reused, FERRY_SECRET_KEY overrides it, and a ciphertext
 * names its key and cannot be altered unnoticed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox, loadSecretKey } from './secret-box.js';

describe('secret box', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-secret-box-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates <dataDir>/secret.key (32 bytes, 0600) once and reads the same key afterwards', () => {
    const first = loadSecretKey(dir, {});
    expect(first).toHaveLength(32);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(dir, {}).equals(first)).toBe(true);
    expect(readFileSync(join(dir, 'secret.key')).equals(first)).toBe(true);
  });

  it('takes FERRY_SECRET_KEY (base64) over the file, and refuses a key of the wrong size', () => {
    const key = randomBytes(32);
    expect(loadSecretKey(dir, { FERRY_SECRET_KEY: key.toString('base64') }).equals(key)).toBe(true);
    expect(() => loadSecretKey(dir, { FERRY_SECRET_KEY: randomBytes(16).toString('base64') })).toThrow(/32 bytes/);
  });

  it('seals with a fresh IV and its key id, opens, and detects tampering or a foreign key', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('whsec_c2VjcmV0');
    expect(sealed).not.toContain('c2VjcmV0');
    expect(sealed.split('.')[1]).toBe(box.keyId);
    expect(box.seal('whsec_c2VjcmV0')).not.toBe(sealed);
    expect(box.open(sealed)).toBe('whsec_c2VjcmV0');
    const parts = sealed.split('.');
    const data = Buffer.from(parts[4] ?? '', 'base64url');
    data[0] = (data[0] ?? 0) ^ 1;
    parts[4] = data.toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/which this server does not have/);
  });
});
