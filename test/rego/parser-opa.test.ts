/**
 * Syntax OPA 1.x accepts that the parser once refused: imports after rules,
 * comments right after a METADATA block, and `k, v in xs` wherever OPA's
 * grammar reads a whole infix term (ast/parser.go parseTermInfixCall).
 */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../runner/rego/api.ts';
import { parseModule } from '../../runner/rego/ast/parser.ts';

function evalPkg(text: string, path = ['t']): unknown {
  const r = prepare([{ file: 't.rego', text }]);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`).join('\n'));
  return r.value.evalRef(path);
}

function errs(text: string): string[] {
  const r = prepare([{ file: 't.rego', text }]);
  if (r.ok) throw new Error('expected errors');
  return r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`);
}

describe('imports anywhere after the package (OPA reads statements in any order)', () => {
  it('an import after rules is in force for the whole module', () => {
    const text = 'package t\n\np := lib.x\n\nimport data.lib\n\nq := lib.x + 1\n';
    const r = prepare([{ file: 't.rego', text }, { file: 'lib.rego', text: 'package lib\nx := 41\n' }]);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.value.evalRef(['t'])).toEqual({ p: 41, q: 42 });
  });
  it('a second package statement is still an error', () => {
    expect(errs('package t\np := 1\npackage u\n')[0]).toMatch(/^t\.rego:3:1: rego_parse_error: unexpected package keyword/);
  });
  it('statements need no line break between them (a YAML plain scalar folds a module onto one line)', () => {
    expect(evalPkg('package t p := 1 q := 2 r if { p < q } import data.x')).toEqual({ p: 1, q: 2, r: true });
    expect(evalPkg('package t\nimport rego.v1 p := 1\n')).toEqual({ p: 1 });
  });
});

describe('a bare name is no rule (OPA: "var cannot be used for rule name")', () => {
  it('alone on a line, or after an import on the same line', () => {
    expect(errs('package foo.bar\nillegal')).toEqual(['t.rego:2:1: rego_parse_error: var cannot be used for rule name']);
    expect(errs('package t\nimport data.x y\n')).toEqual(['t.rego:2:15: rego_parse_error: var cannot be used for rule name']);
  });
  it('v1 text read as v0: `l2 contains v if {` starts with the bare name l2 (OPA\'s own v0-compatible case)', () => {
    const text = 'package test\n\nl1 := {1, 3, 5}\nl2 contains v if {\n\tv := l1[_]\n}\n';
    const r = prepare([{ file: 'test.rego', text, regoVersion: 0 }]);
    expect(r.ok ? [] : r.diagnostics.map((d) => `${d.file}:${d.line}: ${d.code}: ${d.message}`)).toEqual(['test.rego:4: rego_parse_error: var cannot be used for rule name']);
  });
  it('a name with a value, a key, arguments or a body is a rule as before', () => {
    expect(evalPkg('package t\nallow := true\np contains 1\nf(x)\nq if { f(1) }\n')).toEqual({ allow: true, p: [1], q: true });
  });
});

describe('METADATA blocks end where OPA ends them', () => {
  it('a trailing comment on the rule line is not part of the block', () => {
    const text = 'package t\n\n# METADATA\n# title: Q\n# custom:\n#   id: X1\nq := 1 # the rule; not YAML\n';
    const r = prepare([{ file: 't.rego', text }]);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const a = r.value.annotations();
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ scope: 'rule', rule: 'q', title: 'Q', custom: { id: 'X1' }, line: 3 });
  });
  it('an indented comment line ends the block (only column-1 comments continue it)', () => {
    const m = parseModule('t.rego', 'package t\n# METADATA\n# title: T\n  # description: not part of it\np := 1\n');
    expect(m.rules[0]!.annotations[0]!.data).toEqual({ scope: 'rule', title: 'T' });
  });
  it('a METADATA comment that is not in column 1 starts no block', () => {
    const m = parseModule('t.rego', 'package t\n  # METADATA\n# title: T\np := 1\n');
    expect(m.rules[0]!.annotations).toEqual([]);
  });
  it('a blank line between block and rule keeps the attachment; a comment after the blank line is not YAML', () => {
    const m = parseModule('t.rego', 'package t\n# METADATA\n# title: T\n\n# just a note: [not yaml\np := 1\n');
    expect(m.rules[0]!.annotations[0]!.data).toEqual({ scope: 'rule', title: 'T' });
  });
  it('scope defaults from the statement below, and a scope that does not fit is an error', () => {
    const m = parseModule('t.rego', '# METADATA\n# title: P\npackage t\n# METADATA\n# entrypoint: true\np := 1\n');
    expect(m.annotations[0]!.data).toEqual({ scope: 'package', title: 'P' });
    expect(m.rules[0]!.annotations[0]!.data).toEqual({ scope: 'document', entrypoint: true });
    expect(errs('package t\n# METADATA\n# scope: package\np := 1\n')).toEqual([
      "t.rego:2:1: rego_parse_error: annotation scope 'package' must be applied to package (have rule)",
    ]);
    expect(errs('package t\n# METADATA\n# scope: everything\np := 1\n')[0]).toBe(
      "t.rego:2:1: rego_parse_error: invalid annotation scope 'everything'. Use one of 'rule', 'document', 'package', or 'subpackages'",
    );
  });
  it('an empty block is an error, as in OPA', () => {
    expect(errs('package t\n# METADATA\np := 1\n')).toEqual(['t.rego:2:1: rego_parse_error: expected METADATA block, found whitespace']);
  });
});

describe('k, v in xs where OPA parses a whole infix term', () => {
  const obj = '{"a": 1, "b": 2}';
  it('as a parenthesised term', () => {
    expect(evalPkg(`package t\np := (k, v in ${obj}) if { k := "a"; v := 1 }\nq := x if { x := ("a", 2 in ${obj}) }\n`)).toEqual({ p: true, q: false });
  });
  it('as an operand of another in (left, and parenthesised on the right)', () => {
    expect(evalPkg(`package t\np := "a", 1 in ${obj} in {true}\nq := true in [("b", 2 in ${obj}), 7]\nr := false in {("b", 3 in ${obj})}\n`)).toEqual({ p: true, q: true, r: true });
  });
  it('as the value of := / = and of a rule head, and in `with … as`', () => {
    const text = `package t\nf := "a", 1 in ${obj}\ng if { x := "b", 2 in ${obj}; x }\nh if { y = "b", 9 in ${obj}; y == false }\nm := input.v if true\nw if { m with input.v as "a", 1 in ${obj} }\n`;
    expect(evalPkg(text)).toMatchObject({ f: true, g: true, h: true, w: true });
  });
  it('negated and as a body expression', () => {
    expect(evalPkg(`package t\np if { not "a", 2 in ${obj} }\nq if { "b", 2 in ${obj} }\n`)).toEqual({ p: true, q: true });
  });
  it('in collections and call arguments the comma separates items, as in OPA', () => {
    // [k, v in xs] is the array [k, (v in xs)]; f(k, v in xs) has two arguments.
    expect(evalPkg(`package t\na := ["k", 1 in [1]]\nb := count(["k", 2 in [1]])\nc := {"k", 1 in [1]}\n`)).toEqual({ a: ['k', true], b: 2, c: [true, 'k'] });
  });
  it('some k, v in and every k, v in', () => {
    expect(evalPkg(`package t\np contains [k, v] if { some k, v in ${obj} }\nq if { every k, v in ${obj} { is_string(k); v > 0 } }\n`)).toEqual({
      p: [['a', 1], ['b', 2]],
      q: true,
    });
  });
});

describe('collections', () => {
  it('a leading comma is accepted (OPA keeps it for backwards compatibility), and then | is a union, not a comprehension', () => {
    expect(evalPkg('package t\na := [, 1, 2]\nb := {, "k": 1}\nc := {, {1} | {2}}\nd := [x | x := [1][_]]\n')).toEqual({ a: [1, 2], b: { k: 1 }, c: [[1, 2]], d: [1] });
  });
});

describe('some / every as OPA parses them', () => {
  it('some and every cannot be negated', () => {
    expect(errs('package t\np if { not some a in [1] }\n')).toEqual(["t.rego:2:12: rego_parse_error: unexpected some keyword: illegal negation of 'some'"]);
    expect(errs('package t\np if { not every a in [1] { a } }\n')).toEqual(["t.rego:2:12: rego_parse_error: unexpected every keyword: illegal negation of 'every'"]);
  });
  it('every binds variables and needs a body', () => {
    expect(errs('package t\np if { every [a] in [[1]] { a } }\n')).toEqual(['t.rego:2:27: rego_parse_error: unexpected { token: expected value to be a variable']);
    expect(errs('package t\np if { every 1, a in [[1]] { a } }\n')).toEqual(['t.rego:2:28: rego_parse_error: unexpected { token: expected key to be a variable']);
    expect(errs('package t\np if { every a in [1] }\n')).toEqual(['t.rego:2:23: rego_parse_error: unexpected } token: missing body']);
  });
  it('some x in takes patterns (unlike every)', () => {
    expect(evalPkg('package t\np contains a if { some [a, 2] in [[1, 2], [3, 4]] }\n')).toEqual({ p: [1] });
  });
});

describe('future.keywords and rego.v1 imports (OPA futureImport / regoV1Import)', () => {
  const cases: Array<[string, string]> = [
    ['future', 'invalid import, must be `future.keywords`'],
    ['future.x', 'invalid import, must be `future.keywords`'],
    ['future.keywords.foo', 'unexpected keyword, must be one of [contains every if in not]'],
    ['future.keywords as k', '`future` imports cannot be aliased'],
    ['rego.v2', 'invalid import `rego.v2`, must be `rego.v1`'],
  ];
  for (const [imp, message] of cases) {
    it(`import ${imp}`, () => {
      expect(errs(`package t\nimport ${imp}\np := 1\n`)).toEqual([`t.rego:2:8: rego_parse_error: ${message}`]);
    });
  }
  it('import rego.v1 as x is accepted in v1 (a no-op there) but not in v0', () => {
    expect(evalPkg('package t\nimport rego.v1 as x\np := 1\n')).toEqual({ p: 1 });
    const r = prepare([{ file: 't.rego', text: 'package t\nimport rego.v1 as x\np := 1\n', regoVersion: 0 }]);
    expect(r.ok ? [] : r.diagnostics.map((d) => d.message)).toEqual(['`rego` imports cannot be aliased']);
  });
});

describe('queries', () => {
  it('expressions on one line need no separator (OPA parses a query statement by statement)', () => {
    const r = prepare([{ file: 't.rego', text: 'package t\n' }]);
    if (!r.ok) throw new Error('compiles');
    expect(r.value.query('x := 1 y := x + 1')).toEqual({ ok: true, rows: [{ x: 1, y: 2 }] });
    expect(r.value.query('x := 1; y := x + 1')).toEqual({ ok: true, rows: [{ x: 1, y: 2 }] });
    const bad = r.value.query('x := 1 ]');
    expect(bad.ok ? undefined : `${bad.error.line}:${bad.error.col}: ${bad.error.message}`).toBe('1:8: unexpected ] token');
  });
});
