/**
 * Value helpers for the evaluator: dereference, iteration, upsert, and the
 * Rego text form used by print().
 */
import { RObject, RSet, valueEqual, type Value } from '../value.ts';

export { valueEqual };

/** `v[key]` as Rego dereferences: arrays by integer index, objects by key, sets by membership. */
export function lookup(v: Value, key: Value): Value | undefined {
  if (v instanceof RObject) return typeof key === 'string' ? v.getStr(key) : v.get(key);
  if (Array.isArray(v)) {
    if (typeof key === 'number') return Number.isInteger(key) && key >= 0 ? v[key] : undefined;
    if (typeof key === 'bigint') return key >= 0n && key < BigInt(v.length) ? v[Number(key)] : undefined;
    return undefined;
  }
  if (v instanceof RSet) return v.has(key) ? key : undefined;
  return undefined;
}

/** Calls `f(key, value)` for each element in OPA's order; stops when f returns true. Returns whether it stopped. */
export function iterate(v: Value, f: (k: Value, x: Value) => boolean): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (f(i, v[i]!)) return true;
    return false;
  }
  // Objects and sets iterate in OPA's order: sorted (by key), cached on the value.
  if (v instanceof RObject) {
    const es = v.sortedEntries();
    for (let i = 0; i < es.length; i++) if (f(es[i]![0], es[i]![1])) return true;
    return false;
  }
  if (v instanceof RSet) {
    const items = v.sorted();
    for (let i = 0; i < items.length; i++) if (f(items[i]!, items[i]!)) return true;
    return false;
  }
  return false;
}

export function isCollection(v: Value): boolean {
  return Array.isArray(v) || v instanceof RObject || v instanceof RSet;
}

/** Copy of `doc` with `value` at `path` (objects created along the way). */
export function upsert(doc: Value | undefined, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const obj = doc instanceof RObject ? RObject.fromEntries(doc.entries()) : new RObject();
  obj.set(head!, upsert(doc instanceof RObject ? doc.get(head!) : undefined, rest, value));
  return obj;
}

export function addUnique(list: Value[], v: Value): void {
  for (const x of list) if (valueEqual(x, v)) return;
  list.push(v);
}

