/**
 * Rego values at run time.
 *
 * Representation (chosen for speed on the hot path — most policy values are
 * strings, numbers and small objects read straight from JSON input):
 *   null            → null
 *   boolean         → boolean
 *   number          → number, or bigint for integers outside the safe range
 *                     (OPA numbers are arbitrary precision; see `num*` helpers)
 *   string          → string
 *   array           → Value[]   (treated as immutable once built)
 *   set             → RSet
 *   object          → RObject   (keys may be any value, as in OPA)
 *
 * Sets and objects are keyed by `keyOf(value)`, a canonical string that is
 * equal for equal values (1 and 1.0 and 1n share one key), so membership and
 * lookup are O(1) whatever the key's type.
 */

export type Num = number | bigint;
export type Value = null | boolean | Num | string | Value[] | RSet | RObject;

// ---------------------------------------------------------------------------
// Canonical keys

/** Canonical number text: integers in full (no exponent), others as JS prints them. */
export function numKey(n: Num): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isInteger(n)) {
    if (Number.isSafeInteger(n)) return Object.is(n, -0) ? '0' : String(n);
    return BigInt(n).toString();
  }
  return String(n);
}

/**
 * Unambiguous encoding used inside composite keys. Never starts with 's', so
 * `keyOf` can use 's' + text for strings without escaping (the common case).
 */
export function canon(v: Value): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
    case 'bigint':
      return 'n' + numKey(v);
    case 'boolean':
      return v ? 't' : 'f';
    case 'object':
      if (v === null) return 'z';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + canon(v[i]!);
        return out + ']';
      }
      return v.canon();
  }
  throw new TypeError(`not a Rego value: ${String(v)}`);
}

/** Key used by RSet / RObject maps. */
export function keyOf(v: Value): string {
  return typeof v === 'string' ? 's' + v : canon(v);
}

// ---------------------------------------------------------------------------
// Collections

export class RSet {
  readonly map = new Map<string, Value>();
  private canonCache: string | undefined;

  static of(values: Iterable<Value>): RSet {
    const s = new RSet();
    for (const v of values) s.add(v);
    return s;
  }

  add(v: Value): this {
    const k = keyOf(v);
    if (!this.map.has(k)) {
      this.map.set(k, v);
      this.canonCache = undefined;
    }
    return this;
  }
  has(v: Value): boolean {
    return this.map.has(keyOf(v));
  }
  get size(): number {
    return this.map.size;
  }
  values(): IterableIterator<Value> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<Value> {
    return this.map.values();
  }
  /** Elements in OPA's total order. */
  sorted(): Value[] {
    return [...this.map.values()].sort(compare);
  }
  canon(): string {
    if (this.canonCache === undefined) {
      const parts = [...this.map.values()].map(canon).sort();
      this.canonCache = '{' + parts.join(',') + '}';
    }
    return this.canonCache;
  }
}

export class RObject {
  readonly map = new Map<string, [Value, Value]>();
  private canonCache: string | undefined;

  static fromEntries(entries: Iterable<[Value, Value]>): RObject {
    const o = new RObject();
    for (const [k, v] of entries) o.set(k, v);
    return o;
  }

  get(k: Value): Value | undefined {
    return this.map.get(keyOf(k))?.[1];
  }
  /** Fast path for the common string key. */
  getStr(k: string): Value | undefined {
    return this.map.get('s' + k)?.[1];
  }
  has(k: Value): boolean {
    return this.map.has(keyOf(k));
  }
  set(k: Value, v: Value): this {
    this.map.set(keyOf(k), [k, v]);
    this.canonCache = undefined;
    return this;
  }
  delete(k: Value): boolean {
    this.canonCache = undefined;
    return this.map.delete(keyOf(k));
  }
  get size(): number {
    return this.map.size;
  }
  keys(): Value[] {
    return [...this.map.values()].map((e) => e[0]);
  }
  entries(): IterableIterator<[Value, Value]> {
    return this.map.values();
  }
  /** Entries sorted by key in OPA's total order. */
  sortedEntries(): [Value, Value][] {
    return [...this.map.values()].sort((a, b) => compare(a[0], b[0]));
  }
  canon(): string {
    if (this.canonCache === undefined) {
      const parts = [...this.map.values()].map(([k, v]) => canon(k) + ':' + canon(v)).sort();
      this.canonCache = '<' + parts.join(',') + '>';
    }
    return this.canonCache;
  }
}

// ---------------------------------------------------------------------------
// Type names and ordering

export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'set';

export function typeName(v: Value): TypeName {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return v instanceof RSet ? 'set' : 'object';
}

// OPA's total order of types: null < boolean < number < string < array < object < set.
const TYPE_RANK: Record<TypeName, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 6, object: 7, set: 8 };

export function compareNum(a: Num, b: Num): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  // Mixed or big: compare exactly. A non-integer float against a bigint compares via its floor/ceil.
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') return -compareNum(b, a);
  // a is bigint, b is number
  const bn = b as number;
  if (!Number.isFinite(bn)) return bn > 0 ? -1 : 1;
  if (Number.isInteger(bn)) {
    const bb = BigInt(bn);
    return a < bb ? -1 : a > bb ? 1 : 0;
  }
  const fl = BigInt(Math.floor(bn));
  return a <= fl ? -1 : 1;
}

/** Byte-wise (UTF-8) string order, as Go compares strings. */
export function compareStr(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** OPA's total order over values (ast.Compare). */
export function compare(a: Value, b: Value): number {
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return TYPE_RANK[ta] - TYPE_RANK[tb];
  switch (ta) {
    case 'null':
      return 0;
    case 'boolean':
      return a === b ? 0 : a ? 1 : -1;
    case 'number':
      return compareNum(a as Num, b as Num);
    case 'string':
      return compareStr(a as string, b as string);
    case 'array': {
      const x = a as Value[];
      const y = b as Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 'object': {
      const x = (a as RObject).sortedEntries();
      const y = (b as RObject).sortedEntries();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const ck = compare(x[i]![0], y[i]![0]);
        if (ck !== 0) return ck;
        const cv = compare(x[i]![1], y[i]![1]);
        if (cv !== 0) return cv;
      }
      return x.length - y.length;
    }
    case 'set': {
      const x = (a as RSet).sorted();
      const y = (b as RSet).sorted();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
  }
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta === 'string' || ta === 'boolean' || typeof b === 'string' || typeof b === 'boolean') return false;
  return keyOf(a) === keyOf(b);
}

// ---------------------------------------------------------------------------
// JSON conversion

/**
 * Plain JS (parsed JSON/YAML) → Value. Objects become RObject, arrays arrays.
 * Non-finite numbers and other JS types are rejected: they have no Rego form.
 */
export function fromJS(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      if (!Number.isFinite(x)) throw new TypeError(`non-finite number ${x} has no Rego value`);
      return x;
    case 'bigint':
      return Number.isSafeInteger(Number(x)) ? Number(x) : x;
    case 'object': {
      if (Array.isArray(x)) return x.map(fromJS);
      if (x instanceof RSet || x instanceof RObject) return x;
      if (x instanceof Set) return RSet.of([...x].map(fromJS));
      if (x instanceof Map) return RObject.fromEntries([...x].map(([k, v]) => [fromJS(k), fromJS(v)] as [Value, Value]));
      const o = new RObject();
      for (const [k, v] of Object.entries(x as Record<string, unknown>)) o.set(k, fromJS(v));
      return o;
    }
  }
  throw new TypeError(`${typeof x} has no Rego value`);
}

/**
 * Value → plain JS for JSON output, as OPA serialises: sets become arrays in
 * sorted order, object keys that are not strings are JSON-encoded, bigints stay
 * bigints (use `stringifyJSON` to print them exactly).
 */
export function toJS(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJS);
  if (v instanceof RSet) return v.sorted().map(toJS);
  const out: Record<string, unknown> = {};
  for (const [k, val] of v.sortedEntries()) {
    out[typeof k === 'string' ? k : stringifyJSON(k)] = toJS(val);
  }
  return out;
}

/** JSON text of a value with exact big integers and sorted keys (OPA's output). */
export function stringifyJSON(v: Value, indent?: number): string {
  const text = JSON.stringify(toJS(v), (_k, x) => (typeof x === 'bigint' ? `\u0000big:${x.toString()}` : x), indent);
  return text.replace(/"\\u0000big:(-?\d+)"/g, '$1');
}
