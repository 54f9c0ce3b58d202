/** Object builtins (OPA topdown/object.go, subset.go). */
import { BuiltinError, type BuiltinDecl, type TypeSpec } from './types.ts';
import { RObject, RSet, equal, type Value } from '../value.ts';
import { arr, elementError, obj, typeError } from './operands.ts';

/** One step of a path through any collection: object key, array index, set element. */
export function step(cur: Value, key: Value): Value | undefined {
  if (cur instanceof RObject) return cur.get(key);
  if (Array.isArray(cur)) {
    if (typeof key !== 'number' && typeof key !== 'bigint') return undefined;
    const i = Number(key);
    return Number.isInteger(i) && i >= 0 && i < cur.length ? cur[i] : undefined;
  }
  if (cur instanceof RSet) return cur.has(key) ? key : undefined;
  return undefined;
}

function get(args: Value[]): Value {
  const o = obj(args, 0);
  const path = args[1]!;
  const dflt = args[2]!;
  if (!Array.isArray(path)) return o.get(path) ?? dflt;
  let cur: Value | undefined = o;
  for (const k of path) {
    cur = step(cur, k);
    if (cur === undefined) return dflt;
  }
  return cur;
}

/** Deep merge, the right-hand side winning unless both values are objects. */
export function merge(a: RObject, b: RObject): RObject {
  if (a.size === 0) return b;
  if (b.size === 0) return a;
  const out = RObject.fromEntries(a.entries());
  for (const [k, vb] of b.entries()) {
    const va = out.get(k);
    out.set(k, va instanceof RObject && vb instanceof RObject ? merge(va, vb) : vb);
  }
  return out;
}

function unionN(args: Value[]): Value {
  const list = arr(args, 0);
  let acc = new RObject();
  for (const x of list) {
    if (!(x instanceof RObject)) throw elementError(1, list, x, 'object');
    acc = merge(acc, x);
  }
  return acc;
}

/** Keys given as an array, a set, or an object's keys. */
function keysParam(args: Value[]): RSet {
  const v = args[1]!;
  if (Array.isArray(v)) return RSet.of(v);
  if (v instanceof RSet) return v;
  if (v instanceof RObject) return RSet.of(v.keys());
  throw typeError(2, v, 'object', 'set', 'array');
}

function remove(args: Value[]): Value {
  const o = obj(args, 0);
  const keys = keysParam(args);
  const out = new RObject();
  for (const [k, v] of o.entries()) if (!keys.has(k)) out.set(k, v);
  return out;
}

function filter(args: Value[]): Value {
  const o = obj(args, 0);
  const keys = keysParam(args);
  const out = new RObject();
  for (const k of keys) {
    const v = o.get(k);
    if (v !== undefined) out.set(k, v);
  }
  return out;
}

function objectSubset(sup: RObject, sub: RObject): boolean {
  for (const [k, vs] of sub.entries()) {
    const vp = sup.get(k);
    if (vp === undefined) return false;
    if (equal(vp, vs)) continue;
    if (vp instanceof RObject && vs instanceof RObject) {
      if (!objectSubset(vp, vs)) return false;
    } else if (vp instanceof RSet && vs instanceof RSet) {
      if (!setSubset(vp, vs)) return false;
    } else if (Array.isArray(vp) && Array.isArray(vs)) {
      if (!arraySubset(vp, vs)) return false;
    } else return false;
  }
  return true;
}

function setSubset(sup: RSet, sub: RSet): boolean {
  for (const v of sub) if (!sup.has(v)) return false;
  return true;
}

/** `sub` appears contiguously in `sup`. */
function arraySubset(sup: Value[], sub: Value[]): boolean {
  if (sub.length > sup.length) return false;
  outer: for (let i = 0; i + sub.length <= sup.length; i++) {
    for (let j = 0; j < sub.length; j++) if (!equal(sup[i + j]!, sub[j]!)) continue outer;
    return true;
  }
  return false;
}

/** Every set element occurs in the array. OPA answers false for an empty array, which we keep. */
function arraySetSubset(sup: Value[], sub: RSet): boolean {
  let unmatched = sub.size;
  for (const v of sup) {
    if (sub.has(v)) unmatched--;
    if (unmatched <= 0) return true;
  }
  return false;
}

function subset(args: Value[]): Value {
  const [sup, sub] = args as [Value, Value];
  if (sup instanceof RObject && sub instanceof RObject) return objectSubset(sup, sub);
  if (sup instanceof RSet && sub instanceof RSet) return setSubset(sup, sub);
  if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
  if (Array.isArray(sup) && sub instanceof RSet) return arraySetSubset(sup, sub);
  // OPA's exact text (builtins.ErrOperand), not the usual operand wording.
  throw new BuiltinError('eval_type_error', 'both arguments object.subset must be of the same type or array and set');
}

const ANY_OBJ: TypeSpec = { object: ['any', 'any'] };
const KEYS: TypeSpec = { oneOf: [{ array: 'any' }, { set: 'any' }, ANY_OBJ] };
const COLL: TypeSpec = { oneOf: [ANY_OBJ, { array: 'any' }, { set: 'any' }] };

export const OBJECTS: BuiltinDecl[] = [
  { name: 'object.get', args: [ANY_OBJ, 'any', 'any'], result: 'any', impl: get },
  { name: 'object.keys', args: [ANY_OBJ], result: { set: 'any' }, impl: (args) => RSet.of(obj(args, 0).keys()) },
  { name: 'object.union', args: [ANY_OBJ, ANY_OBJ], result: 'any', impl: (args) => merge(obj(args, 0), obj(args, 1)) },
  { name: 'object.union_n', args: [{ array: ANY_OBJ }], result: 'any', impl: unionN },
  { name: 'object.remove', args: [ANY_OBJ, KEYS], result: 'any', impl: remove },
  { name: 'object.filter', args: [ANY_OBJ, KEYS], result: 'any', impl: filter },
  { name: 'object.subset', args: [COLL, COLL], result: 'boolean', impl: subset },
];
