/**
 * The Rego abstract syntax tree. Every node carries `loc` (file:line:col) so
 * that compile and evaluation errors can point at the exact source position,
 * as OPA's do.
 *
 * The shapes follow OPA's `ast` package: a Module has a package, imports and
 * rules; a rule has a head (a ref, optional key/value/args) and a body; a body
 * is a list of expressions; an expression is a term (usually a call), a
 * `some` declaration or an `every` quantifier, optionally negated and with
 * `with` modifiers. Infix operators are parsed to calls of the builtin they
 * name (`a + b` → `plus(a, b)`), `:=` to `assign`, `=` to `eq`, `x in xs` to
 * `internal.member_2`, exactly as OPA does, so every later stage sees one form.
 */
import type { Value } from '../value.ts';
import { INFIX } from './operators.ts';

export interface Loc {
  file: string;
  line: number;
  col: number;
}

export type Term =
  | { type: 'scalar'; value: null | boolean | number | bigint | string; loc: Loc }
  | { type: 'var'; name: string; loc: Loc }
  | { type: 'ref'; head: Term; path: Term[]; loc: Loc }
  | { type: 'array'; items: Term[]; loc: Loc }
  | { type: 'set'; items: Term[]; loc: Loc }
  | { type: 'object'; items: Array<[Term, Term]>; loc: Loc }
  | { type: 'arraycomp'; term: Term; body: Body; loc: Loc }
  | { type: 'setcomp'; term: Term; body: Body; loc: Loc }
  | { type: 'objectcomp'; key: Term; value: Term; body: Body; loc: Loc }
  /** `op` is the dotted function name (`count`, `data.pkg.f`, `strings.any_prefix_match`). */
  | { type: 'call'; op: string[]; args: Term[]; loc: Loc }
  /** A constant folded or injected by the compiler (never produced by the parser). */
  | { type: 'value'; value: Value; loc: Loc };

export interface WithMod {
  /** `input…`, `data…` or a function name (ref to a builtin or a user function). */
  target: Term;
  value: Term;
  loc: Loc;
}

export type Expr =
  /** `generated`: added by the compiler (not reported as a query expression). */
  | { type: 'term'; term: Term; negated: boolean; with: WithMod[]; loc: Loc; generated?: boolean }
  /** `some x, y` (declaration only). */
  | { type: 'some'; vars: Term[]; negated: false; with: WithMod[]; loc: Loc }
  /** `some [key,] value in domain`. */
  | { type: 'somein'; key?: Term; value: Term; domain: Term; negated: boolean; with: WithMod[]; loc: Loc }
  | { type: 'every'; key?: Term; value: Term; domain: Term; body: Body; negated: boolean; with: WithMod[]; loc: Loc };

export type Body = Expr[];

export interface RuleHead {
  /** Full head ref: `p`, `p.a.b`, `p[x]`, `p[q].r`. The first element is a var. */
  ref: Term[];
  /** `p(x, y)` function arguments. */
  args?: Term[];
  /** `p contains key` (partial set) — the key term. */
  key?: Term;
  /** `:= value` / `= value`; absent means `true` (or set membership for `contains`). */
  value?: Term;
  /** `:=` was used (vs `=`). */
  assign: boolean;
  loc: Loc;
}

export interface Rule {
  head: RuleHead;
  body: Body;
  /** `default p := v`. */
  isDefault: boolean;
  /** Next rule in an `else` chain. */
  else?: Rule;
  /** Rule body was absent (`p := 1`); body is then `[true]`. */
  bodyless: boolean;
  loc: Loc;
  /** Annotation blocks attached to this rule (filled by the parser). */
  annotations: AnnotationBlock[];
}

export interface Import {
  /** `data.x.y`, `input.z`, `future.keywords.in`, `rego.v1`. */
  path: Term;
  alias?: string;
  loc: Loc;
}

export interface AnnotationBlock {
  /** Parsed YAML mapping of the `# METADATA` comment block; `scope` is always set (defaulted as OPA does). */
  data: Record<string, unknown>;
  loc: Loc;
  /** Line of the first non-comment line after the block (what it attaches to). */
  attachLine: number;
}

export interface Module {
  file: string;
  /** Package path without `data`, e.g. ['gitops', 'policies', 'sec']. */
  package: string[];
  packageLoc: Loc;
  imports: Import[];
  rules: Rule[];
  /** Annotations in scope package/subpackages. */
  annotations: AnnotationBlock[];
  /** The syntax the module was parsed as (OPA's rego_version); absent means 1. */
  regoVersion?: 0 | 1;
  /** `import future.keywords.not`: negations keep their expressions' parts inside (no hoisting). */
  futureNot?: true;
}

/** A parsed ad-hoc query (`opa eval` style). */
export interface Query {
  body: Body;
}

/** Builtin name → the infix text it was written as: the operator table reversed, plus the parser's own rewrites. */
const INFIX_TEXT: Readonly<Record<string, string>> = {
  assign: ':=',
  eq: '=',
  'internal.member_2': 'in',
  ...Object.fromEntries([...INFIX].map(([op, name]) => [name, op])),
};

/** Render a term roughly as Rego source (for messages and `opa eval`-style expression text). */
export function termText(t: Term): string {
  switch (t.type) {
    case 'scalar':
      return typeof t.value === 'string' ? JSON.stringify(t.value) : String(t.value);
    case 'var':
      return t.name;
    case 'ref': {
      let out = termText(t.head);
      for (const p of t.path) {
        if (p.type === 'scalar' && typeof p.value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.value)) out += '.' + p.value;
        else out += '[' + termText(p) + ']';
      }
      return out;
    }
    case 'array':
      return '[' + t.items.map(termText).join(', ') + ']';
    case 'set':
      return t.items.length ? '{' + t.items.map(termText).join(', ') + '}' : 'set()';
    case 'object':
      return '{' + t.items.map(([k, v]) => termText(k) + ': ' + termText(v)).join(', ') + '}';
    case 'call': {
      const op = INFIX_TEXT[t.op.join('.')];
      if (op && t.args.length === 2) return `${termText(t.args[0]!)} ${op} ${termText(t.args[1]!)}`;
      if (t.op.join('.') === 'internal.member_3' && t.args.length === 3) return `${termText(t.args[0]!)}, ${termText(t.args[1]!)} in ${termText(t.args[2]!)}`;
      return t.op.join('.') + '(' + t.args.map(termText).join(', ') + ')';
    }
    case 'arraycomp':
      return '[' + termText(t.term) + ' | …]';
    case 'setcomp':
      return '{' + termText(t.term) + ' | …}';
    case 'objectcomp':
      return '{' + termText(t.key) + ': ' + termText(t.value) + ' | …}';
    case 'value':
      return JSON.stringify(t.value);
  }
}

/** Render an expression roughly as Rego source (`opa eval`'s expression text). */
export function exprText(e: Expr): string {
  const w = e.with.map((m) => ` with ${termText(m.target)} as ${termText(m.value)}`).join('');
  const neg = e.negated ? 'not ' : '';
  switch (e.type) {
    case 'term':
      return neg + termText(e.term) + w;
    case 'somein':
      return `some ${e.key ? termText(e.key) + ', ' : ''}${termText(e.value)} in ${termText(e.domain)}${w}`;
    case 'every':
      return `${neg}every ${e.key ? termText(e.key) + ', ' : ''}${termText(e.value)} in ${termText(e.domain)} { … }${w}`;
    case 'some':
      return 'some ' + e.vars.map(termText).join(', ');
  }
}

/** The dotted path a term names (`count`, `data.x.f`, `input.a.b`), or undefined when it is not a ground string ref or a var. */
export function namePath(t: Term): string[] | undefined {
  if (t.type === 'var') return [t.name];
  if (t.type === 'ref' && t.head.type === 'var') {
    const out = [t.head.name];
    for (const p of t.path) {
      if (p.type !== 'scalar' || typeof p.value !== 'string') return undefined;
      out.push(p.value);
    }
    return out;
  }
  return undefined;
}
