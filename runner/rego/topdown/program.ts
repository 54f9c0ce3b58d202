/**
 * The evaluator's entry point: a `Program` is the plan with every rule
 * compiled to closures and indexed in the rule tree. It is built once
 * (prepare) and evaluated many times; each evaluation gets a fresh `Ctx`
 * (input, caches), so evaluations share nothing mutable.
 */
import type { Loc } from '../ast/nodes.ts';
import { lookupBuiltin } from '../builtins/registry.ts';
import type { BuiltinContext } from '../builtins/types.ts';
import type { Plan, QueryIR, RuleIR } from '../ir/types.ts';
import { RObject, type Value } from '../value.ts';
import { ClosureCompiler, type Env } from './compile.ts';
import { Ctx, TreeNode, resolveDoc, type CompiledRule, type DocTarget, type Frame, type K, type ProgramLike } from './runtime.ts';

export interface EvalSettings {
  input?: Value;
  data: Value;
  strict: boolean;
  print?: (msg: string, loc: Loc) => void;
  nowNs?: bigint;
}

export class Program implements ProgramLike, Env {
  readonly root: TreeNode;
  nodeCount = 0;
  readonly memoFunctions: boolean;
  private readonly fnNodes = new Map<string, TreeNode>();
  private readonly cc: ClosureCompiler;
  private readonly runtimeDoc: Value;
  private readonly targets = new WeakMap<readonly Value[], { keys: Value[]; target: DocTarget }>();

  constructor(plan: Plan, runtimeDoc: Value = new RObject()) {
    this.runtimeDoc = runtimeDoc;
    this.memoFunctions = !callsPrint(plan.rules);
    this.root = this.node(['data']);
    this.cc = new ClosureCompiler(this);
    // Tree first (the closure compiler resolves static data refs against it), closures second.
    const placed: Array<[TreeNode, RuleIR]> = [];
    for (const r of plan.rules) {
      let n = this.root;
      for (const seg of r.anchor.slice(1)) {
        let c = n.children.get(seg);
        if (!c) {
          c = this.node([...n.path, seg]);
          n.children.set(seg, c);
        }
        n = c;
      }
      n.kind = r.kind === 'function' ? 'function' : r.suffix.length > 0 ? 'dynamic' : r.kind === 'partial_set' ? 'partial_set' : 'complete';
      if (r.kind === 'function') this.fnNodes.set(r.anchor.join('.'), n);
      placed.push([n, r]);
    }
    for (const [n, r] of placed) {
      const cr = this.compileRule(r);
      if (r.isDefault) n.defaultRule = cr;
      else if (r.kind === 'function') n.functions.push(cr);
      else n.rules.push(cr);
    }
  }

  private node(path: string[]): TreeNode {
    const name = path[0] + path.slice(1).map((p) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? '.' + p : `[${JSON.stringify(p)}]`)).join('');
    return new TreeNode(this.nodeCount++, path, name);
  }

  private compileRule(r: RuleIR): CompiledRule {
    const cr: CompiledRule = { ir: r, run: this.cc.rule(r) };
    if (r.else) cr.else = this.compileRule(r.else);
    return cr;
  }

  functionNode(name: string): TreeNode | undefined {
    return this.fnNodes.get(name);
  }

  builtin(name: string) {
    return lookupBuiltin(name);
  }

  runRule(rule: CompiledRule, ctx: Ctx, args: Value[] | undefined, acc: unknown): void {
    // Reuse the rule's frame: a rule is never active twice at once (recursion
    // is a compile error), and its bindings are undone when its block returns.
    // A frame in use (re-entrant evaluation from a print sink, say) is not shared.
    let f = rule.spare;
    if (f === undefined) f = { s: new Array(rule.ir.nslots), ctx, acc, args: args ?? NO_ARGS };
    else {
      rule.spare = undefined;
      f.ctx = ctx;
      f.acc = acc;
      f.args = args ?? NO_ARGS;
    }
    rule.run(f);
    // Drop references to this evaluation's values so an idle policy holds none.
    f.acc = undefined;
    f.args = NO_ARGS;
    f.ctx = IDLE_CTX;
    rule.spare = f;
  }

  newCtx(s: EvalSettings): Ctx {
    const bctx = new EvalBuiltinContext(s, this.runtimeDoc);
    const ctx = new Ctx(this, s.input, s.data, bctx);
    if (s.print) ctx.printer = s.print;
    return ctx;
  }

  /** `data[path]` (path without 'data'). */
  evalPath(path: Value[], s: EvalSettings): Value | undefined {
    return this.newCtx(s).dataGet(['data', ...path]);
  }

  /** `toJS(evalPath(path))`, converting only what is returned (see Ctx.dataGetJS). */
  evalPathJS(path: Value[], s: EvalSettings): unknown {
    return this.newCtx(s).dataGetJS(path);
  }

  /**
   * `evalPathJS` for several paths in ONE context: rules shared by the
   * documents (helpers, functions, scan indexes) are evaluated once, the
   * input view is converted once. Values in path order (undefined stays undefined).
   */
  evalPathsJS(paths: readonly (readonly Value[])[], s: EvalSettings): unknown[] {
    const ctx = this.newCtx(s);
    const out = new Array<unknown>(paths.length);
    for (let i = 0; i < paths.length; i++) out[i] = ctx.dataGetJS(paths[i]!, this.target(paths[i]!));
    return out;
  }

  /**
   * Where a path leads in the tree, remembered per path array: walking the
   * tree (a Map lookup per segment) was ~1.5 µs of the check's 14 documents
   * per decision. Keyed by the caller's array, which may change between
   * calls, so the remembered segments are compared first (the same strings:
   * pointer comparisons). A WeakMap of a handful of long-lived arrays (the
   * check's paths), unlike the per-evaluation values dropped elsewhere.
   */
  private target(path: readonly Value[]): DocTarget {
    const t = this.targets.get(path);
    if (t !== undefined && t.keys.length === path.length) {
      let same = true;
      for (let i = 0; i < path.length && same; i++) same = t.keys[i] === path[i];
      if (same) return t.target;
    }
    const target = resolveDoc(this.root, path);
    this.targets.set(path, { keys: path.slice(), target });
    return target;
  }

  compileQuery(q: QueryIR): CompiledQueryProgram {
    const B = new Set<number>();
    const build = this.cc.blockBuilder(q.block, B);
    const vars = q.vars;
    const exprs = q.exprs;
    const tail: K = (f) => {
      const bindings: Record<string, Value> = {};
      for (const v of vars) {
        const x = f.s[v.slot] as Value | undefined;
        if (x !== undefined) bindings[v.name] = x;
      }
      const expressions = exprs.map((e) => (e.slot === undefined ? true : (f.s[e.slot] as Value)));
      (f.acc as QueryRow[]).push({ bindings, expressions });
      return false;
    };
    return { run: build(tail), nslots: q.nslots };
  }

  runQuery(q: CompiledQueryProgram, s: EvalSettings): QueryRow[] {
    const rows: QueryRow[] = [];
    const f: Frame = { s: new Array(q.nslots), ctx: this.newCtx(s), acc: rows, args: NO_ARGS };
    q.run(f);
    return rows;
  }
}

const NO_ARGS: Value[] = [];

/**
 * The builtins' view of one evaluation. The clock is read when the
 * evaluation starts (OPA: time.now_ns is fixed per query) but turned into a
 * bigint, and the cache created, only if a builtin asks: most evaluations
 * need neither.
 */
class EvalBuiltinContext implements BuiltinContext {
  readonly strict: boolean;
  readonly runtime: Value;
  private readonly startMs: number;
  private ns: bigint | undefined;
  private memo: Map<string, Value> | undefined;
  private readonly sink: ((msg: string, loc: Loc) => void) | undefined;
  constructor(s: EvalSettings, runtime: Value) {
    this.strict = s.strict;
    this.runtime = runtime;
    this.startMs = Date.now();
    this.ns = s.nowNs;
    this.sink = s.print;
  }
  get nowNs(): bigint {
    return (this.ns ??= BigInt(this.startMs) * 1_000_000n);
  }
  get cache(): Map<string, Value> {
    return (this.memo ??= new Map());
  }
  print(message: string): void {
    this.sink?.(message, { file: '', line: 0, col: 0 });
  }
}

/** Whether any statement in the IR (rules, nested blocks, comprehensions) is a print() call. */
function callsPrint(x: unknown): boolean {
  if (Array.isArray(x)) return x.some(callsPrint);
  if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return false;
  const o = x as Record<string, unknown>;
  if (o.s === 'call' && o.fn === 'print') return true;
  for (const k in o) if (k !== 'loc' && callsPrint(o[k])) return true;
  return false;
}
/** Placeholder context of an idle frame (never evaluated with). */
const IDLE_CTX = null as unknown as Ctx;

/** One solution of a query: its variable bindings and the value of each expression. */
export interface QueryRow {
  bindings: Record<string, Value>;
  expressions: Value[];
}

export interface CompiledQueryProgram {
  run: K;
  nslots: number;
}
