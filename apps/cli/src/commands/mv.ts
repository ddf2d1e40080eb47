/**
 * @module commands/mv
 * `ferry mv SRC DST`: move into a folder (DST is a folder), or move and/or
 * rename (DST is a new path). Guarded by the source's version (If-Match).
 */
import { FerryError, splitWorkspacePath } from '@ferry/core';
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { UsageError } from '../exit-codes.js';
import { findRemote, resolveFolder, resolveRemote } from '../remote-paths.js';
import type { CliRuntime } from '../runtime.js';

export function registerMv(program: Command, runtime: CliRuntime): void {
  program
    .command('mv')
    .description('Move or rename a file or folder.')
    .argument('<source>', 'workspace path to move')
    .argument('<destination>', 'an existing folder to move into, or the new path')
    .action(async (source: string, destination: string, _options: unknown, command: Command) => {
      const connection = await connectToWorkspace(runtime, command);
      const { client, output } = connection;
      const node = await resolveRemote(connection, source);
      if (node.parentId === null) throw new UsageError('The root folder cannot be moved.');
      const existing = await findRemote(connection, destination);
      let body: { name?: string; parentId?: string };
      if (existing?.kind === 'folder') {
        body = { parentId: existing.id };
      } else if (existing && existing.id !== node.id) {
        throw new FerryError('name_conflict', `${existing.path ?? destination} exists already.`);
      } else {
        const split = splitWorkspacePath(destination);
        if (split === null) throw new UsageError('Give the destination folder or the new path.');
        const parent = await resolveFolder(connection, split.parent);
        body = { name: split.name, ...(parent.id !== node.parentId ? { parentId: parent.id } : {}) };
      }
      const moved = await client.call('updateNode', { params: { nodeId: node.id }, body, headers: { 'if-match': node.versionId } });
      output.result(moved, () => `Moved ${node.path ?? source} → ${moved.path ?? destination}`);
    });
}
