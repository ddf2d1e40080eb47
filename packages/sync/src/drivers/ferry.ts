/**
 * @module drivers/ferry
 * A folder of a Ferry workspace as a sync replica, through the typed API
 * client. Ids are node ids (they survive renames and moves), revisions are
 * version ids (the ETag), hashes are the server's sha256. Writes send
 * `If-None-Match: *` or `If-Match: <versionId>`, so a lost race answers 412
 * instead of overwriting; a refused streamed upload is sent again from a
 * fresh opening of its source (`ferry-upload-retry.ts`). Changes come from the workspace event feed
 * (cursor; `gone` means the cursor expired → the engine relists), and
 * `watch` long-polls that feed.
 */
import type { FerryClient, FerryNode } from '@ferry/core';
import { FerryError, isFerryError } from '@ferry/core/errors';
import {
  baseName,
  type BatchWrite,
  type ByteStream,
  type ChangesResult,
  type DriverCapabilities,
  type DriverChange,
  type DriverEntry,
  type EntryKind,
  type EntryRef,
  parentPath,
  type SyncDriver,
  type WriteOptions,
} from '../driver.js';
import { writeFerryBatch } from './ferry-batch.js';
import { FerryRetry, ferryRetryPolicy } from './ferry-retry.js';
import { retriedUpload } from './ferry-upload-retry.js';
import type { RetryPolicy } from './provider-retry.js';

export interface FerryDriverOptions {
  readonly client: FerryClient;
  readonly workspaceId: string;
  /** The synced folder inside the workspace (default "/", the whole workspace). */
  readonly rootPath?: string;
  /** How refused calls (429, 503, no answer) are tried again (`ferry-retry.ts`); tests pass a recording `sleep`. */
  readonly retry?: Partial<RetryPolicy>;
}

/** Ferry's name rules: unique per folder by NFC + lower case, no "/" or "\\", at most 255 bytes. */
export const ferryCapabilities: DriverCapabilities = {
  caseInsensitive: true,
  normalizesUnicode: true,
  maxNameBytes: 255,
  forbiddenCharacters: '\\',
  forbidsReservedNames: false,
  forbidsTrailingDotOrSpace: false,
};

const pageSize = 1000;

function toEntry(path: string, node: FerryNode): DriverEntry {
  return {
    path,
    kind: node.kind === 'folder' ? 'folder' : 'file',
    size: node.kind === 'folder' ? 0 : node.size,
    mtimeMs: Date.parse(node.updatedAt),
    id: node.id,
    hash: node.sha256,
    revision: node.versionId,
  };
}

function isCode(error: unknown, ...codes: string[]): boolean {
  return isFerryError(error) && codes.includes(error.code);
}

export class FerryDriver implements SyncDriver {
  readonly kind = 'ferry';
  readonly capabilities = ferryCapabilities;
  private readonly client: FerryClient;
  private readonly workspaceId: string;
  private readonly rootPath: string;
  private readonly retry: FerryRetry;

  constructor(options: FerryDriverOptions) {
    this.client = options.client;
    this.retry = new FerryRetry({ ...ferryRetryPolicy, ...options.retry });
    this.workspaceId = options.workspaceId;
    this.rootPath = `/${(options.rootPath ?? '/').replace(/^\/+|\/+$/g, '')}`;
  }

  private absolute(path: string): string {
    if (path === '') return this.rootPath;
    return this.rootPath === '/' ? `/${path}` : `${this.rootPath}/${path}`;
  }

  private async node(path: string): Promise<FerryNode | null> {
    try {
      return await this.retry.run(`resolving ${path || '/'}`, () => this.client.call('resolvePath', { params: { workspaceId: this.workspaceId }, query: { path: this.absolute(path) } }));
    } catch (error) {
      if (isCode(error, 'node_not_found', 'not_found', 'not_a_folder')) return null;
      throw error;
    }
  }

  private async requireNode(path: string, kind: EntryKind): Promise<FerryNode> {
    const node = await this.node(path);
    if (node === null) throw new FerryError(kind === 'file' ? 'file_not_found' : 'folder_not_found', `${path} does not exist.`);
    if (node.kind !== kind) throw new FerryError(kind === 'file' ? 'not_a_file' : 'not_a_folder', `${path} is not a ${kind}.`);
    return node;
  }

  async list(options?: { readonly skip?: (path: string, kind: EntryKind) => boolean }): Promise<DriverEntry[]> {
    this.retry.reset(); // a new run tries a server that was down again
    const root = await this.node('');
    if (root === null || root.kind !== 'folder') throw new FerryError('unavailable', `The folder ${this.rootPath} does not exist on the server.`);
    const entries: DriverEntry[] = [];
    const pending: Array<{ id: string; path: string }> = [{ id: root.id, path: '' }];
    while (pending.length > 0) {
      const folder = pending.pop() as { id: string; path: string };
      let cursor: string | undefined;
      do {
        const query = { limit: pageSize, ...(cursor === undefined ? {} : { cursor }) };
        const page = await this.retry.run(`listing ${folder.path || '/'}`, () => this.client.call('listChildren', { params: { nodeId: folder.id }, query }));
        for (const node of page.items) {
          const path = folder.path === '' ? node.name : `${folder.path}/${node.name}`;
          const entry = toEntry(path, node);
          if (options?.skip?.(path, entry.kind)) continue;
          entries.push(entry);
          if (entry.kind === 'folder') pending.push({ id: node.id, path });
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
    }
    return entries;
  }

  async stat(path: string): Promise<DriverEntry | null> {
    const node = await this.node(path);
    return node === null ? null : toEntry(path, node);
  }

  async read(path: string): Promise<ByteStream> {
    const node = await this.requireNode(path, 'file');
    const response = await this.retry.run(`reading ${path}`, () => this.client.call('getFileContent', { params: { nodeId: node.id } }));
    if (response.body === null) return (async function* () {})();
    return response.body;
  }

  async write(path: string, content: ByteStream, options: WriteOptions): Promise<DriverEntry> {
    const parent = await this.mkdir(parentPath(path));
    const headers: Record<string, string> = {};
    if (options.expected.kind === 'absent') headers['if-none-match'] = '*';
    if (options.expected.kind === 'revision') headers['if-match'] = `"${options.expected.revision}"`;
    const send = (body: ByteStream): Promise<FerryNode> => this.client.call('putFileByName', { params: { nodeId: parent.id, name: baseName(path) }, body: ReadableStream.from(body), headers });
    try {
      const node = options.reopen === undefined ? await send(content) : await retriedUpload({ label: `uploading ${path}`, retry: this.retry, first: content, reopen: options.reopen, send, expected: options.expected, landed: () => this.node(path) });
      return toEntry(path, node);
    } catch (error) {
      if (isCode(error, 'name_conflict')) throw new FerryError('precondition_failed', `${path} appeared while syncing.`);
      throw error;
    }
  }

  writeBatch(files: readonly BatchWrite[]): Promise<Array<DriverEntry | Error>> {
    return writeFerryBatch({ client: this.client, folderId: async (path) => (await this.mkdir(path)).id, toEntry, retry: this.retry }, files);
  }

  async mkdir(path: string): Promise<DriverEntry> {
    const existing = await this.node(path);
    if (existing !== null) {
      if (existing.kind !== 'folder') throw new FerryError('not_a_folder', `${path} exists and is a file.`);
      return toEntry(path, existing);
    }
    if (path === '') throw new FerryError('unavailable', `The folder ${this.rootPath} does not exist on the server.`);
    const parent = await this.mkdir(parentPath(path));
    try {
      return toEntry(path, await this.retry.run(`creating ${path}`, () => this.client.call('createFolder', { params: { nodeId: parent.id }, body: { name: baseName(path) } })));
    } catch (error) {
      if (!isCode(error, 'name_conflict')) throw error;
      return this.mkdir(path); // created meanwhile
    }
  }

  async move(from: EntryRef, toPath: string): Promise<DriverEntry> {
    const parent = await this.mkdir(parentPath(toPath));
    const headers: Record<string, string> = from.revision === undefined ? {} : { 'if-match': `"${from.revision}"` };
    const node = await this.retry.run(`moving ${from.path}`, () => this.client.call('updateNode', { params: { nodeId: from.id }, body: { name: baseName(toPath), parentId: parent.id }, headers }));
    return toEntry(toPath, node);
  }

  async delete(entry: EntryRef): Promise<void> {
    const headers: Record<string, string> = entry.revision === undefined ? {} : { 'if-match': `"${entry.revision}"` };
    try {
      await this.retry.run(`deleting ${entry.path}`, () => this.client.call('deleteNode', { params: { nodeId: entry.id }, headers }));
    } catch (error) {
      if (!isCode(error, 'node_not_found', 'not_found')) throw error;
    }
  }

  async changes(cursor: string | null): Promise<ChangesResult> {
    const changes: DriverChange[] = [];
    let next = cursor ?? undefined;
    try {
      for (;;) {
        const query = { limit: pageSize, ...(next === undefined ? {} : { cursor: next }) };
        const page = await this.retry.run('reading the event feed', () => this.client.call('listEvents', { params: { workspaceId: this.workspaceId }, query }));
        if (cursor !== null) {
          for (const event of page.events) {
            if (event.node === undefined) continue;
            changes.push({ path: event.node.path ?? event.node.name, id: event.node.id, removed: event.type.endsWith('.deleted') });
          }
        }
        if (page.events.length === 0 || page.nextCursor === next) return { kind: 'changes', changes, cursor: page.nextCursor };
        next = page.nextCursor;
      }
    } catch (error) {
      if (isCode(error, 'gone')) return { kind: 'expired' };
      throw error;
    }
  }

  /** Long-polls the event feed; any event in the workspace triggers `onChange`. */
  async watch(onChange: () => void): Promise<() => Promise<void>> {
    const stop = new AbortController();
    const start = await this.changes(null);
    let cursor = start.kind === 'changes' ? start.cursor : undefined;
    const loop = async (): Promise<void> => {
      while (!stop.signal.aborted) {
        try {
          const page = await this.client.call('listEvents', {
            params: { workspaceId: this.workspaceId },
            query: { wait: 25, limit: pageSize, ...(cursor === undefined ? {} : { cursor }) },
            signal: stop.signal,
          });
          cursor = page.nextCursor;
          if (page.events.length > 0) onChange();
        } catch (error) {
          if (stop.signal.aborted) return;
          if (isCode(error, 'gone')) cursor = undefined;
          onChange(); // a full run finds out what happened
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    };
    const running = loop();
    return async () => {
      stop.abort();
      await running;
    };
  }

  async hash(entry: DriverEntry): Promise<string> {
    if (entry.hash !== null) return entry.hash;
    const node = await this.retry.run(`hashing ${entry.path}`, () => this.client.call('getNode', { params: { nodeId: entry.id } }));
    if (node.sha256 === null) throw new FerryError('not_a_file', `${entry.path} has no content hash.`);
    return node.sha256;
  }

  async close(): Promise<void> {}
}
