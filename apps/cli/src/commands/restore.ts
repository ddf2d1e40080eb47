/**
 * @module commands/restore
 * `ferry restore PATH_OR_ID`: bring a node back from the trash, found by its
 * id, its old path or its name.
 */
import { collectPages, FerryError, normalizeWorkspacePath, splitWorkspacePath, type FerryNode } from '@ferry/core';
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { UsageError } from '../exit-codes.js';
import { formatTable, formatTime } from '../output.js';
import type { CliRuntime } from '../runtime.js';

function matches(trash: FerryNode[], wanted: string): FerryNode[] {
  const byId = trash.filter((node) => node.id === wanted);
  if (byId.length > 0) return byId;
  if (wanted.includes('/')) {
    const path = normalizeWorkspacePath(wanted);
    const byPath = trash.filter((node) => node.path !== undefined && normalizeWorkspacePath(node.path) === path);
    if (byPath.length > 0) return byPath;
  }
  const name = splitWorkspacePath(wanted)?.name ?? wanted;
  return trash.filter((node) => node.name === name);
}

export function registerRestore(program: Command, runtime: CliRuntime): void {
  program
    .command('restore')
    .description('Restore a file or folder from the trash (by id, path or name); without an argument, list the trash.')
    .argument('[pathOrId]', 'the id, the old path or the name of a trashed node')
    .action(async (wanted: string | undefined, _options: unknown, command: Command) => {
      const connection = await connectToWorkspace(runtime, command);
      const { client, output, workspace } = connection;
      const trash = await collectPages(client, 'listTrash', { params: { workspaceId: workspace.id }, query: { limit: 500 } });
      if (wanted === undefined) {
        output.result({ items: trash }, () =>
          trash.length === 0 ? 'The trash is empty.' : formatTable([['ID', 'DELETED', 'PATH'], ...trash.map((node) => [node.id, formatTime(node.deletedAt), node.path ?? node.name])]),
        );
        return;
      }
      const found = matches(trash, wanted);
      const [node] = found;
      if (node === undefined) throw new FerryError('node_not_found', `Nothing called ${wanted} in the trash (list it with "ferry restore").`);
      if (found.length > 1) {
        const choices = found.map((candidate) => `  ${candidate.id}  ${formatTime(candidate.deletedAt)}  ${candidate.path ?? candidate.name}`).join('\n');
        throw new UsageError(`Several trashed items match ${wanted}; give the id:\n${choices}`);
      }
      const restored = await client.call('restoreNode', { params: { nodeId: node.id } });
      output.result(restored, () => `Restored ${restored.path ?? restored.name}`);
    });
}
