/**
 * @module dropbox/content-hash.test
 * content_hash against the documented algorithm written out plainly, and
 * against published vectors for generated inputs (bytes 0..255 repeated).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentHashBlockSize, DropboxContentHasher, dropboxContentHash } from './content-hash.js';

function repeatingBytes(length: number): Buffer {
  return Buffer.alloc(length, Uint8Array.from({ length: 256 }, (_, index) => index));
}

/** The documented steps, one by one, without streaming. */
function documentedHash(content: Buffer): string {
  const blockDigests: Buffer[] = [];
  for (let start = 0; start < content.length; start += contentHashBlockSize) {
    blockDigests.push(createHash('sha256').update(content.subarray(start, start + contentHashBlockSize)).digest());
  }
  return createHash('sha256').update(Buffer.concat(blockDigests)).digest('hex');
}

describe('Dropbox content_hash', () => {
  const fourMiB = 4 * 1024 * 1024;

  it('matches published vectors', () => {
    expect(dropboxContentHash(Buffer.from('hello rdrop2'))).toBe('1aa2b7623dfff520c4abdc1227d10bc4e229b74005b66b3458345830e556f4de');
    expect(dropboxContentHash(repeatingBytes(fourMiB))).toBe('894bbb52d1212d6bcbe9967f1a2169138c4d4af0c8dfbaeae86cd1d3f0c03faf');
    expect(dropboxContentHash(Buffer.concat([repeatingBytes(fourMiB), Buffer.from([255])]))).toBe(
      '9149387a91f71c7c2149b8427d15526b71c1a38d6c6f999ad71486a2ce788d57',
    );
    expect(dropboxContentHash(repeatingBytes(3.5 * fourMiB))).toBe('f61d3ae93fa4f7646d37949fc0885141bf682faa9a130896b93459c650335d0f');
  });

  it('agrees with the documented algorithm however the input is chunked', () => {
    const content = repeatingBytes(2 * fourMiB + 12_345);
    const streamed = new DropboxContentHasher();
    for (let start = 0; start < content.length; start += 1_000_003) streamed.update(content.subarray(start, start + 1_000_003));
    expect(streamed.digest()).toBe(documentedHash(content));
    expect(dropboxContentHash(Buffer.alloc(0))).toBe(documentedHash(Buffer.alloc(0)));
  });
});
