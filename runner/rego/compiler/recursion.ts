/**
 * Stage `checkRecursion`: Rego forbids recursion between rules (OPA's
 * checkRecursion). A rule depends on every rule whose anchor is a prefix of,
 * or is prefixed by, a `data` ref (variable segments matching any key) or
 * function name it uses; a cycle is a `rego_recursion_error` naming the path.
 */
import type { Body, Expr, Rule, Term } from '../ast/nodes.ts';
import { cerr } from './errors.ts';
import { dataName, type CompileState } from './state.ts';

/** Ground prefixes of the data refs and user-function calls in a rule. */
function dataRefs(r: Rule, out: string[][]): void {
  const term = (t: Term): void => {
    switch (t.type) {
      case 'ref': {
        if (t.head.type === 'var' && t.head.name === 'data') {
          // Like OPA's rule-tree lookup (GetRulesDynamic): a variable segment matches any key and the
          // ground segments after it still narrow the match, so `data[pkg].allow` depends on the
          // `allow` rules of every package, not on every rule.
          const p = ['data'];
          for (const x of t.path) {
            if (x.type === 'scalar' && typeof x.value === 'string') p.push(x.value);
            else if (x.type === 'scalar') {
              // a non-string constant key can only address base data, never a rule (rule paths are
              // strings): a sentinel segment, so only rules anchored at or above the prefix are reachable
              p.push('\u0001');
              break;
            } else p.push(ANY);
          }
          out.push(p);
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

/** A variable segment of a ref: matches any key of a rule path. */
const ANY = '\u0002';

/** Is one path a prefix of the other (a ref's variable segments match any key)? */
function prefixRelated(ref: string[], anchor: string[]): boolean {
  const n = Math.min(ref.length, anchor.length);
  for (let i = 0; i < n; i++) if (ref[i] !== ANY && ref[i] !== anchor[i]) return false;
  return true;
}

interface Node {
  rule: Rule;
  name: string;
  deps: Node[];
}

/**
 * OPA's graph is over rules, `else` branches included (each depends on what
 * its own body and head use), and every rule from which a path leads back to
 * itself is reported, at its own location, with that path.
 */
export function checkRecursion(st: CompileState): void {
  const nodes: Node[] = [];
  const byAnchor = new Map<string, Node[]>();
  const anchors: Array<[string, string[]]> = [];
  for (const ir of st.rules) {
    const k = ir.anchor.join('\u0000');
    let list = byAnchor.get(k);
    if (!list) {
      byAnchor.set(k, (list = []));
      anchors.push([k, ir.anchor]);
    }
    for (let r: Rule | undefined = ir.rule; r; r = r.else) {
      const n: Node = { rule: r, name: dataName(ir.anchor), deps: [] };
      list.push(n);
      nodes.push(n);
    }
  }
  for (const n of nodes) {
    const refs: string[][] = [];
    dataRefs({ ...n.rule, else: undefined }, refs);
    const deps = new Set<Node>();
    for (const ref of refs) for (const [k, parts] of anchors) if (prefixRelated(ref, parts)) for (const d of byAnchor.get(k)!) deps.add(d);
    n.deps = [...deps];
  }
  /** A path n → … → n (OPA's util.DFSPath), or undefined. */
  const pathToSelf = (start: Node): Node[] | undefined => {
    const seen = new Set<Node>();
    const path: Node[] = [start];
    const dfs = (n: Node): boolean => {
      for (const d of n.deps) {
        if (d === start) {
          path.push(d);
          return true;
        }
        if (seen.has(d)) continue;
        seen.add(d);
        path.push(d);
        if (dfs(d)) return true;
        path.pop();
      }
      return false;
    };
    return dfs(start) ? path : undefined;
  };
  const sorted = [...nodes].sort((a, b) => (a.rule.loc.file < b.rule.loc.file ? -1 : a.rule.loc.file > b.rule.loc.file ? 1 : a.rule.loc.line - b.rule.loc.line || a.rule.loc.col - b.rule.loc.col));
  for (const n of sorted) {
    const path = pathToSelf(n);
    if (path) st.errors.push(cerr('rego_recursion_error', `rule ${n.name} is recursive: ${path.map((x) => x.name).join(' -> ')}`, n.rule.loc));
  }
}
