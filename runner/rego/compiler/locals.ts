/**
 * Stage `rewriteLocalVars`: give every declared local (`:=`, `some`, `every`
 * and `some … in` vars) a unique name (`x$3`) so that shadowing in nested
 * scopes (comprehensions, every bodies) is explicit, and every wildcard `_`
 * its own var (`$_4`). Reports OPA's compile errors for re-declaration
 * (`var x assigned above`), declaration after use (`var x referenced above`)
 * and assignment to non-vars.
 *
 * Implicit vars (bound by `=` or by iteration) keep their names: in Rego the
 * same name inside and outside a comprehension is the same variable.
 */
import type { Body, Expr, Rule, Term } from '../ast/nodes.ts';
import { cerr, type CompileError } from './errors.ts';
import type { CompileState } from './state.ts';
import { mapTerm, termVars } from './walk.ts';

/** OPA's ast.TypeName of a term that cannot be assigned to (`cannot assign to number`). */
function typeName(t: Term): string {
  switch (t.type) {
    case 'scalar':
      return t.value === null ? 'null' : typeof t.value === 'bigint' ? 'number' : typeof t.value;
    case 'arraycomp':
      return 'arraycomprehension';
    case 'setcomp':
      return 'setcomprehension';
    case 'objectcomp':
      return 'objectcomprehension';
    case 'value':
      return 'value';
    default:
      return t.type;
  }
}

/** How a var was introduced in a scope (OPA's varOccurrence), which names the re-declaration error. */
type Occurrence = 'assign' | 'some' | 'arg';

class Scope {
  readonly decl = new Map<string, string>();
  readonly kind = new Map<string, Occurrence>();
  readonly used = new Set<string>();
  readonly parent: Scope | undefined;
  constructor(parent?: Scope) {
    this.parent = parent;
  }
  lookup(name: string): string | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const d = s.decl.get(name);
      if (d !== undefined) return d;
    }
    return undefined;
  }
}

export class LocalRewriter {
  private n = 0;
  readonly errors: CompileError[] = [];
  /** unique name → user name (for query bindings and messages). */
  readonly display = new Map<string, string>();

  fresh(name: string): string {
    const u = `${name}$${++this.n}`;
    this.display.set(u, name);
    return u;
  }

  term(t: Term, scope: Scope): Term {
    return mapTerm(
      t,
      (x) => {
        if (x.type !== 'var') return x;
        if (x.name === '_') return { ...x, name: this.fresh('') };
        const d = scope.lookup(x.name);
        if (d !== undefined) return { ...x, name: d };
        scope.used.add(x.name);
        return x;
      },
      (b) => b, // closures are handled by `closureTerm`
    );
  }

  /** Rename a term that may contain closures: closures get a child scope each. */
  deep(t: Term, scope: Scope): Term {
    switch (t.type) {
      case 'arraycomp':
      case 'setcomp': {
        const s = new Scope(scope);
        const body = this.body(t.body, s);
        return { ...t, body, term: this.deep(t.term, s) };
      }
      case 'objectcomp': {
        const s = new Scope(scope);
        const body = this.body(t.body, s);
        return { ...t, body, key: this.deep(t.key, s), value: this.deep(t.value, s) };
      }
      case 'ref':
        return { ...t, head: this.deep(t.head, scope), path: t.path.map((p) => this.deep(p, scope)) };
      case 'array':
      case 'set':
        return { ...t, items: t.items.map((x) => this.deep(x, scope)) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [this.deep(k, scope), this.deep(v, scope)] as [Term, Term]) };
      case 'call':
        // a local named like the function called (`f := 1; f(2)`): OPA rejects it
        if (scope.lookup(t.op[0]!) !== undefined && scope.lookup(t.op[0]!) !== t.op[0]) {
          this.errors.push(cerr('rego_compile_error', `called function ${t.op.join('.')} shadowed`, t.loc));
        }
        return { ...t, args: t.args.map((x) => this.deep(x, scope)) };
      default:
        return this.term(t, scope);
    }
  }

  /**
   * Declare the vars of an assignment/some-in target pattern in `scope`.
   * Errors are OPA's (rewriteDeclaredVar): worded after how the var occurred
   * before, at the var for `:=` and at the declaration (`declLoc`) for
   * `some` and `every`.
   */
  private declare(t: Term, scope: Scope, kind: 'assign' | 'some', declLoc: Term['loc'] = t.loc): Term {
    switch (t.type) {
      case 'var': {
        if (t.name === '_') return { ...t, name: this.fresh('') };
        const loc = kind === 'assign' ? t.loc : declLoc;
        const prev = scope.kind.get(t.name);
        if (prev !== undefined) {
          const msg = prev === 'arg' ? `arg ${t.name} redeclared` : `var ${t.name} ${prev === 'assign' ? 'assigned' : 'declared'} above`;
          this.errors.push(cerr('rego_compile_error', msg, loc));
          return { ...t, name: scope.decl.get(t.name)! };
        }
        if (scope.used.has(t.name)) {
          this.errors.push(cerr('rego_compile_error', `var ${t.name} referenced above`, loc));
        }
        const u = this.fresh(t.name);
        scope.decl.set(t.name, u);
        scope.kind.set(t.name, kind);
        return { ...t, name: u };
      }
      case 'array':
        return { ...t, items: t.items.map((x) => this.declare(x, scope, kind, declLoc)) };
      case 'object':
        return { ...t, items: t.items.map(([k, v]) => [this.deep(k, scope), this.declare(v, scope, kind, declLoc)] as [Term, Term]) };
      default:
        if (kind === 'assign') {
          this.errors.push(cerr('rego_compile_error', `cannot assign to ${typeName(t)}`, t.loc));
          return t;
        }
        return t.type === 'scalar' ? t : this.deep(t, scope);
    }
  }

  expr(e: Expr, scope: Scope): Expr {
    const withs = e.with.map((w) => ({ ...w, value: this.deep(w.value, scope) }));
    switch (e.type) {
      case 'term': {
        const t = e.term;
        if (t.type === 'call' && t.op.length === 1 && t.op[0] === 'assign') {
          if (e.negated) {
            this.errors.push(cerr('rego_compile_error', 'cannot assign vars inside negated expression', e.loc));
            return e;
          }
          const rhs = this.deep(t.args[1]!, scope);
          const lhs = this.declare(t.args[0]!, scope, 'assign');
          return { ...e, term: { ...t, args: [lhs, rhs] }, with: withs };
        }
        return { ...e, term: this.deep(t, scope), with: withs };
      }
      case 'some': {
        const vars = e.vars.map((v) => this.declare(v, scope, 'some', e.loc));
        return { ...e, vars, with: withs };
      }
      case 'somein': {
        const domain = this.deep(e.domain, scope);
        const out: Expr = { ...e, domain, value: this.declare(e.value, scope, 'some', e.loc), with: withs };
        if (e.key) out.key = this.declare(e.key, scope, 'some', e.loc);
        return out;
      }
      case 'every': {
        const domain = this.deep(e.domain, scope);
        const s = new Scope(scope);
        const out: Expr = { ...e, domain, with: withs, value: e.value, body: [] };
        if (e.key) out.key = this.declare(e.key, s, 'some', e.loc);
        out.value = this.declare(e.value, s, 'some', e.loc);
        out.body = this.body(e.body, s);
        return out;
      }
    }
  }

  body(b: Body, scope: Scope): Body {
    return b.map((e) => this.expr(e, scope));
  }

  rule(r: Rule): Rule {
    const top = new Scope();
    // Function args are declared (not renamed): re-declaring one is `arg x redeclared`.
    for (const a of r.head.args ?? []) {
      for (const v of termVars(a, new Set(), { closures: false })) {
        if (v === '_') continue;
        top.decl.set(v, v);
        top.kind.set(v, 'arg');
      }
    }
    let args: Term[] | undefined;
    if (r.head.args) args = r.head.args.map((a) => this.deep(a, top));
    const body = this.body(r.body, top);
    const head = { ...r.head, ref: [r.head.ref[0]!, ...r.head.ref.slice(1).map((t) => this.deep(t, top))] };
    if (args) head.args = args;
    if (head.key) head.key = this.deep(head.key, top);
    if (head.value) head.value = this.deep(head.value, top);
    const out: Rule = { ...r, head, body };
    if (r.else) out.else = this.rule(r.else);
    return out;
  }
}

export function newScope(): Scope {
  return new Scope();
}

export function rewriteLocalVars(st: CompileState): void {
  for (const ir of st.rules) {
    const rw = new LocalRewriter();
    ir.rule = rw.rule(ir.rule);
    st.errors.push(...rw.errors);
  }
}
