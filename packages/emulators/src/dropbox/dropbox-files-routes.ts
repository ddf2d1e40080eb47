/**
 * @module dropbox/dropbox-files-routes
 * Dropbox v2 RPC endpoints on files: list_folder (+ continue,
 * get_latest_cursor), get_metadata, create_folder_v2, delete_v2, move_v2.
 */
import { z } from 'zod';
import { sendJson, type Router } from '../http/http-kit.js';
import { decodeCursor, encodeCursor, listPage, type ListCursor } from './dropbox-cursors.js';
import { deletedMetadata, dropboxRoute, folderMetadata, metadata, requireWritePath, type DropboxContext } from './dropbox-context.js';
import { badInput, endpointError, lookupNotFound } from './dropbox-errors.js';
import type { DropboxEntry } from './dropbox-state.js';

const listFolderArg = z.object({
  path: z.string(),
  recursive: z.boolean().default(false),
  include_deleted: z.boolean().default(false),
  limit: z.number().int().min(1).max(2000).optional(),
});

const pathArg = z.object({ path: z.string(), include_deleted: z.boolean().default(false) });
const createFolderArg = z.object({ path: z.string(), autorename: z.boolean().default(false) });
const relocationArg = z.object({
  from_path: z.string(),
  to_path: z.string(),
  autorename: z.boolean().default(false),
  allow_ownership_transfer: z.boolean().default(false),
});

/** Resolves a lookup path; `tag` is the error union member (`path`, `path_lookup`, `from_lookup`). */
function requireEntry(context: DropboxContext, path: string, tag: string): DropboxEntry {
  const entry = context.state.lookup(path);
  if (!entry) throw endpointError({ '.tag': tag, [tag]: lookupNotFound });
  return entry;
}

/** The folder a listing covers, as a lower-cased path ('' is the root). */
function listScope(context: DropboxContext, route: string, path: string): string {
  if (path === '') return '';
  if (!path.startsWith('/') && !path.startsWith('id:')) {
    throw badInput(route, `request body: path: '${path}' did not match pattern '(/(.|[\\r\\n])*)?|id:.*|(ns:[0-9]+(/.*)?)'`);
  }
  const entry = requireEntry(context, path, 'path');
  if (entry.kind !== 'folder') throw endpointError({ '.tag': 'path', path: { '.tag': 'not_folder' } });
  return entry.pathLower;
}

function newCursor(context: DropboxContext, route: string, arg: z.infer<typeof listFolderArg>, offset: number | undefined): ListCursor {
  return {
    path: listScope(context, route, arg.path),
    recursive: arg.recursive,
    includeDeleted: arg.include_deleted,
    limit: arg.limit ?? 2000,
    seq: context.state.headSeq(),
    ...(offset !== undefined ? { offset } : {}),
    epoch: context.state.cursorEpoch,
  };
}

function registerListing(router: Router, context: DropboxContext): void {
  router.on('POST', '/2/files/list_folder', dropboxRoute(context, 'rpc', (call) => {
    const arg = call.parse(listFolderArg);
    sendJson(call.response, 200, listPage(context.state, newCursor(context, call.route, arg, 0)));
  }));

  router.on('POST', '/2/files/list_folder/continue', dropboxRoute(context, 'rpc', (call) => {
    const { cursor } = call.parse(z.object({ cursor: z.string().min(1) }));
    sendJson(call.response, 200, listPage(context.state, decodeCursor(cursor, call.route, context.state)));
  }));

  router.on('POST', '/2/files/list_folder/get_latest_cursor', dropboxRoute(context, 'rpc', (call) => {
    const arg = call.parse(listFolderArg);
    sendJson(call.response, 200, { cursor: encodeCursor(newCursor(context, call.route, arg, undefined)) });
  }));
}

function registerEntryRoutes(router: Router, context: DropboxContext): void {
  router.on('POST', '/2/files/get_metadata', dropboxRoute(context, 'rpc', (call) => {
    const arg = call.parse(pathArg);
    if (arg.path === '') throw badInput(call.route, 'request body: path: The root folder is unsupported.');
    const entry = context.state.lookup(arg.path);
    const stone = arg.include_deleted && !entry ? context.state.tombstone(arg.path) : undefined;
    if (stone) {
      sendJson(call.response, 200, deletedMetadata(stone));
      return;
    }
    sendJson(call.response, 200, metadata(requireEntry(context, arg.path, 'path')));
  }));

  router.on('POST', '/2/files/create_folder_v2', dropboxRoute(context, 'rpc', (call) => {
    const arg = call.parse(createFolderArg);
    const result = context.state.createFolder(requireWritePath(call.route, 'path', arg.path), arg.autorename);
    if (!result.ok) throw endpointError({ '.tag': 'path', path: result.error });
    sendJson(call.response, 200, { metadata: folderMetadata(result.entry, false) });
  }));

  router.on('POST', '/2/files/delete_v2', dropboxRoute(context, 'rpc', (call) => {
    const arg = call.parse(z.object({ path: z.string(), parent_rev: z.string().optional() }));
    const entry = requireEntry(context, arg.path, 'path_lookup');
    if (arg.parent_rev !== undefined && entry.rev !== arg.parent_rev) {
      throw endpointError({ '.tag': 'path_lookup', path_lookup: { '.tag': 'restricted_content' } });
    }
    const rendered = metadata(entry);
    context.state.delete(entry);
    sendJson(call.response, 200, { metadata: rendered });
  }));

  router.on('POST', '/2/files/move_v2', dropboxRoute(context, 'rpc', (call) => {
    const arg = call.parse(relocationArg);
    const entry = requireEntry(context, arg.from_path, 'from_lookup');
    const result = context.state.move(entry, requireWritePath(call.route, 'to_path', arg.to_path), arg.autorename);
    if (!result.ok) throw result.error;
    sendJson(call.response, 200, { metadata: metadata(result.entry) });
  }));
}

export function registerDropboxFileRoutes(router: Router, context: DropboxContext): void {
  registerListing(router, context);
  registerEntryRoutes(router, context);
}
