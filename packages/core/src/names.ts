/**
 * @module names
 * The rules for a file or folder name, checked the same way by the server,
 * the CLI, the web console and the sync engine.
 */
import { fail, FerryError, ok, type Result } from './errors.js';

export const maxNameBytes = 255;

const encoder = new TextEncoder();

/** True when the string holds an unpaired UTF-16 surrogate (i.e. it came from invalid UTF-8 or bad JS). */
export function hasLoneSurrogate(value: string): boolean {
  return !value.isWellFormed();
}

function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function checkName(name: string): Result<string> {
  if (name.length === 0) return fail(new FerryError('invalid_name', 'A name cannot be empty.'));
  if (hasLoneSurrogate(name) || name.includes('\uFFFD')) {
    return fail(new FerryError('invalid_name', 'A name must be valid UTF-8.'));
  }
  if (name === '.' || name === '..') return fail(new FerryError('invalid_name', `"${name}" is not a usable name.`));
  if (name.includes('/')) return fail(new FerryError('invalid_name', 'A name cannot contain "/".'));
  if (name.includes('\\')) return fail(new FerryError('invalid_name', 'A name cannot contain "\\".'));
  if (hasControlCharacter(name)) return fail(new FerryError('invalid_name', 'A name cannot contain control characters or NUL.'));
  if (encoder.encode(name).length > maxNameBytes) {
    return fail(new FerryError('invalid_name', `A name can be at most ${maxNameBytes} bytes of UTF-8.`));
  }
  return ok(name.normalize('NFC'));
}

/** Splits "/a/b/c" into checked segments; "/" and "" give []. */
export function splitPath(path: string): Result<string[]> {
  const segments = path.split('/').filter((segment) => segment.length > 0);
  const checked: string[] = [];
  for (const segment of segments) {
    const result = checkName(segment);
    if (!result.ok) return result;
    checked.push(result.value);
  }
  return ok(checked);
}
