/** semver.is_valid and semver.compare (Semantic Versioning 2.0.0, no `v` prefix), as OPA. */
import type { BuiltinDecl } from './types.ts';
import type { Value } from '../value.ts';
import { builtinError, str } from './operands.ts';

// The regular expression published with the SemVer 2.0.0 specification.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

interface Version {
  core: [bigint, bigint, bigint];
  pre: string[];
}

function parse(s: string, pos: number): Version {
  const m = SEMVER.exec(s);
  if (!m) throw builtinError(`operand ${pos}: string ${JSON.stringify(s)} is not a valid SemVer`);
  return { core: [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)], pre: m[4] ? m[4].split('.') : [] };
}

function cmpIdent(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (an) return -1; // numeric identifiers have lower precedence
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: string, b: string): number {
  const x = parse(a, 1);
  const y = parse(b, 2);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i]! < y.core[i]! ? -1 : 1;
  if (x.pre.length === 0 || y.pre.length === 0) return x.pre.length === y.pre.length ? 0 : x.pre.length === 0 ? 1 : -1;
  const n = Math.min(x.pre.length, y.pre.length);
  for (let i = 0; i < n; i++) {
    const c = cmpIdent(x.pre[i]!, y.pre[i]!);
    if (c !== 0) return c;
  }
  return Math.sign(x.pre.length - y.pre.length);
}

export const SEMVER_FAMILY: BuiltinDecl[] = [
  { name: 'semver.is_valid', args: ['any'], result: 'boolean', impl: ([v]) => typeof v === 'string' && SEMVER.test(v) },
  {
    name: 'semver.compare',
    args: ['string', 'string'],
    result: 'number',
    impl: (args: Value[]) => compareSemver(str(args, 0), str(args, 1)),
  },
];
