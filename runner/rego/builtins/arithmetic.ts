/**
 * Arithmetic (OPA topdown/arithmetic.go) and numbers.range.
 *
 * Exact decimal arithmetic (see numeric.ts) so results match OPA's
 * big-number computation: `0.1 + 0.2 == 0.3`, integers never overflow.
 */
import type { BuiltinDecl } from './types.ts';
import { RSet, type Num, type Value } from '../value.ts';
import { builtinError, int, isNum, isSet, num, typeError } from './operands.ts';
import {
  asBigInt,
  decAdd,
  decCeil,
  decDiv,
  decFloor,
  decIsZero,
  decMul,
  decRound,
  decSub,
  fromDec,
  intToNum,
  toDec,
} from './numeric.ts';

// Fast path: both safe integers whose result stays safe (the overwhelmingly common case).
function safeInts(a: Num, b: Num): boolean {
  return typeof a === 'number' && typeof b === 'number' && Number.isSafeInteger(a) && Number.isSafeInteger(b);
}

function plus(a: Num, b: Num): Num {
  if (safeInts(a, b)) {
    const r = (a as number) + (b as number);
    if (Number.isSafeInteger(r)) return r;
  }
  return fromDec(decAdd(toDec(a), toDec(b)));
}

function minusNum(a: Num, b: Num): Num {
  if (safeInts(a, b)) {
    const r = (a as number) - (b as number);
    if (Number.isSafeInteger(r)) return r;
  }
  return fromDec(decSub(toDec(a), toDec(b)));
}

function mul(a: Num, b: Num): Num {
  if (safeInts(a, b)) {
    const r = (a as number) * (b as number);
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  return fromDec(decMul(toDec(a), toDec(b)));
}

function minus(args: Value[]): Value {
  const [a, b] = args as [Value, Value];
  if (isNum(a) && isNum(b)) return minusNum(a, b);
  if (isSet(a) && isSet(b)) {
    const out = new RSet();
    for (const v of a) if (!b.has(v)) out.add(v);
    return out;
  }
  // Same operand blame order as OPA.
  if (!isNum(a) && !isSet(a)) throw typeError(1, a, 'number', 'set');
  if (isNum(a)) throw typeError(2, b, 'number');
  throw typeError(2, b, 'set');
}

function div(args: Value[]): Value {
  const a = num(args, 0);
  const b = num(args, 1);
  const db = toDec(b);
  if (decIsZero(db)) throw builtinError('divide by zero');
  return fromDec(decDiv(toDec(a), db));
}

function rem(args: Value[]): Value {
  const a = num(args, 0);
  const b = num(args, 1);
  const x = asBigInt(a);
  const y = asBigInt(b);
  if (x === undefined || y === undefined) throw builtinError('modulo on floating-point number');
  if (y === 0n) throw builtinError('modulo by zero');
  return intToNum(x % y); // truncated remainder: sign of the dividend, as Go's big.Int.Rem
}

const round1 = (f: (n: Num) => Num) => (args: Value[]) => f(num(args, 0));

function numbersRange(args: Value[]): Value {
  const a = int(args, 0);
  const b = int(args, 1);
  const out: Value[] = [];
  const step = a <= b ? 1n : -1n;
  for (let i = a; ; i += step) {
    out.push(intToNum(i));
    if (i === b) break;
  }
  return out;
}

function numbersRangeStep(args: Value[]): Value {
  const a = int(args, 0);
  const b = int(args, 1);
  const step = int(args, 2);
  if (step <= 0n) throw builtinError('step must be a positive integer');
  const out: Value[] = [];
  if (a <= b) for (let i = a; i <= b; i += step) out.push(intToNum(i));
  else for (let i = a; i >= b; i -= step) out.push(intToNum(i));
  return out;
}

const NUM2: ['number', 'number'] = ['number', 'number'];

export const ARITHMETIC: BuiltinDecl[] = [
  { name: 'plus', args: NUM2, result: 'number', impl: (args) => plus(num(args, 0), num(args, 1)) },
  {
    name: 'minus',
   
    args: [{ oneOf: ['number', { set: 'any' }] }, { oneOf: ['number', { set: 'any' }] }],
    result: { oneOf: ['number', { set: 'any' }] },
    impl: minus,
  },
  { name: 'mul', args: NUM2, result: 'number', impl: (args) => mul(num(args, 0), num(args, 1)) },
  { name: 'div', args: NUM2, result: 'number', impl: div },
  { name: 'rem', args: NUM2, result: 'number', impl: rem },
  { name: 'abs', args: ['number'], result: 'number', impl: round1((n) => (typeof n === 'bigint' ? (n < 0n ? -n : n) : Math.abs(n))) },
  { name: 'round', args: ['number'], result: 'number', impl: round1((n) => (typeof n === 'bigint' ? n : intToNum(decRound(toDec(n))))) },
  { name: 'ceil', args: ['number'], result: 'number', impl: round1((n) => (typeof n === 'bigint' ? n : intToNum(decCeil(toDec(n))))) },
  { name: 'floor', args: ['number'], result: 'number', impl: round1((n) => (typeof n === 'bigint' ? n : intToNum(decFloor(toDec(n))))) },
  { name: 'numbers.range', args: NUM2, result: { array: 'number' }, impl: numbersRange },
  { name: 'numbers.range_step', args: ['number', 'number', 'number'], result: { array: 'number' }, impl: numbersRangeStep },
];
