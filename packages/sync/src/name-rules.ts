/**
 * @module name-rules
 * Whether a replica can hold a name (given its capabilities), and the key
 * under which two names collide on a case-insensitive or normalising replica.
 */
import type { DriverCapabilities } from './driver.js';

const encoder = new TextEncoder();
const reservedWindowsName = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** Why `name` cannot exist on a replica with these capabilities, or null when it can. */
export function nameProblem(name: string, capabilities: DriverCapabilities): string | null {
  if (encoder.encode(name).length > capabilities.maxNameBytes) {
    return `the name is longer than ${capabilities.maxNameBytes} bytes`;
  }
  for (const character of capabilities.forbiddenCharacters) {
    if (name.includes(character)) return `the name contains the forbidden character "${character}"`;
  }
  if (capabilities.forbiddenCharacters.length > 0 && [...name].some((character) => character.charCodeAt(0) < 0x20)) {
    return 'the name contains a control character';
  }
  if (capabilities.forbidsReservedNames && reservedWindowsName.test(name)) {
    return `"${name}" is a reserved device name`;
  }
  if (capabilities.forbidsTrailingDotOrSpace && /[. ]$/.test(name)) {
    return 'the name ends with a dot or a space';
  }
  return null;
}

/** The first problem of any segment of `path`, or null. */
export function pathProblem(path: string, capabilities: DriverCapabilities): string | null {
  for (const segment of path.split('/')) {
    const problem = nameProblem(segment, capabilities);
    if (problem !== null) return `${problem} ("${segment}")`;
  }
  return null;
}

/**
 * Two names with the same key are the same entry on this replica. Case
 * folding alone does not normalise: Dropbox and NTFS hold "café" in NFC and
 * in NFD side by side.
 */
export function nameKey(name: string, capabilities: DriverCapabilities): string {
  const key = capabilities.normalizesUnicode ? name.normalize('NFC') : name;
  return capabilities.caseInsensitive ? key.toLowerCase() : key;
}

/** The collision key of a whole path (each segment folded). */
export function pathKey(path: string, capabilities: DriverCapabilities): string {
  if (!capabilities.caseInsensitive && !capabilities.normalizesUnicode) return path;
  return path
    .split('/')
    .map((segment) => nameKey(segment, capabilities))
    .join('/');
}
