/**
 * @module apply-batch
 * Copies of small files to a side whose driver writes batches
 * (`SyncDriver.writeBatch`, Ferry's batch upload): the sources are read into
 * memory, written with one call, and each landed file commits its base row
 * on its own — exactly what `apply.ts` commits for a single copy, so a run
 * killed during a batch resumes the same way.
 */
import { createHash } from 'node:crypto';
import { type ActionRecord, commitCopy, type CopyAction, describe } from './apply.js';
import type { BatchWrite, ByteStream, SyncDriver } from './driver.js';
import { otherSide, type Side } from './plan-types.js';
import type { StateStore } from './state-store.js';

/** Files up to this size go into batches (larger ones stream one by one). */
export const batchFileMaxBytes = 1024 * 1024;
/** A batch is sent once it holds this many files... */
export const batchMaxFiles = 500;
/** ...or this many bytes. */
export const batchMaxBytes = 16 * 1024 * 1024;

export interface CopyBatchContext {
  readonly drivers: Record<Side, SyncDriver>;
  readonly store: StateStore;
  readonly onBytes: (delta: number) => void;
}

async function readAll(stream: ByteStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** True when `action` may travel in a batch to its receiving side. */
export function batchable(action: CopyAction, drivers: Record<Side, SyncDriver>): boolean {
  return drivers[otherSide(action.from)].writeBatch !== undefined && action.source.size <= batchFileMaxBytes;
}

/** Applies copies that all go to the same side; `onRecord` gets each one's record (in no particular order). */
export async function applyCopyBatch(actions: readonly CopyAction[], context: CopyBatchContext, onRecord: (position: number, record: ActionRecord) => void): Promise<void> {
  const first = actions[0];
  if (first === undefined) return;
  const to = otherSide(first.from);
  const target = context.drivers[to];
  // A source that cannot be read (gone, or its stream breaks) fails that copy alone.
  const read = await Promise.all(
    actions.map((action) =>
      context.drivers[action.from]
        .read(action.path)
        .then(readAll)
        .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
    ),
  );
  const writes: BatchWrite[] = [];
  const positions: number[] = [];
  read.forEach((content, position) => {
    const action = actions[position] as CopyAction;
    if (content instanceof Error) onRecord(position, describe(action, 'failed', 0, content));
    else {
      writes.push({ path: action.path, content, sha256: createHash('sha256').update(content).digest('hex'), options: { expected: action.expected, mtimeMs: action.source.mtimeMs } });
      positions.push(position);
    }
  });
  if (writes.length === 0 || target.writeBatch === undefined) return;
  let results: Array<Awaited<ReturnType<NonNullable<SyncDriver['writeBatch']>>>[number]>;
  try {
    results = await target.writeBatch(writes);
  } catch (error) {
    const reason = error instanceof Error ? error : new Error(String(error));
    results = writes.map(() => reason);
  }
  results.forEach((result, index) => {
    const position = positions[index] as number;
    const action = actions[position] as CopyAction;
    const { content, sha256 } = writes[index] as BatchWrite;
    if (result instanceof Error) {
      onRecord(position, describe(action, 'failed', 0, result));
      return;
    }
    commitCopy(context.store, action, result, sha256, content.byteLength);
    context.onBytes(content.byteLength);
    onRecord(position, describe(action, 'done', content.byteLength));
  });
}
