/**
 * @module drivers/ferry-upload-retry
 * A streamed single-file upload to Ferry that can be sent again: when the
 * server refuses it with 429 or 503, or the connection drops without an
 * answer, the source is opened again from its first byte (`WriteOptions.reopen`)
 * and sent once more, under the driver's retry policy (`ferry-retry.ts`).
 *
 * Every attempt carries the write's precondition (If-None-Match: * or
 * If-Match: <versionId>). When an attempt whose body was read to its end got
 * no answer, the server may have stored it all the same: before sending
 * again (and when the resend fails its precondition) the file now at that
 * name is looked up — when it holds exactly the bytes that were sent (same
 * sha-256) the upload did land and counts as done, instead of failing or
 * writing a second copy; when it no longer matches the precondition the
 * write fails with `precondition_failed` at once, without resending.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FerryNode } from '@ferry/core';
import { FerryError, isFerryError } from '@ferry/core/errors';
import type { ByteStream, ExpectedRevision } from '../driver.js';
import type { FerryRetry } from './ferry-retry.js';

export interface RetriedUpload {
  /** For messages ("uploading docs/x.bin"). */
  readonly label: string;
  readonly retry: FerryRetry;
  /** The content for the first attempt. */
  readonly first: ByteStream;
  /** The same content again from its start, for each further attempt. */
  readonly reopen: () => Promise<ByteStream>;
  /** Sends one attempt with the write's precondition. */
  readonly send: (body: ByteStream) => Promise<FerryNode>;
  /** The write's precondition, checked again before each resend. */
  readonly expected: ExpectedRevision;
  /** The file now at the target name, or null. */
  readonly landed: () => Promise<FerryNode | null>;
}

/** A source passed through while hashing it; `sha256` is set once it was read to its end. */
class HashedBody {
  sha256: string | null = null;
  readonly stream: AsyncGenerator<Uint8Array>;

  constructor(source: ByteStream) {
    const hash: Hash = createHash('sha256');
    this.stream = (async function* (body: HashedBody) {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk;
      }
      body.sha256 = hash.digest('hex');
    })(this);
  }

  /** Lets the source go when this attempt is over (the next one reads a fresh opening). */
  abandon(): void {
    this.stream.return(undefined).catch(() => undefined);
  }
}

/** Whether `current` (the file at the target name) is what the write expects to replace. */
function holds(expected: ExpectedRevision, current: FerryNode | null): boolean {
  if (expected.kind === 'absent') return current === null;
  if (expected.kind === 'revision') return current !== null && current.versionId === expected.revision;
  return true;
}

/** Runs `upload` under its retry policy; see the module comment. */
export async function retriedUpload(upload: RetriedUpload): Promise<FerryNode> {
  let attempt = 0;
  /** The sha-256 of an earlier attempt's body that was sent whole, though its answer never came. */
  let sentWhole: string | null = null;
  const landedWhole = (node: FerryNode | null): node is FerryNode => sentWhole !== null && node !== null && node.kind === 'file' && node.sha256 === sentWhole;
  return upload.retry.run(upload.label, async () => {
    attempt += 1;
    if (attempt > 1) {
      // Before sending it all again, look at the target: the server refuses a failed precondition before reading the body and
      // closes the connection while a large body is still on its way, which reaches the client as a broken pipe, not as 412.
      const current = await upload.landed();
      if (landedWhole(current)) return current; // the last attempt was stored after all
      if (!holds(upload.expected, current)) throw new FerryError('precondition_failed', `${upload.label}: the file changed on the server while syncing.`);
    }
    const body = new HashedBody(attempt === 1 ? upload.first : await upload.reopen());
    try {
      return await upload.send(body.stream);
    } catch (error) {
      body.abandon();
      if (sentWhole !== null && isFerryError(error) && (error.code === 'precondition_failed' || error.code === 'name_conflict')) {
        const current = await upload.landed();
        if (landedWhole(current)) return current; // an earlier attempt was stored after all
      }
      sentWhole = body.sha256 ?? sentWhole;
      throw error;
    }
  });
}
