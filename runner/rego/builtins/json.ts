/**
 * Document operations on JSON paths (OPA topdown/json.go): json.filter,
 * json.remove and json.patch (RFC 6902). Paths are `/`-separated strings
 * (JSON-pointer escapes `~0`, `~1`; leading slashes optional, as OPA's
 * parsePath strips them) or arrays of segments. A patch that
 * cannot apply (missing path, failed `test`) makes json.patch undefined, as in OPA.
 */
import type { BuiltinDecl, TypeSpec } from './types.ts';
import { RObject, RSet, equal, keyOf, type Value } from '../value.ts';
import { arrayOrSet, obj, operandError, typeError } from './operands.ts';

/**
 * OPA's parsePath: `""` is the whole document; otherwise leading slashes are
 * stripped (so `"b"`, `"/b"` and `"//b"` all address key `b`) and the rest is
 * split on `/` as is — a trailing slash addresses the empty key (`"a/"` is
 * `["a", ""]`), and `"/"` alone is the key `""`.
 */
function parsePointer(p: string): string[] {
  if (p === '') return [];
  return p
    .replace(/^\/+/, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Segment used as an object key, or as an array index (string or number). */
function indexOf(seg: Value, len: number): number | undefined {
  const n = typeof seg === 'string' ? (/^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : NaN) : typeof seg === 'number' ? seg : NaN;
  return Number.isInteger(n) && n >= 0 && n < len ? n : undefined;
}

interface Trie {
  leaf: boolean;
  children: Map<string, { seg: Value; node: Trie }>;
}

function buildTrie(paths: Value[][]): Trie {
  const root: Trie = { leaf: false, children: new Map() };
  for (const p of paths) {
    let n = root;
    for (const seg of p) {
      if (n.leaf) break;
      const k = keyOf(seg);
      let c = n.children.get(k);
      if (!c) {
        c = { seg, node: { leaf: false, children: new Map() } };
        n.children.set(k, c);
      }
      n = c.node;
    }
    n.leaf = true;
    n.children.clear();
  }
  return root;
}

/** Children matching an array index: segments "1" and 1 both address element 1. */
function childForIndex(t: Trie, i: number): Trie | undefined {
  return t.children.get(keyOf(String(i)))?.node ?? t.children.get(keyOf(i))?.node;
}

function filterValue(v: Value, t: Trie): Value | undefined {
  if (t.leaf) return v;
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, x] of v.entries()) {
      const c = t.children.get(keyOf(k));
      if (!c) continue;
      const r = filterValue(x, c.node);
      if (r !== undefined) out.set(k, r);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const c = childForIndex(t, i);
      if (!c) return;
      const r = filterValue(x, c);
      if (r !== undefined) out.push(r);
    });
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const x of v) {
      const c = t.children.get(keyOf(x));
      if (c) out.add(x);
    }
    return out;
  }
  return undefined;
}

function removeValue(v: Value, t: Trie): Value | undefined {
  if (t.leaf) return undefined;
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, x] of v.entries()) {
      const c = t.children.get(keyOf(k));
      if (!c) out.set(k, x);
      else {
        const r = removeValue(x, c.node);
        if (r !== undefined) out.set(k, r);
      }
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const c = childForIndex(t, i);
      if (!c) out.push(x);
      else {
        const r = removeValue(x, c);
        if (r !== undefined) out.push(r);
      }
    });
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const x of v) if (!t.children.get(keyOf(x))?.node.leaf) out.add(x);
    return out;
  }
  return v;
}

function pathsParam(args: Value[]): Value[][] {
  return arrayOrSet(args, 1, 'set', 'array').map((p) => {
    if (typeof p === 'string') return parsePointer(p);
    if (Array.isArray(p)) return p;
    throw operandError(2, `must be one of {set, array} containing string paths or array of path segments but got ${typeof p === 'object' && p !== null ? (p instanceof RSet ? 'set' : 'object') : typeof p}`);
  });
}

// ---------------------------------------------------------------------------
// json.patch

class PatchFailed extends Error {}

function getAt(doc: Value, path: Value[]): Value {
  let cur = doc;
  for (const seg of path) {
    if (cur instanceof RObject) {
      const x = cur.get(seg);
      if (x === undefined) throw new PatchFailed();
      cur = x;
    } else if (Array.isArray(cur)) {
      const i = indexOf(seg, cur.length);
      if (i === undefined) throw new PatchFailed();
      cur = cur[i]!;
    } else if (cur instanceof RSet) {
      if (!cur.has(seg)) throw new PatchFailed();
      cur = seg;
    } else throw new PatchFailed();
  }
  return cur;
}

/** Copy-on-write update of the parent of `path`. */
function update(doc: Value, path: Value[], op: (parent: Value, last: Value) => Value): Value {
  if (path.length === 0) throw new PatchFailed();
  const [head, ...rest] = path as [Value, ...Value[]];
  if (rest.length === 0) return op(doc, head);
  if (doc instanceof RObject) {
    const child = doc.get(head);
    if (child === undefined) throw new PatchFailed();
    return RObject.fromEntries(doc.entries()).set(head, update(child, rest, op));
  }
  if (Array.isArray(doc)) {
    const i = indexOf(head, doc.length);
    if (i === undefined) throw new PatchFailed();
    const out = [...doc];
    out[i] = update(doc[i]!, rest, op);
    return out;
  }
  throw new PatchFailed();
}

function addOp(parent: Value, last: Value, value: Value): Value {
  if (parent instanceof RObject) return RObject.fromEntries(parent.entries()).set(last, value);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : indexOf(last, parent.length + 1);
    if (i === undefined) throw new PatchFailed();
    return [...parent.slice(0, i), value, ...parent.slice(i)];
  }
  if (parent instanceof RSet) return RSet.of(parent).add(value);
  throw new PatchFailed();
}

function removeOp(parent: Value, last: Value): Value {
  if (parent instanceof RObject) {
    if (!parent.has(last)) throw new PatchFailed();
    const out = RObject.fromEntries(parent.entries());
    out.delete(last);
    return out;
  }
  if (Array.isArray(parent)) {
    const i = indexOf(last, parent.length);
    if (i === undefined) throw new PatchFailed();
    return [...parent.slice(0, i), ...parent.slice(i + 1)];
  }
  if (parent instanceof RSet) {
    if (!parent.has(last)) throw new PatchFailed();
    return RSet.of([...parent].filter((x) => !equal(x, last)));
  }
  throw new PatchFailed();
}

function replaceOp(parent: Value, last: Value, value: Value): Value {
  if (parent instanceof RObject) {
    if (!parent.has(last)) throw new PatchFailed();
    return RObject.fromEntries(parent.entries()).set(last, value);
  }
  if (Array.isArray(parent)) {
    const i = indexOf(last, parent.length);
    if (i === undefined) throw new PatchFailed();
    const out = [...parent];
    out[i] = value;
    return out;
  }
  if (parent instanceof RSet) return addOp(removeOp(parent, last), value, value);
  throw new PatchFailed();
}

function applyPatch(doc: Value, p: Value): Value {
  if (!(p instanceof RObject)) throw new PatchFailed();
  const op = p.getStr('op');
  const pathV = p.getStr('path');
  if (typeof op !== 'string' || pathV === undefined) throw new PatchFailed();
  const path = typeof pathV === 'string' ? parsePointer(pathV) : Array.isArray(pathV) ? pathV : undefined;
  if (path === undefined) throw new PatchFailed();
  const fromOf = (): Value[] => {
    const f = p.getStr('from');
    if (typeof f === 'string') return parsePointer(f);
    if (Array.isArray(f)) return f;
    throw new PatchFailed();
  };
  const valueOf = (): Value => {
    const v = p.getStr('value');
    if (v === undefined) throw new PatchFailed();
    return v;
  };
  switch (op) {
    case 'add': {
      const v = valueOf();
      return path.length === 0 ? v : update(doc, path, (parent, last) => addOp(parent, last, v));
    }
    case 'remove':
      return update(doc, path, removeOp);
    case 'replace': {
      const v = valueOf();
      return path.length === 0 ? v : update(doc, path, (parent, last) => replaceOp(parent, last, v));
    }
    case 'move': {
      const from = fromOf();
      // Moving a location into one of its own children is invalid (RFC 6902 §4.4).
      if (from.length < path.length && from.every((s, i) => equal(s, path[i]!))) throw new PatchFailed();
      const v = getAt(doc, from);
      const removed = from.length === 0 ? doc : update(doc, from, removeOp);
      return path.length === 0 ? v : update(removed, path, (parent, last) => addOp(parent, last, v));
    }
    case 'copy': {
      const v = getAt(doc, fromOf());
      return path.length === 0 ? v : update(doc, path, (parent, last) => addOp(parent, last, v));
    }
    case 'test':
      if (!equal(getAt(doc, path), valueOf())) throw new PatchFailed();
      return doc;
  }
  throw new PatchFailed();
}

function patch(args: Value[]): Value | undefined {
  let doc = args[0] as Value;
  const patches = args[1]!;
  if (!Array.isArray(patches)) throw typeError(2, patches, 'array');
  try {
    for (const p of patches) doc = applyPatch(doc, p);
    return doc;
  } catch (e) {
    if (e instanceof PatchFailed) return undefined;
    throw e;
  }
}

const PATHS: TypeSpec = { oneOf: [{ array: { oneOf: ['string', { array: 'any' }] } }, { set: { oneOf: ['string', { array: 'any' }] } }] };

export const JSON_DOCS: BuiltinDecl[] = [
  {
    name: 'json.filter',
    args: [{ object: ['any', 'any'] }, PATHS],
    result: 'any',
    impl: (args) => filterValue(obj(args, 0), buildTrie(pathsParam(args))) ?? new RObject(),
  },
  {
    name: 'json.remove',
    args: [{ object: ['any', 'any'] }, PATHS],
    result: 'any',
    impl: (args) => removeValue(obj(args, 0), buildTrie(pathsParam(args))) ?? new RObject(),
  },
  { name: 'json.patch', args: ['any', { array: { object: ['string', 'any'] } }], result: 'any', impl: patch },
];

