/**
 * IR → closures. Each statement becomes a function of the frame and a
 * continuation fixed at compile time (continuation-passing style), so a
 * block runs as a chain of direct calls with backtracking for free: a
 * statement calls its continuation once per solution, undoing the bindings it
 * made when the continuation returns. Continuations return `true` to stop
 * (used by `not`, `every` and by callers that only need one solution).
 *
 * Whether an occurrence of a local binds or reads is decided here, once,
 * from the safe statement order the compiler guarantees (see ir/types.ts):
 * the compiler threads the set of bound slots through each block.
 */
import type { Loc } from '../ast/nodes.ts';
import { BuiltinError, type BuiltinDecl } from '../builtins/types.ts';
import type { Block, Operand, RuleIR, Stmt, WithIR } from '../ir/types.ts';
import { ConversionError, RObject, RSet, compare, keyOf, type Value } from '../value.ts';
import { RegoEvalError } from './errors.ts';
import type { Ctx, Frame, Insert, K, TreeNode } from './runtime.ts';
import { addUnique, isCollection, iterate, lookup, upsert, valueEqual } from './values.ts';
import { regoText } from '../value.ts';

export type Direct = (f: Frame) => Value | undefined;
export type Gen = (f: Frame, k: (v: Value) => boolean) => boolean;
type Matcher = (f: Frame, v: Value, k: K) => boolean;
type Builder = (next: K) => K;
type Bound = Set<number>;

/** What the closure compiler needs from the program. */
export interface Env {
  root: TreeNode;
  functionNode(name: string): TreeNode | undefined;
  builtin(name: string): BuiltinDecl | undefined;
}

const TRUE_K: K = () => true;

function handleBuiltinError(e: unknown, ctx: Ctx, loc: Loc): undefined {
  if (e instanceof BuiltinError) {
    // OPA collects builtin errors and treats the call as undefined unless strict-builtin-errors is on.
    if (ctx.strict) throw new RegoEvalError(e.code, e.message, loc);
    return undefined;
  }
  if (e instanceof RegoEvalError || e instanceof ConversionError) throw e;
  const msg = e instanceof Error ? e.message : String(e);
  if (ctx.strict) throw new RegoEvalError('eval_builtin_error', msg, loc);
  return undefined;
}

function member2(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    for (const e of coll) if (valueEqual(e, x)) return true;
    return false;
  }
  if (coll instanceof RSet) return coll.has(x);
  if (coll instanceof RObject) {
    for (const [, v] of coll.entries()) if (valueEqual(v, x)) return true;
    return false;
  }
  return false;
}

function member3(k: Value, x: Value, coll: Value): boolean {
  if (Array.isArray(coll) || coll instanceof RObject) {
    const v = lookup(coll, k);
    return v !== undefined && valueEqual(v, x);
  }
  if (coll instanceof RSet) return valueEqual(k, x) && coll.has(x);
  return false;
}

/** Calls handled inline rather than through the builtin table. */
const INLINE: Record<string, (args: Value[]) => Value | undefined> = {
  equal: (a) => valueEqual(a[0]!, a[1]!),
  neq: (a) => !valueEqual(a[0]!, a[1]!),
  'internal.member_2': (a) => member2(a[0]!, a[1]!),
  'internal.member_3': (a) => member3(a[0]!, a[1]!, a[2]!),
};

/** Comparison operators evaluated in place (same results as builtins/comparison.ts). */
const COMPARE_INLINE: Record<string, (a: Value, b: Value) => boolean> = {
  equal: (a, b) => valueEqual(a, b),
  neq: (a, b) => !valueEqual(a, b),
  lt: (a, b) => (typeof a === 'number' && typeof b === 'number' ? a < b : compare(a, b) < 0),
  lte: (a, b) => (typeof a === 'number' && typeof b === 'number' ? a <= b : compare(a, b) <= 0),
  gt: (a, b) => (typeof a === 'number' && typeof b === 'number' ? a > b : compare(a, b) > 0),
  gte: (a, b) => (typeof a === 'number' && typeof b === 'number' ? a >= b : compare(a, b) >= 0),
};

export class ClosureCompiler {
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  // -- static analysis --------------------------------------------------------

  /** True when the operand has no unbound locals at all. */
  ground(o: Operand, B: Bound): boolean {
    switch (o.k) {
      case 'const':
      case 'input':
      case 'comp':
        return true;
      case 'local':
        return B.has(o.slot);
      case 'data':
        return o.path.every((p) => this.ground(p, B));
      case 'ref':
        return this.ground(o.head, B) && o.path.every((p) => this.ground(p, B));
      case 'array':
      case 'set':
        return o.items.every((x) => this.ground(x, B));
      case 'object':
        return o.items.every(([k, v]) => this.ground(k, B) && this.ground(v, B));
      case 'call':
        // relations (walk) yield several values: never a single direct value
        return !this.isRelation(o.fn) && o.args.every((x) => this.ground(x, B));
    }
  }

  private isRelation(fn: string): boolean {
    return !this.env.functionNode(fn) && this.env.builtin(fn)?.iter !== undefined;
  }

  /** True when the operand can be evaluated (unbound locals only in ref paths, which iterate). */
  evaluable(o: Operand, B: Bound): boolean {
    switch (o.k) {
      case 'local':
        return B.has(o.slot);
      case 'data':
      case 'ref':
        return (o.k === 'data' || this.evaluable(o.head, B)) && o.path.every((p) => this.evaluable(p, B) || isPattern(p));
      case 'array':
      case 'set':
        return this.evaluableInSomeOrder(o.items, B);
      case 'object':
        return this.evaluableInSomeOrder(o.items.flat(), B);
      case 'call':
        return this.evaluableInSomeOrder(o.args, B);
      default:
        return true;
    }
  }

  /** Can sibling operands all be evaluated, each after the ones that bind what it reads (evalOrder)? */
  private evaluableInSomeOrder(parts: readonly Operand[], B: Bound): boolean {
    return parts.every((x) => this.evaluable(x, B)) || this.evalOrder(parts, B).complete;
  }

  // -- operands -------------------------------------------------------------

  /** Evaluate an operand; binds ref-path locals (B is updated). Returns a direct evaluator when no iteration is involved. */
  operand(o: Operand, B: Bound): { d?: Direct; g?: Gen } {
    if (this.ground(o, B)) return { d: this.direct(o, B) };
    return { g: this.gen(o, B) };
  }

  direct(o: Operand, B: Bound): Direct {
    switch (o.k) {
      case 'const': {
        const v = o.v;
        return () => v;
      }
      case 'local': {
        const s = o.slot;
        return (f) => f.s[s] as Value | undefined;
      }
      case 'input':
        return (f) => f.ctx.input;
      case 'ref':
        return this.refDirect(this.direct(o.head, B), o.path.map((p) => this.direct(p, B)), o.path);
      case 'data':
        return this.dataDirect(o, B);
      case 'array': {
        const items = o.items.map((x) => this.direct(x, B));
        return (f) => {
          const out: Value[] = new Array(items.length);
          for (let i = 0; i < items.length; i++) {
            const v = items[i]!(f);
            if (v === undefined) return undefined;
            out[i] = v;
          }
          return out;
        };
      }
      case 'set': {
        const items = o.items.map((x) => this.direct(x, B));
        return (f) => {
          const out = new RSet();
          for (const d of items) {
            const v = d(f);
            if (v === undefined) return undefined;
            out.add(v);
          }
          return out;
        };
      }
      case 'object': {
        const items = o.items.map(([k, v]) => [this.direct(k, B), this.direct(v, B)] as const);
        return (f) => {
          const out = new RObject();
          for (const [kd, vd] of items) {
            const k = kd(f);
            if (k === undefined) return undefined;
            const v = vd(f);
            if (v === undefined) return undefined;
            out.set(k, v);
          }
          return out;
        };
      }
      case 'call':
        return this.callDirect(o.fn, o.args.map((a) => this.direct(a, B)), o.loc);
      case 'comp':
        return this.comp(o, B);
    }
  }

  private refDirect(head: Direct, path: Direct[], ops: Operand[]): Direct {
    if (ops.every((p) => p.k === 'const' && typeof p.v === 'string')) {
      const keys = ops.map((p) => (p as { v: string }).v);
      // RObject keys strings as 's' + text (value.ts keyOf): build them once here, not per lookup
      const mkeys = keys.map((k) => 's' + k);
      if (keys.length === 1) {
        const k0 = keys[0]!;
        const m0 = mkeys[0]!;
        return (f) => {
          const h = head(f);
          return h instanceof RObject ? h.getKeyed(k0, m0) : h === undefined ? undefined : lookup(h, k0);
        };
      }
      return (f) => {
        let v = head(f);
        for (let i = 0; i < keys.length && v !== undefined; i++) v = v instanceof RObject ? v.getKeyed(keys[i]!, mkeys[i]!) : lookup(v, keys[i]!);
        return v;
      };
    }
    return (f) => {
      let v = head(f);
      for (let i = 0; i < path.length && v !== undefined; i++) {
        const k = path[i]!(f);
        if (k === undefined) return undefined;
        v = lookup(v, k);
      }
      return v;
    };
  }

  private dataDirect(o: Operand & { k: 'data' }, B: Bound): Direct {
    const path = o.path.map((p) => this.direct(p, B));
    if (o.path.every((p) => p.k === 'const' && typeof p.v === 'string')) {
      const keys = o.path.map((p) => (p as { v: string }).v);
      // Resolve the tree walk now: which node holds the document, and what is looked up inside it.
      let node = this.env.root;
      let i = 0;
      while (i < keys.length && !node.hasRules) {
        const c = node.children.get(keys[i]!);
        if (!c) break;
        node = c;
        i++;
      }
      const full: Value[] = ['data', ...keys];
      if (i < keys.length && !node.hasRules) {
        // base data only
        return (f) => (f.ctx.overrides ? f.ctx.dataGet(full) : f.ctx.baseAt(full));
      }
      const rest = keys.slice(i);
      const n = node;
      return (f) => {
        const ctx = f.ctx;
        if (ctx.overrides) return ctx.dataGet(full);
        let v = ctx.nodeValue(n);
        for (let j = 0; j < rest.length && v !== undefined; j++) v = lookup(v, rest[j]!);
        return v;
      };
    }
    return (f) => {
      const vals: Value[] = ['data'];
      for (const d of path) {
        const v = d(f);
        if (v === undefined) return undefined;
        vals.push(v);
      }
      return f.ctx.dataGet(vals);
    };
  }

  /** A generator for an evaluable operand with iteration inside. */
  gen(o: Operand, B: Bound): Gen {
    if (this.ground(o, B)) {
      const d = this.direct(o, B);
      return (f, k) => {
        const v = d(f);
        return v !== undefined && k(v);
      };
    }
    if (o.k === 'call' && this.isRelation(o.fn)) {
      const gens = o.args.map((p) => this.gen(p, B));
      const decl = this.env.builtin(o.fn)!;
      const loc = o.loc;
      return (f, k) =>
        seq(f, gens, 0, new Array(gens.length), (vals) => {
          try {
            for (const v of decl.iter!(vals.slice(), f.ctx.bctx)) if (k(v)) return true;
          } catch (e) {
            handleBuiltinError(e, f.ctx, loc);
          }
          return false;
        });
    }
    switch (o.k) {
      case 'ref':
      case 'data': {
        // ground prefix, then steps that iterate or look up
        let headD: Direct;
        let i = 0;
        if (o.k === 'data') {
          while (i < o.path.length && this.ground(o.path[i]!, B)) i++;
          const prefix = o.path.slice(0, i).map((p) => this.direct(p, B));
          headD = (f) => {
            const vals: Value[] = ['data'];
            for (const d of prefix) {
              const v = d(f);
              if (v === undefined) return undefined;
              vals.push(v);
            }
            return f.ctx.dataGet(vals);
          };
        } else {
          const hg = this.operand(o.head, B);
          if (!hg.d) {
            // head itself iterates (e.g. a call over an iterated ref)
            const g = hg.g!;
            const steps = this.steps(o.path, B);
            return (f, k) => g(f, (h) => walk(f, h, steps, 0, k));
          }
          headD = hg.d;
        }
        const steps = this.steps(o.path.slice(i), B);
        return (f, k) => {
          const h = headD(f);
          return h !== undefined && walk(f, h, steps, 0, k);
        };
      }
      case 'array':
      case 'set':
      case 'object':
      case 'call': {
        // Evaluate the sub-operands (each may iterate) in evalOrder, then build.
        const parts: Operand[] = o.k === 'object' ? o.items.flat() : o.k === 'call' ? o.args : o.items;
        const { order } = this.evalOrder(parts, B);
        const gens = order.map((i) => this.gen(parts[i]!, B));
        const inOrder = order.every((i, j) => i === j);
        const build = this.builder(o, B);
        return (f, k) => seq(f, gens, 0, new Array(gens.length), (got) => {
          const v = build(f, inOrder ? got : unpermute(order, got));
          return v !== undefined && k(v);
        });
      }
      default:
        throw new RegoEvalError('eval_internal_error', `cannot evaluate operand ${o.k}`);
    }
  }

  private builder(o: Operand, B: Bound): (f: Frame, vals: Value[]) => Value | undefined {
    switch (o.k) {
      case 'array':
        return (_f, vals) => vals.slice();
      case 'set':
        return (_f, vals) => RSet.of(vals);
      case 'object':
        return (_f, vals) => {
          const out = new RObject();
          for (let i = 0; i < vals.length; i += 2) out.set(vals[i]!, vals[i + 1]!);
          return out;
        };
      case 'call': {
        const call = this.callValues(o.fn, o.loc);
        return (f, vals) => call(f, vals);
      }
      default:
        void B;
        return () => undefined;
    }
  }

  /** Path steps for ref walking: direct key lookups or key patterns that iterate. */
  private steps(path: Operand[], B: Bound): Step[] {
    return path.map((p) => {
      if (this.ground(p, B)) return { d: this.direct(p, B) };
      if (isPattern(p) && !this.evaluable(p, B)) return { m: this.matcher(p, B) };
      if (isPattern(p)) {
        // a pattern made of bound parts is ground; reaching here means partially bound composite
        return { m: this.matcher(p, B) };
      }
      return { g: this.gen(p, B) };
    });
  }

  // -- patterns ---------------------------------------------------------------

  matcher(p: Operand, B: Bound): Matcher {
    if (p.k === 'local' && !B.has(p.slot)) {
      const s = p.slot;
      B.add(s);
      return (f, v, k) => {
        f.s[s] = v;
        const r = k(f);
        f.s[s] = undefined;
        return r;
      };
    }
    if (this.ground(p, B)) {
      const d = this.direct(p, B);
      return (f, v, k) => {
        const x = d(f);
        return x !== undefined && valueEqual(x, v) && k(f);
      };
    }
    if (p.k === 'array') {
      const ms = p.items.map((x) => this.matcher(x, B));
      const n = ms.length;
      const step = (f: Frame, arr: Value[], i: number, k: K): boolean => (i === n ? k(f) : ms[i]!(f, arr[i]!, (f2) => step(f2, arr, i + 1, k)));
      return (f, v, k) => Array.isArray(v) && v.length === n && step(f, v, 0, k);
    }
    if (p.k === 'object') {
      const keys = p.items.map(([k]) => this.direct(k, B));
      const ms = p.items.map(([, x]) => this.matcher(x, B));
      const n = ms.length;
      const step = (f: Frame, obj: RObject, i: number, k: K): boolean => {
        if (i === n) return k(f);
        const key = keys[i]!(f);
        if (key === undefined) return false;
        const x = obj.get(key);
        return x !== undefined && ms[i]!(f, x, (f2) => step(f2, obj, i + 1, k));
      };
      return (f, v, k) => v instanceof RObject && v.size === n && step(f, v, 0, k);
    }
    // evaluable but iterating (e.g. a ref with a fresh var): compare each value
    const g = this.gen(p, B);
    return (f, v, k) => g(f, (x) => valueEqual(x, v) && k(f));
  }

  // -- calls ----------------------------------------------------------------

  private zeroArgRule(fn: string): boolean {
    if (!fn.startsWith('data.')) return false;
    let node: TreeNode | undefined = this.env.root;
    for (const seg of fn.split('.').slice(1)) node = node?.children.get(seg);
    return node?.kind === 'complete';
  }

  /** Call with already-evaluated args (undefined result = undefined). */
  callValues(fn: string, loc: Loc): (f: Frame, args: Value[]) => Value | undefined {
    const inline = INLINE[fn];
    const userNode = this.env.functionNode(fn);
    const decl = userNode ? undefined : this.env.builtin(fn);
    // Decided once here, not per call.
    let base: (f: Frame, args: Value[]) => Value | undefined;
    if (inline) base = (_f, args) => inline(args);
    else if (userNode) base = (f, args) => f.ctx.callFunction(userNode, args, loc);
    else if (!decl && this.zeroArgRule(fn)) {
      // `f()` on a rule written `f() = v` (OPA: no args makes it a complete rule): its value.
      const full: Value[] = fn.split('.');
      base = (f) => f.ctx.dataGet(full);
    } else if (!decl) {
      base = () => {
        throw new RegoEvalError('eval_internal_error', `undefined function ${fn}`, loc);
      };
    } else if (decl.iter) {
      const iter = decl.iter;
      base = (f, args) => {
        for (const v of iter(args, f.ctx.bctx)) return v;
        return undefined;
      };
    } else {
      const impl = decl.impl;
      base = (f, args) => {
        try {
          return impl(args, f.ctx.bctx);
        } catch (e) {
          return handleBuiltinError(e, f.ctx, loc);
        }
      };
    }
    return (f, args) => {
      const mocks = f.ctx.mocks;
      if (mocks !== null) {
        const m = mocks.get(fn);
        if (m) {
          if (m.value !== undefined) return m.value;
          const other = this.callValues(m.fn!, loc);
          // The replacement runs with no mocks in force: OPA never lets a mock call another mock (or itself).
          const saved = f.ctx.mocks;
          f.ctx.mocks = null;
          try {
            return other(f, args);
          } finally {
            f.ctx.mocks = saved;
          }
        }
      }
      return base(f, args);
    };
  }

  private callDirect(fn: string, args: Direct[], loc: Loc): Direct {
    const call = this.callValues(fn, loc);
    const n = args.length;
    if (n === 1) {
      const a0 = args[0]!;
      return (f) => {
        const v = a0(f);
        return v === undefined ? undefined : call(f, [v]);
      };
    }
    if (n === 2) {
      const a0 = args[0]!;
      const a1 = args[1]!;
      return (f) => {
        const x = a0(f);
        if (x === undefined) return undefined;
        const y = a1(f);
        return y === undefined ? undefined : call(f, [x, y]);
      };
    }
    return (f) => {
      const vals: Value[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const v = args[i]!(f);
        if (v === undefined) return undefined;
        vals[i] = v;
      }
      return call(f, vals);
    };
  }

  // -- comprehensions ---------------------------------------------------------

  private comp(o: Operand & { k: 'comp' }, B: Bound): Direct {
    const inner = new Set(B);
    const build = this.blockBuilder(o.block, inner);
    const acc = o.acc;
    const vd = this.direct(o.value, inner);
    let tail: K;
    let fresh: () => unknown;
    if (o.kind === 'array') {
      fresh = () => [];
      tail = (f) => {
        const v = vd(f);
        if (v !== undefined) (f.s[acc] as Value[]).push(v);
        return false;
      };
    } else if (o.kind === 'set') {
      fresh = () => new RSet();
      tail = (f) => {
        const v = vd(f);
        if (v !== undefined) (f.s[acc] as RSet).add(v);
        return false;
      };
    } else {
      const kd = this.direct(o.key!, inner);
      const loc = o.loc;
      fresh = () => new RObject();
      tail = (f) => {
        const k = kd(f);
        const v = vd(f);
        if (k === undefined || v === undefined) return false;
        const obj = f.s[acc] as RObject;
        const prev = obj.get(k);
        if (prev !== undefined && !valueEqual(prev, v)) throw new RegoEvalError('eval_conflict_error', 'object keys must be unique', loc);
        obj.set(k, v);
        return false;
      };
    }
    const run = build(tail);
    return (f) => {
      const saved = f.s[acc];
      f.s[acc] = fresh();
      run(f);
      const r = f.s[acc] as Value;
      f.s[acc] = saved;
      return r;
    };
  }

  // -- statements -------------------------------------------------------------

  blockBuilder(block: Block, B: Bound): Builder {
    const builders: Builder[] = [];
    for (let i = 0; i < block.length; i++) {
      const s = block[i]!;
      const e = block[i + 1];
      if (s.s === 'scan' && e !== undefined && e.s === 'call') {
        const fused = this.indexedScan(s, e, B);
        if (fused) {
          builders.push(fused);
          i++;
          continue;
        }
      }
      builders.push(this.stmt(s, B));
    }
    return (next) => {
      let k = next;
      for (let i = builders.length - 1; i >= 0; i--) k = builders[i]!(k);
      return k;
    };
  }

  private stmt(s: Stmt, B: Bound): Builder {
    switch (s.s) {
      case 'unify':
        return this.unify(s.a, s.b, B);
      case 'test': {
        const o = this.operand(s.t, B);
        if (o.d) {
          const d = o.d;
          return (next) => (f) => {
            const v = d(f);
            return v !== undefined && v !== false && next(f);
          };
        }
        const g = o.g!;
        return (next) => (f) => g(f, (v) => v !== false && next(f));
      }
      case 'call':
        return this.callStmt(s, B);
      case 'not': {
        const inner = this.blockBuilder(s.block, new Set(B))(TRUE_K);
        return (next) => (f) => !inner(f) && next(f);
      }
      case 'scan':
        return this.scan(s, B);
      case 'every':
        return this.every(s, B);
      case 'with':
        return this.with(s, B);
    }
  }

  private unify(a: Operand, b: Operand, B: Bound): Builder {
    if (this.ground(a, B) && this.ground(b, B)) {
      const da = this.direct(a, B);
      const db = this.direct(b, B);
      return (next) => (f) => {
        const x = da(f);
        if (x === undefined) return false;
        const y = db(f);
        return y !== undefined && valueEqual(x, y) && next(f);
      };
    }
    // `x := <ground>`: the hot path, without a matcher
    if (a.k === 'local' && !B.has(a.slot) && this.ground(b, B)) return this.bindDirect(a.slot, this.direct(b, B), B);
    if (b.k === 'local' && !B.has(b.slot) && this.ground(a, B)) return this.bindDirect(b.slot, this.direct(a, B), B);
    if (this.evaluable(b, B) && !(b.k === 'local')) return this.evalThenMatch(b, a, B);
    if (this.evaluable(a, B) && !(a.k === 'local')) return this.evalThenMatch(a, b, B);
    if (a.k === 'array' && b.k === 'array' && a.items.length === b.items.length) {
      const parts = a.items.map((x, i) => this.unify(x, b.items[i]!, B));
      return (next) => {
        let k = next;
        for (let i = parts.length - 1; i >= 0; i--) k = parts[i]!(k);
        return k;
      };
    }
    if (a.k === 'object' && b.k === 'object' && a.items.length === b.items.length) {
      const parts: Builder[] = [];
      for (const [ka, va] of a.items) {
        const m = b.items.find(([kb]) => ka.k === 'const' && kb.k === 'const' && valueEqual(ka.v, kb.v));
        if (!m) return () => () => false;
        parts.push(this.unify(va, m[1], B));
      }
      return (next) => {
        let k = next;
        for (let i = parts.length - 1; i >= 0; i--) k = parts[i]!(k);
        return k;
      };
    }
    if (a.k === 'local' && B.has(a.slot)) return this.evalThenMatch(a, b, B);
    if (b.k === 'local' && B.has(b.slot)) return this.evalThenMatch(b, a, B);
    if ((a.k === 'array' || a.k === 'object') !== (b.k === 'array' || b.k === 'object') && (a.k === 'array' || a.k === 'object' || b.k === 'array' || b.k === 'object')) {
      // composite vs. a different composite kind/size: never unifies
      return () => () => false;
    }
    throw new RegoEvalError('eval_internal_error', 'unsafe unification reached the evaluator');
  }

  private bindDirect(slot: number, d: Direct, B: Bound): Builder {
    B.add(slot);
    return (next) => (f) => {
      const v = d(f);
      if (v === undefined) return false;
      f.s[slot] = v;
      const r = next(f);
      f.s[slot] = undefined;
      return r;
    };
  }

  private evalThenMatch(src: Operand, pattern: Operand, B: Bound): Builder {
    const o = this.operand(src, B);
    const m = this.matcher(pattern, B);
    if (o.d) {
      const d = o.d;
      return (next) => (f) => {
        const v = d(f);
        return v !== undefined && m(f, v, next);
      };
    }
    const g = o.g!;
    return (next) => (f) => g(f, (v) => m(f, v, next));
  }

  /**
   * The order to evaluate sibling operands in (call arguments, collection items): left to right,
   * except that a part reading a variable another part binds waits for it — in
   * `x == input.xs[x]` the ref binds x. OPA lifts each ref out of a call into its own
   * expression before the call and orders those for safety; the result set is the same.
   */
  private evalOrder(parts: readonly Operand[], B: Bound): { order: number[]; complete: boolean } {
    const order: number[] = [];
    const scratch = new Set(B);
    const remaining = parts.map((_, i) => i);
    let complete = true;
    while (remaining.length) {
      const next = remaining.findIndex((i) => this.evaluable(parts[i]!, scratch));
      // Stuck (no part evaluable yet): take the leftmost anyway; `complete` tells evaluable() so.
      if (next < 0) complete = false;
      const i = remaining.splice(next < 0 ? 0 : next, 1)[0]!;
      order.push(i);
      for (const slot of unboundSlots(parts[i]!, scratch)) scratch.add(slot);
    }
    return { order, complete };
  }

  /** Calls the function on evaluated arguments and matches its result against the statement's output, if any. */
  private callConsumer(s: Stmt & { s: 'call' }, B: Bound): (f: Frame, args: Value[], next: K) => boolean {
    const decl = this.env.functionNode(s.fn) ? undefined : this.env.builtin(s.fn);
    const call = this.callValues(s.fn, s.loc);
    const loc = s.loc;
    const m = s.out ? this.matcher(s.out, B) : undefined;
    const fn = s.fn;
    return (f: Frame, args: Value[], next: K): boolean => {
      if (decl?.iter && m && !f.ctx.mocks?.has(fn)) {
        let it: Iterable<Value>;
        try {
          it = decl.iter(args, f.ctx.bctx);
          for (const v of it) if (m(f, v, next)) return true;
        } catch (e) {
          handleBuiltinError(e, f.ctx, loc);
        }
        return false;
      }
      const r = call(f, args);
      if (r === undefined) return false;
      if (m) return m(f, r, next);
      return r !== false && next(f);
    };
  }

  private callStmt(s: Stmt & { s: 'call' }, B: Bound): Builder {
    if (s.fn === 'print') return this.print(s, B);
    const { order } = this.evalOrder(s.args, B);
    if (order.some((i, j) => i !== j)) {
      const gs = order.map((i) => {
        const g = this.operand(s.args[i]!, B);
        return g.g ?? toGen(g.d!);
      });
      const consumeAll = this.callConsumer(s, B);
      return (next) => (f) => seq(f, gs, 0, new Array(gs.length), (got) => consumeAll(f, unpermute(order, got), next));
    }
    const gens = s.args.map((a) => this.operand(a, B));
    const allDirect = gens.every((g) => g.d);
    const consume = this.callConsumer(s, B);
    const fn = s.fn;
    const m = s.out !== undefined;
    if (allDirect) {
      const ds = gens.map((g) => g.d!);
      const n = ds.length;
      const test = !m && n === 2 && !this.env.functionNode(fn) ? COMPARE_INLINE[fn] : undefined;
      if (test) {
        // `a == b`, `a < b`, …: no argument array, no table dispatch (unless a `with` mocks the operator).
        const d0 = ds[0]!;
        const d1 = ds[1]!;
        return (next) => {
          const general: K = (f) => {
            const args: Value[] = new Array(n);
            for (let i = 0; i < n; i++) {
              const v = ds[i]!(f);
              if (v === undefined) return false;
              args[i] = v;
            }
            return consume(f, args, next);
          };
          return (f) => {
            if (f.ctx.mocks !== null) return general(f);
            const x = d0(f);
            if (x === undefined) return false;
            const y = d1(f);
            return y !== undefined && test(x, y) && next(f);
          };
        };
      }
      return (next) => (f) => {
        const args: Value[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const v = ds[i]!(f);
          if (v === undefined) return false;
          args[i] = v;
        }
        return consume(f, args, next);
      };
    }
    const gs = gens.map((g) => g.g ?? toGen(g.d!));
    return (next) => (f) => seq(f, gs, 0, new Array(gs.length), (vals) => consume(f, vals.slice(), next));
  }

  private print(s: Stmt & { s: 'call' }, B: Bound): Builder {
    const gens = s.args.map((a) => {
      const o = this.operand(a, new Set(B));
      return o.g ?? toGen(o.d!);
    });
    const loc = s.loc;
    return (next) => (f) => {
      const cols = gens.map((g) => {
        const vals: string[] = [];
        g(f, (v) => {
          vals.push(typeof v === 'string' ? v : regoText(v));
          return false;
        });
        return vals.length ? vals : ['<undefined>'];
      });
      const lines: string[][] = [[]];
      let combos = lines;
      for (const col of cols) {
        const nextCombos: string[][] = [];
        for (const c of combos) for (const v of col) nextCombos.push([...c, v]);
        combos = nextCombos;
      }
      const printer = f.ctx.printer;
      for (const c of combos) {
        if (printer) printer(c.join(' '), loc);
        else f.ctx.bctx.print(c.join(' '));
      }
      return next(f);
    };
  }

  private scan(s: Stmt & { s: 'scan' }, B: Bound): Builder {
    const dom = this.operand(s.domain, B);
    const v = s.value;
    const k = s.key;
    if (dom.d && v.k === 'local' && !B.has(v.slot) && (!k || (k.k === 'local' && !B.has(k.slot) && k.slot !== v.slot))) {
      // `some x in coll` / `some i, x in coll` over a plain value: bind the slots in a loop, no matcher closures.
      const dd = dom.d;
      const vs = v.slot;
      const ks = k ? (k as { slot: number }).slot : -1;
      B.add(vs);
      if (ks >= 0) B.add(ks);
      return (next) => (f) => {
        const coll = dd(f);
        return coll !== undefined && scanBind(f, coll, vs, ks, next);
      };
    }
    const dg = dom.g ?? toGen(dom.d!);
    const mv = this.matcher(s.value, B);
    const mk = s.key ? this.matcher(s.key, B) : undefined;
    return (next) => {
      const withKey = mk ? (k: Value): K => (f) => mk(f, k, next) : undefined;
      return (f) =>
        dg(f, (coll) =>
          iterate(coll, (k, v) => (withKey ? mv(f, v, withKey(k)) : mv(f, v, next))),
        );
    };
  }

  /**
   * `some k, x in coll` directly followed by `x.f.g == y` (y not depending
   * on the scan): look the matching elements up in an index of `coll` by
   * `x.f.g` instead of testing every element. Indexes are built once per
   * collection value (values are immutable) and kept while it lives, so the
   * many rules that pick `input.actions` by `action` share one. Elements are
   * visited in the collection's order, and `y` is evaluated exactly when the
   * unindexed pair would evaluate it, so results and errors are unchanged.
   * With `equal` mocked (`with equal as …`) the pair runs unindexed.
   */
  private indexedScan(s: Stmt & { s: 'scan' }, e: Stmt & { s: 'call' }, B: Bound): Builder | undefined {
    if (e.fn !== 'equal' || e.out !== undefined || e.args.length !== 2) return undefined;
    const v = s.value;
    if (v.k !== 'local' || B.has(v.slot)) return undefined;
    const slot = v.slot;
    const isField = (o: Operand): string[] | undefined =>
      o.k === 'ref' && o.head.k === 'local' && o.head.slot === slot && o.path.length > 0 && o.path.every((p) => p.k === 'const' && typeof p.v === 'string')
        ? o.path.map((p) => (p as { v: string }).v)
        : undefined;
    const [a0, a1] = e.args as [Operand, Operand];
    let fieldAt = 0;
    let path = isField(a0);
    let other = a1;
    if (!path || !this.ground(a1, B)) {
      fieldAt = 1;
      path = isField(a1);
      other = a0;
      if (!path || !this.ground(a0, B)) return undefined;
    }
    if (s.key && !(s.key.k === 'local' && !B.has(s.key.slot))) return undefined;
    // The plain pair, for when `equal` is mocked; compiled from a copy of B (it binds the same slots).
    const B1 = new Set(B);
    const plainScan = this.scan(s, B1);
    const plainTest = this.callStmt(e, B1);
    const od = this.direct(other, B);
    const dom = this.operand(s.domain, B);
    const dg = dom.g ?? toGen(dom.d!);
    // The key is absent or a fresh local (checked above): bound directly like the value.
    if (s.key) B.add((s.key as { slot: number }).slot);
    B.add(slot);
    for (const x of B1) B.add(x);
    const fieldKey = path.join('\u0000');
    const fpath = path;
    const ks = s.key ? (s.key as { slot: number }).slot : -1;
    const dd = dom.d;
    return (next) => {
      const plain = plainScan(plainTest(next));
      const probe = (f: Frame, coll: Value): boolean => {
        const index = fieldIndex(f.ctx, coll, fieldKey, fpath);
        if (index === undefined) return false;
        // The unindexed pair evaluates y for each element whose field is defined (y second) or for each element (y first).
        if ((fieldAt === 0 ? index.defined : index.n) === 0) return false;
        const want = od(f);
        if (want === undefined) return false;
        const hits = typeof want === 'string' ? index.byStr.get(want) : index.byKey?.get(keyOf(want));
        if (hits === undefined) return false;
        const sl = f.s;
        for (let i = 0; i < hits.length; i += 2) {
          sl[slot] = hits[i + 1]!;
          if (ks >= 0) sl[ks] = hits[i]!;
          const r = next(f);
          sl[slot] = undefined;
          if (ks >= 0) sl[ks] = undefined;
          if (r) return true;
        }
        return false;
      };
      if (dd) {
        return (f) => {
          const mocks = f.ctx.mocks;
          if (mocks !== null && mocks.has('equal')) return plain(f);
          const coll = dd(f);
          return coll !== undefined && probe(f, coll);
        };
      }
      return (f) => {
        const mocks = f.ctx.mocks;
        if (mocks !== null && mocks.has('equal')) return plain(f);
        return dg(f, (coll) => probe(f, coll));
      };
    };
  }

  private every(s: Stmt & { s: 'every' }, B: Bound): Builder {
    const dom = this.operand(s.domain, B);
    const dg = dom.g ?? toGen(dom.d!);
    const inner = new Set(B);
    const mv = this.matcher(s.value, inner);
    const mk = s.key ? this.matcher(s.key, inner) : undefined;
    const body = this.blockBuilder(s.block, inner)(TRUE_K);
    const holds = (f: Frame, coll: Value): boolean => {
      if (!isCollection(coll)) return false;
      let ok = true;
      iterate(coll, (k, v) => {
        const found = mk ? mv(f, v, (f2) => mk(f2, k, body)) : mv(f, v, body);
        if (!found) {
          ok = false;
          return true;
        }
        return false;
      });
      return ok;
    };
    return (next) => (f) => {
      let ok = false;
      dg(f, (coll) => {
        ok = holds(f, coll);
        return true;
      });
      return ok && next(f);
    };
  }

  private with(s: Stmt & { s: 'with' }, B: Bound): Builder {
    const mods = s.mods.map((m) => this.withMod(m, B));
    const save = s.save;
    const inner = this.blockBuilder(s.block, B);
    return (next) => {
      const restore: K = (f) => {
        const child = f.ctx;
        f.ctx = f.s[save] as Ctx;
        const r = next(f);
        f.ctx = child;
        return r;
      };
      const run = inner(restore);
      return (f) => {
        const parent = f.ctx;
        const child = parent.derive();
        for (const m of mods) if (!m(f, child)) return false;
        f.s[save] = parent;
        f.ctx = child;
        try {
          return run(f);
        } finally {
          f.ctx = parent;
          f.s[save] = undefined;
        }
      };
    };
  }

  private withMod(m: WithIR, B: Bound): (f: Frame, child: Ctx) => boolean {
    const t = m.target;
    if (m.value.k === 'fnref') {
      const name = m.value.name;
      const target = t.kind === 'function' ? t.name : ['data', ...t.path].join('.');
      return (_f, child) => {
        (child.mocks ??= new Map()).set(target, { fn: name });
        return true;
      };
    }
    const d = this.direct(m.value as Operand, B);
    if (t.kind === 'input') {
      const path = t.path;
      return (f, child) => {
        const v = d(f);
        if (v === undefined) return false;
        child.input = path.length === 0 ? v : upsert(child.input, path, v);
        return true;
      };
    }
    if (t.kind === 'data') {
      const path: Value[] = ['data', ...t.path];
      return (f, child) => {
        const v = d(f);
        if (v === undefined) return false;
        (child.overrides ??= []).unshift({ path, value: v });
        return true;
      };
    }
    const name = t.name;
    return (f, child) => {
      const v = d(f);
      if (v === undefined) return false;
      (child.mocks ??= new Map()).set(name, { value: v });
      return true;
    };
  }

  // -- rules ------------------------------------------------------------------

  /** Compile a rule: parameter matching, block, and the head tail that records results in `frame.acc`. */
  rule(ir: RuleIR): K {
    const B: Bound = new Set();
    const params = (ir.params ?? []).map((p) => this.matcher(p, B));
    const build = this.blockBuilder(ir.block, B);
    let tail: K;
    const loc = ir.loc;
    if (ir.suffix.length > 0) {
      const sfx = ir.suffix.map((o) => this.direct(o, B));
      const isSet = ir.kind === 'partial_set';
      const vd = this.direct(isSet ? ir.key! : ir.value, B);
      tail = (f) => {
        const path: Value[] = new Array(sfx.length);
        for (let i = 0; i < sfx.length; i++) {
          const v = sfx[i]!(f);
          if (v === undefined) return false;
          path[i] = v;
        }
        const v = vd(f);
        if (v !== undefined) (f.acc as Insert[]).push({ path, v, set: isSet, loc });
        return false;
      };
    } else if (ir.kind === 'partial_set') {
      const kd = this.direct(ir.key!, B);
      tail = (f) => {
        const v = kd(f);
        if (v !== undefined) (f.acc as RSet).add(v);
        return false;
      };
    } else {
      const vd = this.direct(ir.value, B);
      tail = (f) => {
        const v = vd(f);
        if (v !== undefined) addUnique(f.acc as Value[], v);
        return false;
      };
    }
    let k = build(tail);
    for (let i = params.length - 1; i >= 0; i--) {
      const m = params[i]!;
      const after = k;
      k = (f) => m(f, f.args[i]!, after);
    }
    return k;
  }
}

export interface FieldIndex {
  /** The field path (joined) this indexes; `next` indexes the same collection by another path. */
  fieldKey: string;
  next: FieldIndex | undefined;
  /** Elements of the collection. */
  n: number;
  /** Elements whose field is defined. */
  defined: number;
  /** String field value → [key, element, key, element, …] in iteration order. */
  byStr: Map<string, Value[]>;
  /** keyOf(field value) → the same, for field values that are not strings. */
  byKey: Map<string, Value[]> | undefined;
}

/**
 * The indexes of a collection (one per field path), kept per evaluation
 * (Ctx.indexes): a WeakMap across evaluations made every collection of every
 * evaluation an ephemeron the garbage collector had to trace.
 */
function fieldIndex(ctx: Ctx, coll: Value, fieldKey: string, path: string[]): FieldIndex | undefined {
  if (coll === null || typeof coll !== 'object' || !isCollection(coll)) return undefined;
  const indexes = (ctx.indexes ??= new Map());
  const first = indexes.get(coll);
  for (let x = first; x !== undefined; x = x.next) if (x.fieldKey === fieldKey) return x;
  const ix: FieldIndex = { fieldKey, next: first, n: 0, defined: 0, byStr: new Map(), byKey: undefined };
  iterate(coll, (k, x) => {
    ix.n++;
    let y: Value | undefined = x;
    for (let i = 0; i < path.length && y !== undefined; i++) y = lookup(y, path[i]!);
    if (y !== undefined) {
      ix.defined++;
      const map = typeof y === 'string' ? ix.byStr : (ix.byKey ??= new Map());
      const key = typeof y === 'string' ? y : keyOf(y);
      const list = map.get(key);
      if (list) list.push(k, x);
      else map.set(key, [k, x]);
    }
    return false;
  });
  indexes.set(coll, ix);
  return ix;
}

interface Step {
  d?: Direct;
  m?: Matcher;
  g?: Gen;
}

function isPattern(o: Operand): boolean {
  return o.k === 'local' || o.k === 'array' || o.k === 'object';
}

function toGen(d: Direct): Gen {
  return (f, k) => {
    const v = d(f);
    return v !== undefined && k(v);
  };
}

/** Binds slot `vs` (and `ks`, if ≥ 0) to each element (and key) of `coll` in turn; stops when `next` does. */
function scanBind(f: Frame, coll: Value, vs: number, ks: number, next: K): boolean {
  const s = f.s;
  if (Array.isArray(coll)) {
    for (let i = 0; i < coll.length; i++) {
      s[vs] = coll[i];
      if (ks >= 0) s[ks] = i;
      const r = next(f);
      s[vs] = undefined;
      if (ks >= 0) s[ks] = undefined;
      if (r) return true;
    }
    return false;
  }
  // sets and objects in OPA's order (sorted, cached on the value)
  if (coll instanceof RSet) {
    const items = coll.sorted();
    for (let i = 0; i < items.length; i++) {
      s[vs] = items[i];
      if (ks >= 0) s[ks] = items[i];
      const r = next(f);
      s[vs] = undefined;
      if (ks >= 0) s[ks] = undefined;
      if (r) return true;
    }
    return false;
  }
  if (coll instanceof RObject) {
    const es = coll.sortedEntries();
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!;
      s[vs] = e[1];
      if (ks >= 0) s[ks] = e[0];
      const r = next(f);
      s[vs] = undefined;
      if (ks >= 0) s[ks] = undefined;
      if (r) return true;
    }
  }
  return false;
}

function walk(f: Frame, v: Value, steps: Step[], i: number, k: (v: Value) => boolean): boolean {
  for (; i < steps.length; i++) {
    const st = steps[i]!;
    if (st.d) {
      const key = st.d(f);
      if (key === undefined) return false;
      const next = lookup(v, key);
      if (next === undefined) return false;
      v = next;
      continue;
    }
    const j = i;
    if (st.m) {
      const m = st.m;
      return iterate(v, (key, x) => m(f, key, (f2) => walk(f2, x, steps, j + 1, k)));
    }
    const g = st.g!;
    const cur = v;
    return g(f, (key) => {
      const x = lookup(cur, key);
      return x !== undefined && walk(f, x, steps, j + 1, k);
    });
  }
  return k(v);
}

/** The locals of an operand not yet bound (a comprehension's own variables are its own). */
function unboundSlots(o: Operand, B: Bound, out: number[] = []): number[] {
  switch (o.k) {
    case 'local':
      if (!B.has(o.slot)) out.push(o.slot);
      break;
    case 'data':
      for (const p of o.path) unboundSlots(p, B, out);
      break;
    case 'ref':
      unboundSlots(o.head, B, out);
      for (const p of o.path) unboundSlots(p, B, out);
      break;
    case 'array':
    case 'set':
      for (const x of o.items) unboundSlots(x, B, out);
      break;
    case 'object':
      for (const [k, v] of o.items) unboundSlots(k, B, out), unboundSlots(v, B, out);
      break;
    case 'call':
      for (const x of o.args) unboundSlots(x, B, out);
      break;
  }
  return out;
}

/** Values got in evalOrder `order`, put back in the parts' own order. */
function unpermute(order: readonly number[], got: readonly Value[]): Value[] {
  const vals: Value[] = new Array(got.length);
  for (let j = 0; j < order.length; j++) vals[order[j]!] = got[j]!;
  return vals;
}

function seq(f: Frame, gens: Gen[], i: number, vals: Value[], k: (vals: Value[]) => boolean): boolean {
  if (i === gens.length) return k(vals);
  return gens[i]!(f, (v) => {
    vals[i] = v;
    return seq(f, gens, i + 1, vals, k);
  });
}
