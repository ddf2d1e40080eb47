/**
 * @module commands/serve
 * `ferry serve --data DIR --port N [--host H]`: runs the server in this
 * process until SIGINT/SIGTERM, then closes it cleanly.
 */
import { createClient } from '@ferry/core';
import { Option, type Command } from 'commander';
import { UsageError } from '../exit-codes.js';
import { outputFor, type CliRuntime } from '../runtime.js';

interface ServeOptions {
  data?: string;
  port?: string;
  host?: string;
  logLevel?: string;
}

const closeGraceMs = 10_000;

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`"${raw}" is not a port number (0 picks a free one).`);
  return port;
}

async function setupNeeded(url: string): Promise<boolean | null> {
  try {
    return (await createClient({ baseUrl: url }).call('setupStatus')).needed;
  } catch {
    return null;
  }
}

export function registerServe(program: Command, runtime: CliRuntime): void {
  program
    .command('serve')
    .description('Run the Ferry server on a data folder (Ctrl-C stops it).')
    .addOption(new Option('--data <dir>', 'folder for ferry.db, blobs/ and uploads/ (created if missing)').env('FERRY_DATA'))
    .addOption(new Option('--port <n>', 'port to listen on; 0 picks a free one').env('FERRY_PORT'))
    .addOption(new Option('--host <host>', 'address to listen on').env('FERRY_HOST'))
    .addOption(new Option('--log-level <level>', 'server log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).env('FERRY_LOG_LEVEL'))
    .action(async (options: ServeOptions, command: Command) => {
      const output = outputFor(runtime, command);
      if (options.data === undefined || options.data === '') throw new UsageError('Say where the data lives: --data DIR (or FERRY_DATA).');
      // Loaded on use: the client commands start faster without the server's modules.
      const { startServer } = await import('@ferry/server');
      const server = await startServer({
        dataDir: options.data,
        ...(options.port !== undefined ? { port: parsePort(options.port) } : {}),
        ...(options.host !== undefined ? { host: options.host } : {}),
        ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
      });
      const needed = await setupNeeded(server.url);
      output.result({ url: server.url, port: server.port, dataDir: server.ctx.config.dataDir, setupNeeded: needed }, () => {
        const lines = [`Ferry is running at ${server.url}`, `Data folder: ${server.ctx.config.dataDir}`];
        if (needed === true) {
          lines.push(
            `No user exists yet: open ${server.url} to run the set-up,`,
            `or create one from a shell: ferry admin create-user --data ${options.data ?? 'DIR'} --email you@example.com --password-stdin`,
          );
        }
        lines.push('Press Ctrl-C to stop.');
        return lines.join('\n');
      });
      await new Promise<void>((resolve) => {
        const stop = runtime.onInterrupt((signal) => {
          stop();
          output.info(`Received ${signal}; closing…`);
          // A second signal while closing exits at once.
          runtime.onInterrupt(() => process.exit(130));
          // Open connections get a grace period; after it the process ends anyway.
          const grace = setTimeout(() => {
            output.info(`Connections still open after ${closeGraceMs / 1000} s; stopping anyway.`);
            resolve();
          }, closeGraceMs);
          server.close().then(
            () => {
              clearTimeout(grace);
              resolve();
            },
            (error: unknown) => {
              clearTimeout(grace);
              output.info(`Closing failed: ${error instanceof Error ? error.message : String(error)}`);
              resolve();
            },
          );
        });
      });
      output.info('Stopped.');
    });
}
