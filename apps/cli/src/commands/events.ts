/**
 * @module commands/events
 * `ferry events [--follow] [--cursor C]`: the workspace's event feed, as
 * JSON lines with --json; --follow keeps long-polling until Ctrl-C.
 */
import type { FerryEvent } from '@ferry/core';
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { UsageError } from '../exit-codes.js';
import { formatTime } from '../output.js';
import type { CliRuntime } from '../runtime.js';

interface EventsOptions {
  follow?: boolean;
  cursor?: string;
  wait: string;
}

function describe(event: FerryEvent): string {
  const what = event.node?.path ?? event.node?.name ?? (typeof event.data?.name === 'string' ? event.data.name : '');
  const from = event.from?.path !== undefined ? ` (from ${event.from.path})` : '';
  return `#${event.seq}  ${formatTime(event.at)}  ${event.type.padEnd(15)}  ${what}${from}  [${event.source}]`;
}

export function registerEvents(program: Command, runtime: CliRuntime): void {
  program
    .command('events')
    .description('Print the event feed of the workspace (after --cursor); --follow waits for new ones.')
    .option('--cursor <cursor>', 'start after this cursor (printed at the end of each run)')
    .option('-f, --follow', 'keep waiting for new events until Ctrl-C')
    .option('--wait <seconds>', 'long-poll time per request with --follow', '30')
    .action(async (options: EventsOptions, command: Command) => {
      const wait = Number(options.wait);
      if (!Number.isFinite(wait) || wait < 1 || wait > 60) throw new UsageError('--wait must be between 1 and 60 seconds.');
      const connection = await connectToWorkspace(runtime, command);
      const { client, output, workspace } = connection;
      const controller = new AbortController();
      const stop = options.follow ? runtime.onInterrupt(() => controller.abort()) : () => undefined;
      let cursor = options.cursor;
      try {
        for (;;) {
          const page = await client.call('listEvents', {
            params: { workspaceId: workspace.id },
            query: { limit: 500, ...(cursor !== undefined ? { cursor } : {}), ...(options.follow ? { wait } : {}) },
            signal: controller.signal,
          });
          for (const event of page.events) output.item(event, () => describe(event));
          cursor = page.nextCursor;
          if (!options.follow && page.events.length === 0) break;
        }
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      } finally {
        stop();
      }
      if (cursor !== undefined) output.info(`Cursor: ${cursor} (continue with: ferry events --cursor ${cursor})`);
    });
}
