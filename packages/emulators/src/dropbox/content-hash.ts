/**
 * @module dropbox/content-hash
 * Dropbox's `content_hash`: split the content into 4 MiB blocks, SHA-256 each
 * block, concatenate the binary digests, SHA-256 that, write it in hex.
 * Streaming, so a sync client can hash large files without holding them.
 */
import { createHash, type Hash } from 'node:crypto';

export const contentHashBlockSize = 4 * 1024 * 1024;

export class DropboxContentHasher {
  private readonly overall: Hash = createHash('sha256');
  private block: Hash = createHash('sha256');
  private blockFill = 0;

  update(data: Uint8Array): this {
    let position = 0;
    while (position < data.length) {
      if (this.blockFill === contentHashBlockSize) this.finishBlock();
      const take = Math.min(contentHashBlockSize - this.blockFill, data.length - position);
      this.block.update(data.subarray(position, position + take));
      this.blockFill += take;
      position += take;
    }
    return this;
  }

  private finishBlock(): void {
    this.overall.update(this.block.digest());
    this.block = createHash('sha256');
    this.blockFill = 0;
  }

  /** The hex hash; the hasher cannot be used afterwards. */
  digest(): string {
    if (this.blockFill > 0) this.finishBlock();
    return this.overall.digest('hex');
  }
}

export function dropboxContentHash(content: Uint8Array): string {
  return new DropboxContentHasher().update(content).digest();
}
