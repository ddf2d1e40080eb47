/**
 * @module sync-pairs.local-ferry.test
 * Every sync concern's stories (`@ferry/sync/testing`) between a local folder
 * and a real Ferry server (127.0.0.1, temp data dir), as a desktop client
 * syncs: FerryDriver over the REST API, a fresh user and workspace per
 * replica. Faults are switched in front of the server (429, 503). It lives
 * with the CLI, which depends on both the server and the sync engine.
 */
import { startTestServer, type TestServer } from '@ferry/server/testing';
import { afterAll, beforeAll } from 'vitest';
import { allStories, ferryReplica, registerReplicaKind } from '@ferry/sync/testing';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  registerReplicaKind(
    'ferry',
    ferryReplica({
      connect: async () => {
        const { token, workspace } = await server.newUser();
        return { baseUrl: server.url, token, workspaceId: workspace.id };
      },
    }),
  );
});
afterAll(async () => server.close());

allStories({ a: 'local', b: 'ferry', manyFiles: 40 }, 'b');
