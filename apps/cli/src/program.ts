/**
 * @module program
 * The `ferry` command: global options, every sub-command, and one place where
 * errors become a message on stderr and an exit code.
 */
import { readFileSync } from 'node:fs';
import { FerryError } from '@ferry/core';
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { registerAdmin } from './commands/admin.js';
import { registerEmulators } from './commands/emulators.js';
import { registerEvents } from './commands/events.js';
import { registerGet } from './commands/get.js';
import { registerLs } from './commands/ls.js';
import { registerMkdir } from './commands/mkdir.js';
import { registerMv } from './commands/mv.js';
import { registerPut } from './commands/put.js';
import { registerRestore } from './commands/restore.js';
import { registerRm } from './commands/rm.js';
import { registerServe } from './commands/serve.js';
import { registerShare } from './commands/share.js';
import { registerSync } from './commands/sync.js';
import { registerVersions } from './commands/versions.js';
import { registerWhoami } from './commands/whoami.js';
import { CommandExit } from './command-exit.js';
import { exitCodeFor, exitCodes, exitCodesHelp, isExpected, messageFor } from './exit-codes.js';
import type { CliRuntime } from './runtime.js';

const environmentHelp = `Environment:
  FERRY_SERVER, FERRY_TOKEN, FERRY_WORKSPACE   defaults for --server, --token, --workspace
  FERRY_DATA                                   default for --data (serve, admin)
  FERRY_RESUMABLE_ABOVE_BYTES                  put: files larger than this use resumable uploads (64 MiB)
  FERRY_UPLOAD_CHUNK_BYTES                     put: chunk size of resumable uploads (16 MiB)
  FERRY_GDRIVE_API_URL, FERRY_GDRIVE_TOKEN     sync: the Google Drive API for gdrive: replicas (e.g. ferry emulators)
  FERRY_DROPBOX_API_URL, FERRY_DROPBOX_TOKEN   sync: the Dropbox API for dropbox: replicas
  XDG_STATE_HOME                               sync: state files go to $XDG_STATE_HOME/ferry/sync
  FERRY_DEBUG=1                                print stack traces of unexpected errors`;

function version(): string {
  try {
    const raw: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    return z.object({ version: z.string() }).parse(raw).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command('ferry')
    .description("Ferry: your team's files, from the command line.")
    .version(version(), '-V, --version')
    .addOption(new Option('--json', 'machine output: one JSON document, or JSON lines for streams'))
    .addOption(new Option('--server <url>', 'the Ferry server, e.g. http://127.0.0.1:8080 (FERRY_SERVER)'))
    .addOption(new Option('--token <token>', 'your API token (FERRY_TOKEN)'))
    .addOption(new Option('--workspace <idOrName>', "the workspace (FERRY_WORKSPACE; default: your first)"))
    .showSuggestionAfterError()
    .addHelpText('after', `\n${exitCodesHelp}\n\n${environmentHelp}`);

  const commands = [registerServe, registerAdmin, registerWhoami, registerLs, registerMkdir, registerPut, registerGet, registerMv, registerRm, registerRestore, registerVersions, registerShare, registerEvents, registerSync, registerEmulators];
  for (const register of commands) register(program, runtime);

  const configure = (command: Command): void => {
    command.exitOverride();
    command.configureOutput({
      writeOut: (text) => runtime.stdout.write(text),
      writeErr: (text) => runtime.stderr.write(text),
    });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** Runs `ferry` with `argv` (without the node and script entries) and returns the exit code. */
export async function runCli(argv: readonly string[], runtime: CliRuntime): Promise<number> {
  const program = buildProgram(runtime);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommandExit) return error.exitCode;
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return exitCodes.ok;
      if (error.code === 'commander.executeSubCommandAsync') return exitCodes.failure;
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    const json = program.opts<{ json?: boolean }>().json === true;
    if (json) {
      const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'error';
      const message = error instanceof FerryError ? error.message : messageFor(error);
      runtime.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
    } else runtime.stderr.write(`ferry: ${messageFor(error)}\n`);
    if (!isExpected(error) && runtime.env.FERRY_DEBUG && error instanceof Error && error.stack) runtime.stderr.write(`${error.stack}\n`);
    return exitCodeFor(error);
  }
}
