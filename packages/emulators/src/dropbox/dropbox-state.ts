/**
 * @module dropbox/dropbox-state
 * The in-memory Dropbox of one emulator: entries keyed by lower-cased path
 * (paths are case-insensitive, the display case is kept), stable `id:` ids,
 * revisions, tombstones for deleted paths, and the change log that
 * list_folder/continue and longpoll read.
 */
import { randomBytes } from 'node:crypto';
import { dropboxContentHash } from './content-hash.js';
import { conflictOf, endpointError, type DropboxApiError, type DropboxUnion } from './dropbox-errors.js';

export interface DropboxEntry {
  kind: 'file' | 'folder';
  id: string;
  name: string;
  pathLower: string;
  pathDisplay: string;
  content?: Buffer;
  rev?: string;
  contentHash?: string;
  clientModified?: string;
  serverModified?: string;
}

export interface Tombstone {
  name: string;
  pathLower: string;
  pathDisplay: string;
}

export type WriteMode = { kind: 'add' } | { kind: 'overwrite' } | { kind: 'update'; rev: string };

export interface CommitInfo {
  path: string;
  mode: WriteMode;
  autorename: boolean;
  strictConflict: boolean;
  clientModified?: string;
}

/** `WriteError` values a commit can fail with; the caller wraps them per endpoint. */
export type WriteFailure = { ok: false; error: DropboxUnion };
export type WriteResult = { ok: true; entry: DropboxEntry } | WriteFailure;

export interface LogEntry {
  seq: number;
  pathLower: string;
}

export function parentOf(pathLower: string): string {
  return pathLower.slice(0, Math.max(0, pathLower.lastIndexOf('/')));
}

export function isWithin(pathLower: string, scope: string, recursive: boolean): boolean {
  if (scope === '') return recursive || parentOf(pathLower) === '';
  if (pathLower === scope) return true;
  if (!pathLower.startsWith(`${scope}/`)) return false;
  return recursive || parentOf(pathLower) === scope;
}

/** Dropbox's times have second precision: `2024-05-01T10:00:00Z`. */
export function dropboxTime(milliseconds: number): string {
  return new Date(Math.floor(milliseconds / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function autorenamed(pathDisplay: string, attempt: number): string {
  const slash = pathDisplay.lastIndexOf('/');
  const name = pathDisplay.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  return `${pathDisplay.slice(0, slash)}/${stem} (${attempt})${extension}`;
}

export class DropboxState {
  private readonly entries = new Map<string, DropboxEntry>();
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly log: LogEntry[] = [];
  private readonly lastSeqByPath = new Map<string, number>();
  private readonly listeners = new Set<(pathLower: string) => void>();
  private revCounter = 0x100000000;
  /** Cursors carry the epoch; expireCursors() bumps it so old ones answer `reset`. */
  cursorEpoch = 0;

  constructor(private readonly now: () => number = Date.now) {}

  headSeq(): number {
    return this.log.length;
  }

  onChange(listener: (pathLower: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private record(pathLower: string): void {
    const entry = { seq: this.log.length + 1, pathLower };
    this.log.push(entry);
    this.lastSeqByPath.set(pathLower, entry.seq);
    for (const listener of this.listeners) listener(pathLower);
  }

  /** Log entries after `seq`, each path once (its latest change), in order. */
  changesAfter(seq: number, scope: string, recursive: boolean): LogEntry[] {
    return this.log.slice(seq).filter(
      (entry) => this.lastSeqByPath.get(entry.pathLower) === entry.seq && isWithin(entry.pathLower, scope, recursive),
    );
  }

  /** Resolves `/path`, `id:...` or `` (root, undefined entry). */
  lookup(path: string): DropboxEntry | undefined {
    if (path.startsWith('id:')) return [...this.entries.values()].find((entry) => entry.id === path);
    return this.entries.get(path.toLowerCase());
  }

  tombstone(path: string): Tombstone | undefined {
    return this.tombstones.get(path.toLowerCase());
  }

  /** Entries under a folder, sorted by path, for a listing. */
  list(scope: string, recursive: boolean): DropboxEntry[] {
    return [...this.entries.values()]
      .filter((entry) => entry.pathLower !== scope && isWithin(entry.pathLower, scope, recursive))
      .sort((left, right) => (left.pathLower < right.pathLower ? -1 : 1));
  }

  listTombstones(scope: string, recursive: boolean): Tombstone[] {
    return [...this.tombstones.values()].filter((stone) => isWithin(stone.pathLower, scope, recursive));
  }

  private newRev(): string {
    this.revCounter += 1;
    return this.revCounter.toString(16);
  }

  private put(entry: DropboxEntry): void {
    this.entries.set(entry.pathLower, entry);
    this.tombstones.delete(entry.pathLower);
    this.record(entry.pathLower);
  }

  /** Creates missing parent folders; fails if an ancestor is a file. */
  private ensureParents(pathDisplay: string): WriteFailure | undefined {
    const parts = pathDisplay.split('/').slice(1, -1);
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      const existing = this.entries.get(current.toLowerCase());
      if (existing?.kind === 'file') return { ok: false, error: conflictOf('file_ancestor') };
      if (!existing) this.put(this.newFolderEntry(current));
    }
    return undefined;
  }

  private newFolderEntry(pathDisplay: string): DropboxEntry {
    return {
      kind: 'folder',
      id: `id:${randomBytes(16).toString('base64url')}`,
      name: pathDisplay.slice(pathDisplay.lastIndexOf('/') + 1),
      pathLower: pathDisplay.toLowerCase(),
      pathDisplay,
    };
  }

  private freePath(pathDisplay: string): string {
    let attempt = 1;
    let candidate = autorenamed(pathDisplay, attempt);
    while (this.entries.has(candidate.toLowerCase())) {
      attempt += 1;
      candidate = autorenamed(pathDisplay, attempt);
    }
    return candidate;
  }

  createFolder(pathDisplay: string, autorename: boolean): WriteResult {
    const existing = this.entries.get(pathDisplay.toLowerCase());
    let target = pathDisplay;
    if (existing) {
      if (!autorename) return { ok: false, error: conflictOf(existing.kind) };
      target = this.freePath(pathDisplay);
    }
    const parentFailure = this.ensureParents(target);
    if (parentFailure) return parentFailure;
    const entry = this.newFolderEntry(target);
    this.put(entry);
    return { ok: true, entry };
  }

  /** Writes a file with Dropbox's write-mode and conflict rules. */
  commitFile(info: CommitInfo, content: Buffer): WriteResult {
    const existing = this.entries.get(info.path.toLowerCase());
    const contentHash = dropboxContentHash(content);
    const conflict = (kind: 'file' | 'folder'): WriteResult =>
      info.autorename ? this.writeNewFile(this.freePath(info.path), content, contentHash, info) : { ok: false, error: conflictOf(kind) };
    if (existing?.kind === 'folder') return conflict('folder');
    const identical = existing?.contentHash === contentHash;
    const { mode } = info;
    if (!existing) {
      if (mode.kind === 'update' && info.strictConflict) return conflict('file');
      return this.writeNewFile(info.path, content, contentHash, info);
    }
    if (mode.kind === 'add') return identical ? { ok: true, entry: existing } : conflict('file');
    if (mode.kind === 'update' && existing.rev !== mode.rev && (info.strictConflict || !identical)) return conflict('file');
    if (identical && !info.strictConflict) return { ok: true, entry: existing };
    existing.content = content;
    existing.contentHash = contentHash;
    existing.rev = this.newRev();
    existing.serverModified = dropboxTime(this.now());
    existing.clientModified = info.clientModified ?? existing.serverModified;
    this.record(existing.pathLower);
    return { ok: true, entry: existing };
  }

  private writeNewFile(pathDisplay: string, content: Buffer, contentHash: string, info: CommitInfo): WriteResult {
    const parentFailure = this.ensureParents(pathDisplay);
    if (parentFailure) return parentFailure;
    const serverModified = dropboxTime(this.now());
    const entry: DropboxEntry = {
      kind: 'file',
      id: `id:${randomBytes(16).toString('base64url')}`,
      name: pathDisplay.slice(pathDisplay.lastIndexOf('/') + 1),
      pathLower: pathDisplay.toLowerCase(),
      pathDisplay,
      content,
      contentHash,
      rev: this.newRev(),
      serverModified,
      clientModified: info.clientModified ?? serverModified,
    };
    this.put(entry);
    return { ok: true, entry };
  }

  private subtree(entry: DropboxEntry): DropboxEntry[] {
    return [entry, ...(entry.kind === 'folder' ? this.list(entry.pathLower, true) : [])];
  }

  /** Deletes an entry (a folder with everything under it). */
  delete(entry: DropboxEntry): void {
    for (const victim of this.subtree(entry).reverse()) {
      this.entries.delete(victim.pathLower);
      this.tombstones.set(victim.pathLower, { name: victim.name, pathLower: victim.pathLower, pathDisplay: victim.pathDisplay });
      this.record(victim.pathLower);
    }
  }

  /** Moves or renames, keeping ids; errors are RelocationError values. */
  move(entry: DropboxEntry, toDisplay: string, autorename: boolean): { ok: true; entry: DropboxEntry } | { ok: false; error: DropboxApiError } {
    const toLower = toDisplay.toLowerCase();
    if (entry.kind === 'folder' && toLower.startsWith(`${entry.pathLower}/`)) {
      return { ok: false, error: endpointError({ '.tag': 'cant_move_folder_into_itself' }) };
    }
    let target = toDisplay;
    const occupant = this.entries.get(toLower);
    if (occupant && occupant !== entry) {
      if (!autorename) return { ok: false, error: endpointError({ '.tag': 'to', to: conflictOf(occupant.kind) }) };
      target = this.freePath(toDisplay);
    }
    const parentFailure = this.ensureParents(target);
    if (parentFailure) return { ok: false, error: endpointError({ '.tag': 'to', to: parentFailure.error }) };
    const fromLower = entry.pathLower;
    const fromDisplay = entry.pathDisplay;
    const moved = this.subtree(entry);
    for (const item of moved) {
      this.entries.delete(item.pathLower);
      if (item.pathLower !== target.toLowerCase() + item.pathLower.slice(fromLower.length)) {
        this.tombstones.set(item.pathLower, { name: item.name, pathLower: item.pathLower, pathDisplay: item.pathDisplay });
        this.record(item.pathLower);
      }
    }
    for (const item of moved) {
      item.pathDisplay = target + item.pathDisplay.slice(fromDisplay.length);
      item.pathLower = item.pathDisplay.toLowerCase();
      item.name = item.pathDisplay.slice(item.pathDisplay.lastIndexOf('/') + 1);
      this.put(item);
    }
    return { ok: true, entry };
  }
}

