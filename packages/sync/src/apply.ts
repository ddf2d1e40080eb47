/**
 * @module apply
 * Applies one planned action and commits its effect on the base at once, so
 * a run killed at any moment leaves a state the next run resumes from:
 * every intermediate state is one the planner already knows how to finish
 * (a copy that landed but was not recorded is seen as "the same change on
 * both sides"; a conflict forgets the loser's side in the base before it
 * moves the file aside, so the moved file is seen as new, not as a move).
 */
import { createHash } from 'node:crypto';
import { FerryError, isFerryError } from '@ferry/core/errors';
import type { ByteStream, DriverEntry, SyncDriver } from './driver.js';
import { type Action, otherSide, type Side } from './plan-types.js';
import type { BaseEntry, StateStore } from './state-store.js';

/** One line of the `--json` log: what was done (or planned) and how it went. */
export interface ActionRecord {
  readonly action: Action['type'];
  /** The side that was changed (for copies: the receiving side). */
  readonly side: Side | null;
  readonly path: string;
  readonly to?: string;
  readonly bytes: number;
  readonly status: 'planned' | 'done' | 'failed';
  readonly error?: { readonly code: string; readonly message: string };
}

export interface ApplyContext {
  readonly drivers: Record<Side, SyncDriver>;
  readonly store: StateStore;
  /** Called with the running byte count of the current transfer. */
  readonly onBytes: (bytes: number) => void;
}

function withSide(base: BaseEntry, side: Side, id: string | null, revision: string | null): BaseEntry {
  return side === 'a' ? { ...base, aId: id, aRevision: revision } : { ...base, bId: id, bRevision: revision };
}

export type CopyAction = Extract<Action, { type: 'copy' }>;

/**
 * Closes a source stream that may never have been read to its end (a file
 * left open otherwise), without waiting for it (a read in flight may hold it
 * for a while); one locked by its reader or done is left alone.
 */
function abandon(stream: ByteStream | null): void {
  if (stream === null) return;
  try {
    stream[Symbol.asyncIterator]()
      .return?.()
      .catch(() => undefined);
  } catch {
    // Locked by its reader, or already closed: nothing to release here.
  }
}

async function copy(action: CopyAction, context: ApplyContext): Promise<number> {
  const to = otherSide(action.from);
  let digest = createHash('sha256');
  let bytes = 0;
  let opened: ByteStream | null = null;
  // Each opening reads the source from its start (an abandoned one is closed); the hash and the count are those of the last one.
  const open = async (): Promise<ByteStream> => {
    abandon(opened);
    const content = await context.drivers[action.from].read(action.path);
    opened = content;
    const hashing = createHash('sha256');
    digest = hashing;
    bytes = 0;
    context.onBytes(0);
    return (async function* counted(): ByteStream {
      for await (const chunk of content) {
        hashing.update(chunk);
        bytes += chunk.byteLength;
        context.onBytes(bytes);
        yield chunk;
      }
    })();
  };
  let written: DriverEntry;
  try {
    written = await context.drivers[to].write(action.path, await open(), { expected: action.expected, mtimeMs: action.source.mtimeMs, reopen: open });
  } finally {
    abandon(opened);
  }
  commitCopy(context.store, action, written, digest.digest('hex'), bytes);
  return bytes;
}

/** Records a landed copy in the base: the source's and the written file's id and revision, the content's hash and size. */
export function commitCopy(store: StateStore, action: CopyAction, written: DriverEntry, hash: string, bytes: number): void {
  const source = action.source;
  const empty: BaseEntry = { path: action.path, kind: 'file', hash, size: bytes, mtimeMs: source.mtimeMs, aId: null, aRevision: null, bId: null, bRevision: null };
  store.putBase(withSide(withSide(empty, action.from, source.id, source.revision), otherSide(action.from), written.id, written.revision));
}

async function applyOne(action: Action, context: ApplyContext): Promise<number> {
  const { drivers, store } = context;
  switch (action.type) {
    case 'move':
      await drivers[action.side].move(action.ref, action.to);
      store.moveBase(action.from, action.to);
      return 0;
    case 'rebase':
      store.moveBase(action.from, action.to);
      return 0;
    case 'mkdir': {
      const created = await drivers[action.side].mkdir(action.path);
      const folder: BaseEntry = { path: action.path, kind: 'folder', hash: null, size: 0, mtimeMs: 0, aId: null, aRevision: null, bId: null, bRevision: null };
      const other = otherSide(action.side);
      store.putBase(withSide(withSide(folder, action.side, created.id, created.revision), other, action.other.id, action.other.revision));
      return 0;
    }
    case 'copy':
      return copy(action, context);
    case 'delete':
      await drivers[action.side].delete(action.ref);
      store.forgetPath(action.path);
      return 0;
    case 'conflict': {
      const base = store.loadBaseEntry(action.path);
      if (base !== null) store.putBase(withSide(base, action.side, null, null)); // forget first: a crash after the move is not a "move"
      await drivers[action.side].move(action.ref, action.to);
      return 0;
    }
    case 'record': {
      const { a, b } = action;
      store.putBase({ path: action.path, kind: a.kind, hash: action.hash, size: a.size, mtimeMs: a.mtimeMs, aId: a.id, aRevision: a.revision, bId: b.id, bRevision: b.revision });
      return 0;
    }
    case 'forget':
      store.forgetPath(action.path);
      return 0;
  }
}

/** The side an action changes (for the report). */
export function changedSide(action: Action): Side | null {
  switch (action.type) {
    case 'copy':
      return otherSide(action.from);
    case 'move':
    case 'mkdir':
    case 'delete':
    case 'conflict':
      return action.side;
    default:
      return null;
  }
}

export function describe(action: Action, status: ActionRecord['status'], bytes: number, error?: unknown): ActionRecord {
  const to = action.type === 'move' || action.type === 'rebase' || action.type === 'conflict' ? { to: action.to } : {};
  const path = action.type === 'move' || action.type === 'rebase' ? action.from : action.path;
  const failure =
    error === undefined
      ? {}
      : { error: isFerryError(error) ? { code: error.code, message: error.message } : { code: 'internal', message: error instanceof Error ? error.message : String(error) } };
  return { action: action.type, side: changedSide(action), path, ...to, bytes, status, ...failure };
}

/** Applies one action; never throws for a per-item failure (it is reported and the run goes on). */
export async function applyAction(action: Action, context: ApplyContext): Promise<ActionRecord> {
  try {
    const bytes = await applyOne(action, context);
    return describe(action, 'done', bytes);
  } catch (error) {
    if (!(error instanceof Error)) throw new FerryError('internal', String(error));
    return describe(action, 'failed', 0, error);
  }
}
