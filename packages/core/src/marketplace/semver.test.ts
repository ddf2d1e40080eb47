/**
 * @module marketplace/semver.test
 * Versions order as SemVer says, and ranges in npm's notation admit the versions they should.
 */
import { describe, expect, it } from 'vitest';
import { compareVersions, isSemVer, isSemVerRange, satisfiesRange } from './semver.js';

describe('semver', () => {
  it('orders versions, pre-releases before their release', () => {
    const sorted = ['1.10.0', '1.2.0', '1.2.0-beta.2', '1.2.0-beta.10', '0.9.9', '1.2.0-alpha'].sort(compareVersions);
    expect(sorted).toEqual(['0.9.9', '1.2.0-alpha', '1.2.0-beta.2', '1.2.0-beta.10', '1.2.0', '1.10.0']);
    expect(isSemVer('1.2')).toBe(false);
    expect(isSemVer('01.2.3')).toBe(false);
  });

  it('checks ranges: comparators, caret, tilde, x-ranges and alternatives', () => {
    expect(satisfiesRange('0.1.0', '>=0.1.0 <1.0.0')).toBe(true);
    expect(satisfiesRange('1.0.0', '>=0.1.0 <1.0.0')).toBe(false);
    expect(satisfiesRange('1.4.2', '^1.2.0')).toBe(true);
    expect(satisfiesRange('2.0.0', '^1.2.0')).toBe(false);
    expect(satisfiesRange('0.2.5', '^0.2.1')).toBe(true);
    expect(satisfiesRange('0.3.0', '^0.2.1')).toBe(false);
    expect(satisfiesRange('1.2.9', '~1.2.0')).toBe(true);
    expect(satisfiesRange('1.3.0', '~1.2.0')).toBe(false);
    expect(satisfiesRange('1.9.0', '1.x')).toBe(true);
    expect(satisfiesRange('3.0.0', '1.x || >=3')).toBe(true);
    expect(satisfiesRange('5.0.0', '*')).toBe(true);
    expect(isSemVerRange('>= 1.0.0')).toBe(true);
    expect(isSemVerRange('banana')).toBe(false);
    expect(satisfiesRange('1.0.0', 'banana')).toBe(false);
  });
});
