/**
 * Engine defects found by running the real-world suites (test/rego/suites.test.ts,
 * docs/rego.md "Real-world suites"), each reduced to a small inline policy with
 * the answer OPA gives. One describe per class of defect.
 */
import { describe, expect, it } from 'vitest';
import { EvalError, prepare } from '../../runner/rego/api.ts';

function policy(text: string) {
  const r = prepare([{ file: 'test.rego', text }]);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`).join('\n'));
  return r.value;
}

const v = (type: string, value: unknown) => ({ type, value });
const ref = (...parts: string[]) => v('ref', parts.map((p, i) => v(i === 0 ? 'var' : 'string', p)));

// Regal's duplicate-rule check (bundle/regal/rules/bugs/duplicate-rule) did not
// compile: `rego_type_error: undefined function rego.parse_module`. It is an OPA
// builtin: ast.ParseModule, then the module's JSON encoding (no locations by default).
describe('rego.parse_module: OPA’s JSON encoding of the parsed module', () => {
  it('package, rule head and a call expression as operator ref + operands', () => {
    const p = policy('package t\nm := rego.parse_module("x.rego", "package a.b\\n\\nallow if input.x == 1\\n")\n');
    expect(p.evalRef(['t', 'm'])).toEqual({
      package: { path: [v('var', 'data'), v('string', 'a'), v('string', 'b')] },
      rules: [
        {
          head: { name: 'allow', ref: [v('var', 'allow')], value: v('boolean', true) },
          body: [{ index: 0, terms: [ref('equal'), ref('input', 'x'), v('number', 1)] }],
        },
      ],
    });
  });

  it('imports, `contains` heads, `some … in` as an internal.member_2 symbol, negation, with, nested calls, comments', () => {
    const p = policy(
      'package t\nm := rego.parse_module("", "package p\\nimport rego.v1\\n# c\\nq contains y if {\\n  some y in [1]\\n  not f(count(y)) with input as {}\\n}\\n")\n',
    );
    expect(p.evalRef(['t', 'm'])).toEqual({
      package: { path: [v('var', 'data'), v('string', 'p')] },
      imports: [{ path: ref('rego', 'v1') }],
      comments: [{ Text: Buffer.from(' c').toString('base64'), Location: { file: '', row: 3, col: 1 } }],
      rules: [
        {
          head: { name: 'q', ref: [v('var', 'q')], key: v('var', 'y') },
          body: [
            { index: 0, terms: { symbols: [v('call', [ref('internal', 'member_2'), v('var', 'y'), v('array', [v('number', 1)])])] } },
            {
              index: 1,
              negated: true,
              terms: [ref('f'), v('call', [ref('count'), v('var', 'y')])],
              with: [{ target: ref('input'), value: v('object', []) }],
            },
          ],
        },
      ],
    });
  });

  it('default, assignment, bodyless rules (body `true`), else and every (key null when absent)', () => {
    const p = policy(
      'package t\nm := rego.parse_module("", "package p\\ndefault d := 1\\ns := 2 if false else := 3\\ne if every k, x in {} { k == x }\\nf if every x in [1] { x == 1 }\\n")\n',
    );
    const m = p.evalRef(['t', 'm']) as { rules: unknown[] };
    const TRUE = [{ index: 0, terms: v('boolean', true) }];
    expect(m.rules[0]).toEqual({ default: true, head: { name: 'd', ref: [v('var', 'd')], value: v('number', 1), assign: true }, body: TRUE });
    expect(m.rules[1]).toEqual({
      head: { name: 's', ref: [v('var', 's')], value: v('number', 2), assign: true },
      body: [{ index: 0, terms: v('boolean', false) }],
      else: { head: { name: 's', ref: [v('var', 's')], value: v('number', 3), assign: true }, body: TRUE },
    });
    expect(m.rules[2]).toEqual({
      head: { name: 'e', ref: [v('var', 'e')], value: v('boolean', true) },
      body: [{ index: 0, terms: { key: v('var', 'k'), value: v('var', 'x'), domain: v('object', []), body: [{ index: 0, terms: [ref('equal'), v('var', 'k'), v('var', 'x')] }] } }],
    });
    // OPA's TestEvery_MarshalJSON: `every e in [1,2,3] { e == 1 }` has "key": null.
    expect((m.rules[3] as { body: Array<{ terms: unknown }> }).body[0]!.terms).toEqual({
      key: null,
      value: v('var', 'x'),
      domain: v('array', [v('number', 1)]),
      body: [{ index: 0, terms: [ref('equal'), v('var', 'x'), v('number', 1)] }],
    });
  });

  it('layout does not matter, content does (how Regal compares rules)', () => {
    const p = policy(`package t
same if rego.parse_module("", "package p\\nr := 1 if {x := [1,2]}") == rego.parse_module("", "package p\\nr:=1 if {\\n  x := [1, 2]\\n}")
differ if rego.parse_module("", "package p\\nr := \\"a b\\"") != rego.parse_module("", "package p\\nr := \\"ab\\"")
`);
    expect(p.evalRef(['t'])).toEqual({ same: true, differ: true });
  });

  it('sets and objects as OPA holds them: sorted by OPA’s term order, duplicates merged', () => {
    const p = policy(`package t
s := rego.parse_module("", "package p\\nr := {x, \\"b\\", 2, 1, 1, [0]}").rules[0].head.value
o := rego.parse_module("", "package p\\nr := {\\"b\\": 1, \\"a\\": 2, \\"b\\": 3}").rules[0].head.value
same if rego.parse_module("", "package p\\nr := {\\"b\\": 1, \\"a\\": 2}") == rego.parse_module("", "package p\\nr := {\\"a\\": 2, \\"b\\": 1}")
`);
    expect(p.evalRef(['t'])).toEqual({
      s: v('set', [v('number', 1), v('number', 2), v('string', 'b'), v('var', 'x'), v('array', [v('number', 0)])]),
      o: v('object', [[v('string', 'a'), v('number', 2)], [v('string', 'b'), v('number', 3)]]),
      same: true,
    });
  });

  it('heads as OPA’s parser leaves them: keys of two-element refs, names, else copying the head', () => {
    const p = policy(`package t
m := rego.parse_module("", concat("\\n", ["package p", "a[x] if x := 1", "b[\\"k\\"] if true", "d[x] := 2 if x := 1", "e[\\"k\\"] := 3", "h := 1 if false else := 2", "k.l.m := 2"]))
heads := [r.head | some r in m.rules]
else_head := m.rules[4]["else"].head
`);
    const x = v('var', 'x');
    expect(p.evalRef(['t', 'heads'])).toEqual([
      { ref: [v('var', 'a'), x], key: x, value: v('boolean', true) },
      { ref: [v('var', 'b'), v('string', 'k')], value: v('boolean', true) },
      { name: 'd', ref: [v('var', 'd'), x], key: x, value: v('number', 2), assign: true },
      { name: 'e', ref: [v('var', 'e'), v('string', 'k')], key: v('string', 'k'), value: v('number', 3), assign: true },
      { name: 'h', ref: [v('var', 'h')], value: v('number', 1), assign: true },
      { ref: [v('var', 'k'), v('string', 'l'), v('string', 'm')], value: v('number', 2), assign: true },
    ]);
    expect(p.evalRef(['t', 'else_head'])).toEqual({ name: 'h', ref: [v('var', 'h')], value: v('number', 2), assign: true });
  });

  it('wildcards are named $0, $1, … in source order across the module, as OPA’s parser names them', () => {
    const p = policy(`package t
m := rego.parse_module("", "package p\\nf(_) := 1 if input[_]\\ng if [_ | _ := 1]")
`);
    const m = p.evalRef(['t', 'm']) as { rules: Array<{ head: { args: unknown[] }; body: Array<{ terms: unknown }> }> };
    expect(m.rules[0]!.head.args).toEqual([v('var', '$0')]);
    expect(m.rules[0]!.body[0]!.terms).toEqual(v('ref', [v('var', 'input'), v('var', '$1')]));
    expect(m.rules[1]!.body[0]!.terms).toEqual(
      v('arraycomprehension', { term: v('var', '$2'), body: [{ index: 0, terms: [ref('assign'), v('var', '$3'), v('number', 1)] }] }),
    );
  });

  it('a parse error is a builtin error: undefined, or the error under strict builtin errors (OPA’s regoparsemodule/error case)', () => {
    const p = policy('package t\nm := rego.parse_module("x.rego", "package foo.")\n');
    expect(p.evalRef(['t', 'm'])).toBeUndefined();
    let err: unknown;
    try {
      p.evalRef(['t', 'm'], { strictBuiltinErrors: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EvalError);
    expect((err as EvalError).diagnostic.code).toBe('eval_builtin_error');
    expect((err as EvalError).diagnostic.message).toMatch(/^rego\.parse_module: .*x\.rego:1: rego_parse_error: unexpected eof token: expected ident$/);
  });
});
