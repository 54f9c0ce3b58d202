/** Parse and compile errors: OPA's codes, file:line:col, and messages. */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../runner/rego/api.ts';

function errs(text: string, file = 'p.rego') {
  const r = prepare([{ file, text }]);
  if (r.ok) throw new Error('expected errors');
  return r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`);
}

describe('parse errors', () => {
  it('names the token and its position', () => {
    expect(errs('package x\n\np := [1, 2\n')).toEqual(['p.rego:4:1: rego_parse_error: unexpected eof token: expected ]']);
  });
  it('requires `if` before a rule body (Rego v1)', () => {
    expect(errs('package x\np { true }\n')[0]).toMatch(/^p\.rego:2:3: rego_parse_error: `if` keyword is required/);
  });
  it('rejects a missing package', () => {
    expect(errs('p := 1\n')[0]).toMatch(/^p\.rego:1:1: rego_parse_error: .*expected package/);
  });
  it('rejects malformed METADATA YAML at the comment', () => {
    expect(errs('package x\n# METADATA\n# title: [unclosed\np := 1\n')[0]).toMatch(/^p\.rego:2:1: rego_parse_error: yaml:/);
  });
});

describe('compile errors', () => {
  it('unsafe vars, at the expression', () => {
    expect(errs('package x\np if {\n  x := y + 1\n}\n')).toEqual(['p.rego:3:3: rego_unsafe_var_error: var y is unsafe']);
  });
  it('unsafe head vars', () => {
    expect(errs('package x\np contains z if { input.a }\n')).toEqual(['p.rego:2:1: rego_unsafe_var_error: var z is unsafe']);
  });
  it('recursion', () => {
    expect(errs('package x\np if q\nq if p\n')[0]).toBe('p.rego:2:1: rego_recursion_error: rule data.x.p is recursive: data.x.p -> data.x.q -> data.x.p');
  });
  it('undefined functions and bad arity are type errors', () => {
    expect(errs('package x\np := nope(1)\n')).toEqual(['p.rego:2:6: rego_type_error: undefined function nope']);
    expect(errs('package x\np := count(1, 2, 3)\n')[0]).toBe('p.rego:2:6: rego_type_error: count: arity mismatch');
  });
  it('literal operand types are checked against the declaration table', () => {
    expect(errs('package x\np := count(1)\n')[0]).toBe('p.rego:2:6: rego_type_error: count: invalid argument(s)\n\toperand 1 must be one of {array, object, set, string} but got number');
  });
  it('re-assignment of a local', () => {
    expect(errs('package x\np if {\n  x := 1\n  x := 2\n}\n')).toEqual(['p.rego:4:3: rego_compile_error: var x assigned above']);
  });
  it('conflicting rule kinds and multiple defaults', () => {
    expect(errs('package x\np := 1\np contains 2\n')[0]).toMatch(/rego_type_error: conflicting rules data\.x\.p found/);
    expect(errs('package x\ndefault p := 1\ndefault p := 2\n')[0]).toBe('p.rego:2:1: rego_type_error: multiple default rules data.x.p found at p.rego:2, p.rego:3');
  });
});
