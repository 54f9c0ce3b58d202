/**
 * Stage `checkRecursion`: Rego forbids recursion between rules (OPA's
 * checkRecursion). A rule depends on every rule whose anchor is a prefix of,
 * or is prefixed by, the ground prefix of a `data` ref (or function name) it
 * uses; a cycle is a `rego_recursion_error` naming the path.
 */
import type { Body, Expr, Rule, Term } from '../ast/nodes.ts';
import { cerr } from './errors.ts';
import { dataName, type CompileState, type IndexedRule } from './state.ts';

/** Ground prefixes of the data refs and user-function calls in a rule. */
function dataRefs(r: Rule, out: string[][]): void {
  const term = (t: Term): void => {
    switch (t.type) {
      case 'ref': {
        if (t.head.type === 'var' && t.head.name === 'data') {
          const p = ['data'];
          let reachesRules = true;
          for (const x of t.path) {
            if (x.type === 'scalar' && typeof x.value === 'string') p.push(x.value);
            else {
              // a non-string constant key can only address base data, never a rule (rule paths are strings)
              if (x.type === 'scalar') reachesRules = false;
              break;
            }
          }
          // a sentinel segment: only rules anchored at or above the prefix are reachable
          out.push(reachesRules ? p : [...p, '\u0001']);
        } else term(t.head);
        t.path.forEach(term);
        break;
      }
      case 'var':
        if (t.name === 'data') out.push(['data']);
        break;
      case 'array':
      case 'set':
        t.items.forEach(term);
        break;
      case 'object':
        t.items.forEach(([k, v]) => {
          term(k);
          term(v);
        });
        break;
      case 'call':
        if (t.op[0] === 'data') out.push(t.op);
        t.args.forEach(term);
        break;
      case 'arraycomp':
      case 'setcomp':
        term(t.term);
        body(t.body);
        break;
      case 'objectcomp':
        term(t.key);
        term(t.value);
        body(t.body);
        break;
    }
  };
  const expr = (e: Expr): void => {
    if (e.type === 'term') term(e.term);
    if (e.type === 'somein' || e.type === 'every') {
      term(e.domain);
      term(e.value);
      if (e.key) term(e.key);
    }
    if (e.type === 'every') body(e.body);
    for (const w of e.with) term(w.value);
  };
  const body = (b: Body): void => b.forEach(expr);
  body(r.body);
  r.head.ref.slice(1).forEach(term);
  if (r.head.key) term(r.head.key);
  if (r.head.value) term(r.head.value);
  if (r.else) dataRefs(r.else, out);
}

function prefixRelated(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkRecursion(st: CompileState): void {
  const byAnchor = new Map<string, IndexedRule[]>();
  for (const r of st.rules) {
    const k = r.anchor.join('\u0000');
    const l = byAnchor.get(k);
    if (l) l.push(r);
    else byAnchor.set(k, [r]);
  }
  const nodes = [...byAnchor.keys()];
  const split = nodes.map((k) => [k, k.split('\u0000')] as const);
  const edges = new Map<string, Set<string>>();
  for (const [k, rules] of byAnchor) {
    const deps = new Set<string>();
    for (const r of rules) {
      const refs: string[][] = [];
      dataRefs(r.rule, refs);
      for (const ref of refs) {
        for (const [other, parts] of split) if (prefixRelated(ref, parts)) deps.add(other);
      }
    }
    edges.set(k, deps);
  }
  // DFS for cycles; report each cycle once, at the first rule of its entry node.
  const state = new Map<string, 0 | 1 | 2>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (k: string): void => {
    state.set(k, 1);
    stack.push(k);
    for (const d of edges.get(k) ?? []) {
      const s = state.get(d) ?? 0;
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(d));
        if (!reported.has(d)) {
          reported.add(d);
          const names = [...cycle, d].map((x) => dataName(x.split('\u0000')));
          const rule = byAnchor.get(d)![0]!;
          st.errors.push(cerr('rego_recursion_error', `rule ${names[0]} is recursive: ${names.join(' -> ')}`, rule.rule.loc));
        }
      } else if (s === 0) visit(d);
    }
    stack.pop();
    state.set(k, 2);
  };
  for (const k of nodes) if (!state.get(k)) visit(k);
}
