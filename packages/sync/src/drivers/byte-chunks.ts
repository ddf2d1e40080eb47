/**
 * @module drivers/byte-chunks
 * Cuts a `ByteStream` into chunks of an exact size, for chunked uploads
 * (Drive resumable sessions want multiples of 256 KiB, Dropbox upload
 * sessions take any size but fewer calls are better). Only one chunk is held
 * in memory at a time, so a chunk can be sent again after a failure.
 */
import type { ByteStream } from '../driver.js';

export class ChunkReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;

  constructor(source: ByteStream) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** True once the source is drained and every buffered byte was handed out. */
  get done(): boolean {
    return this.ended && this.pendingBytes === 0;
  }

  /** The next `size` bytes; fewer only at the end of the source (empty when done). */
  async read(size: number): Promise<Buffer> {
    while (this.pendingBytes < size && !this.ended) {
      const next = await this.iterator.next();
      if (next.done === true) this.ended = true;
      else {
        const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
        this.pending.push(chunk);
        this.pendingBytes += chunk.byteLength;
      }
    }
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    const taken = all.subarray(0, Math.min(size, all.byteLength));
    const rest = all.subarray(taken.byteLength);
    this.pending = rest.byteLength > 0 ? [rest] : [];
    this.pendingBytes = rest.byteLength;
    return Buffer.from(taken);
  }

  /** Gives bytes back so the next `read` returns them first. */
  putBack(bytes: Buffer): void {
    if (bytes.byteLength === 0) return;
    this.pending.unshift(bytes);
    this.pendingBytes += bytes.byteLength;
  }

  /** Whether at least one more byte follows (reads ahead when needed). */
  async hasMore(): Promise<boolean> {
    if (this.pendingBytes > 0) return true;
    if (this.ended) return false;
    const next = await this.read(1);
    this.putBack(next);
    return next.byteLength > 0;
  }
}
