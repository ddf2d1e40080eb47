/**
 * @module sync-pairs.ferry-drive.test
 * Every sync concern's stories (`@ferry/sync/testing`) between a Ferry
 * workspace and a Google Drive folder, as the server's own sync pairs run
 * them: FerryDriver over a real server's REST API on one side,
 * GoogleDriveDriver (the real SDK) against the Drive emulator on the other.
 * Faults are switched on the emulator (429 with Retry-After, 503, expired
 * access tokens).
 */
import { startGoogleDriveEmulator, type GoogleDriveEmulator } from '@ferry/emulators';
import { startTestServer, type TestServer } from '@ferry/server/testing';
import { afterAll, beforeAll } from 'vitest';
import { allStories, ferryReplica, registerProviderReplicaKinds, registerReplicaKind } from '@ferry/sync/testing';

let server: TestServer;
let drive: GoogleDriveEmulator;

beforeAll(async () => {
  [server, drive] = await Promise.all([startTestServer(), startGoogleDriveEmulator()]);
  registerProviderReplicaKinds({ googleDrive: drive });
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
afterAll(async () => Promise.all([server.close(), drive.close()]));

allStories({ a: 'ferry', b: 'google-drive', manyFiles: 40 }, 'b');
