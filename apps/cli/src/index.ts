/**
 * @module @ferry/cli
 * The `ferry` command as a library: build the program or run it with a given
 * argv and streams (the `bin.ts` entry runs it on the process).
 */
export { buildProgram, runCli } from './program.js';
export { exitCodes, exitCodeFor, UsageError } from './exit-codes.js';
export type { CliRuntime } from './runtime.js';
