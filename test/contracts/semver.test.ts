import { describe, expect, it } from 'vitest';
import { compareVersions, parseRange, parseVersion, satisfies } from '../../runner/contracts/semver.ts';

describe('parseVersion', () => {
  it('parses full versions with prerelease and build', () => {
    expect(parseVersion('1.2.3-rc.1+build.5')).toMatchObject({ major: 1, minor: 2, patch: 3, prerelease: ['rc', 1] });
  });
  it.each(['1.0', '01.0.0', 'v1.0.0', '1.0.0-', '1.0.0-01', ''])('rejects %s', (s) => {
    expect(parseVersion(s)).toBeUndefined();
  });
});

describe('compareVersions (semver §11 precedence)', () => {
  const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0'];
  it('orders the spec example chain', () => {
    for (let i = 0; i + 1 < ordered.length; i++) {
      expect(compareVersions(parseVersion(ordered[i]!)!, parseVersion(ordered[i + 1]!)!), `${ordered[i]} < ${ordered[i + 1]}`).toBe(-1);
      expect(compareVersions(parseVersion(ordered[i + 1]!)!, parseVersion(ordered[i]!)!)).toBe(1);
    }
    expect(compareVersions(parseVersion('1.0.0+a')!, parseVersion('1.0.0+b')!)).toBe(0);
  });
});

describe('satisfies', () => {
  const cases: Array<[string, string, boolean]> = [
    ['1.0.0', '^1.0.0', true],
    ['1.9.3', '^1.0.0', true],
    ['2.0.0', '^1.0.0', false],
    ['0.9.9', '^1.0.0', false],
    ['1.2.0', '^1.2.3', false],
    ['0.2.5', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.5.0', '^1', true],
    ['0.5.0', '^0', true],
    ['1.0.0', '^0', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.2.0', '~1.2', true],
    ['1.9.0', '~1', true],
    ['2.0.0', '~1', false],
    ['1.0.0', '>=1.0.0 <2.0.0', true],
    ['2.0.0', '>=1.0.0 <2.0.0', false],
    ['2.0.0', '>= 1.0.0 < 2.0.0 || >=3.0.0', false],
    ['3.1.0', '>=1.0.0 <2.0.0 || >=3.0.0', true],
    ['1.0.0', '1.0.0', true],
    ['1.0.1', '=1.0.0', false],
    ['1.0.1', '>1.0.0', true],
    ['1.0.0', '<=1.0.0', true],
    // prerelease rule: only matched by a comparator on the same tuple with a prerelease
    ['2.0.0-rc.1', '^1.0.0', false],
    ['1.1.0-rc.1', '^1.0.0', false],
    ['1.0.0-rc.2', '^1.0.0-rc.1', true],
    ['1.0.1-rc.1', '^1.0.0-rc.1', false],
    ['1.0.0-rc.1', '^1.0.0', false],
    ['not-a-version', '^1.0.0', false],
  ];
  it.each(cases)('%s satisfies %s → %s', (ver, range, expected) => {
    expect(satisfies(ver, range)).toBe(expected);
  });
});

describe('parseRange', () => {
  it.each(['^x', '>=1.0', '~', '1.0.0 ||', 'latest'])('rejects %s with invalid_version_range', (r) => {
    const res = parseRange(r);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.diagnostics[0]!.code).toBe('invalid_version_range');
  });
});
