/**
 * strings.render_template: a subset of Go's text/template, as OPA runs it over
 * the template variables converted to JSON (`ast.JSON`).
 *
 * Supported, with Go's semantics: text and `{{ pipeline }}` actions, the trim
 * markers `{{-` / `-}}`, comments, `.Field` chains, `$` and `$var` (declared
 * with `:=`, set with `=`), string/number/bool/nil literals, parenthesised
 * pipelines, `|` pipes, `if`/`else if`/`else`, `range` (with `$i, $v :=`,
 * `else`, `break`, `continue`), `with`/`else`, and the functions `and`, `or`,
 * `not`, `len`, `index`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`. Anything else
 * (`define`, `template`, `block`, `printf` …) is an error naming it, never a
 * guess. Values print as Go's fmt prints the JSON form: numbers are
 * json.Number (a string kind: `eq .n "5"` holds, `gt .n 0` is a type error,
 * `0` is truthy), `null` prints `<nil>`, arrays `[a b]`, objects
 * `map[k:v]` (sets arrive as arrays). A key the data lacks renders
 * `<undefined>` (OPA's choice over Go's `<no value>`).
 */
import { RObject, RSet, numKey, type Value } from '../value.ts';
import { BuiltinError } from './types.ts';

const fail = (msg: string): never => {
  throw new BuiltinError('eval_builtin_error', msg);
};

// -- values -------------------------------------------------------------------

/** A key the data does not have. */
const UNDEF: unique symbol = Symbol('undefined');
/** A number written in the template (Go int or float), as opposed to a JSON number from the data. */
class Lit {
  readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
}
type TV = Value | typeof UNDEF | Lit;

const isNum = (v: TV): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';

function truth(v: TV): boolean {
  if (v === UNDEF || v === null || v === false) return false;
  if (v instanceof Lit) return v.n !== 0;
  if (typeof v === 'string') return v !== '';
  if (isNum(v)) return true; // json.Number is a non-empty string
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof RSet) return v.size > 0;
  if (v instanceof RObject) return v.size > 0;
  return true;
}

function show(v: TV): string {
  if (v === UNDEF) return '<undefined>';
  if (v instanceof Lit) return String(v.n);
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (isNum(v)) return numKey(v);
  if (Array.isArray(v)) return '[' + v.map(show).join(' ') + ']';
  if (v instanceof RSet) return '[' + v.sorted().map(show).join(' ') + ']';
  const obj = v as RObject;
  return 'map[' + obj.sortedEntries().map(([k, x]) => `${show(k)}:${show(x)}`).join(' ') + ']';
}

/** Go's basic kind for comparisons: JSON numbers are strings (json.Number). */
function kind(v: TV): 'string' | 'number' | 'bool' | 'nil' | 'other' {
  if (v instanceof Lit) return 'number';
  if (typeof v === 'string' || isNum(v)) return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'nil';
  return 'other';
}

function basic(v: TV): string | number | boolean | null {
  if (v instanceof Lit) return v.n;
  if (isNum(v)) return numKey(v);
  return v as string | boolean | null;
}

function compare(op: string, a: TV, b: TV): boolean {
  const ka = kind(a);
  const kb = kind(b);
  if (ka === 'other' || kb === 'other' || a === UNDEF || b === UNDEF) fail(`${op}: invalid type for comparison`);
  if (ka !== kb) fail(`${op}: incompatible types for comparison`);
  const x = basic(a);
  const y = basic(b);
  if (op === 'eq') return x === y;
  if (op === 'ne') return x !== y;
  if (ka === 'bool' || ka === 'nil') fail(`${op}: invalid type for comparison`);
  const lt = (x as string | number) < (y as string | number);
  if (op === 'lt') return lt;
  if (op === 'le') return lt || x === y;
  if (op === 'gt') return !lt && x !== y;
  return !lt; // ge
}

function field(v: TV, name: string): TV {
  if (v === UNDEF) return UNDEF;
  if (v instanceof RObject) {
    const x = v.get(name);
    return x === undefined ? UNDEF : x;
  }
  if (v === null) return UNDEF;
  return fail(`can't evaluate field ${name} in type ${kind(v) === 'other' ? (Array.isArray(v) || v instanceof RSet ? '[]interface {}' : 'interface {}') : kind(v)}`);
}

function len(v: TV): Lit {
  if (typeof v === 'string') return new Lit(Buffer.byteLength(v));
  if (isNum(v)) return new Lit(numKey(v).length);
  if (Array.isArray(v)) return new Lit(v.length);
  if (v instanceof RSet) return new Lit(v.size);
  if (v instanceof RObject) return new Lit(v.size);
  return fail('len of type without length');
}

function index(v: TV, keys: TV[]): TV {
  let x = v;
  for (const k of keys) {
    if (Array.isArray(x) || x instanceof RSet) {
      const arr = Array.isArray(x) ? x : x.sorted();
      const i = k instanceof Lit ? k.n : NaN;
      if (!Number.isInteger(i) || i < 0 || i >= arr.length) fail('index out of range');
      x = arr[i]!;
    } else if (x instanceof RObject) {
      if (typeof k !== 'string') fail('index of map with non-string key');
      const got = x.get(k as string);
      x = got === undefined ? UNDEF : got;
    } else fail("can't index item");
  }
  return x;
}

// -- lexing and parsing --------------------------------------------------------

type Tok = { t: 'field'; path: string[] } | { t: 'var'; name: string; path: string[] } | { t: 'ident'; s: string } | { t: 'lit'; v: TV } | { t: 'op'; s: string };
type Arg = { k: 'field'; path: string[] } | { k: 'var'; name: string; path: string[] } | { k: 'lit'; v: TV } | { k: 'fn'; name: string } | { k: 'pipe'; pipe: Pipe; path: string[] };
interface Pipe {
  decl?: { names: string[]; op: ':=' | '=' };
  cmds: Arg[][];
}
type Node =
  | { k: 'text'; s: string }
  | { k: 'out'; pipe: Pipe }
  | { k: 'if'; branches: Array<{ pipe: Pipe | undefined; body: Node[] }> }
  | { k: 'range' | 'with'; pipe: Pipe; body: Node[]; else: Node[] }
  | { k: 'break' | 'continue' };

const FUNCS = new Set(['and', 'or', 'not', 'len', 'index', 'eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

function lexAction(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const path = (): string[] => {
    const p: string[] = [];
    while (src[i] === '.' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src)!;
      p.push(m[0]);
      i = IDENT.lastIndex;
    }
    return p;
  };
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '.') {
      if (/[A-Za-z_]/.test(src[i + 1] ?? '')) out.push({ t: 'field', path: path() });
      else {
        i++;
        out.push({ t: 'field', path: [] });
      }
      continue;
    }
    if (c === '$') {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(src);
      i = m ? IDENT.lastIndex : i + 1;
      out.push({ t: 'var', name: m ? m[0] : '', path: path() });
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= src.length) fail('unterminated quoted string');
        const d = src[j]!;
        if (d === '"') break;
        if (d === '\\') {
          const e = src[j + 1]!;
          const m: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
          if (!(e in m)) fail(`unsupported escape \\${e}`);
          s += m[e];
          j += 2;
          continue;
        }
        s += d;
        j++;
      }
      out.push({ t: 'lit', v: s });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) fail('unterminated raw quoted string');
      out.push({ t: 'lit', v: src.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const num = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?/y;
    num.lastIndex = i;
    const nm = /[-0-9]/.test(c) ? num.exec(src) : null;
    if (nm) {
      out.push({ t: 'lit', v: new Lit(Number(nm[0])) });
      i = num.lastIndex;
      continue;
    }
    if (src.startsWith(':=', i)) {
      out.push({ t: 'op', s: ':=' });
      i += 2;
      continue;
    }
    if ('()|=,'.includes(c)) {
      out.push({ t: 'op', s: c });
      i++;
      continue;
    }
    IDENT.lastIndex = i;
    const m = IDENT.exec(src);
    if (!m) fail(`unexpected "${c}" in action`);
    i = IDENT.lastIndex;
    const s = m![0];
    if (s === 'true' || s === 'false') out.push({ t: 'lit', v: s === 'true' });
    else if (s === 'nil') out.push({ t: 'lit', v: null });
    else out.push({ t: 'ident', s });
  }
  return out;
}

function parsePipe(toks: Tok[]): Pipe {
  let i = 0;
  const pipe: Pipe = { cmds: [] };
  // `$x :=`, `$i, $v :=`, `$x =`
  const declNames: string[] = [];
  let j = 0;
  while (toks[j]?.t === 'var' && (toks[j] as { path: string[] }).path.length === 0) {
    declNames.push((toks[j] as { name: string }).name);
    if (toks[j + 1]?.t === 'op' && (toks[j + 1] as { s: string }).s === ',') j += 2;
    else {
      j++;
      break;
    }
  }
  const op = toks[j];
  if (declNames.length && op?.t === 'op' && (op.s === ':=' || op.s === '=')) {
    pipe.decl = { names: declNames, op: op.s };
    i = j + 1;
  }
  const operand = (): Arg => {
    const t = toks[i++];
    if (!t) return fail('missing value for command');
    if (t.t === 'field') return { k: 'field', path: t.path };
    if (t.t === 'var') return { k: 'var', name: t.name, path: t.path };
    if (t.t === 'lit') return { k: 'lit', v: t.v };
    if (t.t === 'ident') {
      if (!FUNCS.has(t.s)) fail(`function "${t.s}" not supported`);
      return { k: 'fn', name: t.s };
    }
    if (t.s === '(') {
      let depth = 1;
      const start = i;
      while (i < toks.length && depth > 0) {
        const x = toks[i++]!;
        if (x.t === 'op' && x.s === '(') depth++;
        if (x.t === 'op' && x.s === ')') depth--;
      }
      if (depth) fail('unclosed left paren');
      const inner = parsePipe(toks.slice(start, i - 1));
      const next = toks[i];
      const p = next?.t === 'field' && next.path.length ? (i++, next.path) : [];
      return { k: 'pipe', pipe: inner, path: p };
    }
    return fail(`unexpected "${t.s}" in operand`);
  };
  let cmd: Arg[] = [];
  while (i < toks.length) {
    const t = toks[i]!;
    if (t.t === 'op' && t.s === '|') {
      if (!cmd.length) fail('missing command before |');
      pipe.cmds.push(cmd);
      cmd = [];
      i++;
      continue;
    }
    cmd.push(operand());
  }
  if (!cmd.length) fail('missing value for command');
  pipe.cmds.push(cmd);
  return pipe;
}

interface Action {
  src: string;
}

/** Text and actions, with the trim markers applied to the text beside them. */
function split(tpl: string): Array<string | Action> {
  const out: Array<string | Action> = [];
  let i = 0;
  let trimNext = false;
  while (i < tpl.length) {
    const open = tpl.indexOf('{{', i);
    let text = tpl.slice(i, open < 0 ? tpl.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      out.push(text);
      break;
    }
    let j = open + 2;
    const trimPrev = tpl[j] === '-' && /\s/.test(tpl[j + 1] ?? '');
    if (trimPrev) {
      text = text.replace(/\s+$/, '');
      j += 2;
    }
    out.push(text);
    // find the closing `}}` outside quoted strings
    let k = j;
    let quote = '';
    for (; k < tpl.length; k++) {
      const c = tpl[k]!;
      if (quote) {
        if (quote === '"' && c === '\\') k++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === '`') quote = c;
      else if (tpl.startsWith('}}', k)) break;
    }
    if (k >= tpl.length) fail('unclosed action');
    let body = tpl.slice(j, k);
    trimNext = /\s-$/.test(body);
    if (trimNext) body = body.slice(0, -2);
    const trimmed = body.trim();
    if (!(trimmed.startsWith('/*') && trimmed.endsWith('*/'))) out.push({ src: body });
    i = k + 2;
  }
  return out;
}

function parse(tpl: string): Node[] {
  const items = split(tpl);
  let pos = 0;
  /** Parses nodes until one of the `stop` keywords; returns them and the keyword (with its rest) that stopped it. */
  const list = (stop: string[]): { nodes: Node[]; end?: { kw: string; rest: Tok[] } } => {
    const nodes: Node[] = [];
    while (pos < items.length) {
      const it = items[pos++]!;
      if (typeof it === 'string') {
        if (it) nodes.push({ k: 'text', s: it });
        continue;
      }
      const toks = lexAction(it.src);
      const head = toks[0];
      const kw = head?.t === 'ident' ? head.s : '';
      if (['end', 'else'].includes(kw)) {
        if (!stop.includes(kw)) fail(`unexpected {{${kw}}}`);
        return { nodes, end: { kw, rest: toks.slice(1) } };
      }
      if (kw === 'if') {
        const branches: Array<{ pipe: Pipe | undefined; body: Node[] }> = [];
        let pipe: Pipe | undefined = parsePipe(toks.slice(1));
        for (;;) {
          const r = list(['else', 'end']);
          branches.push({ pipe, body: r.nodes });
          if (!r.end) fail('unexpected EOF in if');
          if (r.end!.kw === 'end') break;
          const rest = r.end!.rest;
          if (rest[0]?.t === 'ident' && rest[0].s === 'if') pipe = parsePipe(rest.slice(1));
          else {
            const e = list(['end']);
            if (!e.end) fail('unexpected EOF in if');
            branches.push({ pipe: undefined, body: e.nodes });
            break;
          }
        }
        nodes.push({ k: 'if', branches });
        continue;
      }
      if (kw === 'range' || kw === 'with') {
        const pipe = parsePipe(toks.slice(1));
        const r = list(['else', 'end']);
        if (!r.end) fail(`unexpected EOF in ${kw}`);
        let els: Node[] = [];
        if (r.end!.kw === 'else') {
          const e = list(['end']);
          if (!e.end) fail(`unexpected EOF in ${kw}`);
          els = e.nodes;
        }
        nodes.push({ k: kw, pipe, body: r.nodes, else: els });
        continue;
      }
      if (kw === 'break' || kw === 'continue') {
        nodes.push({ k: kw });
        continue;
      }
      if (['define', 'template', 'block'].includes(kw)) fail(`{{${kw}}} not supported`);
      nodes.push({ k: 'out', pipe: parsePipe(toks) });
    }
    if (stop.length) fail('unexpected EOF');
    return { nodes };
  };
  return list([]).nodes;
}

// -- evaluation ----------------------------------------------------------------

class Signal {
  readonly kind: 'break' | 'continue';
  constructor(kind: 'break' | 'continue') {
    this.kind = kind;
  }
}

function render(nodes: Node[], root: Value): string {
  let out = '';
  const scopes: Array<Map<string, TV>> = [new Map([['', root]])];
  const lookupVar = (name: string): TV => {
    for (let s = scopes.length - 1; s >= 0; s--) if (scopes[s]!.has(name)) return scopes[s]!.get(name)!;
    return fail(`undefined variable "$${name}"`);
  };
  const setVar = (name: string, v: TV, declare: boolean) => {
    if (declare) return scopes[scopes.length - 1]!.set(name, v);
    for (let s = scopes.length - 1; s >= 0; s--) if (scopes[s]!.has(name)) return scopes[s]!.set(name, v);
    return fail(`undefined variable "$${name}"`);
  };
  const arg = (a: Arg, dot: TV): TV => {
    switch (a.k) {
      case 'field':
        return a.path.reduce(field, dot);
      case 'var':
        return a.path.reduce(field, lookupVar(a.name));
      case 'lit':
        return a.v;
      case 'pipe':
        return a.path.reduce(field, pipe(a.pipe, dot));
      case 'fn':
        return fail(`${a.name} used as a value`);
    }
  };
  const call = (name: string, args: Arg[], dot: TV, extra: TV[]): TV => {
    if (name === 'and' || name === 'or') {
      // Go evaluates lazily and returns the deciding argument.
      const all = [...args.map((x) => () => arg(x, dot)), ...extra.map((v) => () => v)];
      if (!all.length) fail(`wrong number of args for ${name}`);
      let v: TV = null;
      for (const f of all) {
        v = f();
        if (name === 'and' ? !truth(v) : truth(v)) return v;
      }
      return v;
    }
    const vals = [...args.map((x) => arg(x, dot)), ...extra];
    const n = (want: number) => vals.length !== want && fail(`wrong number of args for ${name}: want ${want} got ${vals.length}`);
    switch (name) {
      case 'not':
        n(1);
        return !truth(vals[0]!);
      case 'len':
        n(1);
        return len(vals[0]!);
      case 'index':
        if (!vals.length) fail('wrong number of args for index');
        return index(vals[0]!, vals.slice(1));
      case 'eq':
        if (vals.length < 2) fail('wrong number of args for eq');
        return vals.slice(1).some((b) => compare('eq', vals[0]!, b));
      default:
        n(2);
        return compare(name, vals[0]!, vals[1]!);
    }
  };
  const pipe = (p: Pipe, dot: TV): TV => {
    let v: TV | undefined;
    for (const cmd of p.cmds) {
      const extra: TV[] = v === undefined ? [] : [v];
      const [first, ...rest] = cmd;
      if (first!.k === 'fn') v = call(first!.name, rest, dot, extra);
      else {
        if (rest.length || extra.length) fail("can't give argument to non-function");
        v = arg(first!, dot);
      }
    }
    if (p.decl) {
      if (p.decl.names.length !== 1) fail('too many declarations');
      setVar(p.decl.names[0]!, v!, p.decl.op === ':=');
    }
    return v!;
  };
  const items = (v: TV): Array<[TV, TV]> => {
    if (v === UNDEF || v === null) return [];
    if (Array.isArray(v)) return v.map((x, i) => [new Lit(i), x]);
    if (v instanceof RSet) return v.sorted().map((x, i) => [new Lit(i), x]);
    if (v instanceof RObject) return v.sortedEntries().map(([k, x]) => [k, x]);
    return fail(`range can't iterate over ${show(v)}`);
  };
  const run = (list: Node[], dot: TV): void => {
    for (const node of list) {
      switch (node.k) {
        case 'text':
          out += node.s;
          break;
        case 'out': {
          const v = pipe(node.pipe, dot);
          if (!node.pipe.decl) out += show(v);
          break;
        }
        case 'if': {
          for (const b of node.branches) {
            if (b.pipe === undefined || truth(pipe(b.pipe, dot))) {
              scopes.push(new Map());
              try {
                run(b.body, dot);
              } finally {
                scopes.pop();
              }
              break;
            }
          }
          break;
        }
        case 'with': {
          const v = pipe({ cmds: node.pipe.cmds }, dot);
          scopes.push(new Map());
          try {
            run(truth(v) ? node.body : node.else, truth(v) ? v : dot);
          } finally {
            scopes.pop();
          }
          break;
        }
        case 'range': {
          const src = pipe({ cmds: node.pipe.cmds }, dot);
          const names = node.pipe.decl?.names ?? [];
          if (names.length > 2) fail('too many declarations in range');
          const list2 = items(src);
          if (!list2.length) {
            run(node.else, dot);
            break;
          }
          for (const [k, v] of list2) {
            const scope = new Map<string, TV>();
            if (names.length === 1) scope.set(names[0]!, v);
            if (names.length === 2) scope.set(names[0]!, k), scope.set(names[1]!, v);
            scopes.push(scope);
            try {
              run(node.body, v);
            } catch (e) {
              if (!(e instanceof Signal)) throw e;
              if (e.kind === 'break') break;
            } finally {
              scopes.pop();
            }
          }
          break;
        }
        case 'break':
        case 'continue':
          throw new Signal(node.k);
      }
    }
  };
  run(nodes, root);
  return out;
}

export function renderTemplate(tpl: string, vars: Value): string {
  const nodes = parse(tpl);
  try {
    return render(nodes, vars);
  } catch (e) {
    if (e instanceof Signal) return fail(`{{${e.kind}}} outside {{range}}`);
    throw e;
  }
}
