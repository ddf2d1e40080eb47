/**
 * @module drivers/dropbox-content-hash
 * Dropbox's `content_hash` of some bytes, computed while they stream: the
 * content is cut into 4 MiB blocks, each block is SHA-256'd, and the
 * concatenated binary block digests are SHA-256'd again (lowercase hex).
 * Lets the Dropbox driver know the content_hash of what it uploads or
 * downloads, and so map it to the sha256 the engine compares.
 */
import { createHash, type Hash } from 'node:crypto';

const blockBytes = 4 * 1024 * 1024;

export class ContentHasher {
  private readonly blocks: Hash = createHash('sha256');
  private current: Hash = createHash('sha256');
  private filled = 0;

  update(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.byteLength) {
      const take = Math.min(blockBytes - this.filled, bytes.byteLength - offset);
      this.current.update(bytes.subarray(offset, offset + take));
      this.filled += take;
      offset += take;
      if (this.filled === blockBytes) this.closeBlock();
    }
  }

  private closeBlock(): void {
    this.blocks.update(this.current.digest());
    this.current = createHash('sha256');
    this.filled = 0;
  }

  /** The hex content_hash; the hasher is spent afterwards. */
  digest(): string {
    if (this.filled > 0) this.closeBlock();
    return this.blocks.digest('hex');
  }
}

/** Both hashes of a stream of bytes: Dropbox's content_hash and the plain sha256. */
export class DualHasher {
  private readonly content = new ContentHasher();
  private readonly sha256: Hash = createHash('sha256');

  update(bytes: Uint8Array): void {
    this.content.update(bytes);
    this.sha256.update(bytes);
  }

  digest(): { contentHash: string; sha256: string } {
    return { contentHash: this.content.digest(), sha256: this.sha256.digest('hex') };
  }
}
