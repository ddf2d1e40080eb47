#!/usr/bin/env node
/**
 * @module bin
 * The `ferry` executable: runs the program on this process and exits with its code.
 */
import { runCli } from './program.js';
import type { CliRuntime } from './runtime.js';

const runtime: CliRuntime = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  onInterrupt(onSignal) {
    const handler = (signal: NodeJS.Signals) => onSignal(signal);
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

// Writing to a closed pipe (e.g. `ferry ls | head`) ends quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});

const code = await runCli(process.argv.slice(2), runtime);
// Exit once stdout and stderr are flushed: idle keep-alive sockets must not keep a finished command alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
