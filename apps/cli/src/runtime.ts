/**
 * @module runtime
 * What a command runs with: the process streams and environment (passed in,
 * so that the program can also be run inside another process), the global
 * options, and the output.
 */
import type { Command } from 'commander';
import { Output } from './output.js';

export interface CliRuntime {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  /** Runs `onSignal` on SIGINT/SIGTERM until the returned function is called. */
  onInterrupt(onSignal: (signal: string) => void): () => void;
}

/** Options every command accepts (declared on the program). */
export interface GlobalOptions {
  json?: boolean;
  server?: string;
  token?: string;
  workspace?: string;
}

export function globalsOf(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<GlobalOptions>();
  return { json: options.json, server: options.server, token: options.token, workspace: options.workspace };
}

export function outputFor(runtime: CliRuntime, command: Command): Output {
  return new Output({ stdout: runtime.stdout, stderr: runtime.stderr }, globalsOf(command).json === true);
}
