/**
 * @module commands/share
 * `ferry share PATH [--expires 7d] [--password-stdin] [--max-downloads N]`:
 * create a share link and print its URL.
 */
import { FerryError } from '@ferry/core/errors';
import type { Command } from 'commander';
import { connectToWorkspace } from '../connection.js';
import { parseExpiry } from '../durations.js';
import { UsageError } from '../exit-codes.js';
import { readSecretFromStdin } from '../read-secret.js';
import { resolveRemote } from '../remote-paths.js';
import type { CliRuntime } from '../runtime.js';

interface ShareOptions {
  expires?: string;
  passwordStdin?: boolean;
  maxDownloads?: string;
}

export function registerShare(program: Command, runtime: CliRuntime): void {
  program
    .command('share')
    .description('Create a share link to a file and print its URL.')
    .argument('<path>', 'workspace path of a file')
    .option('--expires <when>', 'expiry: a duration (30m, 12h, 7d, 2w) or a date')
    .option('--password-stdin', 'protect the link with a password read from stdin')
    .option('--max-downloads <n>', 'stop the link after this many downloads')
    .action(async (path: string, options: ShareOptions, command: Command) => {
      let maxDownloads: number | undefined;
      if (options.maxDownloads !== undefined) {
        maxDownloads = Number(options.maxDownloads);
        if (!Number.isInteger(maxDownloads) || maxDownloads < 1) throw new UsageError('--max-downloads must be a whole number, at least 1.');
      }
      const expiresAt = options.expires !== undefined ? parseExpiry(options.expires).toISOString() : undefined;
      const password = options.passwordStdin ? await readSecretFromStdin(runtime.stdin, 'password') : undefined;
      const connection = await connectToWorkspace(runtime, command);
      const { client, output } = connection;
      const node = await resolveRemote(connection, path);
      if (node.kind !== 'file') throw new FerryError('not_a_file', `${node.path ?? path} is a folder; share links point at files.`);
      const share = await client.call('createShare', {
        params: { nodeId: node.id },
        body: {
          ...(expiresAt !== undefined ? { expiresAt } : {}),
          ...(password !== undefined ? { password } : {}),
          ...(maxDownloads !== undefined ? { maxDownloads } : {}),
        },
      });
      output.result(share, () => share.url);
    });
}
