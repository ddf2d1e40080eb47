/**
 * @module ids
 * Random ids and secrets, and the one hash used to store secrets.
 */
import { createHash, randomBytes, randomFillSync } from 'node:crypto';

/** Random bytes for ids are drawn from a pool refilled 4 KiB at a time (one CSPRNG call per 256 ids). */
const idPool = Buffer.alloc(4096);
let idPoolOffset = idPool.length;

function idBytes(): Buffer {
  if (idPoolOffset + 16 > idPool.length) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  const bytes = idPool.subarray(idPoolOffset, idPoolOffset + 16);
  idPoolOffset += 16;
  return bytes;
}

/** A random id with a readable prefix, e.g. `nod_3k9x...` (16 random bytes, base32). */
export function newId(prefix: string): string {
  return `${prefix}_${base32(idBytes())}`;
}

/** A secret for tokens, cookies and share links (base64url, `bytes` of entropy). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
