/** Set operators and functions (OPA topdown/sets.go) and the `in` operator. */
import type { BuiltinDecl } from './types.ts';
import { RObject, RSet, equal, typeName, type Value } from '../value.ts';
import { operandError, set, isNum } from './operands.ts';

function and(args: Value[]): Value {
  const a = set(args, 0);
  const b = set(args, 1);
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  const out = new RSet();
  for (const v of small) if (big.has(v)) out.add(v);
  return out;
}

function or(args: Value[]): Value {
  const a = set(args, 0);
  const b = set(args, 1);
  const out = new RSet();
  for (const v of a) out.add(v);
  for (const v of b) out.add(v);
  return out;
}

/** The elements of a set of sets: `operand 1 must be set of sets but got set containing number`. */
function setOfSets(args: Value[]): RSet[] {
  const s = set(args, 0);
  const out: RSet[] = [];
  for (const v of s) {
    if (!(v instanceof RSet)) throw operandError(1, `must be set of sets but got set containing ${typeName(v)}`);
    out.push(v);
  }
  return out;
}

function intersection(args: Value[]): Value {
  const sets = setOfSets(args);
  if (sets.length === 0) return new RSet();
  sets.sort((x, y) => x.size - y.size);
  const out = new RSet();
  outer: for (const v of sets[0]!) {
    for (let i = 1; i < sets.length; i++) if (!sets[i]!.has(v)) continue outer;
    out.add(v);
  }
  return out;
}

function union(args: Value[]): Value {
  const out = new RSet();
  for (const s of setOfSets(args)) for (const v of s) out.add(v);
  return out;
}

/** `x in coll`: membership among an array's or object's values, or a set's elements; false otherwise. */
function member2(args: Value[]): Value {
  const [x, coll] = args as [Value, Value];
  if (coll instanceof RSet) return coll.has(x);
  if (Array.isArray(coll)) {
    for (const v of coll) if (equal(v, x)) return true;
    return false;
  }
  if (coll instanceof RObject) {
    for (const [, v] of coll.entries()) if (equal(v, x)) return true;
    return false;
  }
  return false;
}

/** `k, v in coll`: an array index or object key holding that value. */
function member3(args: Value[]): Value {
  const [k, x, coll] = args as [Value, Value, Value];
  if (Array.isArray(coll)) {
    if (!isNum(k)) return false;
    const i = Number(k);
    return Number.isInteger(i) && i >= 0 && i < coll.length && equal(coll[i]!, x);
  }
  if (coll instanceof RObject) {
    const v = coll.get(k);
    return v !== undefined && equal(v, x);
  }
  return false;
}

const ANY_SET = { set: 'any' } as const;

export const SETS: BuiltinDecl[] = [
  { name: 'and', args: [ANY_SET, ANY_SET], result: ANY_SET, impl: and },
  { name: 'or', args: [ANY_SET, ANY_SET], result: ANY_SET, impl: or },
  { name: 'intersection', args: [{ set: ANY_SET }], result: ANY_SET, impl: intersection },
  { name: 'union', args: [{ set: ANY_SET }], result: ANY_SET, impl: union },
  { name: 'internal.member_2', args: ['any', 'any'], result: 'boolean', impl: member2 },
  { name: 'internal.member_3', args: ['any', 'any', 'any'], result: 'boolean', impl: member3 },
];
