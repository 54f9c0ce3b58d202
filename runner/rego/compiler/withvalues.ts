/**
 * Stage `rewriteWithValues` (OPA's RewriteWithValues, before the safety
 * check): a `with` value that needs evaluation — a ref, a call, a
 * comprehension anywhere in it — is bound to a fresh var by an expression
 * placed just before the one it modifies, and the modifier takes the var. So
 * `x := r with input.a as xs[_]` iterates xs like any other ref in the body
 * (it was an unsafe-variable error), and the value is evaluated in the
 * enclosing context, outside the modifiers, as OPA evaluates it.
 */
import type { Body, Expr, Rule, Term } from '../ast/nodes.ts';
import type { CompileState } from './state.ts';
import { requiresEval } from './head.ts';
import { bodyAny, mapExpr } from './walk.ts';

/** Finds an expression carrying a `with` modifier, at any depth. (Most bodies have none: left as they are.) */
const HAS_WITH = { expr: (e: Expr): boolean => e.with.length > 0 };

/** The dotted name of a ref or var term (`http.send`, `data.pkg.f`), or undefined. */
function dottedName(t: Term): string | undefined {
  if (t.type === 'var') return t.name;
  if (t.type !== 'ref' || t.head.type !== 'var') return undefined;
  const parts = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'scalar' || typeof p.value !== 'string') return undefined;
    parts.push(p.value);
  }
  return parts.join('.');
}

export class WithValuesRewriter {
  private n = 0;
  /** Is this (dotted) name a function, builtin or the policy's own? A `with` on one mocks it: its value is a function, never evaluated here. */
  private readonly isFunction: (name: string) => boolean;

  constructor(isFunction: (name: string) => boolean) {
    this.isFunction = isFunction;
  }

  /** A modifier whose value is data (input or a data path, not a function being mocked). */
  private replacesData(target: Term): boolean {
    const name = dottedName(target);
    if (name === undefined) return true;
    if (name === 'input' || name.startsWith('input.')) return true;
    if (name === 'data' || name.startsWith('data.')) return !this.isFunction(name.slice('data.'.length)) && !this.isFunction(name);
    return false; // a builtin's name
  }

  body(b: Body): Body {
    if (!bodyAny(b, HAS_WITH)) return b;
    const out: Body = [];
    for (const original of b) {
      // A copy (its `with` entries too), so the value can be replaced below; nested bodies are rewritten first.
      const e = mapExpr(original, (t) => t, (nested) => this.body(nested));
      for (const w of e.with) {
        if (!requiresEval(w.value) || !this.replacesData(w.target)) continue;
        const v: Term = { type: 'var', name: `$with$${++this.n}`, loc: w.value.loc };
        out.push({ type: 'term', term: { type: 'call', op: ['eq'], args: [v, w.value], loc: w.value.loc }, negated: false, with: [], loc: w.loc, generated: true });
        w.value = v;
      }
      out.push(e);
    }
    return out;
  }

  rule(r: Rule): void {
    for (let x: Rule | undefined = r; x; x = x.else) x.body = this.body(x.body);
  }
}

/** User functions by data name, and every builtin, as the compiler knows them. */
export function functionTest(st: CompileState): (name: string) => boolean {
  return (name) => st.functions.has(name) || st.functions.has(`data.${name}`) || st.lookupFunction(name) !== undefined;
}

export function rewriteWithValues(st: CompileState): void {
  const rw = new WithValuesRewriter(functionTest(st));
  for (const ir of st.rules) rw.rule(ir.rule);
}
