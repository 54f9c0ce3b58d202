/** Evaluator semantics, one OPA rule per test, through the embedding API. */
import { describe, expect, it } from 'vitest';
import { EvalError, prepare } from '../../runner/rego/api.ts';

function policy(text: string, data?: unknown) {
  const r = prepare([{ file: 'p.rego', text: `package t\nimport rego.v1\n${text}` }], data === undefined ? {} : { data });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
}
const ev = (text: string, input?: unknown, path = ['t']) => policy(text).evalRef(path, input === undefined ? {} : { input });

describe('documents', () => {
  it('undefined is not false: a failing rule leaves no key; default fills it', () => {
    expect(ev('p if input.x == 1\nq := false', { x: 2 })).toEqual({ q: false });
    expect(ev('default p := false\np if input.x == 1', { x: 2 })).toEqual({ p: false });
    expect(ev('p := input.missing')).toEqual({});
  });
  it('partial sets dedupe and are always defined; partial objects too', () => {
    expect(ev('s contains x if some x in input.xs\no[k] := v if some k, v in input.m\ne contains x if { some x in []; x }', { xs: [2, 1, 2], m: { a: 1 } })).toEqual({ s: [1, 2], o: { a: 1 }, e: [] });
  });
  it('ref heads build nested objects and merge with complete rules', () => {
    expect(ev('p[q].r := i if some i, q in ["a", "b"]\np.c.r := 9')).toEqual({ p: { a: { r: 0 }, b: { r: 1 }, c: { r: 9 } } });
    expect(ev('a.b[x] contains y if { some x in ["k"]; some y in [1, 2] }')).toEqual({ a: { b: { k: [1, 2] } } });
  });
  it('else chains and functions with several definitions', () => {
    const p = policy('f(x) := "neg" if x < 0\nf(0) := "zero"\nf(x) := "pos" if x > 0\ng(x) := 1 if x == 1 else := 2 if x == 2 else := 3');
    expect(p.query('a := data.t.f(-1); b := data.t.f(0); c := data.t.f(3); d := [data.t.g(1), data.t.g(2), data.t.g(9)]')).toEqual({ ok: true, rows: [{ a: 'neg', b: 'zero', c: 'pos', d: [1, 2, 3] }] });
  });
  it('conflicts are eval_conflict_error with the rule location', () => {
    const p = policy('p := input.a\np := input.b');
    try {
      p.evalRef(['t', 'p'], { input: { a: 1, b: 2 } });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(EvalError);
      expect((e as EvalError).diagnostic).toMatchObject({ code: 'eval_conflict_error', file: 'p.rego', line: 4, message: 'complete rules must not produce multiple outputs: rule data.t.p produced conflicting values:\n  rule at p.rego:3\n  rule at p.rego:4' });
    }
    expect(policy('p := input.a\np := input.b').evalRef(['t', 'p'], { input: { a: 1, b: 1 } })).toBe(1);
  });
});

describe('expressions', () => {
  it('some…in, in, not, every', () => {
    const p = policy('ok if { every x in input.xs { x > 0 }; not 5 in input.xs; some k, v in input.xs; k == 1; v == 2 }');
    expect(p.evalRef(['t', 'ok'], { input: { xs: [1, 2, 3] } })).toBe(true);
    expect(p.evalRef(['t', 'ok'], { input: { xs: [1, 2, 5] } })).toBeUndefined();
    expect(p.evalRef(['t', 'ok'], { input: { xs: [0, 2] } })).toBeUndefined();
  });
  it('comprehensions close over outer vars; the body is reordered for safety', () => {
    expect(ev('p := [y | some y in input.xs; y > m] if m := 1', { xs: [1, 2, 3] })).toEqual({ p: [2, 3] });
    expect(ev('p := {k: n | some k, v in input.o; n := count(v)}\nq := {x | x := input.xs[_] * 2}', { o: { a: [1], b: [] }, xs: [1, 2] })).toEqual({ p: { a: 1, b: 0 }, q: [2, 4] });
    expect(ev('p := z if { z = y + 1; y = 2 }')).toEqual({ p: 3 });
    expect(() => ev('p := z if { z := y + 1; y := 2 }')).toThrow(/var y referenced above/);
  });
  it('with replaces input, data and functions for one expression', () => {
    const p = policy('allow if input.user == "alice"\nlimit := data.conf.limit\nf(x) := x + 1\nmock(x) := x * 10\nt1 if allow with input as {"user": "alice"}\nt2 := l if l := limit with data.conf.limit as 7\nt3 := v if v := f(1) with f as mock\nt4 := n if n := count([1,2]) with count as 42', { conf: { limit: 3 } });
    expect(p.evalRef(['t'], { input: { user: 'bob' } })).toMatchObject({ limit: 3, t1: true, t2: 7, t3: 10, t4: 42 });
  });
  it('print writes with the call location; undefined prints <undefined>', () => {
    const out: string[] = [];
    policy('p if { print("x is", input.x, input.nope) }').evalRef(['t', 'p'], { input: { x: [1] }, print: (m, l) => out.push(`${l.line}: ${m}`) });
    expect(out).toEqual(['3: x is [1] <undefined>']);
  });
  it('builtin errors: undefined by default, eval errors when strict', () => {
    const p = policy('p := to_number("nope")');
    expect(p.evalRef(['t', 'p'])).toBeUndefined();
    expect(() => p.evalRef(['t', 'p'], { strictBuiltinErrors: true })).toThrow(/to_number/);
  });
  it('OPA total ordering and big integers', () => {
    const p = policy('s := sort([{"a": 1}, "b", 1, null, [1], true, {1}])\nbig := 12345678901234567890 + 1');
    expect(p.evalRef(['t', 's'])).toEqual([null, true, 1, 'b', [1], { a: 1 }, [1]]);
    expect(String(p.evalRef(['t', 'big']))).toBe('12345678901234567891');
  });
});

describe('imports and packages', () => {
  it('resolves imports, aliases and rules of other files of the package', () => {
    const r = prepare([
      { file: 'lib.rego', text: 'package lib\nimport rego.v1\ndouble(x) := 2 * x\n' },
      { file: 'a.rego', text: 'package app\nimport rego.v1\nimport data.lib\nimport input.user as u\np := lib.double(n) if n := count(u.roles)\n' },
      { file: 'b.rego', text: 'package app\nimport rego.v1\nq := p + 1\n' },
    ]);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.value.evalRef(['app'], { input: { user: { roles: ['a', 'b'] } } })).toEqual({ p: 4, q: 5 });
  });
  it('future.keywords imports are accepted', () => {
    expect(prepare([{ file: 'f.rego', text: 'package f\nimport future.keywords.in\nimport future.keywords.if\np if 1 in [1]\n' }]).ok).toBe(true);
  });
});
