/**
 * Generic traversals of terms and bodies used by the compiler stages.
 */
import type { Body, Expr, Term, WithMod } from '../ast/nodes.ts';

/** Rebuild a term bottom-up through `f` (f sees children already mapped). Bodies of closures are mapped by `fb`. */
export function mapTerm(t: Term, f: (t: Term) => Term, fb: (b: Body) => Body): Term {
  switch (t.type) {
    case 'scalar':
    case 'var':
    case 'value':
      return f(t);
    case 'ref':
      return f({ ...t, head: mapTerm(t.head, f, fb), path: t.path.map((p) => mapTerm(p, f, fb)) });
    case 'array':
      return f({ ...t, items: t.items.map((x) => mapTerm(x, f, fb)) });
    case 'set':
      return f({ ...t, items: t.items.map((x) => mapTerm(x, f, fb)) });
    case 'object':
      return f({ ...t, items: t.items.map(([k, v]) => [mapTerm(k, f, fb), mapTerm(v, f, fb)] as [Term, Term]) });
    case 'call':
      return f({ ...t, args: t.args.map((x) => mapTerm(x, f, fb)) });
    case 'arraycomp':
      return f({ ...t, term: mapTerm(t.term, f, fb), body: fb(t.body) });
    case 'setcomp':
      return f({ ...t, term: mapTerm(t.term, f, fb), body: fb(t.body) });
    case 'objectcomp':
      return f({ ...t, key: mapTerm(t.key, f, fb), value: mapTerm(t.value, f, fb), body: fb(t.body) });
  }
}

/** Rebuild an expression: its terms and `with` values through mapTerm(·, f, fb), its `every` body through fb. */
export function mapExpr(e: Expr, f: (t: Term) => Term, fb: (b: Body) => Body): Expr {
  const t = (x: Term): Term => mapTerm(x, f, fb);
  const with_: WithMod[] = e.with.map((w) => ({ ...w, value: t(w.value) }));
  switch (e.type) {
    case 'term':
      return { ...e, term: t(e.term), with: with_ };
    case 'some':
      return e;
    case 'somein': {
      const out: Expr = { ...e, value: t(e.value), domain: t(e.domain), with: with_ };
      if (e.key) out.key = t(e.key);
      return out;
    }
    case 'every': {
      const out: Expr = { ...e, value: t(e.value), domain: t(e.domain), body: fb(e.body), with: with_ };
      if (e.key) out.key = t(e.key);
      return out;
    }
  }
}

/** What termAny/exprAny look for: a term, or an expression (nested ones included). */
export interface Probe {
  term?: (t: Term) => boolean;
  expr?: (e: Expr) => boolean;
}

/** Does the probe hold anywhere in the term, closure bodies included? Stops at the first hit. */
export function termAny(t: Term, p: Probe): boolean {
  if (p.term?.(t)) return true;
  const any = (x: Term): boolean => termAny(x, p);
  switch (t.type) {
    case 'ref':
      return any(t.head) || t.path.some(any);
    case 'array':
    case 'set':
      return t.items.some(any);
    case 'object':
      return t.items.some(([k, v]) => any(k) || any(v));
    case 'call':
      return t.args.some(any);
    case 'arraycomp':
    case 'setcomp':
      return any(t.term) || bodyAny(t.body, p);
    case 'objectcomp':
      return any(t.key) || any(t.value) || bodyAny(t.body, p);
    default:
      return false;
  }
}

/** Does the probe hold for the expression, or anywhere in its terms, `with` values and nested bodies? */
export function exprAny(e: Expr, p: Probe): boolean {
  if (p.expr?.(e)) return true;
  const any = (x: Term): boolean => termAny(x, p);
  if (e.with.some((w) => any(w.value))) return true;
  switch (e.type) {
    case 'term':
      return any(e.term);
    case 'some':
      return false;
    case 'somein':
      return (e.key !== undefined && any(e.key)) || any(e.value) || any(e.domain);
    case 'every':
      return (e.key !== undefined && any(e.key)) || any(e.value) || any(e.domain) || bodyAny(e.body, p);
  }
}

export function bodyAny(b: Body, p: Probe): boolean {
  return b.some((e) => exprAny(e, p));
}

export interface VarOpts {
  /** Descend into comprehension bodies and every bodies. */
  closures: boolean;
}

/** Names of vars occurring in a term. Call operator names are never vars. */
export function termVars(t: Term, out: Set<string>, opts: VarOpts): Set<string> {
  switch (t.type) {
    case 'var':
      out.add(t.name);
      break;
    case 'ref':
      termVars(t.head, out, opts);
      for (const p of t.path) termVars(p, out, opts);
      break;
    case 'array':
    case 'set':
      for (const x of t.items) termVars(x, out, opts);
      break;
    case 'object':
      for (const [k, v] of t.items) {
        termVars(k, out, opts);
        termVars(v, out, opts);
      }
      break;
    case 'call':
      for (const x of t.args) termVars(x, out, opts);
      break;
    case 'arraycomp':
    case 'setcomp':
      if (opts.closures) {
        termVars(t.term, out, opts);
        bodyVars(t.body, out, opts);
      }
      break;
    case 'objectcomp':
      if (opts.closures) {
        termVars(t.key, out, opts);
        termVars(t.value, out, opts);
        bodyVars(t.body, out, opts);
      }
      break;
  }
  return out;
}

export function exprVars(e: Expr, out: Set<string>, opts: VarOpts): Set<string> {
  switch (e.type) {
    case 'term':
      termVars(e.term, out, opts);
      break;
    case 'some':
      for (const v of e.vars) termVars(v, out, opts);
      break;
    case 'somein':
      if (e.key) termVars(e.key, out, opts);
      termVars(e.value, out, opts);
      termVars(e.domain, out, opts);
      break;
    case 'every':
      if (opts.closures) {
        if (e.key) termVars(e.key, out, opts);
        termVars(e.value, out, opts);
        bodyVars(e.body, out, opts);
      }
      termVars(e.domain, out, opts);
      break;
  }
  for (const w of e.with) termVars(w.value, out, opts);
  return out;
}

export function bodyVars(b: Body, out: Set<string>, opts: VarOpts): Set<string> {
  for (const e of b) exprVars(e, out, opts);
  return out;
}

/** Closures (comprehensions, every bodies) directly inside an expression. */
export function closuresOf(e: Expr): Array<{ vars: Set<string> }> {
  const out: Array<{ vars: Set<string> }> = [];
  const visit = (t: Term): void => {
    switch (t.type) {
      case 'ref':
        visit(t.head);
        t.path.forEach(visit);
        break;
      case 'array':
      case 'set':
        t.items.forEach(visit);
        break;
      case 'object':
        t.items.forEach(([k, v]) => {
          visit(k);
          visit(v);
        });
        break;
      case 'call':
        t.args.forEach(visit);
        break;
      case 'arraycomp':
      case 'setcomp':
      case 'objectcomp':
        out.push({ vars: termVars(t, new Set(), { closures: true }) });
        break;
    }
  };
  if (e.type === 'term') visit(e.term);
  if (e.type === 'somein') {
    if (e.key) visit(e.key);
    visit(e.value);
    visit(e.domain);
  }
  if (e.type === 'every') {
    visit(e.domain);
    const vs = bodyVars(e.body, new Set(), { closures: true });
    termVars(e.value, vs, { closures: true });
    if (e.key) termVars(e.key, vs, { closures: true });
    out.push({ vars: vs });
  }
  for (const w of e.with) visit(w.value);
  return out;
}
