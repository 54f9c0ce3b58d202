/**
 * Generic traversals of terms and bodies used by the compiler stages.
 */
import type { Body, Expr, Term } from '../ast/nodes.ts';

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
