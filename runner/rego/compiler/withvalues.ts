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

/** Does an expression carry a `with` modifier, itself or in a body nested in it? (Most bodies have none: left as they are.) */
function exprHasWith(e: Expr): boolean {
  if (e.with.length) return true;
  switch (e.type) {
    case 'term':
      return termHasWith(e.term);
    case 'somein':
      return termHasWith(e.domain) || termHasWith(e.value) || (e.key !== undefined && termHasWith(e.key));
    case 'every':
      return termHasWith(e.domain) || e.body.some(exprHasWith);
    case 'some':
      return false;
  }
}

function termHasWith(t: Term): boolean {
  switch (t.type) {
    case 'arraycomp':
    case 'setcomp':
      return termHasWith(t.term) || t.body.some(exprHasWith);
    case 'objectcomp':
      return termHasWith(t.key) || termHasWith(t.value) || t.body.some(exprHasWith);
    case 'ref':
      return termHasWith(t.head) || t.path.some(termHasWith);
    case 'array':
    case 'set':
      return t.items.some(termHasWith);
    case 'object':
      return t.items.some(([k, v]) => termHasWith(k) || termHasWith(v));
    case 'call':
      return t.args.some(termHasWith);
    default:
      return false;
  }
}

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

  private term(t: Term): Term {
    switch (t.type) {
      case 'arraycomp':
      case 'setcomp':
        return { ...t, term: this.term(t.term), body: this.body(t.body) };
      case 'objectcomp':
        return { ...t, key: this.term(t.key), value: this.term(t.value), body: this.body(t.body) };
      case 'ref':
        return { ...t, head: this.term(t.head), path: t.path.map((p) => this.term(p)) };
      case 'array':
      case 'set':
        return { ...t, items: t.items.map((x) => this.term(x)) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [this.term(k), this.term(v)] as [Term, Term]) };
      case 'call':
        return { ...t, args: t.args.map((a) => this.term(a)) };
      default:
        return t;
    }
  }

  private expr(e: Expr): Expr {
    const withs = e.with.map((w) => ({ ...w, value: this.term(w.value) }));
    switch (e.type) {
      case 'term':
        return { ...e, term: this.term(e.term), with: withs };
      case 'somein': {
        const out: Expr = { ...e, value: this.term(e.value), domain: this.term(e.domain), with: withs };
        if (e.key) out.key = this.term(e.key);
        return out;
      }
      case 'every':
        return { ...e, domain: this.term(e.domain), body: this.body(e.body), with: withs };
      case 'some':
        return e;
    }
  }

  body(b: Body): Body {
    if (!b.some(exprHasWith)) return b;
    const out: Body = [];
    for (const original of b) {
      const e = this.expr(original);
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
