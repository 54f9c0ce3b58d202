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
 * Objects and large sets are keyed by `keyOf(value)`, a canonical string
 * that is equal for equal values (1 and 1.0 and 1n share one key), so
 * membership and lookup are O(1) whatever the key's type. Small sets are
 * lists compared with `valueEqual` (cheaper than canonical keys of objects).
 * An RObject may be a lazy view of a plain JS object (the input, see
 * `inputFromJS`); values are immutable once built, views included.
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

/**
 * Sets up to this size are kept as a plain list and deduplicated by
 * structural equality: building a canonical key string for every member
 * (which for objects means sorting and printing them whole) costs far more
 * than a few `valueEqual` calls that fail on the first differing field.
 * Bigger sets index their members by `keyOf`.
 */
const SMALL_SET = 8;

export class RSet {
  /** Members in insertion order (storage only: iteration is in sorted order, see `sorted`). */
  private readonly items: Value[] = [];
  /** keyOf(member) → member, once the set outgrows SMALL_SET. */
  private idx: Map<string, Value> | null = null;
  private canonCache: string | undefined;
  /** The members in OPA's order, computed on first iteration and kept (sets are immutable once built). */
  private sortedCache: Value[] | null = null;

  static of(values: Iterable<Value>): RSet {
    const s = new RSet();
    for (const v of values) s.add(v);
    return s;
  }

  add(v: Value): this {
    const items = this.items;
    if (this.idx !== null) {
      const k = keyOf(v);
      if (this.idx.has(k)) return this;
      this.idx.set(k, v);
    } else {
      for (let i = 0; i < items.length; i++) if (valueEqual(items[i]!, v)) return this;
      if (items.length >= SMALL_SET) {
        const idx = new Map<string, Value>();
        for (const x of items) idx.set(keyOf(x), x);
        idx.set(keyOf(v), v);
        this.idx = idx;
      }
    }
    items.push(v);
    this.canonCache = undefined;
    this.sortedCache = null;
    return this;
  }
  has(v: Value): boolean {
    if (this.idx !== null) return this.idx.has(keyOf(v));
    const items = this.items;
    for (let i = 0; i < items.length; i++) if (valueEqual(items[i]!, v)) return true;
    return false;
  }
  get size(): number {
    return this.items.length;
  }
  /** Iteration is in OPA's order (sorted), as OPA iterates sets. */
  values(): IterableIterator<Value> {
    return this.sorted().values();
  }
  [Symbol.iterator](): IterableIterator<Value> {
    return this.sorted().values();
  }
  /**
   * The members in insertion order (do not modify). Not an iteration order:
   * only for uses where order cannot show (membership, equality, counting).
   */
  list(): readonly Value[] {
    return this.items;
  }
  /**
   * The members in OPA's total order — the order OPA iterates a set in
   * (`some x in s`, `s[x]`, comprehensions, builtins). Sorted once and kept:
   * a set is not changed after it is built (`add` drops the cache).
   */
  sorted(): readonly Value[] {
    let c = this.sortedCache;
    if (c === null) {
      const items = this.items;
      c = items.length < 2 ? items.slice() : sortList(items.slice(), compare);
      this.sortedCache = c;
    }
    return c;
  }
  canon(): string {
    if (this.canonCache === undefined) {
      const parts = this.items.map(canon).sort();
      this.canonCache = '{' + parts.join(',') + '}';
    }
    return this.canonCache;
  }
}

const hasOwn = Object.hasOwn;

/**
 * Objects map keyOf(key) → [key, value] in insertion order. An RObject can
 * also be a *lazy view* of a plain JS object (input documents, see
 * `inputFromJS`): string-key lookups read the JS property and convert only
 * that value (composite values are converted once and remembered); any other
 * use converts the object's own level first. Policies read a small part of a
 * large input, so most of it is never converted.
 */
export class RObject {
  private m: Map<string, [Value, Value]> | null;
  /** The plain object this is a view of (null once materialised). */
  private src: Record<string, unknown> | null = null;
  /** Converted composite properties of `src`: [key, value, key, value, …] (objects have few). */
  private kids: Array<string | Value> | null = null;
  private canonCache: string | undefined;
  /** Entries sorted by key, computed on first iteration and kept (objects are immutable once built). */
  private sortedCache: [Value, Value][] | null = null;

  constructor(src?: Record<string, unknown>) {
    if (src === undefined) this.m = new Map();
    else {
      this.m = null;
      this.src = src;
    }
  }

  /** A lazy view of a plain JS object (see `inputFromJS`). */
  static view(src: Record<string, unknown>): RObject {
    return new RObject(src);
  }

  static fromEntries(entries: Iterable<[Value, Value]>): RObject {
    const o = new RObject();
    for (const [k, v] of entries) o.set(k, v);
    return o;
  }

  /** The entry map, converting a lazy view's own level first. */
  private mat(): Map<string, [Value, Value]> {
    if (this.m !== null) return this.m;
    const src = this.src!;
    const kids = this.kids;
    const m = new Map<string, [Value, Value]>();
    for (const k of Object.keys(src)) {
      let v: Value | undefined;
      if (kids !== null) for (let i = 0; i < kids.length; i += 2) if (kids[i] === k) v = kids[i + 1] as Value;
      m.set('s' + k, [k, v ?? viewOf(src[k])]);
    }
    this.m = m;
    this.src = null;
    this.kids = null;
    return m;
  }

  private viewGet(k: string): Value | undefined {
    const src = this.src!;
    if (!hasOwn(src, k)) return undefined;
    const x = src[k];
    if (x === null || x === undefined) return null;
    if (typeof x !== 'object') return scalarOf(x);
    let kids = this.kids;
    if (kids === null) kids = this.kids = [];
    else for (let i = 0; i < kids.length; i += 2) if (kids[i] === k) return kids[i + 1] as Value;
    const v = viewOf(x);
    kids.push(k, v);
    return v;
  }

  get(k: Value): Value | undefined {
    if (typeof k === 'string') return this.getStr(k);
    return this.mat().get(keyOf(k))?.[1];
  }
  /** Fast path for the common string key. */
  getStr(k: string): Value | undefined {
    if (this.m === null) return this.viewGet(k);
    return this.m.get('s' + k)?.[1];
  }
  /** `getStr(k)` with the map key `'s' + k` precomputed by the caller (constant ref paths). */
  getKeyed(k: string, mapKey: string): Value | undefined {
    if (this.m === null) return this.viewGet(k);
    return this.m.get(mapKey)?.[1];
  }
  has(k: Value): boolean {
    if (this.m === null && typeof k === 'string') return hasOwn(this.src!, k);
    return this.mat().has(keyOf(k));
  }
  set(k: Value, v: Value): this {
    this.mat().set(keyOf(k), [k, v]);
    this.canonCache = undefined;
    this.sortedCache = null;
    return this;
  }
  delete(k: Value): boolean {
    this.canonCache = undefined;
    this.sortedCache = null;
    return this.mat().delete(keyOf(k));
  }
  get size(): number {
    return this.mat().size;
  }
  /** Keys in OPA's order (sorted). */
  keys(): Value[] {
    const es = this.sortedEntries();
    const out = new Array<Value>(es.length);
    for (let i = 0; i < es.length; i++) out[i] = es[i]![0];
    return out;
  }
  /** Entries in OPA's iteration order: sorted by key. */
  entries(): IterableIterator<[Value, Value]> {
    return this.sortedEntries().values();
  }
  /**
   * Entries sorted by key in OPA's total order — the order OPA iterates an
   * object in. Sorted once and kept (`set`/`delete` drop the cache); do not
   * modify the returned array.
   */
  sortedEntries(): readonly [Value, Value][] {
    let c = this.sortedCache;
    if (c === null) {
      const m = this.mat();
      c = new Array<[Value, Value]>(m.size);
      let i = 0;
      for (const e of m.values()) c[i++] = e;
      if (i > 1) sortList(c, compareEntries);
      this.sortedCache = c;
    }
    return c;
  }
  /** Plain JS, keys in OPA's order (toJS). */
  toJS(): Record<string, unknown> {
    if (this.m === null) return jsCopy(this.src) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, val] of this.sortedEntries()) setJS(out, typeof k === 'string' ? k : stringifyJSON(k), toJS(val));
    return out;
  }
  /** Structural equality (see valueEqual). */
  equals(b: RObject): boolean {
    if (this.m === null && b.m === null && this.src === b.src) return true;
    const x = this.mat();
    const y = b.mat();
    if (x.size !== y.size) return false;
    for (const [k, [, v]] of x) {
      const e = y.get(k);
      if (e === undefined || !valueEqual(v, e[1])) return false;
    }
    return true;
  }
  canon(): string {
    if (this.canonCache === undefined) {
      const parts = [...this.mat().values()].map(([k, v]) => canon(k) + ':' + canon(v)).sort();
      this.canonCache = '<' + parts.join(',') + '>';
    }
    return this.canonCache;
  }
}

/**
 * Sorts in place. Short lists (the usual object or set in a policy) use an
 * insertion sort: Array.prototype.sort allocates a work array per call,
 * which showed up as a large share of the garbage per evaluation.
 */
export function sortList<T>(a: T[], cmp: (x: T, y: T) => number): T[] {
  const n = a.length;
  if (n > 16) return a.sort(cmp);
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    let j = i - 1;
    if (cmp(a[j]!, x) <= 0) continue;
    while (j >= 0 && cmp(a[j]!, x) > 0) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
  return a;
}

function compareEntries(a: [Value, Value], b: [Value, Value]): number {
  const x = a[0];
  const y = b[0];
  return typeof x === 'string' && typeof y === 'string' ? compareStr(x, y) : compare(x, y);
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

/** Byte-wise (UTF-8) string order, as Go compares strings: code point order. */
export function compareStr(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below the surrogate range UTF-16 order is code point order; above it a
    // surrogate pair (a code point > 0xFFFF) must rank after U+E000–U+FFFF.
    if (x < 0xd800 && y < 0xd800) return x < y ? -1 : 1;
    return a.codePointAt(i)! < b.codePointAt(i)! ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
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
  return valueEqual(a, b);
}

/**
 * Structural equality, equal in result to comparing `keyOf`s but without
 * building canonical key strings for composites (the evaluator compares
 * values on every unification, and small sets deduplicate with it).
 */
export function valueEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta === 'number' || ta === 'bigint') {
    const tb = typeof b;
    if (tb !== 'number' && tb !== 'bigint') return false;
    return ta === tb ? a === b : compareNum(a as Num, b as Num) === 0;
  }
  if (ta !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valueEqual(a[i]!, b[i]!)) return false;
    return true;
  }
  if (a instanceof RObject) return b instanceof RObject && a.equals(b);
  if (a instanceof RSet) {
    if (!(b instanceof RSet) || a.size !== b.size) return false;
    for (const x of a.list()) if (!b.has(x)) return false;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// JSON conversion

/**
 * A JS value with no Rego form (non-finite number, function, symbol). Never
 * swallowed as a builtin error: reading such a value out of a lazy input
 * view aborts the evaluation, as converting it up front would have.
 */
export class ConversionError extends TypeError {}

/**
 * Plain JS (parsed JSON/YAML) → Value. Objects become RObject, arrays arrays.
 * Non-finite numbers and other JS types are rejected: they have no Rego form.
 */
export function fromJS(x: unknown): Value {
  if (x === null || x === undefined) return null;
  if (typeof x !== 'object') return scalarOf(x);
  if (Array.isArray(x)) return x.map(fromJS);
  if (x instanceof RSet || x instanceof RObject) return x;
  if (x instanceof Set) return RSet.of([...x].map(fromJS));
  if (x instanceof Map) return RObject.fromEntries([...x].map(([k, v]) => [fromJS(k), fromJS(v)] as [Value, Value]));
  const o = new RObject();
  for (const [k, v] of Object.entries(x as Record<string, unknown>)) o.set(k, fromJS(v));
  return o;
}

function scalarOf(x: unknown): Value {
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      if (!Number.isFinite(x)) throw new ConversionError(`non-finite number ${x} has no Rego value`);
      return x;
    case 'bigint':
      return Number.isSafeInteger(Number(x)) ? Number(x) : x;
  }
  throw new ConversionError(`${typeof x} has no Rego value`);
}

function isPlainObject(x: object): x is Record<string, unknown> {
  const p: unknown = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** One level of conversion: plain objects become lazy views, arrays convert their elements the same way. */
function viewOf(x: unknown): Value {
  if (x === null || x === undefined) return null;
  if (typeof x !== 'object') return scalarOf(x);
  if (Array.isArray(x)) return x.map(viewOf);
  if (isPlainObject(x)) return RObject.view(x);
  return fromJS(x);
}

/**
 * Plain JS → Value for a document that lives only as long as one evaluation
 * (the input): the same value as `fromJS(x)`, but plain objects are lazy
 * views (RObject.view) converted as the policy reads them. The caller must
 * not modify `x` while the evaluation runs. Content with no Rego value
 * throws ConversionError when (and only if) the evaluation reads it.
 */
export function inputFromJS(x: unknown): Value {
  return viewOf(x);
}

/**
 * Value → plain JS for JSON output, as OPA serialises: sets become arrays in
 * sorted order, object keys that are not strings are JSON-encoded, bigints stay
 * bigints (use `stringifyJSON` to print them exactly).
 */
export function toJS(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = toJS(v[i]!);
    return out;
  }
  if (v instanceof RSet) {
    const s = v.sorted();
    const out = new Array<unknown>(s.length);
    for (let i = 0; i < s.length; i++) out[i] = toJS(s[i]!);
    return out;
  }
  return v.toJS();
}

/** `out[k] = v`, except that a key `__proto__` becomes an own property instead of setting the prototype. */
export function setJS(out: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/** toJS(inputFromJS(x)) straight from the JS: keys sorted, undefined as null, small bigints as numbers. */
export function jsCopy(x: unknown): unknown {
  if (x === null || x === undefined) return null;
  if (typeof x !== 'object') return scalarOf(x);
  if (Array.isArray(x)) return x.map(jsCopy);
  if (!isPlainObject(x)) return toJS(fromJS(x));
  const keys = sortList(Object.keys(x), compareStr);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = x[k];
    setJS(out, k, typeof v === 'string' || typeof v === 'boolean' || v === null ? v : jsCopy(v));
  }
  return out;
}

/** JSON text of a value with exact big integers and sorted keys (OPA's output). */
export function stringifyJSON(v: Value, indent?: number): string {
  const text = JSON.stringify(toJS(v), (_k, x) => (typeof x === 'bigint' ? `\u0000big:${x.toString()}` : x), indent);
  return text.replace(/"\\u0000big:(-?\d+)"/g, '$1');
}

/** Rego source form of a value (print(), error messages): sets as `{1, 2}`, `set()` when empty. */
export function regoText(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return String(v);
    case 'number':
    case 'bigint':
      return numKey(v);
  }
  if (Array.isArray(v)) return '[' + v.map(regoText).join(', ') + ']';
  if (v instanceof RSet) return v.size === 0 ? 'set()' : '{' + v.sorted().map(regoText).join(', ') + '}';
  return '{' + v.sortedEntries().map(([k, x]) => regoText(k) + ': ' + regoText(x)).join(', ') + '}';
}
