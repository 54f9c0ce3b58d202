/**
 * Semantic versions and the range syntax contract requirements use
 * (`contracts/requirements.yaml`: `contract.automation.v1: ^1.0.0`).
 *
 * Written here rather than imported because `semver` is only a transitive
 * dependency of this package (importing it would break the day a dependency
 * drops it). The subset follows node-semver's semantics exactly:
 *   - versions `MAJOR.MINOR.PATCH[-pre][+build]` (build metadata ignored);
 *   - comparators `=`, `>`, `>=`, `<`, `<=`, a bare version meaning `=`;
 *   - `^` and `~` (with partial versions: `^1`, `~1.2`), 0.x caret rules;
 *   - space-separated comparators are ANDed, `||` ORs comparator sets;
 *   - a prerelease version only satisfies a set with a comparator on the same
 *     MAJOR.MINOR.PATCH that itself has a prerelease (node-semver's rule, so
 *     `^1.0.0` never silently accepts `2.0.0-rc.1`).
 */
import { type Result, diag, fail, ok } from '../core/diagnostics.ts';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: Array<string | number>;
  raw: string;
}

const NUM = '(0|[1-9]\\d*)';
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
const VERSION_RE = new RegExp(`^${NUM}\\.${NUM}\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`);
const PARTIAL_RE = new RegExp(`^${NUM}(?:\\.${NUM}(?:\\.${NUM}(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?)?)?$`);

export function parseVersion(text: string): SemVer | undefined {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [],
    raw: text.trim(),
  };
}

function cmpIds(a: string | number, b: string | number): number {
  // Numeric identifiers sort before alphanumeric ones (semver §11.4.3).
  if (typeof a === 'number' && typeof b === 'number') return Math.sign(a - b);
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareVersions(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return Math.sign(a[k] - b[k]);
  }
  // A version without prerelease ranks above any of its prereleases.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return Math.sign(b.prerelease.length - a.prerelease.length);
  }
  const n = Math.max(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = cmpIds(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

type Op = '=' | '>' | '>=' | '<' | '<=';
interface Comparator {
  op: Op;
  version: SemVer;
}
/** OR of ANDs. */
export interface Range {
  raw: string;
  sets: Comparator[][];
}

function v(major: number, minor: number, patch: number, prerelease: Array<string | number> = []): SemVer {
  return { major, minor, patch, prerelease, raw: `${major}.${minor}.${patch}${prerelease.length ? '-' + prerelease.join('.') : ''}` };
}

function expand(token: string): Comparator[] | string {
  const m = /^(\^|~|>=|<=|>|<|=)?\s*(.*)$/.exec(token);
  const op = m?.[1] ?? '';
  const rest = m?.[2] ?? '';
  if (op === '^' || op === '~') {
    const p = PARTIAL_RE.exec(rest);
    if (!p) return `'${token}' is not a valid version range`;
    const major = Number(p[1]);
    const minor = p[2] === undefined ? undefined : Number(p[2]);
    const patch = p[3] === undefined ? undefined : Number(p[3]);
    const pre = p[4] ? p[4].split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : [];
    const low = v(major, minor ?? 0, patch ?? 0, pre);
    let high: SemVer;
    if (op === '~') {
      high = minor === undefined ? v(major + 1, 0, 0) : v(major, minor + 1, 0);
    } else if (major > 0 || minor === undefined) {
      high = v(major + 1, 0, 0);
    } else if (minor > 0 || patch === undefined) {
      high = v(0, minor + 1, 0);
    } else {
      high = v(0, 0, patch + 1);
    }
    // node-semver's upper bound is `<X.Y.Z-0`, which excludes the next
    // version's prereleases; with our prerelease rule `<X.Y.Z` is equivalent.
    return [
      { op: '>=', version: low },
      { op: '<', version: high },
    ];
  }
  const ver = parseVersion(rest);
  if (!ver) return `'${token}' is not a valid version or comparator`;
  return [{ op: (op || '=') as Op, version: ver }];
}

export function parseRange(text: string): Result<Range> {
  const sets: Comparator[][] = [];
  for (const alt of text.split('||')) {
    // Allow `>= 1.0.0` by gluing an operator to the version that follows it.
    const tokens = alt.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter(Boolean);
    if (tokens.length === 0) return fail(diag('invalid_version_range', `'${text}' has an empty alternative`));
    const set: Comparator[] = [];
    for (const t of tokens) {
      const c = expand(t);
      if (typeof c === 'string') return fail(diag('invalid_version_range', c));
      set.push(...c);
    }
    sets.push(set);
  }
  return ok({ raw: text, sets });
}

function test(c: Comparator, ver: SemVer): boolean {
  const r = compareVersions(ver, c.version);
  switch (c.op) {
    case '=':
      return r === 0;
    case '>':
      return r > 0;
    case '>=':
      return r >= 0;
    case '<':
      return r < 0;
    case '<=':
      return r <= 0;
  }
}

export function satisfies(version: SemVer | string, range: Range | string): boolean {
  const ver = typeof version === 'string' ? parseVersion(version) : version;
  if (!ver) return false;
  let r: Range;
  if (typeof range === 'string') {
    const parsed = parseRange(range);
    if (!parsed.ok) return false;
    r = parsed.value;
  } else {
    r = range;
  }
  return r.sets.some((set) => {
    if (!set.every((c) => test(c, ver))) return false;
    if (ver.prerelease.length === 0) return true;
    return set.some(
      (c) =>
        c.version.prerelease.length > 0 &&
        c.version.major === ver.major &&
        c.version.minor === ver.minor &&
        c.version.patch === ver.patch,
    );
  });
}
