/**
 * @module apply-run
 * Applies a run's planned actions in plan order, with up to `transfers`
 * file copies in flight at once (like rclone's `--transfers`): a first sync
 * of many small files waits on round trips, not on bytes. Only copies run
 * beside each other — and base-only bookkeeping (`record`, `forget`). A
 * folder creation runs at once (no copy in flight can depend on a folder
 * that does not exist yet) and is finished before anything after it starts;
 * every other action (move, delete, conflict rename) waits for the copies
 * before it and runs alone, so the plan's order still holds where it
 * matters: a folder exists before the files copied into it, a
 * conflict's loser is moved aside before the winner is copied to its path,
 * and a folder is deleted only after everything that could fail inside it
 * has been tried. Each action still commits its own base change, so a run
 * killed with several copies in flight resumes like any other. Records are
 * reported in plan order (a finished copy waits for the ones before it), so
 * the `--json` log of a run does not depend on which transfer won a race.
 * Small files bound for a driver that writes batches travel in batches
 * (`apply-batch.ts`); a batch in flight counts as one transfer.
 */
import { type ActionRecord, applyAction, type CopyAction, describe } from './apply.js';
import { applyCopyBatch, batchable, batchMaxBytes, batchMaxFiles } from './apply-batch.js';
import type { SyncDriver } from './driver.js';
import { type Action, isVisibleAction, otherSide, type Side } from './plan-types.js';
import type { StateStore } from './state-store.js';

/** Copies in flight by default (rclone's default `--transfers`). */
export const defaultTransfers = 4;

export interface ApplyRunContext {
  readonly drivers: Record<Side, SyncDriver>;
  readonly store: StateStore;
  readonly transfers: number;
  /** Bytes moved since the last call (any copy in flight). */
  readonly onBytes: (delta: number) => void;
  /** A visible action finished (done or failed); called in plan order. */
  readonly onRecord: (action: Action, record: ActionRecord) => void;
}

function runsBeside(action: Action): boolean {
  return action.type === 'copy' || action.type === 'record' || action.type === 'forget';
}

/** Applies `actions`; returns the paths whose action failed. */
export async function applyActions(actions: readonly Action[], context: ApplyRunContext): Promise<string[]> {
  const failedPaths: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const limit = Math.max(1, Math.floor(context.transfers));
  /** Finished actions not reported yet, by plan index (null: nothing to report). */
  const finished = new Map<number, readonly [Action, ActionRecord] | null>();
  let nextToReport = 0;
  const finish = (index: number, outcome: readonly [Action, ActionRecord] | null): void => {
    finished.set(index, outcome);
    while (finished.has(nextToReport)) {
      const ready = finished.get(nextToReport);
      finished.delete(nextToReport++);
      if (ready) context.onRecord(...ready);
    }
  };

  const applyOne = async (action: Action, index: number): Promise<void> => {
    if (action.type === 'delete' && action.kind === 'folder' && failedPaths.some((path) => path.startsWith(`${action.path}/`))) {
      finish(index, [action, describe(action, 'failed', 0, new Error('Something inside could not be deleted; the folder is kept.'))]);
      return;
    }
    // Progress counts each byte of the file once: a copy sent again from its start (a retry) shows no new bytes
    // until it passes where the last attempt got to.
    let counted = 0;
    const record = await applyAction(action, {
      drivers: context.drivers,
      store: context.store,
      onBytes: (bytes) => {
        if (bytes <= counted) return;
        context.onBytes(bytes - counted);
        counted = bytes;
      },
    });
    if (record.status === 'failed') failedPaths.push(record.path);
    finish(index, isVisibleAction(action) ? [action, record] : null);
  };

  const launch = async (work: Promise<void>): Promise<void> => {
    const task: Promise<void> = work.finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= limit) await Promise.race(inFlight);
  };
  let batch: { to: Side; actions: CopyAction[]; indexes: number[]; bytes: number } | null = null;
  const sendBatch = async (): Promise<void> => {
    if (batch === null) return;
    const { actions: copies, indexes } = batch;
    batch = null;
    await launch(
      applyCopyBatch(copies, context, (position, record) => {
        if (record.status === 'failed') failedPaths.push(record.path);
        finish(indexes[position] as number, [copies[position] as CopyAction, record]);
      }),
    );
  };

  for (const [index, action] of actions.entries()) {
    if (action.type === 'mkdir') {
      // Nothing in flight depends on a new folder, but what follows may lie inside it.
      await applyOne(action, index);
      continue;
    }
    if (!runsBeside(action)) {
      await sendBatch();
      await Promise.all(inFlight);
      await applyOne(action, index);
      continue;
    }
    if (action.type === 'copy' && batchable(action, context.drivers)) {
      const to = otherSide(action.from);
      if (batch !== null && batch.to !== to) await sendBatch();
      batch ??= { to, actions: [], indexes: [], bytes: 0 };
      batch.actions.push(action);
      batch.indexes.push(index);
      batch.bytes += action.source.size;
      if (batch.actions.length >= batchMaxFiles || batch.bytes >= batchMaxBytes) await sendBatch();
      continue;
    }
    await launch(applyOne(action, index));
  }
  await sendBatch();
  await Promise.all(inFlight);
  return failedPaths;
}
