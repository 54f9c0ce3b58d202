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
