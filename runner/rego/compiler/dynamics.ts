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
 *   - a call's arguments (any call, `in` included; `==` in a query): refs, calls and
 *     comprehensions, and those inside array/object/set arguments;
 *   - the operands of `=` (and of `==` in a module, which OPA's RewriteEquals
 *     makes `=`): a call operand, and the dynamic parts *inside* a
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
  /**
   * Modules only: OPA's RewriteEquals stage, which runs just before
   * RewriteDynamicTerms, turns every two-operand `==` into `=`, so a negated
   * `==` keeps its ref operands in place (`not c.x == false` holds when c.x is
   * undefined). The query compiler does not run it: in a query `==` is a call.
   */
  private readonly equalsAsUnify: boolean;

  constructor(opts: { equalsAsUnify: boolean }) {
    this.equalsAsUnify = opts.equalsAsUnify;
  }

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
      if (t.type === 'call' && t.op.length === 1 && (t.op[0] === 'eq' || (this.equalsAsUnify && t.op[0] === 'equal' && t.args.length === 2))) {
        term = { ...t, args: t.args.map((a) => this.inPlace(a, pre, withs, true)) };
      } else if (t.type === 'call') {
        term = { ...t, args: t.args.map((a) => this.arg(a, pre, withs)) };
      } else {
        term = this.inPlace(t, pre, withs, false);
      }
      // Nothing bound outside: the rewritten term only re-wraps the same parts.
      return pre.length ? [...pre, { ...e, term }] : [e];
    }
    if (e.type === 'every') {
      const domain = e.domain.type === 'var' ? e.domain : this.arg(e.domain, pre, withs);
      return pre.length ? [...pre, { ...e, domain }] : [e];
    }
    return [e];
  }

  /**
   * Rewrite negated expressions in the closures inside a term. A term with
   * nothing to rewrite comes back as the same object (no copy): most terms
   * of most policies hold no negation, and this stage walks them all.
   */
  private closure(t: Term): Term {
    switch (t.type) {
      case 'arraycomp':
      case 'setcomp': {
        const term = this.closure(t.term);
        const body = this.body(t.body);
        return term === t.term && body === t.body ? t : { ...t, term, body };
      }
      case 'objectcomp': {
        const key = this.closure(t.key);
        const value = this.closure(t.value);
        const body = this.body(t.body);
        return key === t.key && value === t.value && body === t.body ? t : { ...t, key, value, body };
      }
      case 'ref': {
        const head = this.closure(t.head);
        const path = this.terms(t.path);
        return head === t.head && path === t.path ? t : { ...t, head, path };
      }
      case 'array':
      case 'set': {
        const items = this.terms(t.items);
        return items === t.items ? t : { ...t, items };
      }
      case 'object': {
        let changed = false;
        const items = t.items.map(([k, v]) => {
          const k2 = this.closure(k);
          const v2 = this.closure(v);
          if (k2 !== k || v2 !== v) changed = true;
          return [k2, v2] as [Term, Term];
        });
        return changed ? { ...t, items } : t;
      }
      case 'call': {
        const args = this.terms(t.args);
        return args === t.args ? t : { ...t, args };
      }
      default:
        return t;
    }
  }

  /** `closure` over a list: the same array when no element changed. */
  private terms(ts: Term[]): Term[] {
    let out: Term[] | undefined;
    for (let i = 0; i < ts.length; i++) {
      const x = this.closure(ts[i]!);
      if (x !== ts[i] && !out) out = ts.slice(0, i);
      if (out) out.push(x);
    }
    return out ?? ts;
  }

  private expr(e: Expr): Expr {
    let withs = e.with;
    for (let i = 0; i < e.with.length; i++) {
      const w = e.with[i]!;
      const value = this.closure(w.value);
      if (value !== w.value) {
        if (withs === e.with) withs = e.with.slice();
        withs[i] = { ...w, value };
      }
    }
    switch (e.type) {
      case 'term': {
        const term = this.closure(e.term);
        return term === e.term && withs === e.with ? e : { ...e, term, with: withs };
      }
      case 'somein': {
        const value = this.closure(e.value);
        const domain = this.closure(e.domain);
        const key = e.key ? this.closure(e.key) : undefined;
        if (value === e.value && domain === e.domain && key === e.key && withs === e.with) return e;
        const out: Expr = { ...e, value, domain, with: withs };
        if (key) out.key = key;
        return out;
      }
      case 'every': {
        const domain = this.closure(e.domain);
        const body = this.body(e.body);
        return domain === e.domain && body === e.body && withs === e.with ? e : { ...e, domain, body, with: withs };
      }
      case 'some':
        return e;
    }
  }

  /** The body with its negated expressions rewritten; the same array when there was nothing to do. */
  body(b: Body): Body {
    let out: Body | undefined;
    for (let i = 0; i < b.length; i++) {
      const e = b[i]!;
      const x = this.expr(e);
      if (x.negated) {
        const xs = this.negated(x);
        if (!out && (xs.length !== 1 || xs[0] !== e)) out = b.slice(0, i);
        if (out) out.push(...xs);
      } else {
        if (!out && x !== e) out = b.slice(0, i);
        if (out) out.push(x);
      }
    }
    return out ?? b;
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
  const rw = new DynamicsRewriter({ equalsAsUnify: true });
  // Under `import future.keywords.not` (OPA 1.17) a negation keeps every part of its expression
  // inside: an undefined argument makes `not` succeed. So that module's rules are left as written.
  for (const ir of st.rules) if (!ir.module.futureNot) rw.rule(ir.rule);
}
