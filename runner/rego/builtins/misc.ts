/**
 * Builtins that need the evaluation context or are relations: uuid.rfc4122,
 * rand.intn (both stable within one query, via ctx.cache), walk (a relation:
 * `iter` yields every [path, value]), graph.reachable(_paths), opa.runtime,
 * trace, and the bits.* family.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { BuiltinError, type BuiltinContext, type BuiltinDecl } from './types.ts';
import { RObject, RSet, type Value } from '../value.ts';
import { int, obj, str, typeError } from './operands.ts';
import { intToNum } from './numeric.ts';

function cached(ctx: BuiltinContext, key: string, make: () => Value): Value {
  const hit = ctx.cache.get(key);
  if (hit !== undefined) return hit;
  const v = make();
  ctx.cache.set(key, v);
  return v;
}

/** Pre-order walk: the root first (path []), then children in key order. */
function* walk(v: Value, path: Value[]): Generator<Value> {
  yield [path, v];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield* walk(v[i]!, [...path, i]);
  } else if (v instanceof RSet) {
    for (const x of v.sorted()) yield* walk(x, [...path, x]);
  } else if (v instanceof RObject) {
    for (const [k, x] of v.sortedEntries()) yield* walk(x, [...path, k]);
  }
}

function vertices(v: Value | undefined): readonly Value[] {
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.sorted();
  return [];
}

/** The initial vertices: an array or a set (OPA: a type error for anything else). */
function initialVertices(v: Value): readonly Value[] {
  if (!Array.isArray(v) && !(v instanceof RSet)) throw typeError(2, v, 'array', 'set');
  return vertices(v);
}

/** OPA's breadth-first walk: a vertex is reached when the graph has it (even with no edges or `null` ones). */
function reachable(args: Value[]): Value {
  const graph = obj(args, 0);
  const queue = [...initialVertices(args[1]!)];
  const out = new RSet();
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    const edges = graph.get(node);
    if (edges === undefined) continue;
    for (const n of vertices(edges)) if (!out.has(n)) queue.push(n);
    out.add(node);
  }
  return out;
}

/**
 * OPA's path builder: from each initial vertex the graph has, every path along
 * its edges, committed where it ends — at a vertex with no edges (included), at
 * a neighbour the graph lacks (left out), or where the next step would close a cycle.
 */
function reachablePaths(args: Value[]): Value {
  const graph = obj(args, 0);
  const out = new RSet();
  const build = (root: Value, path: Value[], onPath: RSet): void => {
    const edges = graph.get(root);
    if (edges === undefined) {
      out.add(path);
      return;
    }
    const here = [...path, root];
    const next = vertices(edges);
    if (next.length === 0) {
      out.add(here);
      return;
    }
    const seen = RSet.of(onPath).add(root);
    for (const n of next) {
      if (seen.has(n)) out.add(here);
      else build(n, here, seen);
    }
  };
  for (const node of initialVertices(args[1]!)) {
    const edges = graph.get(node);
    if (edges === undefined) continue;
    const next = vertices(edges);
    if (next.length === 0) out.add([node]);
    else for (const n of next) build(n, [node], RSet.of([node]));
  }
  return out;
}

// 100-ns intervals between the Gregorian reform (1582-10-15) and the Unix epoch.
const GREGORIAN_OFFSET = 122192928000000000n;

function uuidBytes(s: string): Buffer | undefined {
  let hex: string;
  if (s.length === 36) hex = s;
  else if (s.length === 38 && s[0] === '{' && s[37] === '}') hex = s.slice(1, 37);
  else if (s.length === 45 && s.slice(0, 9).toLowerCase() === 'urn:uuid:') hex = s.slice(9);
  else if (s.length === 32) return /^[0-9a-fA-F]{32}$/.test(s) ? Buffer.from(s, 'hex') : undefined;
  else return undefined;
  if (!/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(hex)) return undefined;
  return Buffer.from(hex.replace(/-/g, ''), 'hex');
}

/** uuid.parse: the fields Go's google/uuid exposes; undefined for text that is not a UUID. */
function uuidParse(args: Value[]): Value | undefined {
  const b = uuidBytes(str(args, 0));
  if (!b) return undefined;
  const out = new RObject();
  const version = b[6]! >> 4;
  const v8 = b[8]!;
  const variant = (v8 & 0xc0) === 0x80 ? 'RFC4122' : (v8 & 0xe0) === 0xc0 ? 'Microsoft' : (v8 & 0xe0) === 0xe0 ? 'Future' : 'Reserved';
  out.set('version', version).set('variant', variant);
  if (version === 1 || version === 2) {
    const t = BigInt(b.readUInt32BE(0)) | (BigInt(b.readUInt16BE(4)) << 32n) | (BigInt(b.readUInt16BE(6) & 0xfff) << 48n);
    out.set('time', intToNum((t - GREGORIAN_OFFSET) * 100n));
    out.set('clocksequence', b.readUInt16BE(8) & 0x3fff);
    const node = b.subarray(10);
    out.set('nodeid', [...node].map((x) => x.toString(16).padStart(2, '0')).join('-'));
    out.set('macvariables', `${node[0]! & 2 ? 'local' : 'global'}:${node[0]! & 1 ? 'multicast' : 'unicast'}`);
    if (version === 2) {
      const d = b[9]!;
      out.set('domain', d === 0 ? 'Person' : d === 1 ? 'Group' : d === 2 ? 'Org' : `Domain${d}`);
      out.set('id', b.readUInt32BE(0));
    }
  }
  return out;
}

const bits2 = (name: string, f: (a: bigint, b: bigint) => bigint): BuiltinDecl => ({
  name,
  args: ['number', 'number'],
  result: 'number',
  impl: (a) => intToNum(f(int(a, 0), int(a, 1))),
});

export const MISC: BuiltinDecl[] = [
  {
    name: 'uuid.rfc4122',
    args: ['string'],
    result: 'string',
    nondeterministic: true,
    impl: (a, ctx) => cached(ctx, `uuid.rfc4122\u0000${str(a, 0)}`, () => randomUUID()),
  },
  { name: 'uuid.parse', args: ['string'], result: { object: ['string', 'any'] }, impl: uuidParse },
  {
    name: 'rand.intn',
    args: ['string', 'number'],
    result: 'number',
    nondeterministic: true,
    impl: (a, ctx) => {
      const key = str(a, 0);
      const n = int(a, 1);
      if (n === 0n) return 0;
      const bound = n < 0n ? -n : n;
      return cached(ctx, `rand.intn\u0000${key}\u0000${bound}`, () => intToNum(BigInt(randomInt(Number(bound > 2n ** 47n ? 2n ** 47n : bound)))));
    },
  },
  {
    name: 'walk',
    args: ['any'],
    result: { array: 'any' },
    // A relation: the evaluator enumerates `iter` and never calls impl (see BuiltinDecl.iter).
    impl: () => {
      throw new BuiltinError('eval_builtin_error', 'walk is a relation and is evaluated through iter');
    },
    iter: ([v]) => walk(v!, []),
  },
  { name: 'graph.reachable', args: [{ object: ['any', 'any'] }, 'any'], result: { set: 'any' }, impl: reachable },
  { name: 'graph.reachable_paths', args: [{ object: ['any', 'any'] }, 'any'], result: { set: { array: 'any' } }, impl: reachablePaths },
  { name: 'opa.runtime', args: [], result: { object: ['string', 'any'] }, impl: (_a, ctx) => ctx.runtime },
  {
    name: 'trace',
    args: ['string'],
    result: 'boolean',
    impl: (a, ctx) => {
      // OPA records the note in its trace; we have no tracer, so it goes where print output goes.
      ctx.print(str(a, 0));
      return true;
    },
  },
  bits2('bits.or', (a, b) => a | b),
  bits2('bits.and', (a, b) => a & b),
  bits2('bits.xor', (a, b) => a ^ b),
  bits2('bits.lsh', (a, b) => a << b),
  bits2('bits.rsh', (a, b) => a >> b),
  { name: 'bits.negate', args: ['number'], result: 'number', impl: (a) => intToNum(~int(a, 0)) },
];
