/**
 * @module files/blob-store
 * Content-addressed blobs on disk: `<dataDir>/blobs/ab/cd/<sha256>`. Bodies are
 * streamed into a temp file under `<dataDir>/tmp/` while being hashed and
 * counted, fsynced, then renamed into place, so a crash never leaves a half
 * blob visible; identical content is stored once. Temp files left by a crash
 * are removed at start (`cleanTempFiles`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '@ferry/core';
import { BlobWriter, type BlobWrite } from './blob-writer.js';

/** A fully received body, hashed, waiting in the temp folder to be committed or discarded. */
export interface TempBlob {
  path: string;
  sha256: string;
  size: number;
}

export interface ReceiveLimits {
  /** Bytes above this fail with payload_too_large. */
  maxBytes: number;
  /** The announced length (Content-Length); fewer bytes means a truncated body. */
  expectedBytes: number | null;
}

/** Bytes gathered before one write to disk. */
const writeBatchBytes = 1024 * 1024;
/**
 * While a large body arrives, its written part is flushed to disk every this
 * many bytes (in the background, while later bytes arrive), so the final
 * fsync only waits for the tail instead of the whole file.
 */
const backgroundSyncBytes = 64 * 1024 * 1024;

export function tempDirOf(dataDir: string): string {
  return join(dataDir, 'tmp');
}

export function blobDirOf(dataDir: string): string {
  return join(dataDir, 'blobs');
}

/** Removes every temp file left over by an earlier process (called once at start). */
export function cleanTempFiles(dataDir: string): number {
  const dir = tempDirOf(dataDir);
  mkdirSync(dir, { recursive: true });
  const leftovers = readdirSync(dir);
  for (const name of leftovers) rmSync(join(dir, name), { recursive: true, force: true });
  return leftovers.length;
}

export class BlobStore {
  readonly #root: string;
  readonly #temp: string;
  /** Shard folders known to exist, to skip mkdir calls on the hot path. */
  readonly #knownDirs = new Set<string>();
  /** Temp names: a random prefix per store (several processes may share a data folder) and a counter. */
  readonly #tempPrefix = randomBytes(6).toString('hex');
  #tempCounter = 0;
  #writer: BlobWriter | undefined;

  constructor(dataDir: string) {
    this.#root = blobDirOf(dataDir);
    this.#temp = tempDirOf(dataDir);
    mkdirSync(this.#root, { recursive: true });
    mkdirSync(this.#temp, { recursive: true });
  }

  pathOf(sha256: string): string {
    return join(this.#root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  newTempPath(): string {
    this.#tempCounter += 1;
    return join(this.#temp, `${this.#tempPrefix}-${this.#tempCounter}.part`);
  }

  /**
   * Stores small, already verified contents durably at their content
   * addresses, off the main thread (see blob-writer). Contents stored
   * already are skipped.
   */
  async placeAll(blobs: readonly { sha256: string; data: Uint8Array }[]): Promise<void> {
    const writes: BlobWrite[] = [];
    const seen = new Set<string>();
    for (const blob of blobs) {
      if (seen.has(blob.sha256)) continue;
      seen.add(blob.sha256);
      writes.push({ dir: join(this.#root, blob.sha256.slice(0, 2), blob.sha256.slice(2, 4)), target: this.pathOf(blob.sha256), temp: this.newTempPath(), data: blob.data });
    }
    this.#writer ??= new BlobWriter();
    await this.#writer.writeAll(writes);
  }

  /** Stops the writer threads (the server calls this when it closes). */
  async close(): Promise<void> {
    await this.#writer?.close();
    this.#writer = undefined;
  }

  /**
   * Streams `source` into a new temp file, hashing and counting as it goes,
   * and fsyncs it. Throws payload_too_large past the limit and bad_request
   * when the stream ends short or aborts; the temp file is removed on any failure.
   */
  async receive(source: AsyncIterable<Buffer>, limits: ReceiveLimits): Promise<TempBlob> {
    const path = this.newTempPath();
    const file = await open(path, 'wx');
    const hash = createHash('sha256');
    let size = 0;
    // Chunks are gathered into batches written with one writev each, and one
    // batch is written while the next is received, so disk and socket overlap.
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let inFlight: Promise<void> = Promise.resolve();
    let writeError: unknown = null;
    let unsyncedBytes = 0;
    let backgroundSync: Promise<void> = Promise.resolve();
    let backgroundSyncBusy = false;
    const flush = async () => {
      await inFlight;
      if (writeError !== null) throw writeError;
      const buffers = batch;
      unsyncedBytes += batchBytes;
      batch = [];
      batchBytes = 0;
      inFlight = file.writev(buffers).then(
        () => undefined,
        (error: unknown) => {
          writeError = error;
        },
      );
      if (unsyncedBytes >= backgroundSyncBytes && !backgroundSyncBusy) {
        unsyncedBytes = 0;
        backgroundSyncBusy = true;
        const written = inFlight;
        backgroundSync = (async () => {
          await written;
          await file.datasync().catch((error: unknown) => {
            writeError ??= error;
          });
          backgroundSyncBusy = false;
        })();
      }
    };
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > limits.maxBytes) throw new FerryError('payload_too_large', `The body is larger than ${limits.maxBytes} bytes.`);
        hash.update(chunk);
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes >= writeBatchBytes) await flush();
      }
      if (limits.expectedBytes !== null && size !== limits.expectedBytes) {
        throw new FerryError('bad_request', `The body ended after ${size} of ${limits.expectedBytes} bytes.`);
      }
      if (batchBytes > 0) await flush();
      await inFlight;
      await backgroundSync;
      if (writeError !== null) throw writeError;
      await file.sync();
    } catch (error) {
      await inFlight;
      await backgroundSync;
      await file.close().catch(() => undefined);
      await rm(path, { force: true });
      throw toBodyError(error);
    }
    await file.close();
    return { path, sha256: hash.digest('hex'), size };
  }

  /**
   * Moves a received file into its content address. When the blob exists
   * already the file is dropped instead (same content, stored once). The
   * source must be a fully written, fsynced file inside the data folder.
   */
  async commit(source: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    if (existsSync(target)) {
      await rm(source, { force: true });
      return;
    }
    const dir = join(this.#root, sha256.slice(0, 2), sha256.slice(2, 4));
    if (!this.#knownDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.#knownDirs.add(dir);
    }
    await rename(source, target);
  }

  async discard(temp: TempBlob | string): Promise<void> {
    await rm(typeof temp === 'string' ? temp : temp.path, { force: true });
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }
}

/** A client that went away mid-body surfaces as a Node stream error: report it as a truncated body. */
export function toBodyError(error: unknown): unknown {
  if (error instanceof FerryError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error instanceof Error && error.message === 'aborted')) {
    return new FerryError('bad_request', 'The body was cut off before its end.');
  }
  return error;
}
