/**
 * The state threaded through the compiler stages.
 */
import type { Body, Loc, Module, Rule, Term } from '../ast/nodes.ts';
import type { CompileError } from './errors.ts';

export type RuleKind = 'complete' | 'partial_set' | 'partial_object' | 'function';

/** One top-level rule (its `else` chain hangs off `rule.else`) with its place in the data tree. */
export interface IndexedRule {
  module: Module;
  rule: Rule;
  kind: RuleKind;
  /** Ground prefix of the head ref including `data` and the package: the rule-tree node it is anchored at. */
  anchor: string[];
  /** Remaining (dynamic) head ref terms after the anchor, e.g. `[q, "r"]` for `p[q].r`. */
  suffix: Term[];
  /** `data.x.p` — how OPA names the rule in messages (the anchor path). */
  name: string;
  /** Function arity. */
  arity?: number;
}

/** Function signature lookup used by safety (output args) and type checks. */
export interface FunctionInfo {
  arity: number;
  builtin: boolean;
}

export interface CompileState {
  modules: Module[];
  rules: IndexedRule[];
  /** Functions defined by rules, by dotted name `data.pkg.f`. */
  functions: Map<string, number>;
  errors: CompileError[];
  lookupFunction(name: string): FunctionInfo | undefined;
}

/** A compiled ad-hoc query. */
export interface CompiledQuery {
  body: Body;
  /** Unique var name → name the user wrote (bindings are reported under it). */
  display: Map<string, string>;
  loc: Loc;
  /** Source text of each query expression as written, keyed by `line:col`. */
  texts: Map<string, string>;
  /** Expressions whose value is captured (`opa eval`): `line:col` → the generated var holding it. */
  captures?: Map<string, string>;
}

export function dataName(path: string[]): string {
  let out = path[0] ?? 'data';
  for (const p of path.slice(1)) out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? '.' + p : `[${JSON.stringify(p)}]`;
  return out;
}
