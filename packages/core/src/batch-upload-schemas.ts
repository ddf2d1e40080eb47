/**
 * @module batch-upload-schemas
 * Uploading many files into one folder with one request, the way Dropbox's
 * `upload_session/finish_batch` does: a `multipart/form-data` body whose first
 * part, `manifest` (JSON), lists every file (name, size, optional sha-256 and
 * precondition), followed by one `file` part per entry, in manifest order, whose
 * filename is the entry's name. Each entry succeeds or fails on its own; the
 * answer lists them in order.
 */
import { z } from 'zod';
import { errorBodySchema } from './error-body.js';
import { idSchema, nodeSchema } from './schemas.js';

/** At most this many files in one batch. */
export const batchUploadMaxFiles = 1000;
/** At most this many bytes of file content in one batch; larger sets are split, large files go alone. */
export const batchUploadMaxBytes = 256 * 1024 * 1024;

/** Splits `items` into batches of at most `batchUploadMaxFiles` and `maxBytes` (a larger item goes alone), keeping their order. */
export function splitIntoBatches<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes = batchUploadMaxBytes): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length >= batchUploadMaxFiles || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export const batchUploadEntrySchema = z.object({
  name: z.string().describe('the file name inside the folder (no slashes)'),
  size: z.number().int().nonnegative().describe('bytes of the file part; a part of another length fails the whole batch'),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits')
    .optional()
    .describe('hex; the entry fails with digest_mismatch when its content does not match'),
  ifMatch: idSchema.optional().describe('replace only this version of the file (else precondition_failed)'),
  ifNoneMatch: z.literal('*').optional().describe('create only: fail with precondition_failed when the name is taken'),
});
export type BatchUploadEntry = z.infer<typeof batchUploadEntrySchema>;

export const batchUploadManifestSchema = z.object({
  files: z.array(batchUploadEntrySchema).min(1).max(batchUploadMaxFiles),
});
export type BatchUploadManifest = z.infer<typeof batchUploadManifestSchema>;

export const batchUploadResultSchema = z.object({
  entries: z.array(
    z.object({
      name: z.string(),
      node: nodeSchema.optional().describe('the file as written, when the entry succeeded'),
      created: z.boolean().optional().describe('true when the file is new, false when a version was added'),
      error: errorBodySchema.shape.error.optional().describe('why the entry was not written'),
    }),
  ),
});
export type BatchUploadResult = z.infer<typeof batchUploadResultSchema>;
