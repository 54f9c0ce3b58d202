/**
 * Regressions where the engine's decision differed from OPA's. Each expected
 * answer is what OPA gives for the same policy and input (the reason is noted
 * per case: which OPA compiler stage or evaluator rule produces it).
 */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../runner/rego/api.ts';

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
