/**
 * The evaluator's fast paths (topdown/compile.ts, runtime.ts, program.ts)
 * give the same results as the general paths: each case evaluates a
 * formulation that takes the fast path next to one that cannot.
 */
import { describe, expect, it } from 'vitest';
import { EvalError, prepare } from '../../runner/rego/api.ts';

function policy(text: string) {
  const r = prepare([{ file: 'p.rego', text: `package t\nimport rego.v1\n${text}` }]);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
}

const items = [
  { kind: 'a', n: 1, tag: { x: 1 } },
  { kind: 'b', n: 2 },
  { kind: 'a', n: 3, tag: { x: 1.0 } },
  { n: 4 },
  'not an object',
  ['kind'],
  { kind: 1, n: 5 },
  { kind: 'a', n: 1, tag: { x: 2 } },
];

describe('indexed scans (some x in coll; x.f == y)', () => {
  // `k := x.kind; k == …` keeps the test out of the indexed form.
  const p = policy(`
fast := [[i, x.n] | some i, x in input.items; x.kind == "a"]
slow := [[i, x.n] | some i, x in input.items; k := x.kind; k == "a"]
fast_rev := [x.n | some x in input.items; "a" == x.kind]
fast_num := [x.n | some x in input.items; x.kind == 1.0]
slow_num := [x.n | some x in input.items; k := x.kind; k == 1.0]
fast_deep := [x.n | some x in input.items; x.tag.x == 1]
slow_deep := [x.n | some x in input.items; k := x.tag.x; k == 1]
fast_obj := {k: x.n | some k, x in input.byname; x.kind == "a"}
slow_obj := {k: x.n | some k, x in input.byname; t := x.kind; t == "a"}
fast_set := {x.n | some x in {y | some y in input.items; is_object(y)}; x.kind == "a"}
slow_set := {x.n | some x in {y | some y in input.items; is_object(y)}; t := x.kind; t == "a"}
has(k) if { some x in input.items; x.kind == k }
found := [k | some k in ["a", "b", "c", 1]; has(k)]
want := "b"
bound := [x.n | some x in input.items; x.kind == want]
none := [x | some x in input.missing; x.kind == "a"]
`);
  const out = p.evalRef(['t'], { input: { items, byname: { p: items[0], q: items[1], r: items[2] } } }) as Record<string, unknown>;
  it('visits the matching elements in collection order with their keys', () => {
    expect(out.fast).toEqual([[0, 1], [2, 3], [7, 1]]);
    expect(out.fast).toEqual(out.slow);
    expect(out.fast_rev).toEqual([1, 3, 1]);
  });
  it('compares like ==: numbers by value, composites structurally, through nested fields', () => {
    expect(out.fast_num).toEqual([5]);
    expect(out.fast_num).toEqual(out.slow_num);
    expect(out.fast_deep).toEqual([1, 3]);
    expect(out.fast_deep).toEqual(out.slow_deep);
  });
  it('works over objects and sets, with bound or parameter operands, and undefined domains', () => {
    expect(out.fast_obj).toEqual({ p: 1, r: 3 });
    expect(out.fast_obj).toEqual(out.slow_obj);
    expect(out.fast_set).toEqual(out.slow_set);
    expect(out.found).toEqual(['a', 'b', 1]);
    expect(out.bound).toEqual([2]);
    expect(out.none).toEqual([]);
  });
  it('is fresh per evaluation (no index survives into the next input)', () => {
    const again = p.evalRef(['t', 'fast'], { input: { items: [{ kind: 'a', n: 9 }] } });
    expect(again).toEqual([[0, 9]]);
  });
  it('evaluates the compared operand only when the plain pair would (strict builtin errors)', () => {
    const q = policy('p := [x | some x in input.xs; x.k == to_number("bad")]');
    expect(q.evalRef(['t', 'p'], { input: { xs: [] }, strictBuiltinErrors: true })).toEqual([]);
    expect(q.evalRef(['t', 'p'], { input: { xs: [{ j: 1 }] }, strictBuiltinErrors: true })).toEqual([]);
    expect(() => q.evalRef(['t', 'p'], { input: { xs: [{ k: 1 }] }, strictBuiltinErrors: true })).toThrow(EvalError);
  });
});

describe('comparison statements', () => {
  it('order values of mixed types like the builtins (OPA total order)', () => {
    const p = policy(`
less := [[a, b] | some a in input.xs; some b in input.xs; a < b]
less_builtin := [[a, b] | some a in input.xs; some b in input.xs; lt(a, b)]
ge := [[a, b] | some a in input.xs; some b in input.xs; a >= b]
ge_builtin := [[a, b] | some a in input.xs; some b in input.xs; gte(a, b)]
ne := count([1 | some a in input.xs; some b in input.xs; a != b])
`);
    const out = p.evalRef(['t'], { input: { xs: [1, 'a', null, 2.5, [1], { k: 1 }, false, 10] } }) as Record<string, unknown>;
    expect(out.less).toEqual(out.less_builtin);
    expect(out.ge).toEqual(out.ge_builtin);
    expect((out.less as unknown[]).length).toBe(28);
    expect(out.ne).toBe(56);
  });
  it('still honour `with` replacements of the operator', () => {
    const p = policy('f(_, _) := true\np if 1 > 2 with gt as f\nq if 1 > 2');
    expect(p.evalRef(['t'])).toEqual({ p: true });
  });
});

describe('function results remembered per evaluation', () => {
  it('equal arguments reuse the result; different ones do not', () => {
    const p = policy('f(x) := count(x)\np := [f([1]), f([1]), f([1, 2]), f({1}), f([1])]');
    expect(p.evalRef(['t', 'p'])).toEqual([1, 1, 2, 1, 1]);
  });
  it('are not used when a rule prints, so every call prints', () => {
    const p = policy('f(x) := y if { print("f", x); y := x }\np := [f(1), f(1)]');
    const lines: string[] = [];
    expect(p.evalRef(['t', 'p'], { print: (m) => lines.push(m) })).toEqual([1, 1]);
    expect(lines).toEqual(['f 1', 'f 1']);
  });
  it('do not leak across `with` scopes', () => {
    const p = policy('f(x) := x + input.d\np := [a, b, c] if {\n  a := f(1)\n  b := f(1) with input.d as 10\n  c := f(1)\n}');
    expect(p.evalRef(['t', 'p'], { input: { d: 1 } })).toEqual([2, 11, 2]);
  });
});

describe('rule frames', () => {
  it('a policy can be evaluated again from inside its own evaluation (print sink)', () => {
    const p = policy('r := input.n\ns contains x if { some x in input.xs; print(x) }');
    const inner: unknown[] = [];
    const outer = p.evalRef(['t'], {
      input: { n: 1, xs: [1, 2] },
      print: () => inner.push(p.evalRef(['t'], { input: { n: 2, xs: [] } })),
    });
    expect(outer).toEqual({ r: 1, s: [1, 2] });
    expect(inner).toEqual([{ r: 2, s: [] }, { r: 2, s: [] }]);
  });
  it('an evaluation error leaves the policy usable', () => {
    const p = policy('p := input.a\np := input.b');
    expect(() => p.evalRef(['t'], { input: { a: 1, b: 2 } })).toThrow(EvalError);
    expect(p.evalRef(['t'], { input: { a: 1, b: 1 } })).toEqual({ p: 1 });
  });
});

describe('JSON results', () => {
  it('keep a `__proto__` key as a key (rule names, input keys, built objects)', () => {
    const p = policy('__proto__ := {"a": 1}\nq := input.o\nr := {"__proto__": 2}\ns := 1');
    const input = JSON.parse('{"o": {"__proto__": {"x": 1}, "b": 2}}') as unknown;
    const out = p.evalRef(['t'], { input }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'q', 'r', 's']);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"a":1},"q":{"__proto__":{"x":1},"b":2},"r":{"__proto__":2},"s":1}');
  });
  it('package objects list defined rules only, keys in order, whatever is undefined this time', () => {
    const p = policy('b := input.b\na := input.a\nf(x) := x\nc := 3');
    expect(Object.keys(p.evalRef(['t'], { input: { a: 1, b: 2 } }) as object)).toEqual(['a', 'b', 'c']);
    expect(Object.keys(p.evalRef(['t'], { input: { b: 2 } }) as object)).toEqual(['b', 'c']);
    expect(Object.keys(p.evalRef(['t'], { input: { a: 1, b: 2 } }) as object)).toEqual(['a', 'b', 'c']);
  });
});
