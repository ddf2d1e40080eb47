/**
 * @module program
 * The `ferry` command: global options, every sub-command, and one place where
 * errors become a message on stderr and an exit code.
 *
 * Each sub-command's module loads only when that command runs (all of them
 * for the help and for a name that is not a command), so `ferry sync` of two
 * local folders starts without the API client's schemas or the server.
 */
import { readFileSync } from 'node:fs';
import { FerryError } from '@ferry/core/errors';
import { Command, CommanderError, Option } from 'commander';
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
    return typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string' ? raw.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

type RegisterCommand = (program: Command, runtime: CliRuntime) => void;

/** The sub-commands in help order: name → a loader of the module that registers it. */
const commandModules: ReadonlyArray<readonly [string, () => Promise<RegisterCommand>]> = [
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['admin', async () => (await import('./commands/admin.js')).registerAdmin],
  ['whoami', async () => (await import('./commands/whoami.js')).registerWhoami],
  ['ls', async () => (await import('./commands/ls.js')).registerLs],
  ['mkdir', async () => (await import('./commands/mkdir.js')).registerMkdir],
  ['put', async () => (await import('./commands/put.js')).registerPut],
  ['get', async () => (await import('./commands/get.js')).registerGet],
  ['mv', async () => (await import('./commands/mv.js')).registerMv],
  ['rm', async () => (await import('./commands/rm.js')).registerRm],
  ['restore', async () => (await import('./commands/restore.js')).registerRestore],
  ['versions', async () => (await import('./commands/versions.js')).registerVersions],
  ['share', async () => (await import('./commands/share.js')).registerShare],
  ['events', async () => (await import('./commands/events.js')).registerEvents],
  ['sync', async () => (await import('./commands/sync.js')).registerSync],
  ['emulators', async () => (await import('./commands/emulators.js')).registerEmulators],
];

/** Global options that take a value as the next argument. */
const globalsWithValue = new Set(['--server', '--token', '--workspace']);

/** The sub-command `argv` names (its first word that is not a global option or its value), or null. */
export function invokedCommand(argv: readonly string[]): string | null {
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index] as string;
    if (word === '--' || word === '-h' || word === '--help') return null; // the root's help lists every command
    if (globalsWithValue.has(word)) index++;
    else if (!word.startsWith('-')) return commandModules.some(([name]) => name === word) ? word : null;
  }
  return null;
}

/** The program with the sub-command `argv` names, or with all of them (help, or no known name). */
export async function buildProgram(runtime: CliRuntime, argv: readonly string[] = []): Promise<Command> {
  const program = new Command('ferry')
    .description("Ferry: your team's files, from the command line.")
    .version(version(), '-V, --version')
    .addOption(new Option('--json', 'machine output: one JSON document, or JSON lines for streams'))
    .addOption(new Option('--server <url>', 'the Ferry server, e.g. http://127.0.0.1:8080 (FERRY_SERVER)'))
    .addOption(new Option('--token <token>', 'your API token (FERRY_TOKEN)'))
    .addOption(new Option('--workspace <idOrName>', "the workspace (FERRY_WORKSPACE; default: your first)"))
    .showSuggestionAfterError()
    .addHelpText('after', `\n${exitCodesHelp}\n\n${environmentHelp}`);

  const invoked = invokedCommand(argv);
  const needed = commandModules.filter(([name]) => invoked === null || name === invoked);
  const registers = await Promise.all(needed.map(([, load]) => load()));
  for (const register of registers) register(program, runtime);

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
  const program = await buildProgram(runtime, argv);
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
