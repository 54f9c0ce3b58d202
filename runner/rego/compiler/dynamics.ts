/**
 * Stage `rewriteDynamicTerms`: the terms of a negated expression that need
 * evaluation are bound to fresh vars by expressions placed before it,
 * outside the negation — OPA's rewriteExprTerms (nested calls) and
 * rewriteDynamics (refs, comprehensions), which run on every body. So in
 * `not f(input.x)` the ref `input.x` is evaluated outside the `not`: when it
 * is undefined (or a nested builtin call fails), the whole body is undefined,
 * not true.
 *
 * What moves out, as in OPA:
 *   - a call's arguments (any call, `==` and `in` included): refs, calls and
 *     comprehensions, and those inside array/object/set arguments;
 *   - the operands of `=`: a call operand, and the dynamic parts *inside* a
 *     ref operand (its path), but not the ref itself nor a comprehension;
 *   - a bare term (`not input.x`, `not data.p[input.k]`): only the dynamic
 *     parts inside it, never the ref itself;
 *   - the domain of `every`.
 * The hoisted expressions carry the negated expression's `with` modifiers.
 *
 * Only negated expressions are rewritten: for a plain expression, binding
 * its dynamic terms first gives the same result (an undefined argument makes
 * the expression undefined either way), so those are left as they are. The
 * stage runs after the safety check: every var of a negated expression is
 * bound before it, so the hoisted expressions are safe right before it.
 */
import type { Body, Expr, Rule, Term, WithMod } from '../ast/nodes.ts';
import type { CompileState } from './state.ts';

export class DynamicsRewriter {
  private n = 0;

  private fresh(loc: Term['loc']): Term {
    return { type: 'var', name: `$dyn$${++this.n}`, loc };
  }

  /** Bind `t` to a fresh var by an expression appended to `pre`; returns the var. */
  private bind(t: Term, pre: Expr[], withs: WithMod[]): Term {
    const v = this.fresh(t.loc);
    pre.push({ type: 'term', term: { type: 'call', op: ['eq'], args: [v, t], loc: t.loc }, negated: false, with: withs, loc: t.loc, generated: true });
    return v;
  }

  /** A term in argument position (OPA's expandExprTerm + rewriteDynamicsOne): evaluated outside. */
  private arg(t: Term, pre: Expr[], withs: WithMod[]): Term {
    switch (t.type) {
      case 'ref':
        return this.bind(this.refParts(t, pre, withs), pre, withs);
      case 'call':
        return this.bind({ ...t, args: t.args.map((a) => this.arg(a, pre, withs)) }, pre, withs);
      case 'arraycomp':
      case 'setcomp':
      case 'objectcomp':
        return this.bind(t, pre, withs);
      case 'array':
      case 'set':
        return { ...t, items: t.items.map((x) => this.arg(x, pre, withs)) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [this.arg(k, pre, withs), this.arg(v, pre, withs)] as [Term, Term]) };
      default:
        return t;
    }
  }

  /** The dynamic parts inside a ref (its path; a composite or call head), the ref itself staying. */
  private refParts(t: Term & { type: 'ref' }, pre: Expr[], withs: WithMod[]): Term {
    let head = t.head;
    if (head.type !== 'var' && head.type !== 'ref') head = this.arg(head, pre, withs);
    if (head.type !== 'var') head = this.bind(head, pre, withs);
    return { ...t, head, path: t.path.map((p) => this.arg(p, pre, withs)) };
  }

  /** A term evaluated in place (an `=` operand, a bare term): only what is inside it moves out. */
  private inPlace(t: Term, pre: Expr[], withs: WithMod[], unify: boolean): Term {
    switch (t.type) {
      case 'ref':
        return this.refParts(t, pre, withs);
      case 'arraycomp':
      case 'setcomp':
      case 'objectcomp':
        return t;
      case 'call':
        return unify ? this.arg(t, pre, withs) : { ...t, args: t.args.map((a) => this.arg(a, pre, withs)) };
      default:
        return this.arg(t, pre, withs);
    }
  }

  /** `e` with its closures already rewritten: the expressions that replace it. */
  private negated(e: Expr): Expr[] {
    const pre: Expr[] = [];
    const withs = e.with;
    if (e.type === 'term') {
      const t = e.term;
      let term: Term;
      if (t.type === 'call' && t.op.length === 1 && t.op[0] === 'eq') {
        term = { ...t, args: t.args.map((a) => this.inPlace(a, pre, withs, true)) };
      } else if (t.type === 'call') {
        term = { ...t, args: t.args.map((a) => this.arg(a, pre, withs)) };
      } else {
        term = this.inPlace(t, pre, withs, false);
      }
      return [...pre, { ...e, term }];
    }
    if (e.type === 'every') {
      const domain = e.domain.type === 'var' ? e.domain : this.arg(e.domain, pre, withs);
      return [...pre, { ...e, domain }];
    }
    return [e];
  }

  /** Rewrite negated expressions in the closures inside a term. */
  private closure(t: Term): Term {
    switch (t.type) {
      case 'arraycomp':
      case 'setcomp':
        return { ...t, term: this.closure(t.term), body: this.body(t.body) };
      case 'objectcomp':
        return { ...t, key: this.closure(t.key), value: this.closure(t.value), body: this.body(t.body) };
      case 'ref':
        return { ...t, head: this.closure(t.head), path: t.path.map((p) => this.closure(p)) };
      case 'array':
      case 'set':
        return { ...t, items: t.items.map((x) => this.closure(x)) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [this.closure(k), this.closure(v)] as [Term, Term]) };
      case 'call':
        return { ...t, args: t.args.map((x) => this.closure(x)) };
      default:
        return t;
    }
  }

  private expr(e: Expr): Expr {
    const withs = e.with.map((w) => ({ ...w, value: this.closure(w.value) }));
    switch (e.type) {
      case 'term':
        return { ...e, term: this.closure(e.term), with: withs };
      case 'somein': {
        const out: Expr = { ...e, value: this.closure(e.value), domain: this.closure(e.domain), with: withs };
        if (e.key) out.key = this.closure(e.key);
        return out;
      }
      case 'every':
        return { ...e, domain: this.closure(e.domain), body: this.body(e.body), with: withs };
      case 'some':
        return e;
    }
  }

  body(b: Body): Body {
    const out: Body = [];
    for (const e of b) {
      const x = this.expr(e);
      if (x.negated) out.push(...this.negated(x));
      else out.push(x);
    }
    return out;
  }

  rule(r: Rule): void {
    for (let x: Rule | undefined = r; x; x = x.else) {
      x.body = this.body(x.body);
      if (x.head.value) x.head.value = this.closure(x.head.value);
      if (x.head.key) x.head.key = this.closure(x.head.key);
    }
  }
}

export function rewriteDynamicTerms(st: CompileState): void {
  const rw = new DynamicsRewriter();
  for (const ir of st.rules) rw.rule(ir.rule);
}
