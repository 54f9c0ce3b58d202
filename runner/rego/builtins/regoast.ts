/**
 * rego.parse_module(filename, rego): the module's AST as OPA's JSON encoding
 * of `ast.Module` (what OPA's builtin returns: ast.ParseModule, then
 * json.Marshal, then back to a value). OPA's default JSON options leave
 * locations out, so the result depends only on the module's structure —
 * policies compare such ASTs to find rules that are the same up to layout
 * (Regal's duplicate-rule check does).
 *
 * The shape, per OPA's `ast` JSON tags: a module is {package, imports,
 * rules, comments}; a term is {type, value}; an expression is {index,
 * terms, negated?, with?} where `terms` is one term, the operator ref and
 * operands of a call, a `some` declaration ({symbols}) or an `every`
 * ({key, value, domain, body}); a rule is {default?, head, body, else?}
 * and a head {name?, ref, args?, key?, value?, assign?} (cases after OPA's
 * v1/ast/marshal_test.go and its parser's parseRules/parseHead), wildcards
 * numbered as OPA's parser numbers them. Annotations are not processed (OPA's builtin
 * parses without ProcessAnnotation); comments are kept as Go encodes
 * ast.Comment: {Text (base64 of the bytes after `#`), Location {file, row, col}}.
 */
import { lex, type Comment } from '../ast/lexer.ts';
import { ParseError, parseModule } from '../ast/parser.ts';
import type { Body, Expr, Module, Rule, Term } from '../ast/nodes.ts';
import { compare, compareStr, fromJS } from '../value.ts';
import { BuiltinError, type BuiltinDecl } from './types.ts';
import { str } from './operands.ts';

type J = unknown;

const t = (type: string, value: J): J => ({ type, value });

/** A dotted name as OPA's parser writes it: a var head, then string path elements. */
function nameRef(parts: readonly string[]): J {
  return t('ref', parts.map((p, i) => (i === 0 ? t('var', p) : t('string', p))));
}

/** OPA's sort order of value kinds (ast.Compare's sortOrder). */
const KIND_RANK: Record<string, number> = {
  null: 0, boolean: 1, number: 2, string: 3, var: 4, ref: 5, array: 6, object: 7, set: 8, arraycomp: 9, objectcomp: 10, setcomp: 11, call: 12,
};

function kindOf(x: Term): string {
  if (x.type !== 'scalar') return x.type;
  const v = x.value;
  return v === null ? 'null' : typeof v === 'boolean' ? 'boolean' : typeof v === 'string' ? 'string' : 'number';
}

function compareSlices(a: readonly Term[], b: readonly Term[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareTerm(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

const callSlice = (x: Extract<Term, { type: 'call' }>): Term[] => [
  { type: 'ref', head: { type: 'var', name: x.op[0]!, loc: x.loc }, path: x.op.slice(1).map((p) => ({ type: 'scalar', value: p, loc: x.loc })), loc: x.loc },
  ...x.args,
];

/**
 * OPA's order over AST terms (ast.Compare), which decides the order of set
 * elements and object keys in the JSON. Comprehensions compare by their
 * head terms and then by their bodies' JSON text — OPA compares bodies
 * expression by expression; the two only differ for sets holding
 * comprehensions with equal heads, never seen in a policy.
 */
function compareTerm(a: Term, b: Term): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) return KIND_RANK[ka]! - KIND_RANK[kb]!;
  switch (a.type) {
    case 'scalar':
      return compare(a.value, (b as typeof a).value);
    case 'var':
      return compareStr(a.name, (b as typeof a).name);
    case 'ref':
      return compareSlices([a.head, ...a.path], [(b as typeof a).head, ...(b as typeof a).path]);
    case 'array':
      return compareSlices(a.items, (b as typeof a).items);
    case 'set':
      return compareSlices(sortedSet(a.items), sortedSet((b as typeof a).items));
    case 'object': {
      const x = sortedObject(a.items);
      const y = sortedObject((b as typeof a).items);
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareTerm(x[i]![0], y[i]![0]) || compareTerm(x[i]![1], y[i]![1]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 'call':
      return compareSlices(callSlice(a), callSlice(b as typeof a));
    case 'arraycomp':
    case 'setcomp': {
      const y = b as typeof a;
      return compareTerm(a.term, y.term) || compareStr(JSON.stringify(body(a.body)), JSON.stringify(body(y.body)));
    }
    case 'objectcomp': {
      const y = b as typeof a;
      return compareTerm(a.key, y.key) || compareTerm(a.value, y.value) || compareStr(JSON.stringify(body(a.body)), JSON.stringify(body(y.body)));
    }
    case 'value':
      return compare(a.value, (b as typeof a).value);
  }
}

/** A set literal as OPA holds it: sorted, equal elements once. */
function sortedSet(items: readonly Term[]): Term[] {
  const out: Term[] = [];
  for (const x of [...items].sort(compareTerm)) if (!out.length || compareTerm(out[out.length - 1]!, x) !== 0) out.push(x);
  return out;
}

/** An object literal as OPA holds it: sorted by key; a repeated key keeps its last value (ast.Object.Insert). */
function sortedObject(items: ReadonlyArray<[Term, Term]>): Array<[Term, Term]> {
  const out: Array<[Term, Term]> = [];
  for (const [k, v] of items) {
    const i = out.findIndex(([k2]) => compareTerm(k2, k) === 0);
    if (i >= 0) out[i] = [out[i]![0], v];
    else out.push([k, v]);
  }
  return out.sort((x, y) => compareTerm(x[0], y[0]));
}

function term(x: Term): J {
  switch (x.type) {
    case 'scalar': {
      const v = x.value;
      if (v === null) return t('null', null);
      if (typeof v === 'boolean') return t('boolean', v);
      if (typeof v === 'string') return t('string', v);
      return t('number', v);
    }
    case 'var':
      return t('var', x.name);
    case 'ref':
      return t('ref', [term(x.head), ...x.path.map(term)]);
    case 'array':
      return t('array', x.items.map(term));
    case 'set':
      return t('set', sortedSet(x.items).map(term));
    case 'object':
      return t('object', sortedObject(x.items).map(([k, v]) => [term(k), term(v)]));
    case 'arraycomp':
      return t('arraycomprehension', { term: term(x.term), body: body(x.body) });
    case 'setcomp':
      return t('setcomprehension', { term: term(x.term), body: body(x.body) });
    case 'objectcomp':
      return t('objectcomprehension', { key: term(x.key), value: term(x.value), body: body(x.body) });
    case 'call':
      return t('call', [nameRef(x.op), ...x.args.map(term)]);
    case 'value':
      // Compiler-made constants never come out of the parser.
      throw new BuiltinError('eval_builtin_error', 'a compiler constant cannot appear in a parsed module');
  }
}

function exprTerms(e: Expr): J {
  switch (e.type) {
    case 'term':
      // A call at expression level is the operator and its operands (OPA's Expr.Terms []*Term).
      return e.term.type === 'call' ? [nameRef(e.term.op), ...e.term.args.map(term)] : term(e.term);
    case 'some':
      return { symbols: e.vars.map(term) };
    case 'somein': {
      const args = e.key ? [e.key, e.value, e.domain] : [e.value, e.domain];
      return { symbols: [t('call', [nameRef(['internal', e.key ? 'member_3' : 'member_2']), ...args.map(term)])] };
    }
    case 'every':
      // OPA's Every always has its key, null when absent.
      return { key: e.key ? term(e.key) : null, value: term(e.value), domain: term(e.domain), body: body(e.body) };
  }
}

/** OPA's parser makes a `with` target a ref even when it is a single name (`with input as …`). */
function withTarget(x: Term): J {
  return x.type === 'var' ? t('ref', [term(x)]) : term(x);
}

function body(b: Body): J[] {
  return b.map((e, index) => {
    const out: Record<string, J> = { index, terms: exprTerms(e) };
    if (e.negated) out['negated'] = true;
    if (e.with.length) out['with'] = e.with.map((w) => ({ target: withTarget(w.target), value: term(w.value) }));
    return out;
  });
}

/** Whether a term holds no variable (OPA's IsGround; a ref or call always has a var head). */
function isGround(x: Term): boolean {
  switch (x.type) {
    case 'scalar':
    case 'value':
      return true;
    case 'array':
    case 'set':
      return x.items.every(isGround);
    case 'object':
      return x.items.every(([k, v]) => isGround(k) && isGround(v));
    default:
      return false;
  }
}

/**
 * The head as OPA's parser leaves it (parseHead, parseRules): `name` only for
 * a one-element ref or function; a two-element ref `p[k]` also gets `key: k`
 * — with `if` when k is not ground or is a ref (and `name` when a value is
 * given), without `if` (a bodyless `p[k] := v`) always, with `name`. A head
 * with neither value nor key has the value true; `contains` has no value.
 */
function headJSON(r: Rule): Record<string, J> {
  const h = r.head;
  const head: Record<string, J> = {};
  const first = h.ref[0];
  const fn = !!h.args?.length;
  let name = h.ref.length === 1 && first?.type === 'var' ? first.name : undefined;
  let key = h.key;
  if (!h.key && !r.isDefault && !fn && h.ref.length === 2 && first?.type === 'var') {
    const k = h.ref[1]!;
    if (r.bodyless) {
      name = first.name;
      key = k;
    } else {
      if (!isGround(k) || k.type === 'ref') key = k;
      if (h.value) name = first.name;
    }
  }
  if (name !== undefined) head['name'] = name;
  head['ref'] = h.ref.map(term);
  if (fn) head['args'] = h.args!.map(term);
  if (key) head['key'] = term(key);
  if (h.value) head['value'] = term(h.value);
  else if (!h.key) head['value'] = t('boolean', true);
  if (h.assign) head['assign'] = true;
  return head;
}

function rule(r: Rule, main?: Record<string, J>): J {
  let head = headJSON(r);
  // An else branch copies the first head (name, ref, args, key, assign) and has its
  // own value; `else := v` / `else = v` set assign, a bare `else {` keeps the first's.
  if (main) {
    head = { ...main, value: head['value'] };
    if (r.head.value) {
      delete head['assign'];
      if (r.head.assign) head['assign'] = true;
    }
  }
  const out: Record<string, J> = {};
  if (r.isDefault) out['default'] = true;
  out['head'] = head;
  out['body'] = body(r.body);
  if (r.else) out['else'] = rule(r.else, main ?? head);
  return out;
}

/**
 * OPA's parser names each wildcard `_` as it reads it: `$0`, `$1`, … in
 * source order across the module. A copy of the module with those names
 * (the walk goes in source order: head ref, args, key, value, then body).
 */
function numberWildcards(m: Module): Module {
  let n = 0;
  const tm = (x: Term): Term => {
    switch (x.type) {
      case 'var':
        return x.name === '_' ? { ...x, name: `$${n++}` } : x;
      case 'ref':
        return { ...x, head: tm(x.head), path: x.path.map(tm) };
      case 'array':
      case 'set':
        return { ...x, items: x.items.map(tm) };
      case 'object':
        return { ...x, items: x.items.map(([k, v]): [Term, Term] => [tm(k), tm(v)]) };
      case 'arraycomp':
      case 'setcomp': {
        const head = tm(x.term);
        return { ...x, term: head, body: bd(x.body) };
      }
      case 'objectcomp': {
        const key = tm(x.key);
        const value = tm(x.value);
        return { ...x, key, value, body: bd(x.body) };
      }
      case 'call':
        return { ...x, args: x.args.map(tm) };
      default:
        return x;
    }
  };
  const withs = (e: Expr) => e.with.map((w) => {
    const target = tm(w.target);
    return { ...w, target, value: tm(w.value) };
  });
  const ex = (e: Expr): Expr => {
    switch (e.type) {
      case 'term': {
        const term = tm(e.term);
        return { ...e, term, with: withs(e) };
      }
      case 'some': {
        const vars = e.vars.map(tm);
        return { ...e, vars, with: withs(e) };
      }
      case 'somein':
      case 'every': {
        const key = e.key && tm(e.key);
        const value = tm(e.value);
        const domain = tm(e.domain);
        const rest = e.type === 'every' ? { ...e, key, value, domain, body: bd(e.body) } : { ...e, key, value, domain };
        return { ...rest, with: withs(e) } as Expr;
      }
    }
  };
  const bd = (b: Body): Body => b.map(ex);
  const rl = (r: Rule): Rule => {
    const h = r.head;
    const ref = h.ref.map(tm);
    const args = h.args?.map(tm);
    const key = h.key && tm(h.key);
    const value = h.value && tm(h.value);
    const head = { ...h, ref, ...(args ? { args } : {}), ...(key ? { key } : {}), ...(value ? { value } : {}) };
    const body = bd(r.body);
    return { ...r, head, body, ...(r.else ? { else: rl(r.else) } : {}) };
  };
  return { ...m, rules: m.rules.map(rl) };
}

function moduleJSON(m: Module, comments: readonly Comment[]): J {
  const out: Record<string, J> = {
    package: { path: [t('var', 'data'), ...m.package.map((p) => t('string', p))] },
  };
  if (m.imports.length) out['imports'] = m.imports.map((i) => ({ path: term(i.path), ...(i.alias ? { alias: i.alias } : {}) }));
  if (m.rules.length) out['rules'] = m.rules.map((r) => rule(r));
  // ast.Comment has no JSON tags and always carries its location (OPA keeps it "for legacy reasons").
  if (comments.length) out['comments'] = comments.map((c) => ({ Text: Buffer.from(c.text, 'utf8').toString('base64'), Location: { file: m.file, row: c.line, col: c.col } }));
  return out;
}

export const REGO_AST: BuiltinDecl[] = [
  {
    name: 'rego.parse_module',
    args: ['string', 'string'],
    result: { object: ['string', 'any'] },
    impl: (args) => {
      const file = str(args, 0);
      const text = str(args, 1);
      let mod: Module;
      try {
        mod = parseModule(file, text);
      } catch (err) {
        if (err instanceof ParseError) {
          throw new BuiltinError('eval_builtin_error', `1 error occurred: ${err.loc.file}:${err.loc.line}: rego_parse_error: ${err.message}`);
        }
        throw err;
      }
      return fromJS(moduleJSON(numberWildcards(mod), lex(file, text).comments));
    },
  },
];
