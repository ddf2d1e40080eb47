/**
 * @module commands/mkdir
 * `ferry mkdir [-p] PATH`: create a folder (with -p, its missing parents too,
 * and no error if it exists already).
 */
import { FerryError, splitWorkspacePath } from '@ferry/core';
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { UsageError } from '../exit-codes.js';
import { FolderMaker, findRemote, resolveFolder } from '../remote-paths.js';
import type { CliRuntime } from '../runtime.js';

export function registerMkdir(program: Command, runtime: CliRuntime): void {
  program
    .command('mkdir')
    .description('Create a folder.')
    .argument('<path>', 'workspace path of the new folder')
    .option('-p, --parents', 'create missing parents; no error if it exists')
    .action(async (path: string, options: { parents?: boolean }, command: Command) => {
      const connection = await connectToWorkspace(runtime, command);
      const { client, output } = connection;
      const split = splitWorkspacePath(path);
      if (split === null) throw new UsageError('The root folder exists already.');
      if (options.parents) {
        const { node, created } = await new FolderMaker(connection).ensure(path);
        output.result({ ...node, created }, () => (created ? `Created ${node.path ?? path}` : `${node.path ?? path} exists already`));
        return;
      }
      const existing = await findRemote(connection, path);
      if (existing) throw new FerryError('name_conflict', `${existing.path ?? path} exists already.`);
      const parent = await resolveFolder(connection, split.parent);
      const node = await client.call('createFolder', { params: { nodeId: parent.id }, body: { name: split.name } });
      output.result({ ...node, created: true }, () => `Created ${node.path ?? path}`);
    });
}
