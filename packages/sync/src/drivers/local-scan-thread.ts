/**
 * @module drivers/local-scan-thread
 * Runs `walkFolderTree` in a worker thread, so the two sides of a pair are
 * walked in parallel and the walk's garbage (a `Stats` object per entry)
 * lives in the worker's own small heap instead of growing the caller's. The
 * worker runs the function's own source text (it refers to nothing outside
 * its parameters), so the same code runs from `dist/` and under vitest. The
 * columns come back as transferred typed arrays and two strings: no copy of
 * the numbers, no object per entry.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { FerryError } from '@ferry/core/errors';
import { type WalkColumns, type WalkRequest, walkFolderTree } from './local-scan-walk.js';

/** A small young generation: the walk's objects die young, and a big one would only grow the RSS. */
const workerYoungGenerationMb = 4;

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const walk = ${walkFolderTree.toString()};
walk(require('node:fs'), require('node:crypto'), workerData, undefined, undefined).then(
  (columns) => parentPort.postMessage({ columns }, [columns.numbers.buffer, columns.births.buffer, columns.parents.buffer, columns.folders.buffer, columns.firsts.buffer, columns.counts.buffer]),
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

/** Walks in this thread (needed when a `skip` callback must be consulted), yielding to the event loop now and then. */
export function walkHere(request: WalkRequest, skip: Parameters<typeof walkFolderTree>[3]): Promise<WalkColumns> {
  return walkFolderTree(fs, crypto, request, skip, () => new Promise<void>((resolve) => setImmediate(resolve)));
}
