/**
 * The compiler: parsed modules → checked, rewritten rules, through an
 * explicit ordered list of named stages (OPA's ast/compile.go pattern). Each
 * stage is a small function over `CompileState`; the first stage that
 * reports errors stops the pipeline, because later stages rely on the
 * invariants of earlier ones (e.g. safety needs resolved refs and unique
 * local names).
 */
import { exprText, type Body, type Module, type Query } from '../ast/nodes.ts';
import { lookupBuiltin } from '../builtins/registry.ts';
import type { CompileError } from './errors.ts';
import { LocalRewriter, newScope, rewriteLocalVars } from './locals.ts';
import { rewriteRegoMetadataCalls } from './metadata.ts';
import { checkRecursion } from './recursion.ts';
import { rewriteHeadTerms } from './head.ts';
import { Resolver, moduleGlobals, resolveRefs } from './resolve.ts';
import { checkImports, checkRuleConflicts, indexRules } from './rules.ts';
import { SafetyChecker, checkSafety, displayName } from './safety.ts';
import type { CompileState, CompiledQuery, FunctionInfo } from './state.ts';
import { SPECIAL_CALLS, TypeChecker, checkTypes } from './typecheck.ts';

export interface Stage {
  name: string;
  run(st: CompileState): void;
}

/** The pipeline, in order. */
export const STAGES: readonly Stage[] = [
  { name: 'checkImports', run: checkImports },
  { name: 'indexRules', run: indexRules },
  { name: 'checkRuleConflicts', run: checkRuleConflicts },
  { name: 'resolveRefs', run: resolveRefs },
  { name: 'rewriteRegoMetadataCalls', run: rewriteRegoMetadataCalls },
  { name: 'rewriteHeadTerms', run: rewriteHeadTerms },
  { name: 'rewriteLocalVars', run: rewriteLocalVars },
  { name: 'checkSafety', run: checkSafety },
  { name: 'checkRecursion', run: checkRecursion },
  { name: 'checkTypes', run: (st) => checkTypes(st, (n) => lookupBuiltin(n)?.args) },
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
 * safety, type-check.
 */
export function compileQuery(st: CompileState, q: Query): { query?: CompiledQuery; errors: CompileError[] } {
  const texts = new Map(q.body.map((e) => [`${e.loc.line}:${e.loc.col}`, exprText(e)] as [string, string]));
  const empty: Module = { file: '', package: [], packageLoc: q.body[0]!.loc, imports: [], rules: [], annotations: [] };
  const res = new Resolver(moduleGlobals(empty));
  let body: Body = res.body(q.body, new Set());
  const rw = new LocalRewriter();
  body = rw.body(body, newScope());
  if (rw.errors.length) return { errors: rw.errors };
  const sc = new SafetyChecker(st.lookupFunction, displayName);
  const r = sc.body(body, new Set(), new Set());
  if (sc.errors.length) return { errors: sc.errors };
  const tc = new TypeChecker(st.lookupFunction, (n) => lookupBuiltin(n)?.args);
  tc.body(r.body);
  if (tc.errors.length) return { errors: tc.errors };
  return { query: { body: r.body, display: rw.display, loc: q.body[0]!.loc, texts }, errors: [] };
}


export { SPECIAL_CALLS };
