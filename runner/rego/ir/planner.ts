/**
 * Lowering: compiled (resolved, renamed, safety-ordered) AST → IR.
 * Allocates frame slots, folds constant composites, classifies calls
 * (statement calls with an output argument vs. boolean calls) and `with`
 * targets.
 */
import { exprText, namePath, type Body, type Expr, type Loc, type Term } from '../ast/nodes.ts';
import type { CompileState, CompiledQuery, IndexedRule } from '../compiler/state.ts';
import { RObject, RSet, type Value } from '../value.ts';
import type { Block, Operand, Plan, QueryIR, RuleIR, Stmt, WithIR } from './types.ts';

class SlotAlloc {
  readonly slots = new Map<string, number>();
  n = 0;
  get(name: string): number {
    let s = this.slots.get(name);
    if (s === undefined) {
      s = this.n++;
      this.slots.set(name, s);
    }
    return s;
  }
  scratch(): number {
    return this.n++;
  }
}

export class Planner {
  private readonly st: CompileState;
  private slots = new SlotAlloc();
  constructor(st: CompileState) {
    this.st = st;
  }

  operand(t: Term): Operand {
    switch (t.type) {
      case 'scalar':
        return { k: 'const', v: t.value };
      case 'value':
        return { k: 'const', v: t.value };
      case 'var':
        if (t.name === 'input') return { k: 'input' };
        if (t.name === 'data') return { k: 'data', path: [], loc: t.loc };
        return { k: 'local', slot: this.slots.get(t.name), name: t.name };
      case 'ref': {
        const path = t.path.map((p) => this.operand(p));
        if (t.head.type === 'var' && t.head.name === 'data') return { k: 'data', path, loc: t.loc };
        return { k: 'ref', head: this.operand(t.head), path, loc: t.loc };
      }
      case 'array': {
        const items = t.items.map((x) => this.operand(x));
        if (items.every(isConst)) return { k: 'const', v: items.map(constOf) };
        return { k: 'array', items };
      }
      case 'set': {
        const items = t.items.map((x) => this.operand(x));
        if (items.every(isConst)) return { k: 'const', v: RSet.of(items.map(constOf)) };
        return { k: 'set', items };
      }
      case 'object': {
        const items = t.items.map(([k, v]) => [this.operand(k), this.operand(v)] as [Operand, Operand]);
        if (items.every(([k, v]) => isConst(k) && isConst(v))) {
          return { k: 'const', v: RObject.fromEntries(items.map(([k, v]) => [constOf(k), constOf(v)] as [Value, Value])) };
        }
        return { k: 'object', items };
      }
      case 'call':
        if (t.op.length === 1 && (t.op[0] === 'eq' || t.op[0] === 'assign')) {
          // `x = y` nested in a term: OPA evaluates it as a boolean-valued unification; keep as equal.
          return { k: 'call', fn: 'equal', args: t.args.map((a) => this.operand(a)), loc: t.loc };
        }
        return { k: 'call', fn: t.op.join('.'), args: t.args.map((a) => this.operand(a)), loc: t.loc };
      case 'arraycomp': {
        const block = this.body(t.body);
        return { k: 'comp', kind: 'array', value: this.operand(t.term), block, acc: this.slots.scratch(), loc: t.loc };
      }
      case 'setcomp': {
        const block = this.body(t.body);
        return { k: 'comp', kind: 'set', value: this.operand(t.term), block, acc: this.slots.scratch(), loc: t.loc };
      }
      case 'objectcomp': {
        const block = this.body(t.body);
        return { k: 'comp', kind: 'object', key: this.operand(t.key), value: this.operand(t.value), block, acc: this.slots.scratch(), loc: t.loc };
      }
    }
  }

  private withMod(target: Term, value: Term, loc: Loc): WithIR {
    const path = namePath(target);
    const fnName = path?.join('.');
    let tgt: WithIR['target'];
    if (path && path[0] === 'input') tgt = { kind: 'input', path: path.slice(1) };
    else if (fnName && (this.st.functions.has(fnName) || (path![0] !== 'data' && this.st.lookupFunction(fnName)))) tgt = { kind: 'function', name: fnName };
    else if (path && path[0] === 'data') tgt = { kind: 'data', path: path.slice(1) };
    else tgt = { kind: 'function', name: fnName ?? '?' };
    void loc;
    if (tgt.kind === 'function') {
      const vp = namePath(value);
      const vn = vp?.join('.');
      if (vn && (this.st.functions.has(vn) || (vp![0] !== 'data' && vp![0] !== 'input' && this.st.lookupFunction(vn) && !this.slots.slots.has(vn)))) {
        return { target: tgt, value: { k: 'fnref', name: vn } };
      }
    }
    return { target: tgt, value: this.operand(value) };
  }

  stmt(e: Expr): Stmt | undefined {
    let s: Stmt | undefined;
    switch (e.type) {
      case 'some':
        return undefined;
      case 'somein': {
        s = { s: 'scan', value: this.operand(e.value), domain: this.operand(e.domain), loc: e.loc };
        if (e.key) s.key = this.operand(e.key);
        break;
      }
      case 'every': {
        const ev: Stmt = { s: 'every', value: this.operand(e.value), domain: this.operand(e.domain), block: this.body(e.body), loc: e.loc };
        if (e.key) ev.key = this.operand(e.key);
        s = ev;
        break;
      }
      case 'term': {
        const t = e.term;
        if (t.type === 'call') {
          const fn = t.op.join('.');
          if (fn === 'eq' || fn === 'assign') {
            s = { s: 'unify', a: this.operand(t.args[0]!), b: this.operand(t.args[1]!), loc: e.loc };
          } else {
            const info = this.st.lookupFunction(fn);
            const args = t.args.map((a) => this.operand(a));
            if (info && args.length === info.arity + 1) s = { s: 'call', fn, args: args.slice(0, -1), out: args[args.length - 1]!, loc: e.loc };
            else s = { s: 'call', fn, args, loc: e.loc };
          }
        } else {
          s = { s: 'test', t: this.operand(t), loc: e.loc };
        }
        break;
      }
    }
    if (e.negated) s = { s: 'not', block: [s], loc: e.loc };
    if (e.with.length > 0) {
      s = { s: 'with', mods: e.with.map((w) => this.withMod(w.target, w.value, w.loc)), block: [s], save: this.slots.scratch(), loc: e.loc };
    }
    return s;
  }

  body(b: Body): Block {
    const out: Block = [];
    for (const e of b) {
      const s = this.stmt(e);
      if (s) out.push(s);
    }
    return out;
  }

  rule(ir: IndexedRule, r = ir.rule): RuleIR {
    this.slots = new SlotAlloc();
    const out: RuleIR = {
      kind: ir.kind,
      anchor: ir.anchor,
      name: ir.name,
      suffix: [],
      value: { k: 'const', v: true },
      block: [],
      nslots: 0,
      isDefault: r.isDefault,
      loc: r.loc,
    };
    if (r.head.args) out.params = r.head.args.map((a) => this.operand(a));
    out.block = this.body(r.body);
    // head terms after the body: their locals are bound by then
    const refTail = r.head.ref.slice(1 + (ir.anchor.length - 2 - ir.module.package.length));
    out.suffix = refTail.map((t) => this.operand(t));
    if (r.head.key) out.key = this.operand(r.head.key);
    if (r.head.value) out.value = this.operand(r.head.value);
    out.nslots = this.slots.n;
    if (r.else) out.else = this.rule(ir, r.else);
    return out;
  }

  query(q: CompiledQuery): QueryIR {
    this.slots = new SlotAlloc();
    // Each top-level expression reports a value (OPA's `expressions`): a bare
    // term's value is captured in a slot; other expressions report `true`.
    const exprs: QueryIR['exprs'] = [];
    const block: Block = [];
    const captured = new Set(q.captures?.values() ?? []);
    for (const e of q.body) {
      const s = this.stmt(e);
      if (e.type === 'some') continue;
      // compiler-added statements (dynamics rewriting; the check after a captured value) are not expressions of their own
      if (e.type === 'term' && (e.generated || (e.term.type === 'var' && captured.has(e.term.name)))) {
        if (s) block.push(s);
        continue;
      }
      const info: QueryIR['exprs'][number] = { text: q.texts.get(`${e.loc.line}:${e.loc.col}`) ?? exprText(e), loc: e.loc };
      const capture = q.captures?.get(`${e.loc.line}:${e.loc.col}`);
      if (capture !== undefined) {
        if (s) block.push(s);
        info.slot = this.slots.get(capture);
      } else if (s && s.s === 'test') {
        const slot = this.slots.get(`$expr${exprs.length}`);
        block.push({ s: 'unify', a: { k: 'local', slot, name: `$expr${exprs.length}` }, b: s.t, loc: s.loc });
        block.push({ s: 'test', t: { k: 'local', slot, name: `$expr${exprs.length}` }, loc: s.loc });
        info.slot = slot;
      } else if (s) block.push(s);
      exprs.push(info);
    }
    exprs.sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col);
    const vars: QueryIR['vars'] = [];
    for (const [name, slot] of this.slots.slots) {
      if (name === 'input' || name === 'data') continue;
      const display = q.display.get(name) ?? (name.includes('$') ? '' : name);
      if (!display || display === '_') continue;
      vars.push({ name: display, slot });
    }
    return { block, nslots: this.slots.n, vars, exprs };
  }
}


function isConst(o: Operand): o is { k: 'const'; v: Value } {
  return o.k === 'const';
}
function constOf(o: Operand): Value {
  return (o as { v: Value }).v;
}


export function plan(st: CompileState): Plan {
  const p = new Planner(st);
  return { rules: st.rules.map((r) => p.rule(r)) };
}

export function planQuery(st: CompileState, q: CompiledQuery): QueryIR {
  return new Planner(st).query(q);
}
