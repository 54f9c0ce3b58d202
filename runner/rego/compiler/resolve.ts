/**
 * Stage `resolveRefs`: turn names into fully qualified refs, as OPA's
 * ResolveRefs does. A var that names a rule of the same package becomes
 * `data.<pkg>.<name>`; an import alias becomes the imported path; call
 * operators are qualified the same way (`f(x)` → `data.pkg.f(x)`,
 * `lib.f(x)` → `data.lib.f(x)`). Vars declared locally (`:=`, `some`,
 * `every`, function arguments) shadow globals and are left alone.
 */
import type { Body, Expr, Module, Rule, Term, WithMod } from '../ast/nodes.ts';
import { cerr } from './errors.ts';
import { importPath } from './rules.ts';
import type { CompileState } from './state.ts';
import { termVars } from './walk.ts';

interface Globals {
  /** Rule names of the package → path (incl. data). */
  rules: Map<string, string[]>;
  /** Import alias → path. */
  imports: Map<string, string[]>;
}

/** `samePackage`: every module of the package — rules of other files of the package are in scope too (OPA). */
export function moduleGlobals(m: Module, samePackage: Module[] = [m]): Globals {
  const rules = new Map<string, string[]>();
  for (const pm of samePackage) {
    for (const r of pm.rules) {
      const h = r.head.ref[0];
      if (h?.type === 'var') rules.set(h.name, ['data', ...m.package, h.name]);
    }
  }
  const imports = new Map<string, string[]>();
  for (const imp of m.imports) {
    const p = importPath(imp.path);
    if (p[0] !== 'data' && p[0] !== 'input') continue;
    if (p.length === 1) continue; // `import data` / `import input`: no-op
    imports.set(imp.alias ?? p[p.length - 1]!, p);
  }
  return { rules, imports };
}

/**
 * Vars declared in a body, as OPA's declaredVars: `:=` targets, `some x`,
 * `some k, v in`. It does not descend into comprehensions (they declare
 * their own) but does descend into `every` bodies, as OPA's visitor does.
 */
function declaredIn(body: Body, out: Set<string>): Set<string> {
  for (const e of body) {
    if (e.type === 'some') for (const v of e.vars) termVars(v, out, { closures: false });
    if (e.type === 'somein') {
      if (e.key) termVars(e.key, out, { closures: false });
      termVars(e.value, out, { closures: false });
    }
    if (e.type === 'every') declaredIn(e.body, out);
    if (e.type === 'term' && e.term.type === 'call' && e.term.op.length === 1 && e.term.op[0] === 'assign') {
      termVars(e.term.args[0]!, out, { closures: false });
    }
  }
  return out;
}

function pathTerm(path: string[], loc: Term['loc']): Term {
  return {
    type: 'ref',
    head: { type: 'var', name: path[0]!, loc },
    path: path.slice(1).map((p) => ({ type: 'scalar', value: p, loc }) as Term),
    loc,
  };
}

export class Resolver {
  private readonly g: Globals;
  constructor(g: Globals) {
    this.g = g;
  }

  private globalPath(name: string): string[] | undefined {
    return this.g.imports.get(name) ?? this.g.rules.get(name);
  }

  /**
   * Resolve the names in a term. A comprehension's own declarations are
   * collected first and shadow globals in its head term as well as in its
   * body (OPA's resolveRefsInTerm pushes declaredVars(body) before either).
   */
  term(t: Term, declared: Set<string>): Term {
    switch (t.type) {
      case 'var': {
        if (declared.has(t.name)) return t;
        const p = this.globalPath(t.name);
        return p ? pathTerm(p, t.loc) : t;
      }
      case 'ref': {
        const head = this.term(t.head, declared);
        const path = t.path.map((p) => this.term(p, declared));
        // a resolved var head (`data.pkg.p`) is flattened into the ref
        if (head.type === 'ref') return { type: 'ref', head: head.head, path: [...head.path, ...path], loc: t.loc };
        return { ...t, head, path };
      }
      case 'array':
      case 'set':
        return { ...t, items: t.items.map((x) => this.term(x, declared)) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [this.term(k, declared), this.term(v, declared)] as [Term, Term]) };
      case 'call': {
        const args = t.args.map((x) => this.term(x, declared));
        const [first, ...rest] = t.op;
        if (first && !declared.has(first)) {
          const p = this.globalPath(first);
          if (p && p[0] === 'data') return { ...t, op: [...p, ...rest], args };
        }
        return { ...t, args };
      }
      case 'arraycomp':
      case 'setcomp': {
        const inner = declaredIn(t.body, new Set(declared));
        return { ...t, term: this.term(t.term, inner), body: t.body.map((e) => this.expr(e, inner)) };
      }
      case 'objectcomp': {
        const inner = declaredIn(t.body, new Set(declared));
        return { ...t, key: this.term(t.key, inner), value: this.term(t.value, inner), body: t.body.map((e) => this.expr(e, inner)) };
      }
      default:
        return t;
    }
  }

  withMod(w: WithMod, declared: Set<string>): WithMod {
    let target = w.target;
    if (target.type === 'var' && this.globalPath(target.name)) target = this.term(target, new Set());
    else if (target.type === 'ref' && target.head.type === 'var' && this.globalPath(target.head.name)) target = this.term(target, new Set());
    return { ...w, target, value: this.term(w.value, declared) };
  }

  expr(e: Expr, declared: Set<string>): Expr {
    const withs = e.with.map((w) => this.withMod(w, declared));
    switch (e.type) {
      case 'term':
        return { ...e, term: this.term(e.term, declared), with: withs };
      case 'some':
        return e;
      case 'somein': {
        const out: Expr = { ...e, value: this.term(e.value, declared), domain: this.term(e.domain, declared), with: withs };
        if (e.key) out.key = this.term(e.key, declared);
        return out;
      }
      case 'every': {
        // OPA pushes the key/value vars for the domain and the body; the
        // body's own `:=` declarations are already in `declared` (declaredIn
        // descends into every bodies).
        const inner = new Set(declared);
        if (e.key) termVars(e.key, inner, { closures: false });
        termVars(e.value, inner, { closures: false });
        return { ...e, domain: this.term(e.domain, inner), body: e.body.map((x) => this.expr(x, inner)), with: withs };
      }
    }
  }

  body(b: Body, outer: Set<string>): Body {
    const declared = declaredIn(b, new Set(outer));
    return b.map((e) => this.expr(e, declared));
  }

  rule(r: Rule, argDeclared: Set<string>): Rule {
    const declared = declaredIn(r.body, new Set(argDeclared));
    const body = r.body.map((e) => this.expr(e, declared));
    const head = { ...r.head };
    head.ref = [r.head.ref[0]!, ...r.head.ref.slice(1).map((t) => this.term(t, declared))];
    if (head.key) head.key = this.term(head.key, declared);
    if (head.value) head.value = this.term(head.value, declared);
    const out: Rule = { ...r, head, body };
    if (r.else) out.else = this.rule(r.else, argDeclared);
    return out;
  }
}

export function resolveRefs(st: CompileState): void {
  const byPackage = new Map<string, Module[]>();
  for (const m of st.modules) {
    const k = m.package.join('\u0000');
    const l = byPackage.get(k);
    if (l) l.push(m);
    else byPackage.set(k, [m]);
  }
  for (const m of st.modules) {
    const res = new Resolver(moduleGlobals(m, byPackage.get(m.package.join('\u0000'))));
    for (const ir of st.rules) {
      if (ir.module !== m) continue;
      const args = new Set<string>();
      for (const a of ir.rule.head.args ?? []) termVars(a, args, { closures: false });
      // OPA forbids args named like a root document rather than rewrite them
      for (const root of ['input', 'data']) {
        if (args.has(root)) st.errors.push(cerr('rego_compile_error', `args must not shadow ${root} (use a different variable name)`, ir.rule.loc));
      }
      ir.rule = res.rule(ir.rule, args);
      if (ir.rule.head.args) ir.rule.head.args = ir.rule.head.args.map((a) => res.term(a, args));
    }
  }
}
