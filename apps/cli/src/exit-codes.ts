/**
 * @module exit-codes
 * The one mapping from errors to exit codes and to the message a user reads
 * on stderr. Expected errors never print a stack trace.
 */
import { FerryError } from '@ferry/core/errors';

export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  conflict: 5,
  unavailable: 6,
  interrupted: 130,
} as const;

/** Shown at the end of `ferry --help`. */
export const exitCodesHelp = `Exit codes:
  0    success
  1    failure (server error, integrity check failed, anything else)
  2    usage error (bad or missing option or argument, invalid name)
  3    not found (no such path, file, share, user, or workspace; gone)
  4    authentication failure (missing, unknown or expired token; no permission)
  5    conflict or precondition failed (name taken, changed meanwhile)
  6    server unreachable or unavailable
  130  interrupted (a second Ctrl-C while closing)`;

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A local file system failure, with the path it concerns. */
interface SystemError extends Error {
  code: string;
  path?: string;
}

function isSystemError(error: unknown): error is SystemError {
  return error instanceof Error && typeof (error as Partial<SystemError>).code === 'string' && /^E[A-Z]+$/.test((error as SystemError).code);
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return exitCodes.usage;
  if (error instanceof FerryError) {
    if (error.code === 'unavailable') return exitCodes.unavailable;
    switch (error.status) {
      case 400:
        return error.code === 'digest_mismatch' || error.code === 'size_mismatch' ? exitCodes.failure : exitCodes.usage;
      case 401:
      case 403:
        return exitCodes.auth;
      case 404:
      case 410:
        return exitCodes.notFound;
      case 409:
      case 412:
      case 428:
        return exitCodes.conflict;
      default:
        return exitCodes.failure;
    }
  }
  if (isSystemError(error)) {
    if (error.code === 'ENOENT') return exitCodes.notFound;
    if (error.code === 'EEXIST' || error.code === 'ENOTDIR' || error.code === 'EISDIR') return exitCodes.conflict;
  }
  return exitCodes.failure;
}

/** The one-line message for stderr. */
export function messageFor(error: unknown): string {
  if (error instanceof FerryError) return `${error.message} (${error.code})`;
  if (isSystemError(error)) {
    const what: Record<string, string> = {
      ENOENT: 'No such file or folder',
      EACCES: 'Permission denied',
      EPERM: 'Operation not permitted',
      EEXIST: 'Already exists',
      ENOTDIR: 'Not a folder',
      EISDIR: 'Is a folder',
      ENOSPC: 'No space left on the device',
    };
    const text = what[error.code];
    if (text !== undefined) return error.path ? `${text}: ${error.path}` : text;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Whether the error is one a user can act on (no stack trace), or a bug. */
export function isExpected(error: unknown): boolean {
  return error instanceof UsageError || error instanceof FerryError || isSystemError(error);
}
