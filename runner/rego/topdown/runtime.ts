/**
 * Evaluation-time state: the rule tree (virtual documents merged over base
 * data), one `Ctx` per evaluation (input, caches, `with` overrides), and the
 * evaluation of rule groups with OPA's conflict semantics.
 *
 * How a `data` document is computed (OPA's semantics, with ref heads):
 *   - rules are anchored at the ground prefix of their head ref; a node of
 *     the tree is every prefix of an anchor;
 *   - a node's value merges, as an object: the base data at its path, the
 *     values of its child nodes, and the entries its dynamic rules
 *     (`p[k] := v`, `p[q].r := v`, `p[q] contains r`) insert;
 *   - values produced by rules are atomic: inserting into or beside another
 *     rule's value, or two different values at one key, is a conflict
 *     (eval_conflict_error);
 *   - complete rules: all defined values must be equal; none → the default;
 *     partial sets and objects are always defined (possibly empty).
 */
import type { Loc } from '../ast/nodes.ts';
import type { BuiltinContext } from '../builtins/types.ts';
import type { RuleIR } from '../ir/types.ts';
import { RObject, RSet, compareStr, keyOf, setJS, toJS, type Value } from '../value.ts';
import type { FieldIndex } from './compile.ts';
import { RegoEvalError, completeDocConflictMsg, functionConflictMsg } from './errors.ts';
import { lookup, upsert, valueEqual } from './values.ts';

export interface Frame {
  s: unknown[];
  ctx: Ctx;
  /** Rule accumulator: values (complete/function), RSet (partial set), inserts (dynamic). */
  acc: unknown;
  /** Function call arguments. */
  args: Value[];
}

export type K = (f: Frame) => boolean;

export interface CompiledRule {
  ir: RuleIR;
  /** Runs params-matching, the block and the head tail; results land in `frame.acc`. */
  run: K;
  else?: CompiledRule;
  /** An idle frame for the next run (see Program.runRule). */
  spare?: Frame | undefined;
}

export interface Insert {
  path: Value[];
  v: Value;
  set: boolean;
  loc: Loc;
}

export class TreeNode {
  readonly id: number;
  readonly path: string[];
  readonly name: string;
  readonly children = new Map<string, TreeNode>();
  /** Non-default, non-function rules anchored here. */
  readonly rules: CompiledRule[] = [];
  defaultRule: CompiledRule | undefined;
  readonly functions: CompiledRule[] = [];
  kind: 'none' | 'complete' | 'partial_set' | 'dynamic' | 'function' = 'none';
  /** Set-valued dynamic rules (`p[q] contains r`). */
  constructor(id: number, path: string[], name: string) {
    this.id = id;
    this.path = path;
    this.name = name;
  }
  get hasRules(): boolean {
    return this.kind !== 'none';
  }
  private sortedKids: TreeNode[] | undefined;
  private jsKids: TreeNode[] | undefined;
  private factory: ((vals: unknown[]) => Record<string, unknown>) | undefined;
  /** Children that can appear in a JSON result (functions never do), in OPA's key order. */
  jsChildren(): TreeNode[] {
    return (this.jsKids ??= this.sortedChildren().filter((c) => c.kind !== 'function'));
  }
  /**
   * Builds this node's JSON object when every child is defined. An object
   * literal per node gives each result shape its own construction site: one
   * shared site adding keys one by one cost ~50 ns per key in V8's
   * megamorphic store path. Keys are JSON-quoted into the literal.
   */
  jsFactory(): ((vals: unknown[]) => Record<string, unknown>) | undefined {
    if (this.factory === undefined) {
      const keys = this.jsChildren().map((c) => c.path[c.path.length - 1]!);
      // `"__proto__": v` in a literal would set the prototype, not a key: build that one by hand.
      if (keys.includes('__proto__')) return undefined;
      const body = keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ');
      this.factory = new Function('v', `return { ${body} };`) as (vals: unknown[]) => Record<string, unknown>;
    }
    return this.factory;
  }
  /** Children in OPA's key order (built once; the tree is fixed after prepare). */
  sortedChildren(): TreeNode[] {
    return (this.sortedKids ??= [...this.children.entries()].sort((a, b) => compareStr(a[0], b[0])).map((e) => e[1]));
  }
}

/**
 * Where `data[path]` is in the rule tree: exactly a node, below a node with
 * no rules and no such child (MISSING: base data only), or through a rule's
 * value or a non-string key (GENERAL: Ctx.dataGet). Depends only on the tree,
 * which is fixed after prepare, so it can be computed once per path.
 */
export type DocTarget = TreeNode | typeof MISSING | typeof GENERAL;
export const MISSING = Symbol('missing');
export const GENERAL = Symbol('general');

export function resolveDoc(root: TreeNode, path: readonly Value[]): DocTarget {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    if (node.hasRules || typeof key !== 'string') return GENERAL;
    const child = node.children.get(key);
    if (child === undefined) return MISSING;
    node = child;
  }
  return node;
}

export interface Mock {
  value?: Value;
  fn?: string;
}

/** Everything evaluation needs from the compiled program (implemented by Program in program.ts). */
export interface ProgramLike {
  readonly root: TreeNode;
  readonly nodeCount: number;
  /** Whether function results may be remembered within a context (false when any rule prints: a remembered call would not print again). */
  readonly memoFunctions: boolean;
  runRule(rule: CompiledRule, ctx: Ctx, args: Value[] | undefined, acc: unknown): void;
}

// Cache slots: undefined = not computed yet (so a fresh array needs no fill), NONE = computed as undefined.
const NONE = Symbol('none');
const PENDING = Symbol('pending');
type Slot = Value | undefined | typeof NONE | typeof PENDING;

type SEntry = SNode | { leaf: Value; base: boolean } | { set: RSet };

class SNode {
  readonly map = new Map<string, [Value, SEntry]>();
}

function isSNode(e: SEntry): e is SNode {
  return e instanceof SNode;
}

function baseToSNode(v: RObject): SNode {
  const n = new SNode();
  for (const [k, x] of v.entries()) n.map.set(keyOf(k), [k, { leaf: x, base: true }]);
  return n;
}

function finalize(e: SEntry): Value {
  if (isSNode(e)) {
    const o = new RObject();
    for (const [k, x] of e.map.values()) o.set(k, finalize(x));
    return o;
  }
  if ('set' in e) return e.set;
  return e.leaf;
}

export class Ctx {
  readonly prog: ProgramLike;
  input: Value | undefined;
  readonly base: Value;
  readonly bctx: BuiltinContext;
  readonly strict: boolean;
  mocks: Map<string, Mock> | null = null;
  /** print() sink with the call's location (set by the embedding). */
  printer: ((msg: string, loc: Loc) => void) | undefined;
  overrides: Array<{ path: Value[]; value: Value }> | null = null;
  /** Per function node: [args, result, args, result, …] of recent calls (see callFunction). */
  private fmemo: Array<unknown[] | undefined> | null = null;
  /** Scan indexes of this evaluation's collections (values are immutable, so `with` scopes share them). */
  indexes: Map<object, FieldIndex> | null = null;
  private readonly baseEmpty: boolean;
  private readonly vcache: Slot[];
  private readonly rcache: Array<unknown>;

  constructor(prog: ProgramLike, input: Value | undefined, base: Value, bctx: BuiltinContext) {
    this.prog = prog;
    this.input = input;
    this.base = base;
    this.bctx = bctx;
    this.strict = bctx.strict;
    // The common case (no base data): every base lookup below the root is undefined.
    this.baseEmpty = base instanceof RObject && base.size === 0;
    this.vcache = new Array<Slot>(prog.nodeCount);
    this.rcache = new Array<unknown>(prog.nodeCount);
  }

  /** A child context for `with`: fresh caches, same builtin context. */
  derive(): Ctx {
    const c = new Ctx(this.prog, this.input, this.base, this.bctx);
    c.mocks = this.mocks ? new Map(this.mocks) : null;
    c.printer = this.printer;
    c.overrides = this.overrides ? this.overrides.slice() : null;
    c.indexes = this.indexes ??= new Map();
    return c;
  }

  baseAt(path: readonly (string | Value)[], from = 1): Value | undefined {
    if (this.baseEmpty && from < path.length) return undefined;
    let v: Value | undefined = this.base;
    for (let i = from; i < path.length && v !== undefined; i++) {
      const k = path[i] as Value;
      // Base data comes from JSON: OPA's store looks integer keys up by their string form.
      v = (typeof k === 'number' || typeof k === 'bigint') && v instanceof RObject ? (v.get(k) ?? v.getStr(String(k))) : lookup(v, k);
    }
    return v;
  }

  /** The value of `data[path]` (path includes the leading 'data'). */
  dataGet(path: Value[]): Value | undefined {
    if (this.overrides) return this.dataGetOverridden(path);
    return this.dataGetPlain(path);
  }

  private dataGetPlain(path: Value[]): Value | undefined {
    let node = this.prog.root;
    let i = 1;
    while (i < path.length && !node.hasRules) {
      const key = path[i]!;
      const child = typeof key === 'string' ? node.children.get(key) : undefined;
      if (!child) {
        // Not virtual below here: base data only (children cannot overlap this key).
        return this.baseAt(path);
      }
      node = child;
      i++;
    }
    let v = this.nodeValue(node);
    for (; i < path.length && v !== undefined; i++) v = lookup(v, path[i]!);
    return v;
  }

  private dataGetOverridden(path: Value[]): Value | undefined {
    for (const o of this.overrides!) {
      if (o.path.length <= path.length && o.path.every((p, i) => valueEqual(p, path[i]!))) {
        let v: Value | undefined = o.value;
        for (let i = o.path.length; i < path.length && v !== undefined; i++) v = lookup(v, path[i]!);
        return v;
      }
    }
    let v = this.dataGetPlain(path);
    for (const o of this.overrides!) {
      if (o.path.length > path.length && path.every((p, i) => valueEqual(p, o.path[i]!))) {
        v = upsert(v, o.path.slice(path.length), o.value);
      }
    }
    return v;
  }

  /** Value of a node: cached per context. */
  nodeValue(node: TreeNode): Value | undefined {
    const c = this.vcache[node.id];
    if (c === NONE) return undefined;
    if (c !== undefined && c !== PENDING) return c as Value;
    if (c === PENDING) throw new RegoEvalError('eval_internal_error', `recursive evaluation of ${node.name}`);
    this.vcache[node.id] = PENDING;
    let v: Value | undefined;
    try {
      const e = this.nodeEntry(node);
      v = e === undefined ? undefined : finalize(e);
    } catch (err) {
      this.vcache[node.id] = undefined;
      throw err;
    }
    this.vcache[node.id] = v === undefined ? NONE : v;
    return v;
  }

  private nodeEntry(node: TreeNode): SEntry | undefined {
    if (node.kind === 'complete') {
      const v = this.ruleResult(node) as Value | undefined;
      return v === undefined ? undefined : { leaf: v, base: false };
    }
    if (node.kind === 'partial_set') return { set: this.ruleResult(node) as RSet };
    if (node.kind === 'function') return undefined;
    const s = new SNode();
    const base = this.baseAt(node.path);
    if (base instanceof RObject) {
      for (const [k, x] of base.entries()) s.map.set(keyOf(k), [k, { leaf: x, base: true }]);
    }
    for (const [name, child] of node.children) {
      const e = this.nodeEntry(child);
      if (e === undefined) continue;
      const k = 's' + name;
      const existing = s.map.get(k);
      if (existing && isSNode(e) && !isSNode(existing[1]) && 'leaf' in existing[1] && existing[1].base && existing[1].leaf instanceof RObject) {
        // base object under a virtual node: virtual entries win, base fills the rest
        for (const [bk, bx] of existing[1].leaf.entries()) if (!e.map.has(keyOf(bk))) e.map.set(keyOf(bk), [bk, { leaf: bx, base: true }]);
      }
      s.map.set(k, [name, e]);
    }
    if (node.kind === 'dynamic') {
      for (const ins of this.ruleResult(node) as Insert[]) this.insert(s, ins, node);
    }
    return s;
  }

  private insert(root: SNode, ins: Insert, node: TreeNode): void {
    const conflict = (): never => {
      throw new RegoEvalError('eval_conflict_error', ins.path.length === 1 && !ins.set ? 'object keys must be unique' : completeDocConflictMsg(node.name), ins.loc);
    };
    let cur = root;
    for (let i = 0; i < ins.path.length - 1; i++) {
      const key = ins.path[i]!;
      const k = keyOf(key);
      const e = cur.map.get(k);
      if (!e) {
        const n = new SNode();
        cur.map.set(k, [key, n]);
        cur = n;
      } else if (isSNode(e[1])) {
        cur = e[1];
      } else if ('leaf' in e[1] && e[1].base && e[1].leaf instanceof RObject) {
        const n = baseToSNode(e[1].leaf);
        cur.map.set(k, [key, n]);
        cur = n;
      } else conflict();
    }
    const key = ins.path[ins.path.length - 1]!;
    const k = keyOf(key);
    const e = cur.map.get(k);
    if (ins.set) {
      if (!e || ('leaf' in e[1] && e[1].base)) cur.map.set(k, [key, { set: RSet.of([ins.v]) }]);
      else if (!isSNode(e[1]) && 'set' in e[1]) e[1].set.add(ins.v);
      else conflict();
      return;
    }
    if (!e || ('leaf' in e[1] && e[1].base)) cur.map.set(k, [key, { leaf: ins.v, base: false }]);
    else if (!isSNode(e[1]) && 'leaf' in e[1] && valueEqual(e[1].leaf, ins.v)) return;
    else conflict();
  }

  /**
   * `toJS(dataGet(['data', ...path]))` without building the intermediate
   * objects: a package node with no base data beside it (the usual `evalRef`
   * target) becomes a plain object of its children's results, keys in OPA's
   * order. `path` is without the leading 'data' (no copy per call: the check
   * asks for 14 documents per decision). `target` is where `path` leads in the
   * rule tree (resolveDoc; callers asking for the same paths again keep it).
   */
  dataGetJS(path: readonly Value[], target: DocTarget = resolveDoc(this.prog.root, path)): unknown {
    if (this.overrides || target === GENERAL) return jsOf(this.dataGet(['data', ...path]));
    // Not virtual below here: base data only (as dataGetPlain), none in the common case (a package without `warn`).
    if (target === MISSING) return this.baseEmpty ? undefined : jsOf(this.baseAt(['data', ...path]));
    return this.nodeJS(target);
  }

  private nodeJS(node: TreeNode): unknown {
    // A rule node without children or base data is its rules' result.
    if ((node.kind === 'complete' || node.kind === 'partial_set') && node.children.size === 0 && this.baseEmpty) return jsOf(this.ruleResult(node) as Value | undefined);
    if (node.kind !== 'none' || this.baseAt(node.path) !== undefined) return jsOf(this.nodeValue(node));
    const kids = node.jsChildren();
    const vals = new Array<unknown>(kids.length);
    let all = true;
    for (let i = 0; i < kids.length; i++) {
      const v = this.nodeJS(kids[i]!);
      vals[i] = v;
      if (v === undefined) all = false;
    }
    const make = all ? node.jsFactory() : undefined;
    if (make) return make(vals);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < kids.length; i++) if (vals[i] !== undefined) setJS(out, kids[i]!.path[kids[i]!.path.length - 1]!, vals[i]);
    return out;
  }

  /** Result of a node's own rules, evaluated once per context. */
  ruleResult(node: TreeNode): unknown {
    const c = this.rcache[node.id];
    if (c !== undefined) return c === NONE ? undefined : c;
    let r: unknown;
    switch (node.kind) {
      case 'complete':
        r = this.evalComplete(node);
        break;
      case 'partial_set': {
        const set = new RSet();
        for (const rule of node.rules) this.prog.runRule(rule, this, undefined, set);
        r = set;
        break;
      }
      case 'dynamic': {
        const inserts: Insert[] = [];
        for (const rule of node.rules) this.prog.runRule(rule, this, undefined, inserts);
        r = inserts;
        break;
      }
      default:
        r = undefined;
    }
    this.rcache[node.id] = r === undefined ? NONE : r;
    return r;
  }

  private evalComplete(node: TreeNode): Value | undefined {
    let value = this.evalRules(node.rules, undefined, node, false);
    if (value === undefined && node.defaultRule) {
      const vs = this.runChain(node.defaultRule, undefined);
      value = vs[0];
    }
    return value;
  }

  /**
   * The one value of a complete rule or function (its definitions, each with
   * its `else` chain), or undefined. Values that differ from the first are a
   * conflict, reported as OPA reports it (topdown ruleConflict): at the first
   * conflicting rule, listing the rule that gave the first value and every
   * rule that gave a different one (up to MAX_CONFLICTING_RULES, then `...`);
   * the list is left out when one rule produced both values. Evaluation goes
   * on after the first conflict only to collect those rules: an error raised
   * meanwhile (a strict builtin error) gives way to the conflict.
   */
  private evalRules(rules: readonly CompiledRule[], args: Value[] | undefined, node: TreeNode, fn: boolean): Value | undefined {
    let value: Value | undefined;
    let first: RuleIR | undefined;
    let conflict: RuleConflict | undefined;
    collect: for (const rule of rules) {
      for (let r: CompiledRule | undefined = rule; r; r = r.else) {
        const acc: Value[] = [];
        try {
          this.prog.runRule(r, this, args, acc);
        } catch (e) {
          if (conflict && e instanceof RegoEvalError) break collect;
          throw e;
        }
        if (acc.length === 0) continue;
        for (const v of acc) {
          if (value === undefined) {
            value = v;
            first = r.ir;
          } else if (!valueEqual(value, v)) {
            if (conflict === undefined) conflict = new RuleConflict(first!, r.ir);
            else if (!conflict.add(r.ir)) break collect;
          }
        }
        break;
      }
    }
    if (conflict) throw conflict.error(fn ? functionConflictMsg(node.name) : completeDocConflictMsg(node.name));
    return value;
  }

  /** Values of a rule's `else` chain: the first rule in the chain whose block succeeds. */
  runChain(rule: CompiledRule, args: Value[] | undefined): Value[] {
    for (let r: CompiledRule | undefined = rule; r; r = r.else) {
      const acc: Value[] = [];
      this.prog.runRule(r, this, args, acc);
      if (acc.length > 0) {
        if (acc.length > 1) {
          throw new RegoEvalError(
            'eval_conflict_error',
            args ? functionConflictMsg(dataNameOf(r.ir)) : completeDocConflictMsg(dataNameOf(r.ir)),
            r.ir.loc,
          );
        }
        return acc;
      }
    }
    return [];
  }

  /** Call a user function with evaluated arguments. */
  callFunction(node: TreeNode, args: Value[], loc: Loc): Value | undefined {
    if (!this.prog.memoFunctions) return this.evalFunction(node, args);
    // Functions are pure, so a call with equal arguments in the same context
    // (same input, data and `with` mocks) has the same result: remember the
    // last few calls of each function.
    const memo = (this.fmemo ??= new Array<unknown[] | undefined>(this.prog.nodeCount));
    let calls = memo[node.id];
    if (calls === undefined) calls = memo[node.id] = [];
    for (let i = 0; i < calls.length; i += 2) {
      const prev = calls[i] as Value[];
      if (prev.length !== args.length) continue;
      let same = true;
      for (let j = 0; j < args.length && same; j++) same = valueEqual(prev[j]!, args[j]!);
      if (same) return calls[i + 1] as Value | undefined;
    }
    const value = this.evalFunction(node, args);
    // A copy: callers reuse their argument array while iterating (`f(xs[_])` fills the same
    // array for each element), and a remembered array that changes under the memo would
    // answer the next call with the first call's result.
    if (calls.length < 2 * MEMO_CALLS) calls.push(args.slice(), value);
    return value;
  }

  private evalFunction(node: TreeNode, args: Value[]): Value | undefined {
    let value = this.evalRules(node.functions, args, node, true);
    if (value === undefined && node.defaultRule) value = this.runChain(node.defaultRule, args)[0];
    return value;
  }
}

/** Calls remembered per function and context. */
const MEMO_CALLS = 8;

/** How many rules a conflict error lists (OPA's maxConflictingRules). */
const MAX_CONFLICTING_RULES = 10;

function compareLoc(a: Loc, b: Loc): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col;
}

/** The rules of one complete rule or function whose values conflict (OPA's topdown ruleConflict). */
class RuleConflict {
  private readonly rules: RuleIR[];
  private more = false;
  private readonly loc: Loc;
  constructor(first: RuleIR, rule: RuleIR) {
    this.loc = rule.loc;
    this.rules = [first];
    this.add(rule);
  }
  /** Records `rule`; false once the limit is exceeded (stop evaluating). */
  add(rule: RuleIR): boolean {
    if (this.rules.includes(rule)) return true;
    if (this.rules.length === MAX_CONFLICTING_RULES) {
      this.more = true;
      return false;
    }
    this.rules.push(rule);
    return true;
  }
  error(msg: string): RegoEvalError {
    const locs = this.rules.map((r) => r.loc).sort(compareLoc);
    if (locs.length > 1) {
      msg += ':' + locs.map((l) => `\n  rule at ${l.file ? `${l.file}:${l.line}` : `${l.line}:${l.col}`}`).join('');
      if (this.more) msg += '\n  ...';
    }
    return new RegoEvalError('eval_conflict_error', msg, this.loc);
  }
}

function jsOf(v: Value | undefined): unknown {
  return v === undefined ? undefined : toJS(v);
}

function dataNameOf(r: RuleIR): string {
  return r.name;
}
