/**
 * @module drivers/ferry-batch
 * `FerryDriver.writeBatch`: many small files in one `uploadFiles` request per
 * folder (a multipart body: the JSON manifest, then one part per file), with
 * the same preconditions as a single write — `ifNoneMatch: '*'` for a file
 * that must be new, `ifMatch: <versionId>` for one that must still be the
 * version the engine saw — and a sha-256 per file, so the server refuses
 * bytes that changed on the way. Each file's outcome comes back on its own.
 */
import { type FerryClient, type FerryNode, splitIntoBatches } from '@ferry/core';
import { FerryError, isErrorCode } from '@ferry/core/errors';
import { baseName, type BatchWrite, type DriverEntry, parentPath } from '../driver.js';
import type { FerryRetry } from './ferry-retry.js';

export interface FerryBatchTarget {
  readonly client: FerryClient;
  /** The folder's node id (created when missing), as `FerryDriver.mkdir` gives it. */
  folderId(path: string): Promise<string>;
  toEntry(path: string, node: FerryNode): DriverEntry;
  /** Tries a refused request again (the form is in memory, so it can be sent again). */
  readonly retry: FerryRetry;
}

function precondition(file: BatchWrite): { ifNoneMatch?: '*'; ifMatch?: string } {
  const expected = file.options.expected;
  if (expected.kind === 'absent') return { ifNoneMatch: '*' };
  if (expected.kind === 'revision') return { ifMatch: expected.revision };
  return {};
}

async function upload(target: FerryBatchTarget, folderId: string, files: ReadonlyArray<readonly [number, BatchWrite]>, results: Array<DriverEntry | Error | undefined>): Promise<void> {
  const form = new FormData();
  const manifest = files.map(([, file]) => ({ name: baseName(file.path), size: file.content.byteLength, sha256: file.sha256, ...precondition(file) }));
  form.append('manifest', JSON.stringify({ files: manifest }));
  for (const [, file] of files) form.append('file', new Blob([file.content]), baseName(file.path));
  const answer = await target.retry.run(`uploading ${files.length} files`, () => target.client.call('uploadFiles', { params: { nodeId: folderId }, body: form }));
  files.forEach(([index, file], position) => {
    const entry = answer.entries[position];
    if (entry?.node !== undefined) {
      results[index] = target.toEntry(file.path, entry.node);
      return;
    }
    const code = entry?.error !== undefined && isErrorCode(entry.error.code) ? entry.error.code : 'internal';
    const message = entry?.error?.message ?? 'The server did not answer for this file.';
    // A name taken since the listing is a lost race, as for a single write.
    results[index] = code === 'name_conflict' ? new FerryError('precondition_failed', `${file.path} appeared while syncing.`) : new FerryError(code, `${file.path}: ${message}`, entry?.error?.details);
  });
}

/** Writes `files` with one request per folder (split within the server's limits), folders side by side; never throws for a failed request. */
export async function writeFerryBatch(target: FerryBatchTarget, files: readonly BatchWrite[]): Promise<Array<DriverEntry | Error>> {
  const results: Array<DriverEntry | Error | undefined> = files.map(() => undefined);
  const byFolder = new Map<string, Array<readonly [number, BatchWrite]>>();
  files.forEach((file, index) => {
    const folder = parentPath(file.path);
    const group = byFolder.get(folder) ?? [];
    group.push([index, file]);
    byFolder.set(folder, group);
  });
  // The folders' uploads go side by side; one folder's requests go one after the other.
  await Promise.all(
    [...byFolder].map(async ([folder, group]) => {
      try {
        const folderId = await target.folderId(folder);
        for (const request of splitIntoBatches(group, ([, file]) => file.content.byteLength)) await upload(target, folderId, request, results);
      } catch (error) {
        const reason = error instanceof Error ? error : new FerryError('internal', String(error));
        for (const [index] of group) results[index] ??= reason; // the requests before the failed one stand
      }
    }),
  );
  return results.map((result) => result ?? new FerryError('internal', 'The file was not written.'));
}
