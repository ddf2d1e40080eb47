/**
 * @module commands/ls
 * `ferry ls [PATH] [-l]`: the children of a folder (every page), or one file.
 */
import { allPages, type FerryNode } from '@ferry/core';
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { formatBytes, formatTable, formatTime } from '../output.js';
import { joinRemote, resolveRemote } from '../remote-paths.js';
import type { CliRuntime } from '../runtime.js';

function displayName(node: FerryNode): string {
  return node.kind === 'folder' ? `${node.name}/` : node.name;
}

export function registerLs(program: Command, runtime: CliRuntime): void {
  program
    .command('ls')
    .description('List a folder (default "/"), or show one file.')
    .argument('[path]', 'workspace path', '/')
    .option('-l, --long', 'long format: kind, size, modified time, name')
    .action(async (path: string, options: { long?: boolean }, command: Command) => {
      const connection = await connectToWorkspace(runtime, command);
      const { client, output } = connection;
      const target = await resolveRemote(connection, path);
      const items: FerryNode[] = [];
      if (target.kind === 'folder') {
        for await (const child of allPages(client, 'listChildren', { params: { nodeId: target.id }, query: { limit: 500 } })) {
          items.push({ ...child, path: child.path ?? joinRemote(target.path ?? path, child.name) });
        }
      } else items.push(target);
      output.result({ path: target.path, kind: target.kind, items }, () => {
        if (!options.long) return items.map(displayName).join('\n');
        const rows = items.map((node) => [node.kind === 'folder' ? 'd' : '-', node.kind === 'folder' ? '-' : formatBytes(node.size), formatTime(node.updatedAt), displayName(node)]);
        return formatTable(rows, [1]);
      });
    });
}
