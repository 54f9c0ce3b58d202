/** Aggregates (OPA topdown/aggregates.go): count, sum, product, max, min, sort, all, any. */
import type { BuiltinDecl, TypeSpec } from './types.ts';
import { RObject, RSet, compare, type Value } from '../value.ts';
import { arrayOrSet, elementError, isNum, typeError } from './operands.ts';
import { decAdd, decMul, fromDec, toDec, type Dec } from './numeric.ts';

function count(args: Value[]): Value {
  const v = args[0]!;
  if (typeof v === 'string') {
    let n = 0;
    for (const _ of v) n++; // code points, as Go counts runes
    return n;
  }
  if (Array.isArray(v)) return v.length;
  if (v instanceof RSet || v instanceof RObject) return v.size;
  throw typeError(1, v, 'array', 'object', 'set', 'string');
}

function numbers(args: Value[]): readonly Value[] {
  const coll = args[0]!;
  const items = arrayOrSet(args, 0, 'set', 'array');
  for (const x of items) if (!isNum(x)) throw elementError(1, coll, x, 'number');
  return items;
}

function fold(args: Value[], init: bigint, op: (a: Dec, b: Dec) => Dec): Value {
  let acc: Dec = { m: init, e: 0 };
  for (const x of numbers(args)) acc = op(acc, toDec(x as number | bigint));
  return fromDec(acc);
}

function extreme(args: Value[], sign: number): Value | undefined {
  const items = arrayOrSet(args, 0, 'set', 'array');
  if (items.length === 0) return undefined; // max([]) is undefined in OPA
  let best = items[0] as Value;
  for (const x of items) if (compare(x, best) * sign > 0) best = x;
  return best;
}

function booleans(args: Value[]): readonly Value[] {
  return arrayOrSet(args, 0, 'array', 'set'); // all/any name the types in this order in OPA
}

const COLL: TypeSpec = { oneOf: [{ array: 'any' }, { set: 'any' }] };
const NUMS: TypeSpec = { oneOf: [{ array: 'number' }, { set: 'number' }] };

export const AGGREGATES: BuiltinDecl[] = [
  {
    name: 'count',
    args: [{ oneOf: [{ array: 'any' }, { object: ['any', 'any'] }, { set: 'any' }, 'string'] }],
    result: 'number',
    impl: count,
  },
  { name: 'sum', args: [NUMS], result: 'number', impl: (args) => fold(args, 0n, decAdd) },
  { name: 'product', args: [NUMS], result: 'number', impl: (args) => fold(args, 1n, decMul) },
  { name: 'max', args: [COLL], result: 'any', impl: (args) => extreme(args, 1) },
  { name: 'min', args: [COLL], result: 'any', impl: (args) => extreme(args, -1) },
  { name: 'sort', args: [COLL], result: { array: 'any' }, impl: (args) => [...arrayOrSet(args, 0, 'set', 'array')].sort(compare) },
  { name: 'all', args: [COLL], result: 'boolean', impl: (args) => booleans(args).every((x) => x === true) },
  { name: 'any', args: [COLL], result: 'boolean', impl: (args) => booleans(args).some((x) => x === true) },
];
