/**
 * @module api/client-helpers
 * Small conveniences over the typed client that every caller would otherwise
 * write again: walking all pages of a paged route, resolving a workspace path,
 * and picking the caller's workspace.
 */
import { FerryError } from '../errors.js';
import type { FerryNode, Workspace } from '../schemas.js';
import type { CallInput, FerryClient } from './client.js';
import type { RouteResponse } from './define.js';
import type { RouteName, Routes } from './routes.js';

type PageItem<N extends RouteName> = RouteResponse<Routes[N]> extends { items: Array<infer T>; nextCursor: string | null } ? T : never;

/** Names of the routes answering `{ items, nextCursor }` (paged with `cursor`). */
export type PagedRouteName = {
  [N in RouteName]: RouteResponse<Routes[N]> extends { items: unknown[]; nextCursor: string | null } ? N : never;
}[RouteName];

/**
 * Every item of a paged route, fetching the next page only when the previous
 * one is used up. The `cursor` in `input.query` is where it starts.
 */
export async function* allPages<N extends PagedRouteName>(client: FerryClient, name: N, input: CallInput<Routes[N]>): AsyncGenerator<PageItem<N>> {
  const base = input as CallInput<Routes[N]> & { query?: { cursor?: string } };
  let cursor: string | undefined = base.query?.cursor;
  for (;;) {
    const pageInput = { ...base, query: { ...base.query, cursor } } as CallInput<Routes[N]>;
    const call = client.call as (name: N, input: CallInput<Routes[N]>) => Promise<{ items: PageItem<N>[]; nextCursor: string | null }>;
    const page = await call(name, pageInput);
    yield* page.items;
    if (page.nextCursor === null || page.nextCursor === cursor) return;
    cursor = page.nextCursor;
  }
}

/** Collects `allPages` into an array. */
export async function collectPages<N extends PagedRouteName>(client: FerryClient, name: N, input: CallInput<Routes[N]>): Promise<PageItem<N>[]> {
  const items: PageItem<N>[] = [];
  for await (const item of allPages(client, name, input)) items.push(item);
  return items;
}

/** Normalises a workspace path: one leading "/", no empty or trailing segments ("docs//a/" → "/docs/a"). */
export function normalizeWorkspacePath(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  return `/${segments.join('/')}`;
}

/** The parent path and the last name of a workspace path ("/a/b.txt" → ["/a", "b.txt"]); the root has no name. */
export function splitWorkspacePath(path: string): { parent: string; name: string } | null {
  const segments = normalizeWorkspacePath(path).split('/').filter((segment) => segment !== '');
  const name = segments.pop();
  if (name === undefined) return null;
  return { parent: `/${segments.join('/')}`, name };
}

/** The node at a workspace path such as `/docs/report.pdf` (`/` is the root folder). */
export async function resolvePath(client: FerryClient, workspaceId: string, path: string, signal?: AbortSignal): Promise<FerryNode> {
  return client.call('resolvePath', { params: { workspaceId }, query: { path: normalizeWorkspacePath(path) }, ...(signal ? { signal } : {}) });
}

/** Like `resolvePath`, but `null` when nothing is at the path. */
export async function tryResolvePath(client: FerryClient, workspaceId: string, path: string): Promise<FerryNode | null> {
  try {
    return await resolvePath(client, workspaceId, path);
  } catch (error) {
    if (error instanceof FerryError && error.status === 404 && error.code !== 'workspace_not_found') return null;
    throw error;
  }
}

/**
 * The workspace a caller means: by id or by (case-insensitive) name when one
 * is given, else the first one they belong to.
 */
export async function pickWorkspace(client: FerryClient, wanted?: string): Promise<Workspace> {
  const me = await client.call('me');
  if (wanted === undefined || wanted === '') {
    const first = me.workspaces[0];
    if (!first) throw new FerryError('workspace_not_found', 'You are not a member of any workspace.');
    return first;
  }
  const byId = me.workspaces.find((workspace) => workspace.id === wanted);
  if (byId) return byId;
  const byName = me.workspaces.filter((workspace) => workspace.name.toLowerCase() === wanted.toLowerCase());
  if (byName.length === 1 && byName[0]) return byName[0];
  if (byName.length > 1) throw new FerryError('bad_request', `Several workspaces are named "${wanted}"; give the id instead.`);
  throw new FerryError('workspace_not_found', `No workspace "${wanted}" among yours.`);
}
