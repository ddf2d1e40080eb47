/**
 * @module sync-pairs.ferry-dropbox.test
 * Every sync concern's stories (`@ferry/sync/testing`) between a Ferry
 * workspace and a Dropbox folder, as the server's own sync pairs run
 * them: FerryDriver over a real server's REST API on one side,
 * DropboxDriver (the real SDK) against the Dropbox emulator on the other.
 * Faults are switched on the emulator (429 with Retry-After, 503, expired
 * access tokens).
 */
import { startDropboxEmulator, type DropboxEmulator } from '@ferry/emulators';
import { startTestServer, type TestServer } from '@ferry/server/testing';
import { afterAll, beforeAll } from 'vitest';
import { allStories, ferryReplica, registerProviderReplicaKinds, registerReplicaKind } from '@ferry/sync/testing';

let server: TestServer;
let dropbox: DropboxEmulator;

beforeAll(async () => {
  [server, dropbox] = await Promise.all([startTestServer(), startDropboxEmulator()]);
  registerProviderReplicaKinds({ dropbox });
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
afterAll(async () => Promise.all([server.close(), dropbox.close()]));

allStories({ a: 'ferry', b: 'dropbox', manyFiles: 40 }, 'b');
