/**
 * @module commands/whoami
 * `ferry whoami`: who the token belongs to, and their workspaces.
 */
import type { Command } from 'commander';
import { connect } from '../connection.js';
import { formatTable } from '../output.js';
import type { CliRuntime } from '../runtime.js';

export function registerWhoami(program: Command, runtime: CliRuntime): void {
  program
    .command('whoami')
    .description('Show who the token belongs to and their workspaces.')
    .action(async (_options: unknown, command: Command) => {
      const { client, output } = connect(runtime, command);
      const me = await client.call('me');
      output.result(me, () => {
        const rows = me.workspaces.map((workspace) => [workspace.id, workspace.role, workspace.name]);
        return [`${me.user.name} <${me.user.email}> (${me.user.id})`, `on ${client.baseUrl}`, '', formatTable([['WORKSPACE', 'ROLE', 'NAME'], ...rows])].join('\n');
      });
    });
}
