/**
 * @module files/blob-writer
 * Durable writes of many small blobs off the main thread. A batch upload
 * hands over the verified contents of its small files; a worker thread
 * creates each under a temp name beside its content address, then fsyncs
 * them all (on ext4 the first fsync commits the journal with the others'
 * data, so the rest are cheap), then renames each into place. The main
 * thread pays one message per group instead of five async fs calls per file.
 * The worker runs the function's own source text (it refers to nothing
 * outside its parameters), so the same code runs from `dist/` and under vitest.
 */
import type * as NodeFs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { FerryError } from '@ferry/core';

/** One blob to create: its final path, the folder it lives in, a temp name in that folder, the bytes. */
export interface BlobWrite {
  dir: string;
  target: string;
  temp: string;
  data: Uint8Array;
}

/** Runs in the worker: temp files, one fsync pass, renames. Returns an error message or null. */
function writeBlobsDurably(fs: typeof NodeFs, writes: readonly BlobWrite[]): string | null {
  const open: { fd: number; write: BlobWrite }[] = [];
  try {
    for (const write of writes) {
      if (fs.existsSync(write.target)) continue;
      fs.mkdirSync(write.dir, { recursive: true });
      const fd = fs.openSync(write.temp, 'wx');
      open.push({ fd, write });
      let offset = 0;
      while (offset < write.data.length) offset += fs.writeSync(fd, write.data, offset, write.data.length - offset);
    }
    for (const { fd } of open) fs.fsyncSync(fd);
    for (const entry of open.splice(0)) {
      fs.closeSync(entry.fd);
      fs.renameSync(entry.write.temp, entry.write.target);
    }
    return null;
  } catch (error) {
    for (const { fd, write } of open) {
      try {
        fs.closeSync(fd);
        fs.rmSync(write.temp, { force: true });
      } catch {
        // Already closed or gone: nothing more to clean.
      }
    }
    return error instanceof Error ? error.message : String(error);
  }
}

const workerSource = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const write = ${writeBlobsDurably.toString()};
parentPort.on('message', ({ writes }) => parentPort.postMessage({ error: write(fs, writes) }));
`;

interface Reply {
  error: string | null;
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'error' in value && (value.error === null || typeof value.error === 'string');
}

/** At most this many blobs per message: enough to share fsyncs, small enough to spread over the threads. */
const writesPerMessage = 64;

class WriterThread {
  readonly #worker: Worker;
  #waiter: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor() {
    // The thread holds little but the bytes in flight (kept outside the JS heap): small heaps keep its RSS down.
    this.#worker = new Worker(workerSource, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 } });
    this.#worker.unref();
    this.#worker.on('message', (reply: unknown) => {
      if (!isReply(reply)) return;
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (reply.error === null) waiter?.resolve();
      else waiter?.reject(new FerryError('internal', `Could not store a file: ${reply.error}`));
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', () => this.#fail(new Error('the blob writer thread stopped')));
  }

  /** Writes one group; a thread runs one group at a time. */
  run(writes: readonly BlobWrite[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      // Bytes are copied once into one compact buffer that is moved, not cloned, to the thread:
      // cloning a Buffer would copy its whole backing store (often a shared 64 KiB socket read).
      const total = writes.reduce((sum, write) => sum + write.data.length, 0);
      const packed = new Uint8Array(total);
      let offset = 0;
      const moved = writes.map((write) => {
        packed.set(write.data, offset);
        const data = packed.subarray(offset, offset + write.data.length);
        offset += write.data.length;
        return { ...write, data };
      });
      this.#worker.postMessage({ writes: moved }, [packed.buffer]);
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #fail(error: Error): void {
    this.#waiter?.reject(new FerryError('internal', `Could not store a file: ${error.message}`));
    this.#waiter = undefined;
  }
}

interface QueuedWrite {
  write: BlobWrite;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A small pool of writer threads with group commit: writes that arrive while
 * every thread is busy wait in one queue and go out together as the next
 * group, so concurrent uploads share their fsync pass. fsync waits on the
 * disk, not the CPU, so a few threads run side by side even on two cores.
 */
export class BlobWriter {
  readonly #idle: WriterThread[] = [];
  readonly #all: WriterThread[] = [];
  readonly #queue: QueuedWrite[] = [];
  readonly #size: number;

  constructor(size = 3) {
    this.#size = size;
  }

  /** Writes every blob durably at its content address; resolves when all are in place. */
  async writeAll(writes: readonly BlobWrite[]): Promise<void> {
    const done = writes.map((write) => new Promise<void>((resolve, reject) => this.#queue.push({ write, resolve, reject })));
    this.#pump();
    await Promise.all(done);
  }

  async close(): Promise<void> {
    this.#idle.length = 0;
    const threads = this.#all.splice(0);
    await Promise.all(threads.map((thread) => thread.close()));
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let thread = this.#idle.pop();
      if (!thread && this.#all.length < this.#size) {
        thread = new WriterThread();
        this.#all.push(thread);
      }
      if (!thread) return;
      const group = this.#queue.splice(0, writesPerMessage);
      const runner = thread;
      runner.run(group.map((queued) => queued.write)).then(
        () => {
          for (const queued of group) queued.resolve();
        },
        (error: unknown) => {
          for (const queued of group) queued.reject(error);
        },
      ).finally(() => {
        if (this.#all.includes(runner)) this.#idle.push(runner);
        this.#pump();
      });
    }
  }
}
