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
import { createClient } from '@ferry/core';
import { startTestServer, type TestServer } from '@ferry/server/testing';
import { FerryDriver } from '@ferry/sync';
import { ferryReplica, registerReplicaKind } from '@ferry/sync/testing';

export interface StoryServer {
  close(): Promise<void>;
}

export interface StoryServerOptions {
  /**
   * Each replica is this folder of its workspace (created first), as the
   * server's own sync pairs sync a folder; default the whole workspace.
   */
  readonly folder?: string;
}

/** Starts the server and registers the replica kind 'ferry' on it. */
export async function startStoryServer(options: StoryServerOptions = {}): Promise<StoryServer> {
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
        const baseUrl = running().url;
        if (options.folder === undefined) return { baseUrl, token, workspaceId: workspace.id };
        await new FerryDriver({ client: createClient({ baseUrl, token }), workspaceId: workspace.id }).mkdir(options.folder);
        return { baseUrl, token, workspaceId: workspace.id, rootPath: `/${options.folder}` };
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
