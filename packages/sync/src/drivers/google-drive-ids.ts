/**
 * @module drivers/google-drive-ids
 * Creates on Drive that can be sent again without making a second file.
 * Drive lets a client reserve file ids (`files.generateIds`) and give one to
 * `files.create`; a create with an id some file already has answers 409
 * (`fileIdInUse`). So each new file or folder gets a reserved id (fetched in
 * batches), every attempt of its create carries that id, and a 409 on a
 * retry means an earlier attempt landed though its answer was lost: the file
 * under that id is read, and when it is what was being created (same name,
 * same folder, same content) it counts as done.
 */
import { FerryError } from '@ferry/core/errors';
import { z } from 'zod';
import { type DriveFile, driveFileSchema, fileFields, httpFailure, providerName } from './google-drive-api.js';
import type { CallOptions, DriveConnection, DriveSession } from './google-drive-session.js';

const generatedIdsSchema = z.object({ ids: z.array(z.string()).min(1) });

/** Ids reserved per `files.generateIds` request (Drive hands out at most 1,000). */
export const generatedIdBatch = 100;

/** Ids reserved on Drive and not used yet; refilled a batch at a time. */
export class GeneratedIdPool {
  private readonly spare: string[] = [];
  private refill: Promise<void> | null = null;

  constructor(
    private readonly session: DriveSession,
    private readonly batch = generatedIdBatch,
  ) {}

  /** A reserved id no create has used. */
  async next(): Promise<string> {
    for (;;) {
      const id = this.spare.pop();
      if (id !== undefined) return id;
      this.refill ??= this.fetchBatch().finally(() => {
        this.refill = null;
      });
      await this.refill;
    }
  }

  private async fetchBatch(): Promise<void> {
    const answer = await this.session.call('files.generateIds', async ({ api }, options) => (await api.files.generateIds({ count: this.batch, space: 'drive', type: 'files' }, options)).data);
    this.spare.push(...generatedIdsSchema.parse(answer).ids);
  }
}

export interface CreateWithId {
  /** For messages ("files.create (content)"). */
  readonly label: string;
  readonly id: string;
  /** Sends the create with `id` in its metadata. */
  readonly create: (connection: DriveConnection, options: CallOptions) => Promise<DriveFile>;
  /** True when the file found under `id` is the one this create makes. */
  readonly isTheSame: (file: DriveFile) => boolean;
}

/** Runs a create under the retry policy; a 409 for its id means an earlier attempt landed (see the module comment). */
export function createOnce(session: DriveSession, request: CreateWithId): Promise<DriveFile> {
  return session.call(request.label, async (connection, options) => {
    try {
      return await request.create(connection, options);
    } catch (error) {
      if (httpFailure(error)?.status !== 409) throw error;
      const existing = driveFileSchema.parse((await connection.api.files.get({ fileId: request.id, fields: fileFields }, options)).data);
      if (!request.isTheSame(existing)) {
        throw new FerryError('internal', `${providerName} already has another file under the id reserved for this upload (${existing.name}).`);
      }
      return existing; // an earlier attempt was made; its answer was lost
    }
  });
}
