/**
 * @module commands/rm
 * `ferry rm PATH`: move a file or folder (with everything in it) to the trash.
 */
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { UsageError } from '../exit-codes.js';
import { resolveRemote } from '../remote-paths.js';
import type { CliRuntime } from '../runtime.js';

export function registerRm(program: Command, runtime: CliRuntime): void {
  program
    .command('rm')
    .description('Move a file or folder to the trash ("ferry restore" brings it back).')
    .argument('<paths...>', 'workspace paths')
    .action(async (paths: string[], _options: unknown, command: Command) => {
      const connection = await connectToWorkspace(runtime, command);
      const { client, output } = connection;
      for (const path of paths) {
        const node = await resolveRemote(connection, path);
        if (node.parentId === null) throw new UsageError('The root folder cannot be deleted.');
        const deleted = await client.call('deleteNode', { params: { nodeId: node.id }, headers: { 'if-match': node.versionId } });
        output.item({ ...deleted, path: deleted.path ?? node.path }, () => `Moved ${node.path ?? path} to the trash (id ${node.id})`);
      }
    });
}
