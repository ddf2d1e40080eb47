/**
 * @module drivers/local-scan-thread
 * Runs `walkFolderTree` in a worker thread, so the two sides of a pair are
 * walked in parallel (the walk's time is almost all `lstat` system calls,
 * one core each). `walkBeside` takes one thread for a pair, not two: the
 * first large walk goes to a worker and a second one starting meanwhile
 * walks in the calling thread at the same time. A worker is a V8 isolate of
 * its own (≈ 10 MB resident before it reads a name) and the walk keeps no
 * JavaScript object alive, so the calling thread's heap does not grow with
 * it either. The worker runs the function's own source text (it refers to nothing outside
 * its parameters), so the same code runs from `dist/` and under vitest. The
 * columns come back as transferred typed arrays (names included) and one
 * string of folder paths: no copy, no object per entry.
 */
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { FerryError } from '@ferry/core/errors';
import { type WalkColumns, type WalkRequest, walkFolderTree } from './local-scan-walk.js';

/** The smallest young generation (V8 keeps 2 × 1 MB semi-spaces at least): the walk's objects die young, a bigger one only grows the RSS. */
const workerYoungGenerationMb = 1;

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const walk = ${walkFolderTree.toString()};
walk(require('node:fs'), workerData, undefined, undefined).then(
  (columns) => parentPort.postMessage({ columns }, [columns.names.buffer, columns.nameEnds.buffer, columns.inodes.buffer, columns.sizes.buffer, columns.mtimes.buffer, columns.births.buffer, columns.parents.buffer, columns.folders.buffer, columns.firsts.buffer, columns.counts.buffer]),
  (error) => parentPort.postMessage({ error: String(error && error.message ? error.message : error) }),
);
`;

type WorkerReply = { readonly columns: WalkColumns } | { readonly error: string };

function isWorkerReply(value: unknown): value is WorkerReply {
  return typeof value === 'object' && value !== null && ('columns' in value || ('error' in value && typeof value.error === 'string'));
}

/** Walks `request.root` in a worker thread; rejects with `unavailable` when the tree cannot be read. */
export function walkInThread(request: WalkRequest): Promise<WalkColumns> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, { eval: true, workerData: request, resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMb } });
    let settled = false;
    worker.once('message', (reply: unknown) => {
      settled = true;
      if (!isWorkerReply(reply)) reject(new FerryError('internal', 'The folder scan thread answered something unexpected.'));
      else if ('error' in reply) reject(new FerryError('unavailable', `Cannot list ${request.root}: ${reply.error}`));
      else resolve(reply.columns);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(new FerryError('unavailable', `Cannot list ${request.root}: ${error.message}`));
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new FerryError('internal', `The folder scan thread stopped (exit code ${code}) before answering.`));
    });
  });
}

/** Walks running in worker threads of this process. */
let threadWalks = 0;

/**
 * Walks a large tree beside whatever else is walking: in a worker thread
 * when none is busy, else here, in parallel with it (one isolate's memory
 * less than a thread per walk, the same time on two cores).
 */
export async function walkBeside(request: WalkRequest): Promise<WalkColumns> {
  if (threadWalks > 0) return walkHere(request, undefined);
  threadWalks++;
  try {
    return await walkInThread(request);
  } finally {
    threadWalks--;
  }
}

/** Walks in this thread (needed when a `skip` callback must be consulted), yielding to the event loop now and then. */
export function walkHere(request: WalkRequest, skip: Parameters<typeof walkFolderTree>[2]): Promise<WalkColumns> {
  return walkFolderTree(fs, request, skip, () => new Promise<void>((resolve) => setImmediate(resolve)));
}
