/**
 * Stage `rewriteHeadTerms`: a rule head value or key that is not a plain
 * var/constant (`p := input.x`, `q(_) := xs[_]`, `f(x) := count(x)`) is moved
 * into the body as `__head_N__ = <term>` and the head refers to the var, as
 * OPA's compiler does. The head is then trivially evaluable, and the term's
 * iteration and undefinedness become the body's (so `q(_) := xs[_]` yields
 * every element, which is a conflict, exactly as in OPA).
 */
import type { Expr, Rule, Term } from '../ast/nodes.ts';
import type { CompileState } from './state.ts';

/** OPA's requiresEval: a term holding a ref, a call or a comprehension anywhere (constants and vars do not). */
export function requiresEval(t: Term): boolean {
  switch (t.type) {
    case 'scalar':
    case 'var':
    case 'value':
      return false;
    case 'array':
    case 'set':
      return t.items.some(requiresEval);
    case 'object':
      return t.items.some(([k, v]) => requiresEval(k) || requiresEval(v));
    default:
      return true;
  }
}

let counter = 0;

function move(r: Rule, t: Term): Term {
  const v: Term = { type: 'var', name: `__head_${counter++}__`, loc: t.loc };
  const e: Expr = { type: 'term', term: { type: 'call', op: ['eq'], args: [v, t], loc: t.loc }, negated: false, with: [], loc: t.loc };
  // A bodyless rule's body is the constant `true`: replace it rather than keep the placeholder.
  r.body = r.bodyless ? [e] : [...r.body, e];
  r.bodyless = false;
  return v;
}

function rewrite(r: Rule): void {
  if (r.isDefault) return;
  if (r.head.value && requiresEval(r.head.value)) r.head.value = move(r, r.head.value);
  if (r.head.key && requiresEval(r.head.key)) r.head.key = move(r, r.head.key);
  if (r.else) rewrite(r.else);
}

export function rewriteHeadTerms(st: CompileState): void {
  for (const ir of st.rules) rewrite(ir.rule);
}
