/**
 * @module files/uploads
 * Resumable upload sessions. The bytes received so far live in
 * `<dataDir>/uploads/<id>` and the offset in the database, so a session
 * survives a restart: on load the smaller of the two wins (a chunk that was
 * written but not recorded is cut off, a recorded length the file lacks is
 * taken back). Finishing hashes the data (incrementally while the process
 * lives), checks size and sha256, and commits it like a PUT. Expired sessions
 * answer 410 and are removed.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError, type UploadSession } from '@ferry/core';
import type { Actor } from '../auth/actor.js';
import { isoNow, type ServerContext } from '../context.js';
import type { UploadSessionRow } from '../db/schema.js';
import { newId } from '../ids.js';
import { toBodyError, type BlobStore } from './blob-store.js';
import { commitFileContent, type WriteResult } from './file-writes.js';
import { checkPreconditions, requireMember } from './node-access.js';
import { findLiveChild } from './node-paths.js';

export function uploadsDirOf(dataDir: string): string {
  return join(dataDir, 'uploads');
}

export function uploadSessionView(row: UploadSessionRow): UploadSession {
  return { id: row.id, workspaceId: row.workspace_id, parentId: row.parent_id, name: row.name, size: row.size, offset: row.offset, expiresAt: row.expires_at };
}

interface RunningHash {
  hash: Hash;
  offset: number;
}

export class UploadSessions {
  readonly #ctx: ServerContext;
  readonly #store: BlobStore;
  readonly #dir: string;
  /** Sessions with an append or finish in flight: a second one is refused. */
  readonly #busy = new Set<string>();
  /** sha256 state of the bytes received through this process, so finishing need not read the file again. */
  readonly #hashes = new Map<string, RunningHash>();

  constructor(ctx: ServerContext, store: BlobStore) {
    this.#ctx = ctx;
    this.#store = store;
    this.#dir = uploadsDirOf(ctx.config.dataDir);
    mkdirSync(this.#dir, { recursive: true });
  }

  partPath(id: string): string {
    return join(this.#dir, id);
  }

  async create(input: { actor: Actor; workspaceId: string; parentId: string; name: string; size: number; sha256: string | null; ifMatch: string | null }): Promise<UploadSessionRow> {
    const now = this.#ctx.clock.now();
    const row: UploadSessionRow = {
      id: newId('upl'),
      workspace_id: input.workspaceId,
      user_id: input.actor.userId,
      parent_id: input.parentId,
      name: input.name,
      size: input.size,
      offset: 0,
      sha256: input.sha256,
      if_match: input.ifMatch,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + this.#ctx.config.uploadSessionTtlMs).toISOString(),
    };
    await writeFile(this.partPath(row.id), new Uint8Array(0), { flag: 'wx' });
    await this.#ctx.db.insertInto('upload_sessions').values(row).execute();
    this.#hashes.set(row.id, { hash: createHash('sha256'), offset: 0 });
    return row;
  }

  /** The caller's session, reconciled with its file; 404 for anyone else's, 410 (and removed) when expired. */
  async load(actor: Actor, id: string): Promise<UploadSessionRow> {
    const row = await this.#ctx.db.selectFrom('upload_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    const notFound = new FerryError('upload_not_found', 'No such upload.');
    if (!row || row.user_id !== actor.userId) throw notFound;
    await requireMember(this.#ctx, actor, row.workspace_id, notFound);
    if (row.expires_at <= isoNow(this.#ctx)) {
      await this.remove(row.id);
      throw new FerryError('upload_expired', 'The upload expired; start a new one.');
    }
    if (this.#busy.has(row.id)) return row;
    return this.#reconcile(row);
  }

  async #reconcile(row: UploadSessionRow): Promise<UploadSessionRow> {
    let length: number;
    try {
      length = (await stat(this.partPath(row.id))).size;
    } catch {
      await writeFile(this.partPath(row.id), new Uint8Array(0));
      length = 0;
    }
    if (length > row.offset) {
      await truncate(this.partPath(row.id), row.offset);
    } else if (length < row.offset) {
      await this.#ctx.db.updateTable('upload_sessions').set({ offset: length }).where('id', '=', row.id).execute();
      this.#hashes.delete(row.id);
      return { ...row, offset: length };
    }
    return row;
  }

  async #exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    if (this.#busy.has(id)) throw new FerryError('offset_mismatch', 'Another request is writing to this upload; ask for its offset and resume.');
    this.#busy.add(id);
    try {
      return await work();
    } finally {
      this.#busy.delete(id);
    }
  }

  /**
   * Appends a chunk at `offset`. Bytes that arrive before the client goes
   * away are kept (fsynced and recorded), so the client resumes from there;
   * a chunk over the limits is cut back off.
   */
  async append(row: UploadSessionRow, offset: number, chunk: AsyncIterable<Buffer>, announced: number | null): Promise<UploadSessionRow> {
    return this.#exclusive(row.id, async () => {
      if (offset !== row.offset) throw new FerryError('offset_mismatch', `The upload is at offset ${row.offset}, not ${offset}.`, { offset: row.offset });
      const room = Math.min(this.#ctx.config.maxChunkBytes, row.size - row.offset);
      if (announced !== null && announced > room) {
        throw new FerryError('payload_too_large', `This chunk may hold at most ${room} bytes (chunk limit and declared size).`);
      }
      const running = this.#hashes.get(row.id);
      const hashing = running && running.offset === row.offset ? running : null;
      if (!hashing) this.#hashes.delete(row.id);
      const file = await open(this.partPath(row.id), 'r+');
      let written = 0;
      let failure: unknown = null;
      try {
        for await (const data of chunk) {
          if (written + data.length > room) throw new FerryError('payload_too_large', `This chunk may hold at most ${room} bytes.`);
          await file.write(data, 0, data.length, row.offset + written);
          hashing?.hash.update(data);
          written += data.length;
        }
      } catch (error) {
        failure = error;
      }
      if (failure instanceof FerryError && failure.code === 'payload_too_large') {
        await file.truncate(row.offset);
        await file.close();
        this.#hashes.delete(row.id);
        throw failure;
      }
      await file.sync();
      await file.close();
      const next = row.offset + written;
      if (hashing) hashing.offset = next;
      await this.#ctx.db.updateTable('upload_sessions').set({ offset: next }).where('id', '=', row.id).execute();
      if (failure !== null) throw toBodyError(failure);
      return { ...row, offset: next };
    });
  }

  async #sha256Of(row: UploadSessionRow): Promise<string> {
    const running = this.#hashes.get(row.id);
    if (running && running.offset === row.offset) return running.hash.copy().digest('hex');
    const hash = createHash('sha256');
    for await (const data of createReadStream(this.partPath(row.id))) hash.update(data as Buffer);
    return hash.digest('hex');
  }

  /** Checks size and digest, then commits the data as the file (new, or a new version). */
  async finish(row: UploadSessionRow, actor: Actor, ip: string | null): Promise<WriteResult> {
    return this.#exclusive(row.id, async () => {
      if (row.offset !== row.size) throw new FerryError('size_mismatch', `The upload holds ${row.offset} of ${row.size} bytes.`, { offset: row.offset, size: row.size });
      const sha256 = await this.#sha256Of(row);
      if (row.sha256 !== null && row.sha256 !== sha256) {
        await this.remove(row.id);
        throw new FerryError('digest_mismatch', 'The uploaded data does not match the sha256 given at the start; the upload was discarded.', { expected: row.sha256, actual: sha256 });
      }
      try {
        const preconditions = { ifMatch: row.if_match === null ? null : [row.if_match], ifNoneMatchAny: false };
        // Checked before the data goes into the blob store (and again when committing).
        checkPreconditions(preconditions, await findLiveChild(this.#ctx.db, row.parent_id, row.name));
        return await commitFileContent(this.#ctx, this.#store, {
          workspaceId: row.workspace_id,
          target: { parentId: row.parent_id, name: row.name },
          content: { path: this.partPath(row.id), sha256, size: row.size },
          preconditions,
          actor,
          ip,
        });
      } finally {
        await this.remove(row.id);
      }
    });
  }

  /** Forgets a session and frees its space. */
  async remove(id: string): Promise<void> {
    this.#hashes.delete(id);
    await this.#ctx.db.deleteFrom('upload_sessions').where('id', '=', id).execute();
    await rm(this.partPath(id), { force: true });
  }

  /** Removes expired sessions; at start (`orphans`) also partial files that no session owns. */
  async cleanUp(options: { orphans: boolean }): Promise<number> {
    const expired = await this.#ctx.db.selectFrom('upload_sessions').select('id').where('expires_at', '<=', isoNow(this.#ctx)).execute();
    for (const { id } of expired) {
      if (!this.#busy.has(id)) await this.remove(id);
    }
    if (!options.orphans) return expired.length;
    const live = new Set((await this.#ctx.db.selectFrom('upload_sessions').select('id').execute()).map((row) => row.id));
    let orphans = 0;
    for (const name of readdirSync(this.#dir)) {
      if (!live.has(name)) {
        rmSync(join(this.#dir, name), { force: true, recursive: true });
        orphans += 1;
      }
    }
    return expired.length + orphans;
  }
}
