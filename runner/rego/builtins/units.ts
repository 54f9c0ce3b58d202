/** units.parse and units.parse_bytes (OPA topdown/units.go, parse_bytes.go). */
import type { BuiltinDecl } from './types.ts';
import type { Value } from '../value.ts';
import { builtinError, str } from './operands.ts';
import { decMul, decTrunc, fromDec, intToNum, type Dec } from './numeric.ts';

const K = 1000n;
const KI = 1024n;
const pow = (b: bigint, n: number): Dec => ({ m: b ** BigInt(n), e: 0 });

// Decimal and binary multipliers; `m` (milli) only for units.parse.
const UNITS: Record<string, Dec> = {
  '': { m: 1n, e: 0 },
  m: { m: 1n, e: -3 },
  k: pow(K, 1),
  K: pow(K, 1),
  ki: pow(KI, 1),
  Ki: pow(KI, 1),
  M: pow(K, 2),
  mi: pow(KI, 2),
  Mi: pow(KI, 2),
  g: pow(K, 3),
  G: pow(K, 3),
  gi: pow(KI, 3),
  Gi: pow(KI, 3),
  t: pow(K, 4),
  T: pow(K, 4),
  ti: pow(KI, 4),
  Ti: pow(KI, 4),
  p: pow(K, 5),
  P: pow(K, 5),
  pi: pow(KI, 5),
  Pi: pow(KI, 5),
  e: pow(K, 6),
  E: pow(K, 6),
  ei: pow(KI, 6),
  Ei: pow(KI, 6),
};

const BYTE_UNITS: Record<string, Dec> = { '': { m: 1n, e: 0 } };
for (const [i, p] of ['k', 'm', 'g', 't', 'p', 'e'].entries()) {
  BYTE_UNITS[p] = BYTE_UNITS[p + 'b'] = pow(K, i + 1);
  BYTE_UNITS[p + 'i'] = BYTE_UNITS[p + 'ib'] = pow(KI, i + 1);
}

/**
 * Leading number (digits, '.', and an exponent only when `e` is followed by a
 * digit, so `5E` is five exa) and the unit after it.
 */
function split(s: string): { num: string; unit: string } {
  const m = /^[+-]?[0-9.]*(?:[eE][+-]?[0-9]+)?/.exec(s)!;
  let num = m[0];
  if (!/[0-9]/.test(num.replace(/[eE].*$/, ''))) num = '';
  return { num, unit: s.slice(num.length) };
}

function parseAmount(num: string, label: string): Dec {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(num);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw builtinError(`could not parse ${label} to a number`);
  const exp = Number(m[4] ?? 0);
  if (Math.abs(exp) > 10000) throw builtinError('exponent too large');
  const frac = m[3] ?? '';
  return { m: BigInt((m[1] === '-' ? '-' : '') + (m[2] || '0') + frac), e: exp - frac.length };
}

function prepare(raw: string): string {
  // OPA strips embedded quotes first (resource strings pasted with quotes).
  const s = raw.replace(/"/g, '');
  if (s.includes(' ')) throw builtinError('spaces not allowed in resource strings');
  return s;
}

function parse(args: Value[]): Value {
  const s = prepare(str(args, 0));
  const { num, unit: rawUnit } = split(s);
  if (num === '') throw builtinError('no amount provided');
  // Only the letters after the first are case-folded, keeping m (milli) and M (mega) apart.
  const unit = rawUnit.length > 1 ? rawUnit[0] + rawUnit.slice(1).toLowerCase() : rawUnit;
  const mult = UNITS[unit];
  if (!mult) throw builtinError(`unknown unit ${JSON.stringify(rawUnit)}`);
  const amount = parseAmount(num, 'amount');
  return fromDec(decMul(amount, mult));
}

function parseBytes(args: Value[]): Value {
  const s = prepare(str(args, 0));
  const { num, unit } = split(s);
  if (num === '') throw builtinError('no byte amount provided');
  const mult = BYTE_UNITS[unit.toLowerCase()];
  if (!mult) throw builtinError(`byte unit ${JSON.stringify(unit)} not recognized`);
  const amount = parseAmount(num, 'byte amount');
  return intToNum(decTrunc(decMul(amount, mult)).int); // whole bytes
}

export const UNITS_FAMILY: BuiltinDecl[] = [
  { name: 'units.parse', args: ['string'], result: 'number', impl: parse },
  { name: 'units.parse_bytes', args: ['string'], result: 'number', impl: parseBytes },
];
