/**
 * @module commands/versions
 * `ferry versions PATH`: the versions of a file, newest first.
 */
import { FerryError } from '@ferry/core/errors';
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { formatBytes, formatTable, formatTime } from '../output.js';
import { resolveRemote } from '../remote-paths.js';
import type { CliRuntime } from '../runtime.js';

export function registerVersions(program: Command, runtime: CliRuntime): void {
  program
    .command('versions')
    .description('List the versions of a file, newest first.')
    .argument('<path>', 'workspace path of a file')
    .action(async (path: string, _options: unknown, command: Command) => {
      const connection = await connectToWorkspace(runtime, command);
      const { client, output } = connection;
      const node = await resolveRemote(connection, path);
      if (node.kind !== 'file') throw new FerryError('not_a_file', `${node.path ?? path} is a folder; only files have versions.`);
      const { items } = await client.call('listVersions', { params: { nodeId: node.id } });
      output.result({ path: node.path, items }, () => {
        const rows = items.map((version) => [version.current ? '*' : ' ', version.id, formatTime(version.createdAt), formatBytes(version.size), version.source, version.sha256.slice(0, 12)]);
        return formatTable([[' ', 'VERSION', 'CREATED', 'SIZE', 'SOURCE', 'SHA256'], ...rows], [3]);
      });
    });
}
