/**
 * Stage `checkSafety`: every var must be bound before it is used, and bodies
 * are reordered so that it is (OPA's reorderBodyForSafety). The algorithm is
 * OPA's: repeatedly take the first remaining expression whose needed vars are
 * all safe given what it binds itself; fail with `rego_unsafe_var_error` when
 * no expression can be scheduled. Closures (comprehensions, `every` bodies)
 * are reordered afterwards, with the vars safe at their position as input.
 *
 * What an expression binds ("output vars"):
 *   - vars in ref paths whose head is safe (`input.xs[i]` binds i)
 *   - `a = b` / `a := b`: vars of one side when the other side is safe,
 *     element-wise through arrays and objects (unification)
 *   - a call with one argument more than the function's arity: the vars of
 *     that last (output) argument, once the inputs are safe
 *   - `some k, v in xs`: vars of k and v
 */
import type { Body, Expr, Term } from '../ast/nodes.ts';
import { cerr, type CompileError } from './errors.ts';
import type { CompileState, FunctionInfo } from './state.ts';
import { closuresOf, exprVars, termVars } from './walk.ts';

type Lookup = (name: string) => FunctionInfo | undefined;

const ROOTS = new Set(['input', 'data']);

function isSubset(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Vars bound by iterating refs whose heads are safe. Iterates to a fixpoint (nested refs). */
function refOutputs(t: Term, safe: Set<string>, out: Set<string>): void {
  const visit = (x: Term): void => {
    switch (x.type) {
      case 'ref': {
        visit(x.head);
        const headVars = termVars(x.head, new Set(), { closures: false });
        const headSafe = x.head.type === 'var' ? ROOTS.has(x.head.name) || safe.has(x.head.name) || out.has(x.head.name) : [...headVars].every((v) => safe.has(v) || out.has(v));
        for (const p of x.path) {
          visit(p);
          if (headSafe && (p.type === 'var' || p.type === 'array' || p.type === 'object')) {
            // a var (or pattern of vars) in a ref path is bound by iteration
            termVars(p, out, { closures: false });
          }
        }
        break;
      }
      case 'array':
      case 'set':
        x.items.forEach(visit);
        break;
      case 'object':
        x.items.forEach(([k, v]) => {
          visit(k);
          visit(v);
        });
        break;
      case 'call':
        x.args.forEach(visit);
        break;
    }
  };
  visit(t);
}

function varsOf(t: Term): Set<string> {
  return termVars(t, new Set(), { closures: false });
}

/** Vars of `a` that unification with `b` binds, given `safe`. */
function unifyOutputs(a: Term, b: Term, safe: Set<string>, out: Set<string>): void {
  const isSafe = (t: Term): boolean => isSubset(varsOf(t), safe) || [...varsOf(t)].every((v) => safe.has(v) || out.has(v));
  const pattern = (t: Term): boolean => t.type === 'var' || t.type === 'array' || t.type === 'object';
  if (a.type === 'var' && !safe.has(a.name) && !out.has(a.name)) {
    if (isSafe(b)) out.add(a.name);
    return;
  }
  if (b.type === 'var' && !safe.has(b.name) && !out.has(b.name)) {
    if (isSafe(a)) out.add(b.name);
    return;
  }
  if (a.type === 'array' && b.type === 'array' && a.items.length === b.items.length) {
    for (let i = 0; i < a.items.length; i++) unifyOutputs(a.items[i]!, b.items[i]!, safe, out);
    return;
  }
  if (a.type === 'object' && b.type === 'object' && a.items.length === b.items.length) {
    for (const [k, v] of a.items) {
      const m = b.items.find(([k2]) => sameGround(k, k2));
      if (m) unifyOutputs(v, m[1], safe, out);
    }
    return;
  }
  if (pattern(a) && isSafe(b)) {
    patternVars(a, out);
    return;
  }
  if (pattern(b) && isSafe(a)) patternVars(b, out);
}

/** Vars in unification-pattern positions (not inside refs or calls, which must be evaluated). */
function patternVars(t: Term, out: Set<string>): void {
  if (t.type === 'var') out.add(t.name);
  else if (t.type === 'array') t.items.forEach((x) => patternVars(x, out));
  else if (t.type === 'object') t.items.forEach(([, v]) => patternVars(v, out));
}

function sameGround(a: Term, b: Term): boolean {
  return a.type === 'scalar' && b.type === 'scalar' && a.value === b.value;
}

export function outputVars(e: Expr, safe: Set<string>, lookup: Lookup): Set<string> {
  const out = new Set<string>();
  if (e.negated) return out;
  if (e.type === 'some' || e.type === 'every') return out;
  if (e.type === 'somein') {
    refOutputs(e.domain, safe, out);
    if (!isSubset(varsOf(e.domain), new Set([...safe, ...out]))) return out;
    patternVars(e.value, out);
    if (e.key) patternVars(e.key, out);
    return out;
  }
  const t = e.term;
  for (let round = 0; round < 8; round++) {
    const before = out.size;
    const all = new Set([...safe, ...out]);
    refOutputs(t, all, out);
    if (t.type === 'call') {
      const name = t.op.join('.');
      if (name === 'eq' || name === 'assign') {
        unifyOutputs(t.args[0]!, t.args[1]!, new Set([...safe, ...out]), out);
      } else {
        const info = lookup(name);
        if (info && t.args.length === info.arity + 1) {
          const inputs = new Set<string>();
          for (const a of t.args.slice(0, -1)) termVars(a, inputs, { closures: false });
          if (isSubset(inputs, new Set([...safe, ...out]))) patternVars(t.args[t.args.length - 1]!, out);
        }
      }
    }
    if (out.size === before) break;
  }
  return out;
}

export class SafetyChecker {
  readonly errors: CompileError[] = [];
  private readonly lookup: Lookup;
  /** Unique var name → user-facing name. */
  private readonly display: (n: string) => string;
  constructor(lookup: Lookup, display: (n: string) => string) {
    this.lookup = lookup;
    this.display = display;
  }

  /** Vars an expression needs safe, including closure vars that belong to enclosing scopes. */
  private needed(e: Expr, visible: Set<string>): Set<string> {
    const need = new Set<string>();
    if (e.type === 'some') return need;
    if (e.type === 'every') {
      termVars(e.domain, need, { closures: false });
    } else if (e.type === 'somein') {
      termVars(e.domain, need, { closures: false });
      if (e.key) termVars(e.key, need, { closures: false });
      termVars(e.value, need, { closures: false });
    } else {
      termVars(e.term, need, { closures: false });
    }
    for (const w of e.with) {
      // `with f as g`: a value naming a function is a function reference, not a var
      const fname = funcName(w.value);
      if (fname && !fname.includes('$') && this.lookup(fname)) continue;
      termVars(w.value, need, { closures: false });
    }
    for (const c of closuresOf(e)) for (const v of c.vars) if (visible.has(v)) need.add(v);
    if (e.type === 'every') {
      if (e.key) for (const v of varsOf(e.key)) need.delete(v);
      for (const v of varsOf(e.value)) need.delete(v);
    }
    for (const r of ROOTS) need.delete(r);
    return need;
  }

  /**
   * Reorder `body` given `safe` (bound on entry) and `outer` (vars of
   * enclosing scopes, which closures share). Returns the new body and the
   * vars safe at its end; reports unsafe vars.
   */
  body(body: Body, safeIn: Set<string>, outer: Set<string>): { body: Body; safe: Set<string> } {
    // Vars a closure shares with this body: those occurring in its
    // expressions. A bare `some x` declaration is not an occurrence (OPA
    // drops it after renaming), so a declared var used only inside a
    // comprehension is that comprehension's own (bound by its iteration).
    const visible = new Set(outer);
    for (const e of body) if (e.type !== 'some') exprVars(e, visible, { closures: false });
    const safe = new Set([...safeIn, ...ROOTS]);
    const remaining = body.slice();
    const ordered: Body = [];
    while (remaining.length > 0) {
      let picked = -1;
      for (let i = 0; i < remaining.length; i++) {
        const e = remaining[i]!;
        const outs = outputVars(e, safe, this.lookup);
        const need = this.needed(e, visible);
        let ok = true;
        for (const v of need) if (!safe.has(v) && !outs.has(v)) ok = false;
        if (ok) {
          picked = i;
          for (const v of outs) safe.add(v);
          break;
        }
      }
      if (picked < 0) {
        // OPA's safetyErrorSlice: user vars are reported by name; only when
        // every unsafe var is generated (a wildcard `_`, a compiler temp) is
        // the expression itself reported.
        // A var unsafe in several expressions is reported once, at the first
        // of them (OPA's unsafeVars.Vars), errors in source order.
        const generated: Expr[] = [];
        const byVar = new Map<string, Expr['loc']>();
        for (const e of remaining) {
          const outs = outputVars(e, safe, this.lookup);
          const need = this.needed(e, visible);
          let unsafe = [...need].filter((v) => !safe.has(v) && !outs.has(v));
          // `x := <unsafe>`: report the cause, not the var being declared (as OPA does)
          if (e.type === 'term' && e.term.type === 'call' && e.term.op.join('.') === 'assign') {
            const lhs = new Set<string>();
            patternVars(e.term.args[0]!, lhs);
            if (unsafe.some((v) => !lhs.has(v))) unsafe = unsafe.filter((v) => !lhs.has(v));
          }
          for (const v of unsafe.sort()) {
            if (isGenerated(v, this.display)) {
              if (!generated.includes(e)) generated.push(e);
            } else {
              const prev = byVar.get(v);
              if (prev === undefined || e.loc.line < prev.line || (e.loc.line === prev.line && e.loc.col < prev.col)) byVar.set(v, e.loc);
            }
          }
        }
        const named = [...byVar].sort(([a, x], [b, y]) => x.line - y.line || x.col - y.col || (this.display(a) < this.display(b) ? -1 : 1));
        for (const [v, loc] of named) this.errors.push(cerr('rego_unsafe_var_error', `var ${this.display(v)} is unsafe`, loc));
        if (named.length === 0) for (const e of generated) this.errors.push(cerr('rego_unsafe_var_error', 'expression is unsafe', e.loc));
        return { body: ordered.concat(remaining), safe };
      }
      ordered.push(remaining.splice(picked, 1)[0]!);
    }
    // closures, with what is safe at their position
    const running = new Set([...safeIn, ...ROOTS]);
    const result: Body = [];
    for (const e of ordered) {
      result.push(this.closures(e, running, visible));
      for (const v of outputVars(e, running, this.lookup)) running.add(v);
    }
    return { body: result, safe };
  }

  private closures(e: Expr, safe: Set<string>, visible: Set<string>): Expr {
    const term = (t: Term): Term => this.closureTerm(t, safe, visible);
    const withs = e.with.map((w) => ({ ...w, value: term(w.value) }));
    switch (e.type) {
      case 'term':
        return { ...e, term: term(e.term), with: withs };
      case 'some':
        return e;
      case 'somein': {
        const out: Expr = { ...e, domain: term(e.domain), value: term(e.value), with: withs };
        if (e.key) out.key = term(e.key);
        return out;
      }
      case 'every': {
        const inner = new Set(safe);
        if (e.key) termVars(e.key, inner, { closures: false });
        termVars(e.value, inner, { closures: false });
        const vis = new Set([...visible, ...inner]);
        const r = this.body(e.body, inner, vis);
        return { ...e, domain: term(e.domain), body: r.body, with: withs };
      }
    }
  }

  closureTerm(t: Term, safe: Set<string>, visible: Set<string>): Term {
    const rec = (x: Term): Term => this.closureTerm(x, safe, visible);
    switch (t.type) {
      // A comprehension's head sees what its body binds: a comprehension nested in the head
      // (`[[y | y = k] | some k in xs]`, a template string's parts) closes over those vars.
      case 'arraycomp':
      case 'setcomp': {
        const r = this.body(t.body, safe, visible);
        this.checkHead([t.term], r.safe, t.loc);
        return { ...t, body: r.body, term: this.closureTerm(t.term, r.safe, new Set([...visible, ...r.safe])) };
      }
      case 'objectcomp': {
        const r = this.body(t.body, safe, visible);
        this.checkHead([t.key, t.value], r.safe, t.loc);
        const inHead = new Set([...visible, ...r.safe]);
        return { ...t, body: r.body, key: this.closureTerm(t.key, r.safe, inHead), value: this.closureTerm(t.value, r.safe, inHead) };
      }
      case 'ref':
        return { ...t, head: rec(t.head), path: t.path.map(rec) };
      case 'array':
      case 'set':
        return { ...t, items: t.items.map(rec) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [rec(k), rec(v)] as [Term, Term]) };
      case 'call':
        return { ...t, args: t.args.map(rec) };
      default:
        return t;
    }
  }

  /** Head terms (rule heads, comprehension heads) must only use safe vars. */
  checkHead(terms: Term[], safe: Set<string>, loc: Term['loc']): void {
    const unsafe = new Set<string>();
    for (const t of terms) for (const v of termVars(t, new Set(), { closures: false })) if (!safe.has(v) && !ROOTS.has(v)) unsafe.add(v);
    // generated vars in a head are not reported (OPA's checkSafetyRuleHeads)
    for (const v of [...unsafe].sort()) if (!isGenerated(v, this.display)) this.errors.push(cerr('rego_unsafe_var_error', `var ${this.display(v)} is unsafe`, loc));
  }
}

function funcName(t: Term): string | undefined {
  if (t.type === 'var') return t.name;
  if (t.type === 'ref' && t.head.type === 'var') {
    const out = [t.head.name];
    for (const p of t.path) {
      if (p.type !== 'scalar' || typeof p.value !== 'string') return undefined;
      out.push(p.value);
    }
    return out.join('.');
  }
  return undefined;
}

/** A var the compiler made (a wildcard, a moved head term, a hoisted term): OPA never names those in errors. */
function isGenerated(v: string, display: (n: string) => string): boolean {
  return display(v) === '_' || v.startsWith('__head_') || v.startsWith('$dyn$') || v.startsWith('$with$') || v.startsWith('$tmpl$');
}

export function displayName(n: string): string {
  const i = n.lastIndexOf('$');
  return i >= 0 ? n.slice(0, i) || '_' : n;
}

export function checkSafety(st: CompileState): void {
  const sc = new SafetyChecker(st.lookupFunction, displayName);
  for (const ir of st.rules) {
    for (let r: typeof ir.rule | undefined = ir.rule; r; r = r.else) {
      const safe = new Set<string>();
      for (const a of r.head.args ?? []) termVars(a, safe, { closures: false });
      const res = sc.body(r.body, safe, new Set(safe));
      r.body = res.body;
      const headTerms: Term[] = [...r.head.ref.slice(1)];
      if (r.head.key) headTerms.push(r.head.key);
      if (r.head.value) headTerms.push(r.head.value);
      // Closures in head values are evaluated with the body's bindings.
      if (r.head.value) r.head.value = sc.closureTerm(r.head.value, res.safe, res.safe);
      if (r.head.key) r.head.key = sc.closureTerm(r.head.key, res.safe, res.safe);
      if (sc.errors.length === 0) sc.checkHead(headTerms, res.safe, r.head.loc);
    }
  }
  st.errors.push(...sc.errors);
}
