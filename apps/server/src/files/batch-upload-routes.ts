/**
 * @module files/batch-upload-routes
 * `POST /api/v1/nodes/:nodeId/files`: many files into one folder with one
 * request (multipart/form-data, see @ferry/core's batch-upload-schemas). The
 * manifest comes first and is checked before a byte of content is stored;
 * each file part streams into a temp blob (hashed, fsynced while the next part
 * arrives); when the body is complete the blobs go into place and ONE
 * transaction writes every entry that passes its checks. A malformed or
 * cut-off body stores nothing.
 */
import {
  batchUploadManifestSchema,
  batchUploadMaxBytes,
  batchUploadMaxFiles,
  FerryError,
  type BatchUploadManifest,
  type BatchUploadResult,
} from '@ferry/core';
import busboy from 'busboy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { ServerContext } from '../context.js';
import { route } from '../http/route.js';
import { commitFileBatch, type BatchItem } from './batch-commit.js';
import type { BlobStore, TempBlob } from './blob-store.js';
import { guardUpload } from './content-routes.js';
import { blobStoreOf } from './file-store.js';
import { loadLiveFolder, type Preconditions } from './node-access.js';
import { checkedName } from './node-answer.js';
import { announcedLength, readExactly, withRawBodies } from './request-body.js';
import { nameKeyOf, nodeView } from './node-view.js';

/** The manifest part may hold at most this many bytes. */
const manifestMaxBytes = 1024 * 1024;
/** Room for the multipart framing and the manifest beside the file bytes. */
const framingAllowanceBytes = 16 * 1024 * 1024;
/** File parts being written (and fsynced) at once; the body is not read further while all are busy. */
const receivingSlots = 32;
/** Parts up to this size are held in memory until the body is complete, then written by the blob writer threads. */
const inMemoryPartMaxBytes = 256 * 1024;
/** At most this many bytes of one request are held in memory; later parts stream to temp files. */
const inMemoryRequestMaxBytes = 32 * 1024 * 1024;

/** A received file part: verified bytes in memory, or a fsynced temp file. */
type ReceivedPart = { sha256: string; size: number } & ({ data: Buffer } | { temp: TempBlob });

interface CheckedManifest {
  raw: BatchUploadManifest;
  /** The entries' names in NFC, checked against the name rules. */
  names: string[];
}

function badRequest(message: string): FerryError {
  return new FerryError('bad_request', message);
}

function parseManifest(text: string, maxUploadBytes: number): CheckedManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badRequest('The manifest part is not valid JSON.');
  }
  const parsed = batchUploadManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new FerryError('validation_failed', `The manifest is not valid: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`, {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  const names = parsed.data.files.map((entry) => checkedName(entry.name));
  const seen = new Set<string>();
  let total = 0;
  parsed.data.files.forEach((entry, index) => {
    const key = nameKeyOf(names[index] ?? entry.name);
    if (seen.has(key)) throw badRequest(`"${entry.name}" is listed twice in the manifest (names are compared ignoring case).`);
    seen.add(key);
    if (entry.size > maxUploadBytes) throw new FerryError('payload_too_large', `"${entry.name}" is larger than ${maxUploadBytes} bytes.`);
    total += entry.size;
  });
  if (total > batchUploadMaxBytes) throw new FerryError('payload_too_large', `A batch holds at most ${batchUploadMaxBytes} bytes of files; split it.`);
  return { raw: parsed.data, names };
}

/** A counting semaphore: `take` waits while every slot is busy. */
function slots(count: number): { take: () => Promise<() => void> } {
  let free = count;
  const waiting: (() => void)[] = [];
  const give = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    take: async () => {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      return give;
    },
  };
}

interface ReceivedBatch {
  manifest: CheckedManifest;
  parts: ReceivedPart[];
}

async function discardParts(store: BlobStore, parts: readonly ReceivedPart[]): Promise<void> {
  await Promise.all(parts.map((part) => ('temp' in part ? store.discard(part.temp) : undefined)));
}

/**
 * Reads the multipart body: the manifest, then every file part into a temp
 * blob. Throws (and leaves no temp file) when the body does not match the
 * manifest part for part and byte for byte.
 */
async function receiveBatch(store: BlobStore, request: FastifyRequest, maxUploadBytes: number): Promise<ReceivedBatch> {
  const length = announcedLength(request);
  if (length !== null && length > batchUploadMaxBytes + framingAllowanceBytes) {
    throw new FerryError('payload_too_large', `A batch holds at most ${batchUploadMaxBytes} bytes of files; split it.`);
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      preservePath: true,
      // Filenames are UTF-8 (what browsers and fetch send), not latin1.
      defParamCharset: 'utf8',
      // One more of each than allowed: busboy reports a limit when it is reached, and the manifest count catches an extra part anyway.
      limits: { fields: 2, files: batchUploadMaxFiles + 1, parts: batchUploadMaxFiles + 2, fieldSize: manifestMaxBytes, headerPairs: 16 },
    });
  } catch {
    throw badRequest('The body must be multipart/form-data with a boundary.');
  }
  let manifest: CheckedManifest | undefined;
  let problem: unknown = null;
  const receiving: Promise<ReceivedPart>[] = [];
  let inMemoryBytes = 0;
  const active = new Set<Readable>();
  const gate = slots(receivingSlots);
  let stop: () => void = () => undefined;
  const fail = (error: unknown) => {
    if (problem !== null) return;
    problem = error;
    // Unread body bytes are drained so the connection can carry the next request (guardUpload
    // closes it instead when much is left); piped streams are not drained by Node on their own.
    request.raw.unpipe(parser);
    request.raw.resume();
    for (const stream of active) stream.destroy();
    parser.destroy();
    stop();
  };

  // Errors surface through the pipeline below (or as `problem`); a destroyed parser must not throw them again.
  parser.on('error', () => undefined);
  parser.on('field', (name, value, info) => {
    if (problem !== null) return;
    if (name !== 'manifest' || manifest !== undefined) return fail(badRequest(`Unexpected form field "${name}": the only field is the manifest, and it comes first.`));
    if (info.valueTruncated) return fail(new FerryError('payload_too_large', `The manifest is larger than ${manifestMaxBytes} bytes.`));
    try {
      manifest = parseManifest(value, maxUploadBytes);
    } catch (error) {
      fail(error);
    }
  });
  parser.on('file', (name, stream, info) => {
    stream.on('error', () => undefined);
    if (problem !== null) return void stream.resume();
    const index = receiving.length;
    const entry = manifest?.raw.files[index];
    if (!manifest) return fail(badRequest('The manifest part must come before the files.'));
    if (name !== 'file' || !entry) return fail(badRequest(entry ? `Unexpected part "${name}": file parts are named "file".` : `The body has more files than the manifest lists (${manifest.raw.files.length}).`));
    if (info.filename !== entry.name) return fail(badRequest(`File part ${index + 1} is "${info.filename}" but the manifest lists "${entry.name}" there.`));
    active.add(stream);
    const inMemory = entry.size <= inMemoryPartMaxBytes && inMemoryBytes + entry.size <= inMemoryRequestMaxBytes;
    if (inMemory) inMemoryBytes += entry.size;
    const received = (async (): Promise<ReceivedPart> => {
      const release = await gate.take();
      try {
        if (inMemory) return await readExactly(stream, entry.size);
        const temp = await store.receive(stream, { maxBytes: entry.size, expectedBytes: entry.size });
        return { sha256: temp.sha256, size: temp.size, temp };
      } catch (error) {
        const wrapped = problem === null ? badRequest(`"${entry.name}" does not hold the ${entry.size} bytes the manifest says (or the body was cut off).`) : error;
        fail(wrapped);
        throw wrapped;
      } finally {
        active.delete(stream);
        release();
      }
    })();
    received.catch(() => undefined);
    receiving.push(received);
  });
  for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) {
    parser.on(limit, () => fail(badRequest(`A batch holds at most ${batchUploadMaxFiles} files and one manifest.`)));
  }

  // The body is piped by hand, not with pipeline(): on a failure the request must stay open so the
  // error answer can be sent (the rest of a small body is then drained, a large one cuts the connection).
  const body = request.raw;
  await new Promise<void>((resolve) => {
    const cutOff = () => fail(badRequest('The multipart body was cut off before its end.'));
    stop = resolve;
    parser.once('close', resolve);
    parser.once('error', (error: Error) => fail(badRequest(`The multipart body is malformed (${error.message}).`)));
    body.once('error', cutOff);
    body.once('close', () => {
      if (!body.complete) cutOff();
    });
    body.pipe(parser);
  });
  body.unpipe(parser);
  const settled = await Promise.allSettled(receiving);
  const parts = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  if (problem === null && !manifest) problem = badRequest('The body has no manifest part.');
  if (problem === null && manifest && parts.length !== manifest.raw.files.length) {
    problem = badRequest(`The body ended after ${parts.length} of the ${manifest.raw.files.length} files of the manifest.`);
  }
  if (problem !== null || !manifest) {
    await discardParts(store, parts);
    throw problem;
  }
  return { manifest, parts };
}

function preconditionsOfEntry(entry: BatchUploadManifest['files'][number]): Preconditions {
  return { ifMatch: entry.ifMatch === undefined ? null : [entry.ifMatch], ifNoneMatchAny: entry.ifNoneMatch === '*' };
}

export function registerBatchUploadRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = blobStoreOf(ctx);
  withRawBodies(app, (scope) => {
    route(scope, 'uploadFiles', async ({ params, actor, request, reply }) =>
      guardUpload(request, reply, async (): Promise<BatchUploadResult> => {
        const { node: folder } = await loadLiveFolder(ctx, actor, params.nodeId);
        const { manifest, parts } = await receiveBatch(store, request, ctx.config.maxUploadBytes);
        const entries: BatchUploadResult['entries'] = [];
        const items: BatchItem[] = [];
        const itemPositions: number[] = [];
        manifest.raw.files.forEach((entry, index) => {
          const part = parts[index];
          const name = manifest.names[index] ?? entry.name;
          entries.push({ name });
          if (!part) return;
          if (entry.sha256 !== undefined && entry.sha256 !== part.sha256) {
            const error = new FerryError('digest_mismatch', `"${entry.name}" does not match its sha256; it was not stored.`, { expected: entry.sha256, actual: part.sha256 });
            entries[index] = { name, error: error.toBody().error };
            return;
          }
          itemPositions.push(index);
          items.push({ name, sha256: part.sha256, size: part.size, preconditions: preconditionsOfEntry(entry) });
        });
        // Parts that failed their digest are dropped; the rest go to their content address before the rows are written.
        const keep = new Set(itemPositions);
        const inMemory = parts.flatMap((part, index) => (keep.has(index) && 'data' in part ? [part] : []));
        await Promise.all([
          store.placeAll(inMemory),
          ...parts.map((part, index) => ('temp' in part ? (keep.has(index) ? store.commit(part.temp.path, part.sha256) : store.discard(part.temp)) : undefined)),
        ]);
        const outcomes = await commitFileBatch(ctx, { workspaceId: folder.workspace_id, folderId: folder.id, items, actor, ip: request.ip });
        outcomes.forEach((outcome, itemIndex) => {
          const position = itemPositions[itemIndex];
          if (position === undefined) return;
          const name = items[itemIndex]?.name ?? '';
          entries[position] = outcome.ok ? { name, node: nodeView(outcome.node, outcome.path), created: outcome.created } : { name, error: outcome.error };
        });
        return { entries };
      }),
    );
  });
}
