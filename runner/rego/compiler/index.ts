/**
 * The compiler: parsed modules → checked, rewritten rules, through an
 * explicit ordered list of named stages (OPA's ast/compile.go pattern). Each
 * stage is a small function over `CompileState`; the first stage that
 * reports errors stops the pipeline, because later stages rely on the
 * invariants of earlier ones (e.g. safety needs resolved refs and unique
 * local names).
 */
import { exprText, type Body, type Module, type Query, type Term } from '../ast/nodes.ts';
import { lookupBuiltin } from '../builtins/registry.ts';
import type { CompileError } from './errors.ts';
import { LocalRewriter, newScope, rewriteLocalVars } from './locals.ts';
import { DynamicsRewriter, rewriteDynamicTerms } from './dynamics.ts';
import { WithValuesRewriter, functionTest, rewriteWithValues } from './withvalues.ts';
import { checkAnnotations, rewriteRegoMetadataCalls } from './metadata.ts';
import { checkDeprecatedBuiltins } from './deprecated.ts';
import { checkRecursion } from './recursion.ts';
import { rewriteHeadTerms } from './head.ts';
import { Resolver, moduleGlobals, resolveRefs } from './resolve.ts';
import { checkImports, checkRuleConflicts, indexRules } from './rules.ts';
import { SafetyChecker, checkSafety, displayName } from './safety.ts';
import type { CompileState, CompiledQuery, FunctionInfo } from './state.ts';
import { SPECIAL_CALLS, TypeChecker, checkTypes, withContext } from './typecheck.ts';

export interface Stage {
  name: string;
  run(st: CompileState): void;
}

/** The pipeline, in order. */
export const STAGES: readonly Stage[] = [
  { name: 'checkImports', run: checkImports },
  { name: 'indexRules', run: indexRules },
  { name: 'checkRuleConflicts', run: checkRuleConflicts },
  { name: 'checkAnnotations', run: checkAnnotations },
  { name: 'resolveRefs', run: resolveRefs },
  { name: 'rewriteRegoMetadataCalls', run: rewriteRegoMetadataCalls },
  { name: 'rewriteHeadTerms', run: rewriteHeadTerms },
  { name: 'rewriteLocalVars', run: rewriteLocalVars },
  { name: 'rewriteWithValues', run: rewriteWithValues },
  { name: 'checkSafety', run: checkSafety },
  { name: 'rewriteDynamicTerms', run: rewriteDynamicTerms },
  { name: 'checkRecursion', run: checkRecursion },
  { name: 'checkTypes', run: (st) => checkTypes(st, (n) => lookupBuiltin(n)?.args, withContext(st, lookupBuiltin)) },
  { name: 'checkDeprecatedBuiltins', run: checkDeprecatedBuiltins },
];

export function lookupFunctionIn(functions: Map<string, number>): (name: string) => FunctionInfo | undefined {
  return (name) => {
    const user = functions.get(name);
    if (user !== undefined) return { arity: user, builtin: false };
    const b = lookupBuiltin(name);
    if (b) return { arity: b.args.length, builtin: true };
    return undefined;
  };
}

export function compileModules(modules: Module[]): { state: CompileState; errors: CompileError[] } {
  const functions = new Map<string, number>();
  const st: CompileState = { modules, rules: [], functions, errors: [], lookupFunction: lookupFunctionIn(functions) };
  for (const stage of STAGES) {
    stage.run(st);
    if (st.errors.length > 0) break;
  }
  return { state: st, errors: st.errors };
}

/**
 * Compile an ad-hoc query against a compiled policy: resolve (no package
 * scope: refs must be `data.…`/`input.…`), rewrite locals, reorder for
 * safety, type-check. With `capture` (what `opa eval` and OPA's rego API do,
 * rego.go rewriteQueryToCaptureValue), each expression that is a term or a
 * call reports its value: `count([1, 2])` is `2`, `1 > 2` is `false` — and
 * when the query has several expressions or iterates, a captured value must
 * also be neither false nor undefined for the row to count, as in OPA.
 */
export function compileQuery(st: CompileState, q: Query, opts: { capture?: boolean } = {}): { query?: CompiledQuery; errors: CompileError[] } {
  const texts = new Map(q.body.map((e) => [`${e.loc.line}:${e.loc.col}`, exprText(e)] as [string, string]));
  const empty: Module = { file: '', package: [], packageLoc: q.body[0]!.loc, imports: [], rules: [], annotations: [] };
  const res = new Resolver(moduleGlobals(empty));
  let body: Body = res.body(q.body, new Set());
  const rw = new LocalRewriter();
  body = rw.body(body, newScope());
  if (rw.errors.length) return { errors: rw.errors };
  const captures = new Map<string, string>();
  if (opts.capture) body = captureValues(body, st, captures);
  body = new WithValuesRewriter(functionTest(st)).body(body);
  const sc = new SafetyChecker(st.lookupFunction, displayName);
  const r = sc.body(body, new Set(), new Set());
  if (sc.errors.length) return { errors: sc.errors };
  const qbody = new DynamicsRewriter({ equalsAsUnify: false }).body(r.body);
  const tc = new TypeChecker(st.lookupFunction, (n) => lookupBuiltin(n)?.args, withContext(st, lookupBuiltin));
  tc.body(qbody);
  if (tc.errors.length) return { errors: tc.errors };
  return { query: { body: qbody, display: rw.display, loc: q.body[0]!.loc, texts, captures }, errors: [] };
}

/** OPA's `iteration(query)`: a ref with a variable after its head, or a relation builtin (`walk`), outside comprehensions. */
function iterates(body: Body): boolean {
  let found = false;
  const visit = (t: Term): void => {
    if (found) return;
    switch (t.type) {
      case 'ref':
        if (t.path.some((p) => p.type === 'var')) found = true;
        visit(t.head);
        t.path.forEach(visit);
        return;
      case 'call':
        if (t.op.join('.') === 'walk') found = true;
        t.args.forEach(visit);
        return;
      case 'array':
      case 'set':
        t.items.forEach(visit);
        return;
      case 'object':
        t.items.forEach(([k, v]) => (visit(k), visit(v)));
        return;
      default:
        return;
    }
  };
  for (const e of body) {
    if (e.type === 'term') visit(e.term);
    else if (e.type === 'somein' || e.type === 'every') {
      if (e.key) visit(e.key);
      visit(e.value);
      visit(e.domain);
    }
    e.with.forEach((w) => visit(w.value));
  }
  return found;
}

/** Rewrite each non-negated term/call expression to bind its value to `$captureN` (recorded in `captures` by `line:col`). */
function captureValues(body: Body, st: CompileState, captures: Map<string, string>): Body {
  const check = body.length > 1 || iterates(body);
  const out: Body = [];
  const checks: Body = [];
  for (const e of body) {
    if (e.type !== 'term' || e.negated) {
      out.push(e);
      continue;
    }
    const t = e.term;
    const name = `$capture${captures.size}`;
    const v: Term = { type: 'var', name, loc: t.loc };
    let term: Term | undefined;
    if (t.type === 'call') {
      const fn = t.op.join('.');
      if (fn !== 'eq' && fn !== 'assign' && st.lookupFunction(fn)?.arity === t.args.length) term = { ...t, args: [...t.args, v] };
    } else {
      term = { type: 'call', op: ['eq'], args: [t, v], loc: t.loc };
    }
    if (!term) {
      out.push(e);
      continue;
    }
    captures.set(`${e.loc.line}:${e.loc.col}`, name);
    out.push({ ...e, term });
    if (check) checks.push({ type: 'term', term: v, negated: false, with: [], loc: e.loc });
  }
  return [...out, ...checks];
}

export { SPECIAL_CALLS };
