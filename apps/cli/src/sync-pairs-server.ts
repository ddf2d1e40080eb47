/**
 * @module sync-pairs-server
 * The Ferry server of the sync pair story runs (`sync-pairs.*.test.ts`): a
 * real test server whose replicas each get a fresh user and workspace, and
 * which an outage story can stop and start again with the same data at the
 * same address (a restart as a sync client sees it).
 */
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '@ferry/server/testing';
import { ferryReplica, registerReplicaKind } from '@ferry/sync/testing';

export interface StoryServer {
  close(): Promise<void>;
}

/** Starts the server and registers the replica kind 'ferry' on it. */
export async function startStoryServer(): Promise<StoryServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ferry-sync-pairs-'));
  let server: TestServer | null = await startTestServer({ dataDir });
  const port = server.port;
  const running = (): TestServer => {
    if (server === null) throw new Error('The Ferry server is down (an outage story is under way).');
    return server;
  };
  registerReplicaKind(
    'ferry',
    ferryReplica({
      connect: async () => {
        const { token, workspace } = await running().newUser();
        return { baseUrl: running().url, token, workspaceId: workspace.id };
      },
      restart: {
        async stop() {
          const stopping = running();
          server = null;
          await stopping.close();
        },
        async start() {
          server = await startTestServer({ dataDir, port });
        },
      },
    }),
  );
  return {
    async close() {
      await server?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
