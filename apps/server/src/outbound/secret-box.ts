/**
 * @module outbound/secret-box
 * Encrypts secrets at rest (webhook signing secrets) with AES-256-GCM. The key
 * is `FERRY_SECRET_KEY` (base64 of 32 bytes) when set, else `<dataDir>/secret.key`
 * (32 random bytes, created with mode 0600 when missing). Each ciphertext names
 * its key id (`v1.<keyId>.<iv>.<tag>.<data>`), so a later rotation can keep old
 * keys for reading while writing with the new one.
 *
 * Rotation (`ferry admin rotate-key`) keeps retired keys readable in
 * `<dataDir>/secret.keys/<keyId>.key` (0600) until every ciphertext is
 * re-sealed. A box made by `secretBoxFor` re-reads the keyring when it meets
 * an unknown key id, and before each seal (sealing is rare: a new webhook
 * secret, a token refresh), so running servers and workers follow a rotation
 * without a restart.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The key that seals, and older keys that still open what they sealed. */
export interface SecretKeyring {
  current: Buffer;
  old: readonly Buffer[];
}

export class SecretBox {
  #keyId: string;
  #keys: Map<string, Buffer>;
  readonly #reload: (() => SecretKeyring) | undefined;

  constructor(key: Buffer, options: { old?: readonly Buffer[]; reload?: () => SecretKeyring } = {}) {
    this.#keyId = keyIdOf(key);
    this.#keys = keyMap({ current: key, old: options.old ?? [] });
    this.#reload = options.reload;
  }

  /** The id of the key new secrets are sealed with. */
  get keyId(): string {
    return this.#keyId;
  }

  /** Every key id this box can open. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  #reloadKeys(): void {
    if (this.#reload === undefined) return;
    const keyring = this.#reload();
    this.#keyId = keyIdOf(keyring.current);
    this.#keys = keyMap(keyring);
  }

  seal(plaintext: string): string {
    this.#reloadKeys();
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
    if (!this.#keys.has(keyId)) this.#reloadKeys();
    const key = this.#keys.get(keyId);
    if (key === undefined) throw new Error(`secret-box: sealed with key ${keyId}, which this server does not have`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}

function keyMap(keyring: SecretKeyring): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const key of [keyring.current, ...keyring.old]) {
    if (key.length !== 32) throw new Error('The secret key must be 32 bytes.');
    keys.set(keyIdOf(key), key);
  }
  return keys;
}

export function keyIdOf(key: Buffer): string {
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

/** Where rotation keeps retired keys until nothing sealed with them is left. */
export function retiredKeysDir(dataDir: string): string {
  return join(dataDir, 'secret.keys');
}

/** The current key (see loadSecretKey) and every retired key still kept in `secret.keys/`. */
export function loadSecretKeyring(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretKeyring {
  const current = loadSecretKey(dataDir, env);
  const dir = retiredKeysDir(dataDir);
  const old = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.key'))
        .map((name) => readFileSync(join(dir, name)))
        .filter((key) => key.length === 32)
    : [];
  return { current, old };
}

const boxes = new Map<string, SecretBox>();

/** The secret box of a data folder (one per process and folder). */
export function secretBoxFor(dataDir: string): SecretBox {
  let box = boxes.get(dataDir);
  if (box === undefined) {
    const reload = () => loadSecretKeyring(dataDir);
    const keyring = reload();
    box = new SecretBox(keyring.current, { old: keyring.old, reload });
    boxes.set(dataDir, box);
  }
  return box;
}
