/**
 * @module sync-pairs.ferry-drive.test
 * Every sync concern's stories (`@ferry/sync/testing`) between a Ferry
 * workspace and a Google Drive folder, as the server's own sync pairs run
 * them: FerryDriver over a real server's REST API on one side (a folder
 * of the workspace, as a pair syncs),
 * GoogleDriveDriver (the real SDK) against the Drive emulator on the other.
 * Faults are switched on the emulator (429 with Retry-After, 503, expired
 * access tokens) and in front of the Ferry server (429, 503, a restart).
 */
import { startGoogleDriveEmulator, type GoogleDriveEmulator } from '@ferry/emulators';
import { afterAll, beforeAll } from 'vitest';
import { allStories, faultStories, registerProviderReplicaKinds } from '@ferry/sync/testing';
import { startStoryServer, type StoryServer } from './sync-pairs-server.js';

let server: StoryServer;
let drive: GoogleDriveEmulator;

beforeAll(async () => {
  [server, drive] = await Promise.all([startStoryServer({ folder: 'Team/Drive sync' }), startGoogleDriveEmulator()]);
  registerProviderReplicaKinds({ googleDrive: drive });
});
afterAll(async () => Promise.all([server.close(), drive.close()]));

allStories({ a: 'ferry', b: 'google-drive', manyFiles: 40 }, 'b');
// The Ferry side misbehaving too (429, 503, the server going down mid-run), as the server's own pair runs would see it.
faultStories({ a: 'ferry', b: 'google-drive' }, 'a');
