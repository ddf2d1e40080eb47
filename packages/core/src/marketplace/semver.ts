/**
 * @module marketplace/semver
 * The part of Semantic Versioning the marketplace needs: parse and compare
 * `MAJOR.MINOR.PATCH[-pre]` versions, and test a version against a range in
 * npm's notation (`>=0.1.0 <2.0.0`, `^1.2.0`, `~1.2.0`, `1.x`, `*`, `a || b`).
 * Isomorphic and dependency-free.
 */

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers (`1.0.0-beta.2` → ['beta', '2']); empty for a release. */
  prerelease: string[];
}

const versionPattern = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function parseSemVer(text: string): SemVer | null {
  const match = versionPattern.exec(text.trim());
  if (match === null) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]), prerelease: match[4] === undefined ? [] : match[4].split('.') };
}

export function isSemVer(text: string): boolean {
  return parseSemVer(text) !== null;
}

function compareIdentifiers(a: string, b: string): number {
  const numericA = /^\d+$/.test(a);
  const numericB = /^\d+$/.test(b);
  if (numericA && numericB) return Math.sign(Number(a) - Number(b));
  if (numericA) return -1;
  if (numericB) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when a < b, 0 when equal, positive when a > b (SemVer 2.0.0 precedence). */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return Math.sign(a[key] - b[key]);
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return Math.sign(b.prerelease.length - a.prerelease.length);
  for (let index = 0; index < Math.max(a.prerelease.length, b.prerelease.length); index += 1) {
    const left = a.prerelease[index];
    const right = b.prerelease[index];
    if (left === undefined) return -1;
    if (right === undefined) return 1;
    const order = compareIdentifiers(left, right);
    if (order !== 0) return order;
  }
  return 0;
}

/** Compares two version strings; throws on one that is not a version. */
export function compareVersions(a: string, b: string): number {
  const left = parseSemVer(a);
  const right = parseSemVer(b);
  if (left === null || right === null) throw new Error(`Not a semantic version: "${left === null ? a : b}"`);
  return compareSemVer(left, right);
}

type Operator = '<' | '<=' | '>' | '>=' | '=';
interface Comparator {
  operator: Operator;
  version: SemVer;
}

const partialPattern = /^(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?$/;

function version(major: number, minor: number, patch: number, prerelease: string[] = []): SemVer {
  return { major, minor, patch, prerelease };
}

/** Expands one range term (`^1.2.0`, `>=1.0.0`, `1.x`) into plain comparators, or null when it is not one. */
function expandTerm(term: string): Comparator[] | null {
  const operatorMatch = /^(\^|~|>=|<=|>|<|=)?\s*(.*)$/.exec(term);
  if (operatorMatch === null) return null;
  const prefix = operatorMatch[1] ?? '';
  const rest = operatorMatch[2] ?? '';
  if (rest === '*' || rest === '' || /^[xX]$/.test(rest)) return prefix === '' || prefix === '>=' ? [] : null;
  const parts = partialPattern.exec(rest);
  if (parts === null) return null;
  const wild = (value: string | undefined) => value === undefined || /^[xX*]$/.test(value);
  const major = Number(parts[1]);
  if (wild(parts[1])) return [];
  const minor = wild(parts[2]) ? null : Number(parts[2]);
  const patch = wild(parts[3]) ? null : Number(parts[3]);
  const prerelease = parts[4] === undefined ? [] : parts[4].split('.');
  const low = version(major, minor ?? 0, patch ?? 0, prerelease);
  if (prefix === '^') {
    const high = major > 0 || minor === null ? version(major + 1, 0, 0) : (minor ?? 0) > 0 || patch === null ? version(0, (minor ?? 0) + 1, 0) : version(0, 0, (patch ?? 0) + 1);
    return [{ operator: '>=', version: low }, { operator: '<', version: high }];
  }
  if (prefix === '~') {
    const high = minor === null ? version(major + 1, 0, 0) : version(major, minor + 1, 0);
    return [{ operator: '>=', version: low }, { operator: '<', version: high }];
  }
  if (minor === null || patch === null) {
    // A partial version: `1` or `1.2` (with or without an operator).
    const high = minor === null ? version(major + 1, 0, 0) : version(major, minor + 1, 0);
    if (prefix === '' || prefix === '=') return [{ operator: '>=', version: low }, { operator: '<', version: high }];
    if (prefix === '>') return [{ operator: '>=', version: high }];
    if (prefix === '<=') return [{ operator: '<', version: high }];
    return [{ operator: prefix as Operator, version: low }];
  }
  return [{ operator: prefix === '' ? '=' : (prefix as Operator), version: low }];
}

/** The range's alternatives (split on `||`), each a list of comparators; null when the text is not a range. */
function parseRange(range: string): Comparator[][] | null {
  const alternatives: Comparator[][] = [];
  for (const alternative of range.split('||')) {
    // `>= 1.0.0` → `>=1.0.0`; terms are separated by spaces.
    const terms = alternative.trim().replace(/(\^|~|>=|<=|>|<|=)\s+/g, '$1').split(/\s+/).filter((term) => term !== '');
    const comparators: Comparator[] = [];
    for (const term of terms) {
      const expanded = expandTerm(term);
      if (expanded === null) return null;
      comparators.push(...expanded);
    }
    alternatives.push(comparators);
  }
  return alternatives;
}

export function isSemVerRange(range: string): boolean {
  return range.trim() !== '' && parseRange(range) !== null;
}

function holds(comparator: Comparator, candidate: SemVer): boolean {
  const order = compareSemVer(candidate, comparator.version);
  switch (comparator.operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '=':
      return order === 0;
  }
}

/** Whether `candidate` satisfies `range`; false for a malformed version or range. */
export function satisfiesRange(candidate: string, range: string): boolean {
  const parsed = parseSemVer(candidate);
  const alternatives = parseRange(range);
  if (parsed === null || alternatives === null) return false;
  return alternatives.some((comparators) => comparators.every((comparator) => holds(comparator, parsed)));
}
