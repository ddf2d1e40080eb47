/**
 * @module read-secret
 * Reading a secret (a password) from stdin, so it never has to be on the
 * command line where other users of the machine can see it.
 */
import { UsageError } from './exit-codes.js';

/** The first line of stdin, without its line ending. */
export async function readSecretFromStdin(stdin: NodeJS.ReadableStream, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    if (chunks.some((part) => part.includes(10))) break;
  }
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new UsageError(`No ${what} on stdin.`);
  return line;
}
