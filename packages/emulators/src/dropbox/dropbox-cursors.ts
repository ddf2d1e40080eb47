/**
 * @module dropbox/dropbox-cursors
 * list_folder cursors. A cursor is opaque to clients; here it carries the
 * folder, recursion, page size, the log position it has seen, an offset while
 * the first listing is still paging, and the epoch that expireCursors()
 * bumps — an old epoch answers 409 `reset`, as an expired cursor does.
 */
import { z } from 'zod';
import { badInput, endpointError } from './dropbox-errors.js';
import { deletedMetadata, metadata } from './dropbox-context.js';
import type { DropboxState } from './dropbox-state.js';

const cursorSchema = z.object({
  path: z.string(),
  recursive: z.boolean(),
  includeDeleted: z.boolean(),
  limit: z.number().int().positive(),
  seq: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative().optional(),
  epoch: z.number().int().nonnegative(),
});

export type ListCursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: ListCursor): string {
  return 'AAE' + Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Decodes a cursor; 400 when malformed, 409 reset when expired. */
export function decodeCursor(raw: string, route: string, state: DropboxState): ListCursor {
  const text = raw.startsWith('AAE') ? Buffer.from(raw.slice(3), 'base64url').toString('utf8') : '';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success) throw badInput(route, 'request body: cursor: Invalid "cursor" parameter');
  if (parsed.data.epoch !== state.cursorEpoch || parsed.data.seq > state.headSeq()) throw endpointError({ '.tag': 'reset' });
  return parsed.data;
}

export interface ListPage {
  entries: Record<string, unknown>[];
  cursor: string;
  has_more: boolean;
}

/** One page for a cursor: the first listing while `offset` is set, then the changes. */
export function listPage(state: DropboxState, cursor: ListCursor): ListPage {
  if (cursor.offset !== undefined) {
    const folder = cursor.path === '' ? undefined : state.lookup(cursor.path);
    const all = [
      ...(cursor.recursive && folder ? [metadata(folder)] : []),
      ...state.list(cursor.path, cursor.recursive).map(metadata),
      ...(cursor.includeDeleted ? state.listTombstones(cursor.path, cursor.recursive).map(deletedMetadata) : []),
    ];
    const end = cursor.offset + cursor.limit;
    const more = end < all.length;
    const next: ListCursor = more ? { ...cursor, offset: end } : { ...cursor, offset: undefined };
    return { entries: all.slice(cursor.offset, end), cursor: encodeCursor(next), has_more: more };
  }
  const changes = state.changesAfter(cursor.seq, cursor.path, cursor.recursive);
  const taken = changes.slice(0, cursor.limit);
  const more = changes.length > taken.length;
  const last = taken.at(-1);
  const seq = more && last ? last.seq : state.headSeq();
  const entries = taken.map((change) => {
    const entry = state.lookup(change.pathLower);
    if (entry) return metadata(entry);
    const stone = state.tombstone(change.pathLower);
    return deletedMetadata(stone ?? { name: change.pathLower.slice(change.pathLower.lastIndexOf('/') + 1), pathLower: change.pathLower, pathDisplay: change.pathLower });
  });
  return { entries, cursor: encodeCursor({ ...cursor, seq }), has_more: more };
}

/** Whether anything changed in the cursor's folder after it. */
export function hasChanges(state: DropboxState, cursor: ListCursor): boolean {
  return state.changesAfter(cursor.seq, cursor.path, cursor.recursive).length > 0;
}

