// @module bench/lib/server-process
// A Ferry server in its own process (so its RSS can be read), on a data dir,
// with one user and an API token. Prints one JSON line {url, token, rootFolderId,
// workspaceId} on stdout, then serves until killed.
import { createApiToken, createUser, startServer } from '@ferry/server';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: server-process.mjs DATA_DIR');
const server = await startServer({ dataDir, port: 0, logLevel: 'warn', rateLimitPerMinute: 100_000_000, maxUploadBytes: 4 * 1024 ** 3 });
const { user, workspace } = await createUser(server.ctx, { email: 'bench@example.test', password: 'bench-password-1' });
const { token } = await createApiToken(server.ctx, { userId: user.id, name: 'bench' });
process.stdout.write(`${JSON.stringify({ url: server.url, token, rootFolderId: workspace.rootFolderId, workspaceId: workspace.id })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
