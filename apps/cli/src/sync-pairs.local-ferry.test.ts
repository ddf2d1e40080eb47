/**
 * @module sync-pairs.local-ferry.test
 * Every sync concern's stories (`@ferry/sync/testing`) between a local folder
 * and a real Ferry server (127.0.0.1, temp data dir), as a desktop client
 * syncs: FerryDriver over the REST API, a fresh user and workspace per
 * replica. Faults are switched in front of the server (429, 503) or are the
 * server itself going down and coming back. It lives with the CLI, which
 * depends on both the server and the sync engine.
 */
import { afterAll, beforeAll } from 'vitest';
import { allStories } from '@ferry/sync/testing';
import { startStoryServer, type StoryServer } from './sync-pairs-server.js';

let server: StoryServer;

beforeAll(async () => {
  server = await startStoryServer();
});
afterAll(async () => server.close());

allStories({ a: 'local', b: 'ferry', manyFiles: 40 }, 'b');
