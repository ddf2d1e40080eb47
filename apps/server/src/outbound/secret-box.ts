/**
 * @module outbound/secret-box
 * Encrypts secrets at rest (webhook signing secrets) with AES-256-GCM. The key
 * is `FERRY_SECRET_KEY` (base64 of 32 bytes) when set, else `<dataDir>/secret.key`
 * (32 random bytes, created with mode 0600 when missing). Each ciphertext names
 * its key id (`v1.<keyId>.<iv>.<tag>.<data>`), so a later rotation can keep old
 * keys for reading while writing with the new one.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class SecretBox {
  readonly keyId: string;
  readonly #keys: Map<string, Buffer>;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('The secret key must be 32 bytes.');
    this.keyId = keyIdOf(key);
    this.#keys = new Map([[this.keyId, key]]);
  }

  seal(plaintext: string): string {
    const key = this.#keys.get(this.keyId);
    if (key === undefined) throw new Error('secret-box: no current key');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(this.keyId));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || keyId === undefined || iv === undefined || tag === undefined || data === undefined) {
      throw new Error('secret-box: not a sealed secret');
    }
    const key = this.#keys.get(keyId);
    if (key === undefined) throw new Error(`secret-box: sealed with key ${keyId}, which this server does not have`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}

function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('ferry-secret-key-id').update(key).digest('hex').slice(0, 12);
}

/** Reads the key from FERRY_SECRET_KEY or `<dataDir>/secret.key`, creating the file when neither exists. */
export function loadSecretKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.FERRY_SECRET_KEY;
  if (fromEnv !== undefined && fromEnv !== '') {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new Error('FERRY_SECRET_KEY must be the base64 of 32 bytes.');
    return key;
  }
  const path = join(dataDir, 'secret.key');
  if (!existsSync(path)) {
    // Written aside, then linked into place: a concurrent process sees no key or the whole key, and never overwrites one.
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, randomBytes(32), { mode: 0o600 });
    try {
      linkSync(temp, path);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    } finally {
      unlinkSync(temp);
    }
  }
  const key = readFileSync(path);
  if (key.length !== 32) throw new Error(`${path} must hold exactly 32 bytes.`);
  return key;
}

const boxes = new Map<string, SecretBox>();

/** The secret box of a data folder (one per process and folder). */
export function secretBoxFor(dataDir: string): SecretBox {
  let box = boxes.get(dataDir);
  if (box === undefined) {
    box = new SecretBox(loadSecretKey(dataDir));
    boxes.set(dataDir, box);
  }
  return box;
}
