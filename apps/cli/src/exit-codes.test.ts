/**
 * @module exit-codes.test
 * Errors map to the exit codes `ferry --help` documents.
 */
import { FerryError } from '@ferry/core';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, isExpected, messageFor, UsageError } from './exit-codes.js';

describe('exitCodeFor', () => {
  it('maps error codes to the documented exit codes', () => {
    const cases: [unknown, number][] = [
      [new UsageError('bad'), 2],
      [new FerryError('invalid_name', 'x'), 2],
      [new FerryError('node_not_found', 'x'), 3],
      [new FerryError('share_expired', 'x'), 3],
      [new FerryError('unauthenticated', 'x'), 4],
      [new FerryError('forbidden', 'x'), 4],
      [new FerryError('name_conflict', 'x'), 5],
      [new FerryError('precondition_failed', 'x'), 5],
      [new FerryError('unavailable', 'x'), 6],
      [new FerryError('digest_mismatch', 'x'), 1],
      [new FerryError('internal', 'x'), 1],
      [Object.assign(new Error('nope'), { code: 'ENOENT', path: '/tmp/x' }), 3],
      [new Error('a bug'), 1],
    ];
    for (const [error, code] of cases) expect([messageFor(error), exitCodeFor(error)]).toEqual([messageFor(error), code]);
  });

  it('says what failed on which local path, and treats bugs as unexpected', () => {
    const missing = Object.assign(new Error("ENOENT: no such file or directory, stat '/tmp/x'"), { code: 'ENOENT', path: '/tmp/x' });
    expect(messageFor(missing)).toBe('No such file or folder: /tmp/x');
    expect(isExpected(missing)).toBe(true);
    expect(isExpected(new TypeError('undefined is not a function'))).toBe(false);
  });
});
