/**
 * @module drivers/ferry-upload-retry.test
 * The decisions of a retried streamed upload, against a small in-memory
 * stand-in for the server's one file slot (the real server runs in the
 * local↔Ferry fault stories): a lost answer after the whole body landed is
 * found without sending again; a target that changed meanwhile fails at
 * once with precondition_failed instead of being sent again (a large body
 * refused by precondition reaches the client as a broken pipe, not a 412);
 * a dropped attempt is sent again from a fresh opening.
 */
import { createHash } from 'node:crypto';
import type { FerryNode } from '@ferry/core';
import { FerryError } from '@ferry/core/errors';
import { describe, expect, it } from 'vitest';
import type { ByteStream, ExpectedRevision } from '../driver.js';
import { FerryRetry, ferryRetryPolicy } from './ferry-retry.js';
import { retriedUpload } from './ferry-upload-retry.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function node(content: string, versionId: string): FerryNode {
  const at = new Date(0).toISOString();
  return { id: 'nod_1', workspaceId: 'wsp_1', parentId: 'nod_0', kind: 'file', name: 'big.bin', size: content.length, sha256: sha256(content), versionId, contentVersionId: versionId, createdAt: at, updatedAt: at, deletedAt: null };
}

async function* chunks(text: string): ByteStream {
  for (const part of text.match(/.{1,4}/g) ?? []) yield Buffer.from(part);
}

async function readAll(body: ByteStream): Promise<string> {
  let text = '';
  for await (const chunk of body) text += Buffer.from(chunk).toString('utf8');
  return text;
}

const dropped = (): FerryError => new FerryError('unavailable', 'Cannot reach the Ferry server (other side closed).', { reason: 'unreachable' });

/** One file slot on a "server" whose answers a test can lose or drop. */
function slot(initial: FerryNode | null) {
  const state = { current: initial, sends: 0, opened: 0, waits: [] as number[] };
  const retry = new FerryRetry({ ...ferryRetryPolicy, sleep: async (milliseconds) => void state.waits.push(milliseconds) });
  const run = (content: string, expected: ExpectedRevision, behave: (attempt: number) => 'store-and-lose' | 'drop' | 'store') =>
    retriedUpload({
      label: 'uploading big.bin',
      retry,
      first: chunks(content),
      reopen: async () => {
        state.opened += 1;
        return chunks(content);
      },
      expected,
      send: async (body) => {
        state.sends += 1;
        const outcome = behave(state.sends);
        if (outcome === 'drop') throw dropped();
        const text = await readAll(body);
        state.current = node(text, `ver_${state.sends}`);
        if (outcome === 'store-and-lose') throw dropped();
        return state.current;
      },
      landed: async () => state.current,
    });
  return { state, run };
}

describe('retried streamed upload to Ferry', () => {
  it('an answer lost after the whole body was stored: found on the server, not sent again', async () => {
    const { state, run } = slot(null);
    const stored = await run('four bytes each', { kind: 'absent' }, () => 'store-and-lose');
    expect(stored.sha256).toBe(sha256('four bytes each'));
    expect({ sends: state.sends, opened: state.opened, waits: state.waits.length }).toEqual({ sends: 1, opened: 0, waits: 1 });
  });

  it('a dropped attempt is sent again from a fresh opening of the source', async () => {
    const { state, run } = slot(node('old', 'ver_old'));
    const stored = await run('new content', { kind: 'revision', revision: 'ver_old' }, (attempt) => (attempt === 1 ? 'drop' : 'store'));
    expect(stored.sha256).toBe(sha256('new content'));
    expect({ sends: state.sends, opened: state.opened }).toEqual({ sends: 2, opened: 1 });
  });

  it('a file that changed on the server between attempts fails with precondition_failed, without sending again', async () => {
    const { state, run } = slot(node('old', 'ver_old'));
    const upload = run('mine', { kind: 'revision', revision: 'ver_old' }, () => {
      state.current = node('theirs', 'ver_theirs'); // someone else's write lands while ours is refused
      return 'drop';
    });
    await expect(upload).rejects.toMatchObject({ code: 'precondition_failed' });
    expect({ sends: state.sends, opened: state.opened }).toEqual({ sends: 1, opened: 0 });
    expect(state.current?.sha256).toBe(sha256('theirs'));
  });
});
