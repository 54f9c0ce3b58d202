/**
 * Regressions where the engine's decision differed from OPA's. Each expected
 * answer is what OPA gives for the same policy and input (the reason is noted
 * per case: which OPA compiler stage or evaluator rule produces it).
 */
import { describe, expect, it } from 'vitest';
import { EvalError, prepare } from '../../runner/rego/api.ts';

function policy(text: string, opts: { data?: unknown; strictBuiltinErrors?: boolean } = {}, extra: Array<{ file: string; text: string }> = []) {
  const r = prepare([{ file: 'p.rego', text: `package t\n${text}` }, ...extra], opts);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
}
const ev = (text: string, input: unknown = {}, path = ['t']) => policy(text).evalRef(path, { input });

describe('locals shadow rules, functions and imports (OPA resolves refs after collecting declared vars)', () => {
  it('a var assigned in a comprehension shadows a rule of the same name', () => {
    const p = policy('r := 5\nh(y) := [r | some k in y; r := k + 1]\nout := h([1, 2])');
    expect(p.evalRef(['t', 'out'], {})).toEqual([2, 3]);
  });
  it('a `some x in` var in a comprehension shadows an import alias', () => {
    const p = policy('import data.q as f\na := {f | some f in ["x", "y"]}', { data: { q: 'imported' } });
    expect(p.evalRef(['t', 'a'], {})).toEqual(['x', 'y']);
  });
  it('a comprehension var named like the enclosing function is not a recursive reference', () => {
    const p = policy('extension(v, xs) := {extension | some extension in xs; endswith(v, extension)}\nout := extension("a.tar.gz", [".gz", ".zip", ".tar.gz"])');
    expect(p.evalRef(['t', 'out'], {})).toEqual(['.gz', '.tar.gz']);
  });
  it('`some x` declarations, object comprehensions and `every k, v in` shadow too', () => {
    expect(ev('x := 100\nk := 7\na := [x | some x; [1, 2][x]]\nb := {k: v | some k, v in {"m": 1}}\nc if every k, x in [1, 2] { x == k + 1 }')).toMatchObject({ a: [0, 1], b: { m: 1 }, c: true });
  });
  it('a local in the rule body shadows a rule in the head value', () => {
    expect(ev('v := 1\np := v if v := 2', {}, ['t', 'p'])).toBe(2);
  });
});

describe('safety of vars declared outside a comprehension', () => {
  const input = { studies: [{ protocols: [{ name: 'a' }, { name: 'b' }] }, { protocols: [{ name: 'c' }] }] };
  it('a `some i` var used only inside a comprehension is bound there by iteration (OPA drops the bare declaration)', () => {
    const p = policy('p := names if {\n  some i\n  names := {x.name | some j; x := input.studies[i].protocols[j]}\n}');
    expect(p.evalRef(['t', 'p'], { input })).toEqual(['a', 'b', 'c']);
  });
  it('when the outer body binds it (in any order), the comprehension sees the outer binding', () => {
    const p = policy('q contains [i, names] if {\n  some i\n  names := {x.name | some j; x := input.studies[i].protocols[j]}\n  input.studies[i]\n}');
    expect(p.evalRef(['t', 'q'], { input })).toEqual([[0, ['a', 'b']], [1, ['c']]]);
  });
  it('a declared var read (not bound) inside a comprehension is still unsafe', () => {
    const r = prepare([{ file: 'p.rego', text: 'package t\np if {\n  some x\n  ys := [y | y := x]\n  count(ys) > 0\n}' }]);
    expect(r.ok ? [] : r.diagnostics.map((d) => `${d.line}: ${d.code}: ${d.message}`)).toContain('4: rego_unsafe_var_error: var x is unsafe');
  });
});

describe('terms nested in a negated expression are evaluated outside it (OPA rewriteExprTerms / rewriteDynamics)', () => {
  it('an undefined ref argument makes the body undefined, not the negation true', () => {
    const p = policy('f(x) if x == 1\np if not f(input.missing)\nq if not f(input.x)');
    expect(p.evalRef(['t'], { input: {} })).toEqual({});
    expect(p.evalRef(['t'], { input: { x: 2 } })).toEqual({ q: true });
    expect(p.evalRef(['t'], { input: { x: 1 } })).toEqual({});
  });
  it('a nested builtin call that fails (undefined in non-strict mode) makes the body undefined', () => {
    const p = policy('p if not startswith(lower(input.x), "please")');
    expect(p.evalRef(['t', 'p'], { input: { x: { a: 1 } } })).toBeUndefined();
    expect(p.evalRef(['t', 'p'], { input: { x: 'Hello' } })).toBe(true);
    expect(p.evalRef(['t', 'p'], { input: { x: 'PLEASE do' } })).toBeUndefined();
  });
  it('with strict builtin errors the nested call error is raised', () => {
    const p = policy('p if not startswith(lower(input.x), "please")', { strictBuiltinErrors: true });
    expect(() => p.evalRef(['t', 'p'], { input: { x: 1 } })).toThrow(EvalError);
  });
  it('`in` hoists its ref operands; `=`, `==` (OPA RewriteEquals makes it `=` in modules) and a bare ref stay inside', () => {
    const p = policy('a if not input.x == 1\nb if not "v" in input.tags\nc if not input.x = 1\nd if not input.x\ne if not data.t.m[input.k]\nm := {"y": true}');
    expect(p.evalRef(['t'], { input: {} })).toEqual({ a: true, c: true, d: true, m: { y: true } });
    expect(p.evalRef(['t'], { input: { x: 2, tags: [], k: 'z' } })).toEqual({ a: true, b: true, c: true, e: true, m: { y: true } });
    expect(p.evalRef(['t'], { input: { k: 'y' } })).toMatchObject({ c: true, d: true });
    expect(p.evalRef(['t'], { input: { k: 'y' } })).not.toHaveProperty('e');
  });
  // (`not every` itself is a parse error in OPA: "illegal negation of 'every'".)
  it('arrays and objects in arguments hoist their refs', () => {
    const p = policy('b if not count([input.y]) == 2\nc if not object.get({"k": input.y}, "k", 0) == 1');
    expect(p.evalRef(['t'], { input: {} })).toEqual({});
    expect(p.evalRef(['t'], { input: { xs: [0], y: 5 } })).toEqual({ b: true, c: true });
  });
  it('inside comprehensions, function bodies and queries too', () => {
    const p = policy('f(x) if x == 1\ng(y) := [k | some k in y; not f(input.m[k])]\nout := g(["a", "b"])');
    expect(p.evalRef(['t', 'out'], { input: { m: { a: 2 } } })).toEqual(['a']);
    expect(p.query('not data.t.f(input.missing)', { input: {} })).toEqual({ ok: true, rows: [] });
    expect(p.query('x := 1; not data.t.f(input.y)', { input: { y: 3 } })).toEqual({ ok: true, rows: [{ x: 1 }] });
  });
  it('the hoisted terms keep the expression\'s `with` modifiers', () => {
    const p = policy('f(x) if x == 1\np if not f(input.x) with input.x as 2');
    expect(p.evalRef(['t', 'p'], { input: {} })).toBe(true);
  });
});

describe('sets and objects iterate in sorted order, as OPA iterates them', () => {
  it('`some x in` a set of objects, and messages built from a set', () => {
    expect(ev('a := [o | some o in {{"b": 1}, {"a": 2}}]\nm := concat(", ", [x | some x in {"zeta", "alpha", "mid"}])')).toEqual({ a: [{ a: 2 }, { b: 1 }], m: 'alpha, mid, zeta' });
  });
  it('`x := s[_]`, `obj[k]` and `some k, v in obj` over input and built values', () => {
    const p = policy('s := {x | some x in input.xs}\na := [x | x := s[_]]\nb := [k | input.o[k]]\nc := [[k, v] | some k, v in input.o]\nd := [k | some k, _ in {"y": 1, "x": 2}]');
    expect(p.evalRef(['t'], { input: { xs: [3, 1, 2], o: { b: 1, a: 2, c: 0 } } })).toEqual({ s: [1, 2, 3], a: [1, 2, 3], b: ['a', 'b', 'c'], c: [['a', 2], ['b', 1], ['c', 0]], d: ['x', 'y'] });
  });
  it('the order is OPA\'s total order across types (null < boolean < number < string < array < object < set)', () => {
    expect(ev('a := [x | some x in {set(), {"k": 1}, [1], "s", 2, true, null}]')).toEqual({ a: [null, true, 2, 's', [1], { k: 1 }, []] });
  });
  it('every and walk see the same order; an object keyed by non-strings sorts by key', () => {
    const p = policy('seen := [k | some k, _ in {3: "c", 1: "a", 2: "b"}]\nw := [p | walk({"b": 1, "a": 2}, [p, _]); count(p) == 1]');
    expect(p.evalRef(['t'], {})).toEqual({ seen: [1, 2, 3], w: [['a'], ['b']] });
  });
  it('a set grown after a first iteration is re-sorted (the cached order is dropped on add)', async () => {
    const { RSet } = await import('../../runner/rego/value.ts');
    const s = RSet.of(['b', 'a']);
    expect([...s]).toEqual(['a', 'b']);
    s.add('0');
    expect([...s]).toEqual(['0', 'a', 'b']);
  });
});

/** The diagnostic of the evaluation error `f` raises. */
function evalError(f: () => unknown) {
  try {
    f();
  } catch (e) {
    if (e instanceof EvalError) return e.diagnostic;
    throw e;
  }
  throw new Error('no evaluation error');
}

describe('conflict errors read as OPA\'s (topdown ruleConflict: the conflicting rules are listed)', () => {
  const rules = (text: string, extra: Array<{ file: string; text: string }> = [], opts = {}) => {
    const r = prepare([{ file: 'policy.rego', text: `package ex\n\n${text}` }, ...extra], opts);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    return r.value;
  };
  it('complete rules: at the first conflicting rule, listing the rule of the first value and each differing rule', () => {
    const p = rules('allow := "one" if input.a\n\nallow := "two" if input.b\n\nallow := "three" if input.c');
    expect(evalError(() => p.evalRef(['ex', 'allow'], { input: { a: true, b: true } }))).toMatchObject({
      code: 'eval_conflict_error', line: 5, message: 'complete rules must not produce multiple outputs: rule data.ex.allow produced conflicting values:\n  rule at policy.rego:3\n  rule at policy.rego:5',
    });
    expect(evalError(() => p.evalRef(['ex', 'allow'], { input: { a: true, b: true, c: true } })).message).toBe('complete rules must not produce multiple outputs: rule data.ex.allow produced conflicting values:\n  rule at policy.rego:3\n  rule at policy.rego:5\n  rule at policy.rego:7');
  });
  it('at most ten rules are listed, then `...`', () => {
    const p = rules(Array.from({ length: 12 }, (_, i) => `allow := ${i}\n`).join('\n'));
    const lines = Array.from({ length: 10 }, (_, i) => `\n  rule at policy.rego:${3 + 2 * i}`).join('');
    expect(evalError(() => p.evalRef(['ex', 'allow'], {})).message).toBe(`complete rules must not produce multiple outputs: rule data.ex.allow produced conflicting values:${lines}\n  ...`);
  });
  it('an error after the conflict (strict builtin errors) gives way to the conflict', () => {
    const p = rules('allow := 1\n\nallow := 2\n\nallow := 1 / 0', [], { strictBuiltinErrors: true });
    expect(evalError(() => p.evalRef(['ex', 'allow'], {})).message).toBe('complete rules must not produce multiple outputs: rule data.ex.allow produced conflicting values:\n  rule at policy.rego:3\n  rule at policy.rego:5');
  });
  it('across files, and an else branch is listed at its own line', () => {
    const p = rules('allow := 1', [{ file: 'b.rego', text: 'package ex\n\nallow := 2' }]);
    expect(evalError(() => p.evalRef(['ex', 'allow'], {})).message).toBe('complete rules must not produce multiple outputs: rule data.ex.allow produced conflicting values:\n  rule at b.rego:3\n  rule at policy.rego:3');
    const q = rules('allow := 1 if input.a\nelse := 2\n\nallow := 3 if input.b');
    expect(evalError(() => q.evalRef(['ex', 'allow'], { input: { b: true } })).message).toBe('complete rules must not produce multiple outputs: rule data.ex.allow produced conflicting values:\n  rule at policy.rego:4\n  rule at policy.rego:6');
  });
  it('one rule producing two values: no list', () => {
    const p = rules('allow := x if some x in [1, 2]\n\nf(_) := x if some x in [1, 2]');
    expect(evalError(() => p.evalRef(['ex', 'allow'], {})).message).toBe('complete rules must not produce multiple outputs: rule data.ex.allow produced conflicting values');
    expect(p.query('data.ex.f(2)', {})).toMatchObject({ ok: false, error: { code: 'eval_conflict_error', message: 'functions must not produce multiple outputs for same inputs: function data.ex.f produced conflicting values for the same inputs' } });
  });
  it('functions, at the conflicting definition', () => {
    const p = rules('f(x) := 1 if x > 0\n\nf(x) := 2 if x > 1\n\nf(x) := 3 if x > 2');
    expect(p.query('data.ex.f(2)', {})).toMatchObject({ ok: false, error: { line: 5, message: 'functions must not produce multiple outputs for same inputs: function data.ex.f produced conflicting values for the same inputs:\n  rule at policy.rego:3\n  rule at policy.rego:5' } });
    expect(p.query('data.ex.f(3)', {})).toMatchObject({ ok: false, error: { message: 'functions must not produce multiple outputs for same inputs: function data.ex.f produced conflicting values for the same inputs:\n  rule at policy.rego:3\n  rule at policy.rego:5\n  rule at policy.rego:7' } });
  });
});

describe('compile errors read as OPA\'s', () => {
  const errs = (text: string) => {
    const r = prepare([{ file: 'p.rego', text: `package x\n${text}` }]);
    if (r.ok) throw new Error('expected errors');
    return r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.code}: ${d.message}`);
  };
  it('a re-declaration is worded after how the var occurred first (rewriteDeclaredVar)', () => {
    expect(errs('p if {\n  some x\n  x := 1\n}')).toEqual(['4:3: rego_compile_error: var x declared above']);
    expect(errs('p if {\n  x := 1\n  some x\n}')).toEqual(['4:3: rego_compile_error: var x assigned above']);
    expect(errs('p if {\n  x = 1\n  x := 2\n}')).toEqual(['4:3: rego_compile_error: var x referenced above']);
    expect(errs('f(x) := y if {\n  x := 1\n  y := 2\n}')).toEqual(['3:3: rego_compile_error: arg x redeclared']);
  });
  it('assignment targets and negation', () => {
    expect(errs('p if {\n  1 := 2\n}')).toEqual(['3:3: rego_compile_error: cannot assign to number']);
    expect(errs('p if {\n  not x := 1\n}')).toEqual(['3:3: rego_compile_error: cannot assign vars inside negated expression']);
  });
  it('arity mismatches: builtins and user functions', () => {
    expect(errs('p := count(1, 2, 3)')).toEqual(['2:6: rego_type_error: count: arity mismatch']);
    expect(errs('f(x) := x\np := f(1, 2, 3)')).toEqual(['3:6: rego_type_error: function data.x.f has arity 1, got 3 arguments']);
    expect(errs('f(x, y) := x\np := f()')).toEqual(['3:6: rego_type_error: function data.x.f has arity 2, got 0 arguments']);
  });
  it('unsafe wildcards are reported as the expression, never as `_`; user vars by name', () => {
    expect(errs('p if {\n  not input.xs[_] == 3\n}')).toEqual(['3:3: rego_unsafe_var_error: expression is unsafe']);
    expect(errs('p if {\n  not input.xs[_] == y\n}')).toEqual(['3:3: rego_unsafe_var_error: var y is unsafe']);
  });
  it('a var unsafe in several expressions is reported once, at the first', () => {
    expect(errs('p if {\n  x > 1\n  x < 5\n}')).toEqual(['3:3: rego_unsafe_var_error: var x is unsafe']);
    expect(errs('p if {\n  x > y\n  y < 5\n}')).toEqual(['3:3: rego_unsafe_var_error: var x is unsafe', '3:3: rego_unsafe_var_error: var y is unsafe']);
  });
  it('every rule on a cycle is reported, at its own location, with its path', () => {
    expect(errs('p if q\nq if r\nr if p\ns if p')).toEqual([
      '2:1: rego_recursion_error: rule data.x.p is recursive: data.x.p -> data.x.q -> data.x.r -> data.x.p',
      '3:1: rego_recursion_error: rule data.x.q is recursive: data.x.q -> data.x.r -> data.x.p -> data.x.q',
      '4:1: rego_recursion_error: rule data.x.r is recursive: data.x.r -> data.x.p -> data.x.q -> data.x.r',
    ]);
  });
  it('function args must not shadow input or data', () => {
    expect(errs('f(input) := 1')).toEqual(['2:1: rego_compile_error: args must not shadow input (use a different variable name)']);
  });
  it('calling a function whose name a local shadows', () => {
    expect(errs('p if {\n  count := 1\n  count([1]) == 1\n}')).toEqual(['4:3: rego_compile_error: called function count shadowed']);
    expect(errs('f(x) := x\np if {\n  f := 1\n  f(2)\n}')).toEqual(['5:3: rego_compile_error: called function f shadowed']);
  });
  it('a shadowing import names the import it shadows', () => {
    expect(errs('import data.a\nimport data.b as a\np := a')).toEqual(['3:1: rego_compile_error: import must not shadow import data.a']);
  });
});

describe('`with` targets are checked as OPA validates them', () => {
  const errs = (text: string) => {
    const r = prepare([{ file: 'p.rego', text: `package x\n${text}` }]);
    return r.ok ? [] : r.diagnostics.map((d) => `${d.code}: ${d.message}`);
  };
  it('an unknown target is a type error; input, data and functions are fine', () => {
    expect(errs('p if { true with foo as 1 }')).toEqual(['rego_type_error: with keyword target must reference existing input, data, or a function']);
    expect(errs('f(x) := 1\np if { f(1) == 2 with f as 2 }\nq if { count([]) == 1 with count as 1 }\nr if { true with input.a as 1 }\ns if { true with data.y as 1 }')).toEqual([]);
  });
  it('part of a rule\'s document cannot be replaced; some builtins cannot be', () => {
    expect(errs('p if { true with data.x.q.r as 1 }\nq := {"r": 1}')).toEqual(['rego_compile_error: with keyword cannot partially replace virtual document(s)']);
    expect(errs('p if { 1 == 1 with eq as 1 }')).toEqual(['rego_compile_error: with keyword replacing built-in function: replacement of "eq" invalid']);
    expect(errs('p if { true with internal.member_2 as 1 }')).toEqual(['rego_compile_error: with keyword replacing built-in function: replacement of internal function "internal.member_2" invalid']);
    expect(errs('p if { true with walk as 1 }')).toEqual(['rego_compile_error: with keyword replacing built-in function: target must not be a relation']);
    expect(errs('p if { true with print as 1 }')).toEqual(['rego_compile_error: with keyword replacing built-in function: target must not be a void function']);
  });
});

describe('rule conflicts found at compile time read as OPA\'s (TestCompilerCheckRuleConflicts)', () => {
  it('kinds, defaults, overlaps and packages', () => {
    const r = prepare([
      { file: 'mod1.rego', text: 'package badrules\n\np contains x if { x = 1 }\np[x] = y if { x = y; x = "a" }\nq contains 1 if { true }\nq = {1, 2, 3} if { true }\nr[x] = y if { x = y; x = "a" }\nr[x] = y if { x = y; x = "a" }\ns contains x if { x = "a" }\ns contains x if { x = "b" }\nt := x if { x = "a"}' },
      { file: 'mod2a.rego', text: 'package badrules.r\n\nq contains 1 if { true }' },
      { file: 'mod2b.rego', text: 'package badrules.s\n\nq contains 1 if { true }' },
      { file: 'mod2c.rego', text: 'package badrules.t\n\nq contains 1 if { true }' },
      { file: 'mod3.rego', text: 'package badrules.defkw\n\ndefault foo = 1\ndefault foo = 2\nfoo = 3 if { true }\n' },
      { file: 'mod8.rego', text: 'package badrules.complete_partial\np := 1\np[r] := 2 if { r := "foo" }' },
    ]);
    expect(r.ok ? [] : r.diagnostics.map((d) => `${d.code}: ${d.message}`).sort()).toEqual([
      'rego_type_error: conflicting rules data.badrules.complete_partial.p[r] found',
      'rego_type_error: conflicting rules data.badrules.p[x] found',
      'rego_type_error: conflicting rules data.badrules.q found',
      'rego_type_error: multiple default rules data.badrules.defkw.foo found at mod3.rego:3, mod3.rego:4',
      'rego_type_error: package badrules.s conflicts with rule s defined at mod1.rego:10',
      'rego_type_error: package badrules.s conflicts with rule s defined at mod1.rego:9',
      'rego_type_error: package badrules.t conflicts with rule t defined at mod1.rego:11',
      'rego_type_error: rule data.badrules.s conflicts with [data.badrules.s.q]',
      'rego_type_error: rule data.badrules.t conflicts with [data.badrules.t.q]',
    ]);
  });
  it('a rule overlapping several rules below it names them all', () => {
    const r = prepare([{ file: 'a.rego', text: 'package pkg\np.q.r if { true }\np.q.r.s if { true }\np.q.r.t if { true }' }]);
    expect(r.ok ? [] : r.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual(['rego_type_error: rule data.pkg.p.q.r conflicts with [data.pkg.p.q.r.s data.pkg.p.q.r.t]']);
  });
});

describe('a call argument that reads a variable another argument binds waits for it (OPA lifts refs out of calls, then orders for safety)', () => {
  it('`foo == input.foos[foo]`: the ref binds foo as the key, then the comparison runs', () => {
    const p = policy('p := foo if {\n  some foo\n  foo == input.foos[foo]\n}\nq if {\n  some foo\n  foo == input.foos[foo]\n}');
    expect(p.evalRef(['t', 'p'], { input: { foos: [2, 1, 0] } })).toBe(1);
    expect(p.evalRef(['t', 'q'], { input: { foos: ['foo'] } })).toBeUndefined();
  });
  it('in assignments of arrays and objects, and in either order of `=` (once silently empty)', () => {
    expect(
      ev(
        'xs := [k | some k; k == input.a[k]]\nzs := [v | some k; v := [k, input.a[k]]]\nws := [v | some k; v := [k, input.a[k]]; v[1] == k]\nos := [v | some k; v := {"k": k, "v": input.a[k]}]\nus := [v | some k; [k, input.a[k]] = v]',
        { a: [0, 5, 2] },
      ),
    ).toEqual({
      xs: [0, 2],
      zs: [[0, 0], [1, 5], [2, 2]],
      ws: [[0, 0], [2, 2]],
      os: [{ k: 0, v: 0 }, { k: 1, v: 5 }, { k: 2, v: 2 }],
      us: [[0, 0], [1, 5], [2, 2]],
    });
  });
});

describe('recursion: a ref with a variable segment depends only on rules its later segments can reach (OPA GetRulesDynamic)', () => {
  it('`data[pkg].allow.see.x` in package test is not recursive through test.p', () => {
    const r = prepare([
      { file: 'a.rego', text: 'package test\np := data[first].allow.see.something_else if first := "primary"' },
      { file: 'b.rego', text: 'package primary\nallow[action].something if action := "show"\nallow.see.something_else if true' },
      { file: 'c.rego', text: 'package unrelated\nallow.other.stuff if true' },
    ]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.evalRef(['test', 'p'], {})).toBe(true);
  });
  it('a variable segment that can reach the rule itself is still recursion', () => {
    const r = prepare([{ file: 'a.rego', text: 'package test\np := data[x].p if x := "test"' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics.map((d) => d.code)).toContain('rego_recursion_error');
  });
});

describe('`import future.keywords.not` (OPA 1.17): negation keeps its whole expression inside, and `not { body }`', () => {
  const mod = (imp: string, rules: string) => {
    const r = prepare([{ file: 'p.rego', text: `package t\n${imp}\n${rules}` }]);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    return r.value;
  };
  const rules = 'default p := false\np if {\n  not input.x + input.y == input.z\n}\nf(_) := true\nq := [x | x := "foo"; not f(input.x)]';
  it('an undefined operand makes the negation succeed with the import, the body undefined without it', () => {
    expect(mod('import future.keywords.not', rules).evalRef(['t'], { input: {} })).toMatchObject({ p: true, q: ['foo'] });
    expect(mod('', rules).evalRef(['t'], { input: {} })).toMatchObject({ p: false, q: [] });
    // `import future.keywords` (every keyword) keeps the old meaning; only the named import opts in
    expect(mod('import future.keywords', rules).evalRef(['t'], { input: {} })).toMatchObject({ p: false, q: [] });
    // defined operands: the same answer either way
    expect(mod('import future.keywords.not', rules).evalRef(['t', 'p'], { input: { x: 1, y: 2, z: 3 } })).toBe(false);
    expect(mod('import future.keywords.not', rules).evalRef(['t', 'p'], { input: { x: 1, y: 2, z: 0 } })).toBe(true);
  });
  it('`not { … }` negates a body; its new variables stay inside; only under the import', () => {
    const p = mod('import future.keywords.not', 'p if {\n  not { input.a; input.b }\n}\nq if {\n  not {\n    x := input.role\n    x == "banned"\n  }\n}');
    expect(p.evalRef(['t'], { input: { a: true, b: false, role: 'admin' } })).toEqual({ p: true, q: true });
    expect(p.evalRef(['t'], { input: { a: true, b: true, role: 'banned' } })).toEqual({});
    const r = prepare([{ file: 'p.rego', text: 'package t\np if {\n  not { input.a; input.b }\n}' }]);
    expect(r.ok).toBe(false);
  });
  it('Rego v0 modules opt in the same way', () => {
    const r = prepare([{ file: 'p.rego', text: 'package t\nimport future.keywords.not\np { not input.x + 1 == 2 }', regoVersion: 0 }]);
    expect(r.ok && r.value.evalRef(['t', 'p'], { input: {} })).toBe(true);
  });
});

describe('a comprehension nested in a comprehension head closes over what the outer body binds (OPA rewriteComprehensionTerms)', () => {
  it('`[[y | y = k] | some k in xs]` and object keys/values, not an unsafe-var error', () => {
    expect(ev('q := [[y | y = k] | some k in ["a", "b"]]\no := {k: {y | y = k} | some k in ["a"]}')).toEqual({ q: [['a'], ['b']], o: { a: ['a'] } });
  });
});

describe('template strings (OPA 1.12 `$"…{expr}…"`), lowered to internal.template_string as OPA lowers them', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['p := $""', {}, ''],
    ['p := $"\\t\\n\\""', {}, '\t\n"'],
    ['p := [$"\\{42}", $"foo \\{42} bar", $"\\{{42}", $"{42}\\}", $"foo \\{42\\}"]', {}, ['{42}', 'foo {42} bar', '{42', '42}', 'foo {42}']],
    ['p := $"{42}, {13.37}, {true}, {"foo"}, {null}"', {}, '42, 13.37, true, foo, null'],
    ['p := $"{[]}, {[42, 13.37, true, "foo", null]}, {set()}, {{42}}, {{}}, {{"a": "b"}}"', {}, '[], [42, 13.37, true, "foo", null], set(), {42}, {}, {"a": "b"}'],
    ['a := ["a", "b", "c"]\np := $"{[x | some x in a]} {{x | some x in a}} {{x: x | some x in a}}"', {}, '["a", "b", "c"] {"a", "b", "c"} {"a": "a", "b": "b", "c": "c"}'],
    ['a := "foo"\nb := "bar"\np := $"{$"{a}"} {$"{$"{b}"} baz"}"', {}, 'foo bar baz'],
    ['p := $"{$"{data.a}"} {$"{$"{input.b}"} baz"}"', { b: 'bar' }, '<undefined> bar baz'],
    ['a := 42\nb := {"a", "b", "c"}\np := $"sum: {1 + a}, join: {b | {"d", "e", "f"}}"', {}, 'sum: 43, join: {"a", "b", "c", "d", "e", "f"}'],
    ['p := $"{input.x}, {data.y}"', {}, '<undefined>, <undefined>'],
    ['a := ["foo", "bar"]\np := {$"<{k}>": $"<{v}>" | some k, v in a}', {}, { '<0>': '<foo>', '<1>': '<bar>' }],
    ['p if {\n  every i, x in input.l1 {\n    input.l2[i] == $"<{x}>"\n  }\n}', { l1: ['a', 'b'], l2: ['<a>', '<b>'] }, true],
    ['a := input.a\np := x if {\n  x := $"foo {a with input as {"a": 42}}"\n}', {}, 'foo 42'],
    ['a := input.a\nb := input.b\np := x if {\n  x := $"foo {a} {b}"\n    with input as {"a": 42}\n    with input as {"b": "bar"}\n}', {}, 'foo <undefined> bar'],
    ['users := {"user_1", "user_2"}\nid := 1\np if {\n  $"user_{id}" in users\n}', {}, true],
    ['p := $`<sum>\n  {1 + 2}\n</sum> \\{x} \\n`', {}, '<sum>\n  3\n</sum> {x} \\n'],
  ];
  it.each(cases)('%s', (src, input, want) => {
    expect(policy(src).evalRef(['t', 'p'], { input })).toEqual(want);
  });
  it('an expression with more than one value stops evaluation (eval_conflict_error), even without strict builtin errors', () => {
    let err: unknown;
    try {
      policy('p := $"{input.xs[_]}"').evalRef(['t', 'p'], { input: { xs: [1, 2] } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvalError);
    expect((err as EvalError).diagnostic).toMatchObject({ code: 'eval_conflict_error', message: 'template-strings must not produce multiple outputs' });
  });
  it('bad templates are parse errors at their line', () => {
    for (const [src, msg] of [
      ['p := $"{1 + }"', /rego_parse_error/],
      ['p := $"{}"', /empty template expression/],
      ['p := $"{1"', /non-terminated/],
      ['p := $"abc', /non-terminated template string/],
    ] as const) {
      const r = prepare([{ file: 'p.rego', text: `package t\n${src}` }]);
      expect(r.ok, src).toBe(false);
      if (!r.ok) expect(`${r.diagnostics[0]!.code}: ${r.diagnostics[0]!.message} @${r.diagnostics[0]!.line}`, src).toMatch(msg);
      if (!r.ok) expect(r.diagnostics[0]!.line, src).toBe(2);
    }
  });
});

describe('`==` in a module is unification (OPA RewriteEquals, before RewriteDynamicTerms); in a query it is a call', () => {
  it('gatekeeper-library pod-security-policy: `not c.securityContext.allowPrivilegeEscalation == false` holds when the field is absent', () => {
    const p = policy('violation contains c.name if {\n  some c in input.containers\n  not c.securityContext.allowPrivilegeEscalation == false\n}');
    const containers = [{ name: 'pinned', securityContext: { allowPrivilegeEscalation: false } }, { name: 'no-context' }, { name: 'other-field', securityContext: { runAsUser: 1000 } }];
    expect(p.evalRef(['t', 'violation'], { input: { containers } })).toEqual(['no-context', 'other-field']);
  });
  it('the same inside a function, a comprehension and an every body; `!=` still hoists', () => {
    const p = policy('f(c) if not c.x == false\na := f({})\nb := [1 | not input.y == 1]\nc if every k in [1] { not input.z[k] == 2 }\nd if not input.w != 1');
    expect(p.evalRef(['t'], { input: {} })).toEqual({ a: true, b: [1], c: true });
  });
  it('a query keeps `==` a call: its undefined operand makes the query undefined', () => {
    const r = prepare([{ file: 'p.rego', text: 'package t\nx := 1' }]);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.query('not input.a == 1', {})).toEqual({ ok: true, rows: [] });
      expect(r.value.query('not input.a = 1', {})).toEqual({ ok: true, rows: [{}] });
    }
  });
});


describe('a user function called on an iterated argument answers each element (the call memo keeps a copy of its arguments)', () => {
  it('`f(xs[_])` in a comprehension, a partial set and a function body: one result per element, not the first one repeated', () => {
    const text = 'f(x) := y if y := x * 10\np := [v | v := f([1, 2, 3][_])]\nq contains v if v := f(input.xs[_])\ng(xs) := {v | v := f(xs[_])}\nr := g([7, 8])';
    expect(ev(text, { xs: [4, 5, 6] })).toMatchObject({ p: [10, 20, 30], q: [40, 50, 60], r: [70, 80] });
  });
  it('the same answers with print() in the policy (which turns the memo off), so both paths agree', () => {
    const text = 'f(x) := y if y := x * 10\np := [v | v := f([1, 2, 3][_])]\nz if print("x")';
    expect(ev(text, {})).toMatchObject({ p: [10, 20, 30] });
  });
});

describe('`with` values that need evaluation are bound before the expression (OPA RewriteWithValues)', () => {
  it('an iterated with value iterates, in rules, comprehensions and functions', () => {
    const text = 'r := input.a\np := [x | x := r with input.a as [1, 2][_]]\nq contains x if { x := r with input.a as [1, 2][_] }\nf(xs) := [x | x := r with input.a as xs[_]]\ns := f([3, 4])';
    expect(ev(text, {})).toMatchObject({ p: [1, 2], q: [1, 2], s: [3, 4] });
  });
  it('the value is read in the enclosing context, not under the modifiers being applied', () => {
    expect(ev('r := input.a\np := x if { x := r with input.a as input.b }', { b: 5 })).toMatchObject({ p: 5 });
  });
});

describe('`if` may start the line after a rule head (cisagov/ScubaGear writes `tests contains {…}⏎if {…}`)', () => {
  it('for partial sets, complete rules, functions and else branches', () => {
    const text = 'p contains x\nif {\n  x := 1\n}\nq := 2\nif true\nf(a) := a\nif {\n  a > 0\n} else := 0\nif true\ny := f(1)\nz := f(-1)';
    expect(ev(text, {})).toMatchObject({ p: [1], q: 2, y: 1, z: 0 });
  });
});
