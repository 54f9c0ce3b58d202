/**
 * The embedding API of the Rego engine: compile once, evaluate many.
 *
 * CONTRACT (used by the check, policy tests, plan policies, `gitops rego eval`):
 * the engine helper replaces the bodies below; the signatures are fixed.
 *
 *   const r = prepare([{ file: 'policies/sec.rego', text }]);
 *   if (!r.ok) → r.diagnostics (OPA codes: rego_parse_error, rego_compile_error,
 *               rego_unsafe_var_error, rego_recursion_error, rego_type_error; file:line:col)
 *   const p = r.value;
 *   p.evalRef(['gitops', 'policies'], { input }) → JS value (sets as sorted arrays) | undefined
 *   p.evalRefs([['gitops', 'policies', 'a', 'deny'], ['gitops', 'policies', 'a', 'warn']], { input })
 *     → [value | undefined, …]: each element as evalRef would return it for that path, all
 *       evaluated in ONE context (one input view, rule/function/index caches shared), so a
 *       caller that reads a few documents pays for the rules those documents need and for
 *       building only their JSON, not the whole tree's. Throws EvalError like evalRef when
 *       any of the paths fails (an error in a rule no path needs is never reached). Where
 *       each path leads in the rule tree is remembered per path array (segments re-checked
 *       every call): pass the same arrays each time.
 *   p.query('x := data.a.b[_]', { input, data }) → { ok, rows: [{ x: … }] } | { ok: false, error }
 */
import { diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import type { Module } from './ast/nodes.ts';
import type { CompileError } from './compiler/errors.ts';
import { compileQueryText, compileSources, type Compiled, type QueryOutcome } from './pipeline.ts';
import type { EvalSettings } from './topdown/program.ts';
import { RegoEvalError } from './topdown/errors.ts';
import { RObject, fromJS, inputFromJS, toJS, type Value } from './value.ts';
import { BuiltinError, type BuiltinDecl, type TypeSpec } from './builtins/types.ts';
import { customBuiltinTable, withCustomBuiltins } from './builtins/registry.ts';

export type { TypeSpec } from './builtins/types.ts';

/**
 * A custom builtin, as OPA's `rego.Function` declares one: a name (dotted
 * names allowed: `cidr.is_public`), a declaration with the operand and
 * result types the compiler checks calls against, and the implementation.
 * The implementation gets plain JS values (as `evalRef` returns them: sets
 * as sorted arrays, integers beyond 2^53 as bigints) and returns one;
 * returning undefined makes the call undefined; throwing makes it a builtin
 * error (`eval_builtin_error`, undefined unless strict builtin errors are on).
 */
export interface BuiltinDefinition {
  name: string;
  decl: { args: TypeSpec[]; result: TypeSpec };
  impl: (...args: any[]) => unknown;
  /** Result may differ between calls with the same arguments (not cached per evaluation). */
  nondeterministic?: boolean;
}

const TYPE_NAMES = new Set(['any', 'null', 'boolean', 'number', 'string']);
function typeError(t: unknown): string | undefined {
  if (typeof t === 'string') return TYPE_NAMES.has(t) ? undefined : `unknown type '${t}'`;
  if (!t || typeof t !== 'object' || Array.isArray(t)) return `type ${JSON.stringify(t)} is not a type`;
  const o = t as Record<string, unknown>;
  if ('array' in o) return typeError(o.array);
  if ('set' in o) return typeError(o.set);
  if ('object' in o && Array.isArray(o.object) && o.object.length === 2) return typeError(o.object[0]) ?? typeError(o.object[1]);
  if ('oneOf' in o && Array.isArray(o.oneOf)) return o.oneOf.map(typeError).find((e) => e !== undefined);
  return `type ${JSON.stringify(t)} is not a type (string, number, boolean, null, any, {array}, {set}, {object: [k, v]}, {oneOf})`;
}

/** A definition → the engine's declaration (JS in/out around the implementation), or why it is not one. */
export function builtinDecl(def: unknown): Result<BuiltinDecl> {
  const bad = (m: string) => fail(diag('builtin_definition_error', m));
  if (!def || typeof def !== 'object') return bad(`a builtin definition must be an object {name, decl: {args, result}, impl}, got ${def === null ? 'null' : typeof def}`);
  const d = def as Partial<BuiltinDefinition>;
  if (typeof d.name !== 'string' || d.name === '') return bad('a builtin definition has no name');
  if (!d.decl || !Array.isArray(d.decl.args)) return bad(`builtin ${d.name}: decl.args must be an array of types`);
  for (const t of [...d.decl.args, d.decl.result]) {
    const e = typeError(t);
    if (e) return bad(`builtin ${d.name}: ${e}`);
  }
  if (typeof d.impl !== 'function') return bad(`builtin ${d.name}: impl must be a function`);
  const impl = d.impl;
  const decl: BuiltinDecl = {
    name: d.name,
    args: d.decl.args,
    result: d.decl.result!,
    impl: (args: Value[]) => {
      let r: unknown;
      try {
        r = impl(...args.map(toJS));
      } catch (e) {
        if (e instanceof BuiltinError) throw e;
        throw new BuiltinError('eval_builtin_error', e instanceof Error ? e.message : String(e));
      }
      if (r === undefined) return undefined;
      try {
        return fromJS(r);
      } catch (e) {
        throw new BuiltinError('eval_builtin_error', `result has no Rego value: ${(e as Error).message}`);
      }
    },
  };
  if (d.nondeterministic) decl.nondeterministic = true;
  return ok(decl);
}

/** Definitions → a table for `prepare`/`withBuiltins`, or the first problem (code builtin_definition_error). */
export function builtinTable(defs: readonly unknown[]): Result<ReadonlyMap<string, BuiltinDecl>> {
  const decls: BuiltinDecl[] = [];
  for (const d of defs) {
    const r = builtinDecl(d);
    if (!r.ok) return r;
    decls.push(r.value);
  }
  const t = customBuiltinTable(decls);
  return 'error' in t ? fail(diag('builtin_definition_error', t.error)) : ok(t.table);
}

/**
 * Run `fn` with custom builtins in force (async continuations included): what
 * the CLI's `--builtins` does for a whole command, like OPA's global
 * `rego.RegisterBuiltin…`. `prepare(…, {builtins})` scopes them to one policy.
 */
export function withBuiltins<T>(table: ReadonlyMap<string, BuiltinDecl>, fn: () => T): T {
  return withCustomBuiltins(table, fn);
}

export interface ModuleSource {
  /** Path shown in locations, e.g. `policies/security/sec_auth_001.rego`. */
  file: string;
  text: string;
  /** 1 (default) or 0: the module is OPA v0 syntax (`--v0-compatible`, a bundle's rego_version). */
  regoVersion?: 0 | 1;
}

export interface PrepareOptions {
  /** Builtin errors abort evaluation (OPA's strict-builtin-errors). */
  strictBuiltinErrors?: boolean;
  /** Base data document, merged under the modules' virtual documents. */
  data?: unknown;
  /** Custom builtins for this policy (OPA's `rego.Function`); see BuiltinDefinition. */
  builtins?: readonly BuiltinDefinition[];
}

export interface EvalOptions {
  input?: unknown;
  /** Overrides/extends the base data for this evaluation. */
  data?: unknown;
  strictBuiltinErrors?: boolean;
  /** Receives print() output; default: dropped. */
  print?: (message: string, location: { file: string; line: number; col: number }) => void;
}

/** One `# METADATA` annotation block (OPA's annotations, YAML in comments). */
export interface Annotation {
  scope: 'package' | 'rule' | 'document' | 'subpackages';
  /** Package path, e.g. ['gitops', 'policies', 'sec_auth_001'] (without `data`). */
  package: string[];
  /** Rule name for rule/document scope. */
  rule?: string;
  file: string;
  line: number;
  title?: string;
  description?: string;
  custom?: Record<string, unknown>;
}

export interface RuleInfo {
  package: string[];
  name: string;
  file: string;
  line: number;
  kind: 'complete' | 'partial_set' | 'partial_object' | 'function';
}

export type QueryResult =
  | { ok: true; rows: Array<Record<string, unknown>> }
  | { ok: false; error: Diagnostic };

export interface PreparedPolicy {
  /** Evaluate `data.<path>`; undefined when the document is undefined. Throws EvalError (with a Diagnostic) on eval errors. */
  evalRef(path: string[], opts?: EvalOptions): unknown;
  /**
   * Evaluate several `data.<path>` documents in one evaluation context (shared caches, one
   * input conversion): element i is what `evalRef(paths[i], opts)` returns. Throws EvalError
   * when evaluating any of them fails.
   */
  evalRefs(paths: string[][], opts?: EvalOptions): unknown[];
  /** Evaluate an ad-hoc query; rows are the bindings of the query's variables (OPA `opa eval` semantics). */
  query(query: string, opts?: EvalOptions): QueryResult;
  annotations(): Annotation[];
  rules(): RuleInfo[];
}

export class EvalError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.diagnostic = diagnostic;
  }
}

function compileDiag(e: CompileError): Diagnostic {
  return diag(e.code, e.message, { file: e.loc.file, line: e.loc.line, col: e.loc.col });
}

function evalDiag(e: RegoEvalError): Diagnostic {
  return diag(e.code, e.detail, e.loc ? { file: e.loc.file, line: e.loc.line, col: e.loc.col } : undefined);
}

/** Objects merge key by key (the evaluation's data wins); anything else replaces. */
function mergeData(base: Value, over: Value): Value {
  if (!(base instanceof RObject) || !(over instanceof RObject)) return over;
  const out = RObject.fromEntries(base.entries());
  for (const [k, v] of over.entries()) {
    const b = out.get(k);
    out.set(k, b === undefined ? v : mergeData(b, v));
  }
  return out;
}

function annotationsOf(modules: Module[]): Annotation[] {
  const out: Annotation[] = [];
  const pick = (a: Annotation, data: Record<string, unknown>): Annotation => {
    if (typeof data.title === 'string') a.title = data.title;
    if (typeof data.description === 'string') a.description = data.description;
    if (data.custom && typeof data.custom === 'object' && !Array.isArray(data.custom)) a.custom = data.custom as Record<string, unknown>;
    return a;
  };
  for (const m of modules) {
    for (const b of m.annotations) {
      const scope = b.data.scope === 'subpackages' ? 'subpackages' : 'package';
      out.push(pick({ scope, package: m.package, file: m.file, line: b.loc.line }, b.data));
    }
    for (const r of m.rules) {
      const head = r.head.ref[0];
      const name = head && head.type === 'var' ? head.name : '';
      for (const b of r.annotations) {
        const scope = b.data.scope === 'document' ? 'document' : 'rule';
        out.push(pick({ scope, package: m.package, rule: name, file: m.file, line: b.loc.line }, b.data));
      }
    }
  }
  return out;
}

class Prepared implements PreparedPolicy {
  private readonly compiled: Compiled;
  private readonly base: Value;
  private readonly strict: boolean;
  private readonly queries = new Map<string, QueryOutcome>();
  private annotationList: Annotation[] | undefined;
  /** Custom builtins, in force while this policy compiles queries and evaluates. */
  private readonly custom: ReadonlyMap<string, BuiltinDecl>;

  constructor(compiled: Compiled, opts: PrepareOptions, custom: ReadonlyMap<string, BuiltinDecl>) {
    this.compiled = compiled;
    this.custom = custom;
    this.base = opts.data === undefined ? new RObject() : fromJS(opts.data);
    this.strict = opts.strictBuiltinErrors === true;
  }

  private settings(opts: EvalOptions): EvalSettings {
    const s: EvalSettings = {
      data: opts.data === undefined ? this.base : mergeData(this.base, fromJS(opts.data)),
      strict: opts.strictBuiltinErrors ?? this.strict,
    };
    // Lazy view: only what the policies read is converted (the evaluation ends before the caller regains control).
    if (opts.input !== undefined) s.input = inputFromJS(opts.input);
    if (opts.print) s.print = opts.print;
    return s;
  }

  evalRef(path: string[], opts: EvalOptions = {}): unknown {
    if (this.custom.size > 0) return withCustomBuiltins(this.custom, () => this.evalRefIn(path, opts));
    return this.evalRefIn(path, opts);
  }

  private evalRefIn(path: string[], opts: EvalOptions): unknown {
    try {
      return this.compiled.program.evalPathJS(path, this.settings(opts));
    } catch (e) {
      if (e instanceof RegoEvalError) throw new EvalError(evalDiag(e));
      throw e;
    }
  }

  evalRefs(paths: string[][], opts: EvalOptions = {}): unknown[] {
    if (this.custom.size > 0) return withCustomBuiltins(this.custom, () => this.evalRefsIn(paths, opts));
    return this.evalRefsIn(paths, opts);
  }

  private evalRefsIn(paths: string[][], opts: EvalOptions): unknown[] {
    try {
      return this.compiled.program.evalPathsJS(paths, this.settings(opts));
    } catch (e) {
      if (e instanceof RegoEvalError) throw new EvalError(evalDiag(e));
      throw e;
    }
  }

  query(query: string, opts: EvalOptions = {}): QueryResult {
    if (this.custom.size > 0) return withCustomBuiltins(this.custom, () => this.queryIn(query, opts));
    return this.queryIn(query, opts);
  }

  private queryIn(query: string, opts: EvalOptions): QueryResult {
    let q = this.queries.get(query);
    if (!q) {
      q = compileQueryText(this.compiled, query);
      this.queries.set(query, q);
    }
    if (!q.ok) return { ok: false, error: compileDiag(q.errors[0]!) };
    try {
      const rows = this.compiled.program.runQuery(q.program, this.settings(opts));
      return {
        ok: true,
        rows: rows.map((r) => Object.fromEntries(Object.entries(r.bindings).map(([k, v]) => [k, toJS(v)]))),
      };
    } catch (e) {
      if (e instanceof RegoEvalError) return { ok: false, error: evalDiag(e) };
      throw e;
    }
  }

  annotations(): Annotation[] {
    this.annotationList ??= annotationsOf(this.compiled.modules);
    return this.annotationList.map((a) => ({ ...a }));
  }

  rules(): RuleInfo[] {
    const seen = new Set<string>();
    const out: RuleInfo[] = [];
    for (const r of this.compiled.state.rules) {
      const pkg = r.module.package;
      const name = r.anchor.slice(1 + pkg.length).join('.');
      const key = `${r.module.file}\u0000${pkg.join('.')}\u0000${name}\u0000${r.rule.loc.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const kind = r.kind === 'partial_object' && r.suffix.length === 0 ? 'complete' : r.kind;
      out.push({ package: pkg, name, file: r.module.file, line: r.rule.loc.line, kind });
    }
    return out;
  }

  /** The compiled form (for the CLI and the benchmark; not part of the stable contract). */
  get internals(): Compiled {
    return this.compiled;
  }
}

/**
 * Compile modules once. Errors come back as diagnostics with OPA's codes and
 * file:line:col; the result evaluates any number of times, concurrently safe
 * (each evaluation has its own context).
 */
export function prepare(modules: ModuleSource[], opts: PrepareOptions = {}): Result<PreparedPolicy> {
  let custom: ReadonlyMap<string, BuiltinDecl> = new Map();
  if (opts.builtins && opts.builtins.length > 0) {
    const t = builtinTable(opts.builtins);
    if (!t.ok) return t;
    custom = t.value;
  }
  const c = withCustomBuiltins(custom, () => compileSources(modules));
  if (!c.ok) return fail(c.errors.map(compileDiag));
  let base: Prepared;
  try {
    base = new Prepared(c.compiled, opts, custom);
  } catch (e) {
    return fail(diag('rego_data_error', `data: ${e instanceof Error ? e.message : String(e)}`));
  }
  return ok(base);
}
