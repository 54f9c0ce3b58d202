/** to_number (OPA topdown/casts.go). */
import type { BuiltinDecl } from './types.ts';
import type { Value } from '../value.ts';
import { builtinError, isNum, typeError } from './operands.ts';
import { parseNumberText } from './numeric.ts';

// Go's strconv.ParseFloat syntax (decimal and hexadecimal floats; underscores
// only after a base prefix), minus inf/nan which OPA rejects as a type error.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const HEX = /^[+-]?0[xX](_?[0-9a-fA-F])*\.?[0-9a-fA-F_]*[pP][+-]?\d+$/;

function hexFloat(text: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F_]*)\.?([0-9a-fA-F_]*)[pP]([+-]?\d+)$/.exec(text)!;
  const int = m[2]!.replace(/_/g, '');
  const frac = m[3]!.replace(/_/g, '');
  const mant = parseInt(int + frac || '0', 16);
  const v = mant * 2 ** (Number(m[4]) - 4 * frac.length);
  return m[1] === '-' ? -v : v;
}

export function toNumber(args: Value[]): Value {
  const a = args[0]!;
  if (a === null) return 0;
  if (typeof a === 'boolean') return a ? 1 : 0;
  if (isNum(a)) return a;
  if (typeof a !== 'string') throw typeError(1, a, 'null', 'boolean', 'number', 'string');
  const lower = a.replace(/^[+-]+/, '').toLowerCase();
  if (lower === 'inf' || lower === 'infinity' || lower === 'nan') throw typeError(1, a, 'valid number string');
  if (DECIMAL.test(a)) {
    const n = parseNumberText(a);
    if (typeof n === 'number' && !Number.isFinite(n)) throw builtinError(`strconv.ParseFloat: parsing ${JSON.stringify(a)}: value out of range`);
    return n;
  }
  if (HEX.test(a)) return hexFloat(a);
  throw builtinError(`strconv.ParseFloat: parsing ${JSON.stringify(a)}: invalid syntax`);
}

export const CASTS: BuiltinDecl[] = [
  { name: 'to_number', args: [{ oneOf: ['null', 'boolean', 'number', 'string'] }], result: 'number', impl: toNumber },
];
