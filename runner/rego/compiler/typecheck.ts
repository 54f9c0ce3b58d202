/**
 * Stage `checkTypes`: every call names a known function (builtin from the
 * declaration table, or a user function) with a valid arity, and literal
 * arguments match the builtin's declared operand types (OPA's type checker,
 * restricted to what is decidable without inferring rule types — enough to
 * catch `count(1)` or `concat(",", 5)` at compile time with OPA's codes).
 */
import { namePath, type Body, type Expr, type Term, type WithMod } from '../ast/nodes.ts';
import type { BuiltinDecl, TypeSpec } from '../builtins/types.ts';
import { cerr, type CompileError } from './errors.ts';
import type { CompileState, FunctionInfo } from './state.ts';

/** Calls handled by the evaluator itself rather than the builtin table. */
export const SPECIAL_CALLS: ReadonlyMap<string, number> = new Map([
  ['eq', 2],
  ['assign', 2],
  ['internal.member_2', 2],
  ['internal.member_3', 3],
  ['print', -1],
]);

function literalType(t: Term): string | undefined {
  switch (t.type) {
    case 'scalar':
      if (t.value === null) return 'null';
      if (typeof t.value === 'boolean') return 'boolean';
      if (typeof t.value === 'string') return 'string';
      return 'number';
    case 'array':
    case 'arraycomp':
      return 'array';
    case 'set':
    case 'setcomp':
      return 'set';
    case 'object':
    case 'objectcomp':
      return 'object';
    default:
      return undefined;
  }
}

function accepts(spec: TypeSpec, type: string): boolean {
  if (spec === 'any') return true;
  if (typeof spec === 'string') return spec === type;
  if ('oneOf' in spec) return spec.oneOf.some((s) => accepts(s, type));
  if ('array' in spec) return type === 'array';
  if ('set' in spec) return type === 'set';
  if ('object' in spec) return type === 'object';
  return true;
}

/** What the `with` target check needs: builtin declarations and where rules are anchored. */
export interface WithContext {
  builtin(name: string): BuiltinDecl | undefined;
  /** A rule (or rules) produce the document at this path (`['data', 'pkg', 'p']`). */
  isRulePath(path: string[]): boolean;
}

export class TypeChecker {
  readonly errors: CompileError[] = [];
  private readonly lookup: (name: string) => FunctionInfo | undefined;
  private readonly args: (name: string) => TypeSpec[] | undefined;
  private readonly withCtx: WithContext | undefined;
  constructor(lookup: (name: string) => FunctionInfo | undefined, args: (name: string) => TypeSpec[] | undefined, withCtx?: WithContext) {
    this.lookup = lookup;
    this.args = args;
    this.withCtx = withCtx;
  }

  /**
   * A `with` target must be `input…`, `data…` (not below a rule: that would
   * replace part of a virtual document) or a function; a builtin target must
   * be replaceable. OPA's validateWith, with its codes and messages.
   */
  private withTarget(w: WithMod): void {
    const ctx = this.withCtx;
    if (!ctx) return;
    const t = w.target;
    const path = namePath(t);
    const root = t.type === 'var' ? t.name : t.type === 'ref' && t.head.type === 'var' ? t.head.name : undefined;
    if (root === 'data') {
      if (path) {
        for (let i = 2; i < path.length; i++) {
          if (ctx.isRulePath(path.slice(0, i))) {
            this.errors.push(cerr('rego_compile_error', 'with keyword cannot partially replace virtual document(s)', t.loc));
            return;
          }
        }
      }
      return;
    }
    if (root === 'input') return;
    const name = path?.join('.');
    const decl = name === undefined ? undefined : ctx.builtin(name);
    if (name !== undefined && (decl || SPECIAL_CALLS.has(name))) {
      const bad = (msg: string): void => void this.errors.push(cerr('rego_compile_error', `with keyword replacing built-in function: ${msg}`, t.loc));
      if (name === 'eq' || name === 'rego.metadata.chain' || name === 'rego.metadata.rule') bad(`replacement of ${JSON.stringify(name)} invalid`);
      else if (name.startsWith('internal.')) bad(`replacement of internal function ${JSON.stringify(name)} invalid`);
      else if (decl?.iter) bad('target must not be a relation');
      else if (name === 'print') bad('target must not be a void function');
      return;
    }
    this.errors.push(cerr('rego_type_error', 'with keyword target must reference existing input, data, or a function', t.loc));
  }

  term(t: Term): void {
    switch (t.type) {
      case 'ref':
        this.term(t.head);
        t.path.forEach((x) => this.term(x));
        return;
      case 'array':
      case 'set':
        t.items.forEach((x) => this.term(x));
        return;
      case 'object':
        t.items.forEach(([k, v]) => {
          this.term(k);
          this.term(v);
        });
        return;
      case 'arraycomp':
      case 'setcomp':
        this.term(t.term);
        this.body(t.body);
        return;
      case 'objectcomp':
        this.term(t.key);
        this.term(t.value);
        this.body(t.body);
        return;
      case 'call':
        t.args.forEach((x) => this.term(x));
        this.call(t);
        return;
    }
  }

  private call(t: Term & { type: 'call' }): void {
    const name = t.op.join('.');
    const special = SPECIAL_CALLS.get(name);
    if (special !== undefined) {
      if (special >= 0 && t.args.length !== special) this.errors.push(cerr('rego_type_error', `${name}: arity mismatch`, t.loc));
      return;
    }
    const info = this.lookup(name);
    if (!info) {
      this.errors.push(cerr('rego_type_error', `undefined function ${name}`, t.loc));
      return;
    }
    // OPA's checkUndefinedFuncs: n or n+1 (output) operands, else an arity mismatch
    const n = t.args.length;
    if (n !== info.arity && n !== info.arity + 1) {
      const msg = info.builtin ? `${name}: arity mismatch` : `function ${name} has arity ${info.arity}, got ${n} argument${n === 1 ? '' : 's'}`;
      this.errors.push(cerr('rego_type_error', msg, t.loc));
      return;
    }
    const specs = info.builtin ? this.args(name) : undefined;
    if (!specs) return;
    for (let i = 0; i < specs.length; i++) {
      const lt = literalType(t.args[i]!);
      if (lt && !accepts(specs[i]!, lt)) {
        // OPA's message line; the detail line below it (OPA prints have/want types there) says which operand
        this.errors.push(cerr('rego_type_error', `${name}: invalid argument(s)\n\toperand ${i + 1} must be ${describe(specs[i]!)} but got ${lt}`, t.loc));
        return;
      }
    }
  }

  expr(e: Expr): void {
    if (e.type === 'term') this.term(e.term);
    if (e.type === 'somein' || e.type === 'every') {
      this.term(e.domain);
      this.term(e.value);
      if (e.key) this.term(e.key);
    }
    if (e.type === 'every') this.body(e.body);
    for (const w of e.with) {
      this.withTarget(w);
      this.term(w.value);
    }
  }

  body(b: Body): void {
    b.forEach((e) => this.expr(e));
  }
}

function describe(s: TypeSpec): string {
  if (typeof s === 'string') return s;
  if ('oneOf' in s) return `one of {${s.oneOf.map(describe).join(', ')}}`;
  if ('array' in s) return 'array';
  if ('set' in s) return 'set';
  return 'object';
}

/** The `with` check's view of a compiled policy. */
export function withContext(st: CompileState, builtin: (name: string) => BuiltinDecl | undefined): WithContext {
  const anchors = new Set(st.rules.map((r) => r.anchor.join('\u0000')));
  return { builtin, isRulePath: (path) => anchors.has(path.join('\u0000')) };
}

export function checkTypes(st: CompileState, args: (name: string) => TypeSpec[] | undefined, withCtx?: WithContext): void {
  const tc = new TypeChecker(st.lookupFunction, args, withCtx);
  for (const ir of st.rules) {
    for (let r: typeof ir.rule | undefined = ir.rule; r; r = r.else) {
      tc.body(r.body);
      r.head.ref.forEach((t) => tc.term(t));
      if (r.head.key) tc.term(r.head.key);
      if (r.head.value) tc.term(r.head.value);
    }
  }
  st.errors.push(...tc.errors);
}
