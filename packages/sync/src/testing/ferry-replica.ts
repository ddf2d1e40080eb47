/**
 * @module testing/ferry-replica
 * A Ferry workspace as a story replica: the engine syncs it through
 * `FerryDriver`; the "user" of that side acts through the same REST API
 * (as the web console or another device would).
 */
import type { FerryClient } from '@ferry/core';
import { FerryDriver } from '../drivers/ferry.js';
import { baseName, parentPath } from '../driver.js';
import type { ReplicaFactory, ReplicaFixture } from './replicas.js';

export interface FerryReplicaTarget {
  /** Gives a fresh client and workspace for each new replica. */
  readonly connect: () => Promise<{ client: FerryClient; workspaceId: string }>;
}

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let result = '';
  for await (const chunk of stream) result += decoder.decode(chunk, { stream: true });
  return result + decoder.decode();
}

/** A replica factory for `registerReplicaKind('ferry', ferryReplica(target))`. */
export function ferryReplica(target: FerryReplicaTarget): ReplicaFactory {
  return async (): Promise<ReplicaFixture> => {
    const { client, workspaceId } = await target.connect();
    const driver = new FerryDriver({ client, workspaceId });
    const user = new FerryDriver({ client, workspaceId }); // the same API, used the way a person would
    const snapshot = async (): Promise<{ files: Record<string, string>; folders: string[] }> => {
      const entries = (await user.list()).sort((left, right) => (left.path < right.path ? -1 : 1));
      const files: Record<string, string> = {};
      for (const entry of entries) if (entry.kind === 'file') files[entry.path] = await text(await user.read(entry.path));
      return { files, folders: entries.filter((entry) => entry.kind === 'folder').map((entry) => entry.path) };
    };
    const existing = async (path: string) => {
      const entry = await user.stat(path);
      if (entry === null) throw new Error(`${path} does not exist on the server`);
      return entry;
    };
    return {
      kind: 'ferry',
      driver,
      async write(path, content) {
        const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
        await user.write(
          path,
          (async function* () {
            yield bytes;
          })(),
          { expected: { kind: 'any' } },
        );
      },
      read: async (path) => text(await user.read(path)),
      async mkdir(path) {
        await user.mkdir(path);
      },
      async delete(path) {
        const entry = await existing(path);
        await user.delete({ path, id: entry.id, kind: entry.kind });
      },
      async move(from, to) {
        const entry = await existing(from);
        await user.mkdir(parentPath(to));
        await user.move({ path: from, id: entry.id, kind: entry.kind }, `${parentPath(to) === '' ? '' : `${parentPath(to)}/`}${baseName(to)}`);
      },
      files: async () => (await snapshot()).files,
      folders: async () => (await snapshot()).folders,
      snapshot,
      close: () => driver.close(),
    };
  };
}
