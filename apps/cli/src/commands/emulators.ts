/**
 * @module commands/emulators
 * `ferry emulators`: runs the Google Drive v3, Dropbox v2, Slack and
 * Microsoft identity platform + Graph emulators (with their OAuth endpoints) on 127.0.0.1 until SIGINT/SIGTERM, and prints their
 * URLs with a ready access token each: text, or one JSON document with --json
 * for scripts. Point `ferry sync gdrive:… / dropbox:…` at them.
 */
import type { Command } from 'commander';
import { UsageError } from '../exit-codes.js';
import { outputFor, type CliRuntime } from '../runtime.js';

const closeGraceMs = 2_000;

function portBase(raw: string | undefined): { googleDrive: number; dropbox: number } | null {
  if (raw === undefined) return null;
  const base = Number(raw);
  if (!Number.isInteger(base) || base < 1 || base > 65_534) throw new UsageError('--port-base must be a port from 1 to 65534 (Drive listens on it, Dropbox on the next).');
  return { googleDrive: base, dropbox: base + 1 };
}

export function registerEmulators(program: Command, runtime: CliRuntime): void {
  program
    .command('emulators')
    .description('Run local Google Drive, Dropbox, Slack and Microsoft 365 emulators until Ctrl-C (for trying sync and connections, and for tests).')
    .option('--port-base <n>', 'Drive listens on this port and Dropbox on the next (default: any free ports)')
    .addHelpText(
      'after',
      `
Then, e.g.:
  FERRY_GDRIVE_API_URL=<drive url> FERRY_GDRIVE_TOKEN=<token> ferry sync ./folder gdrive:demo/Folder
  FERRY_DROPBOX_API_URL=<dropbox url> FERRY_DROPBOX_TOKEN=<token> ferry sync ./folder dropbox:demo/Folder
The emulators keep everything in memory; it is gone when they stop.`,
    )
    .action(async (options: { portBase?: string }, command: Command) => {
      const output = outputFor(runtime, command);
      const ports = portBase(options.portBase);
      const { startEmulators } = await import('@ferry/emulators');
      const emulators = await startEmulators({
        ...(ports === null ? {} : { googleDrive: { port: ports.googleDrive }, dropbox: { port: ports.dropbox } }),
        print: output.json ? () => undefined : (line) => runtime.stdout.write(`${line}\n`),
      });
      const { googleDrive, dropbox, slack, microsoft } = emulators;
      if (output.json) {
        output.item(
          {
            googleDrive: { url: googleDrive.url, apiUrl: `${googleDrive.url}/drive/v3`, tokenUrl: `${googleDrive.url}/token`, accessToken: googleDrive.issueToken().accessToken },
            dropbox: { url: dropbox.url, domain: dropbox.domain, tokenUrl: `${dropbox.url}/oauth2/token`, accessToken: dropbox.issueToken().accessToken },
            slack: { url: slack.url, apiUrl: `${slack.url}/api/`, tokenUrl: `${slack.url}/api/oauth.v2.access`, accessToken: slack.issueToken().accessToken },
            microsoft: {
              url: microsoft.url,
              graphUrl: `${microsoft.url}/v1.0`,
              tokenUrl: `${microsoft.url}/common/oauth2/v2.0/token`,
              accessToken: microsoft.issueToken().accessToken,
            },
          },
          () => '',
        );
      } else output.info('Running; Ctrl-C stops the emulators.');
      await new Promise<void>((resolve) => {
        const stop = runtime.onInterrupt(() => {
          stop();
          runtime.onInterrupt(() => process.exit(130));
          // Keep-alive connections of clients may hold the servers open; stop after a short grace anyway.
          const grace = setTimeout(resolve, closeGraceMs);
          emulators.close().finally(() => {
            clearTimeout(grace);
            resolve();
          });
        });
      });
    });
}
