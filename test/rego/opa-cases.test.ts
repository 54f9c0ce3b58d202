/**
 * Regressions found by running OPA's full conformance case set (v1/test/cases/testdata in the OPA repository)
 * through the engine. Each case is a small inline policy with the answer OPA's own case expects; the case files
 * themselves stay outside the repository (see docs/rego.md, "OPA's full case set").
 */
import { describe, expect, it } from 'vitest';
import { runCase, type ConformanceCase } from '../../runner/rego/conformance/runner.ts';

function expectPass(c: ConformanceCase, regoVersion: 0 | 1 = 1): void {
  const outcome = runCase(c, 'opa-cases.test.ts', regoVersion);
  expect(outcome).toEqual({ status: 'passed', note: c.note, file: 'opa-cases.test.ts' });
}

describe('array.flatten (OPA array/flatten.yaml)', () => {
  it('removes exactly one level of nesting and keeps non-array elements', () => {
    expectPass({
      note: 'array/flatten mixed types',
      query: 'data.test.p = x',
      modules: ['package test\n\np := array.flatten(data.foo)\n'],
      data: { foo: [[1, 2], 'string', [3, { a: 'b' }], 4.5, [6, [7, 8]]] },
      want_result: [{ x: [1, 2, 'string', 3, { a: 'b' }, 4.5, 6, [7, 8]] }],
    });
    expectPass({
      note: 'array/flatten empty array',
      query: 'data.test.p = x',
      modules: ['package test\n\np := array.flatten(data.foo)\n'],
      data: { foo: [] },
      want_result: [{ x: [] }],
    });
  });
  it('rejects a non-array operand with OPA type error text', () => {
    expectPass({
      note: 'array/flatten type error',
      query: 'data.test.p = x',
      modules: ['package test\n\np := array.flatten(data.foo)\n'],
      data: { foo: 42 },
      strict_error: true,
      want_error: 'array.flatten: operand 1 must be array but got number',
      want_error_code: 'eval_type_error',
    });
  });
});

describe('exponent literals keep their exact value (OPA arithmetic/test-arithmetic-edges.yaml)', () => {
  it('1e30 + 1 is exact, as OPA computes on the literal decimal rather than on a float', () => {
    expectPass({
      note: 'arithmetic/exponent form',
      query: 'data.generated.p = x',
      modules: [
        'package generated\n\np := {\n  "exponent_form": sprintf("%v", [1e30 + 1]),\n  "mantissa": sprintf("%v", [1.5e20 + 1]),\n  "trailing_zeros": sprintf("%v", [10.00 + 5]),\n}\n',
      ],
      data: {},
      want_result: [{ x: { exponent_form: '1000000000000000000000000000001', mantissa: '150000000000000000001', trailing_zeros: '15' } }],
    });
  });
});

describe('strings.split_n (OPA strings/test-splitn.yaml)', () => {
  const splitN = (s: string, sep: string, n: number | string): ConformanceCase => ({
    note: `strings/split_n ${s} ${sep} ${n}`,
    query: 'data.test.p = x',
    modules: [`package test\n\np := strings.split_n(${JSON.stringify(s)}, ${JSON.stringify(sep)}, ${n})\n`],
  });
  it('keeps the first n or the last -n parts and drops the rest', () => {
    expectPass({ ...splitN('a.b.c.d', '.', 2), want_result: [{ x: ['a', 'b'] }] });
    expectPass({ ...splitN('a.b.c.d', '.', 10), want_result: [{ x: ['a', 'b', 'c', 'd'] }] });
    expectPass({ ...splitN('a.b.c.d', '.', 0), want_result: [{ x: [] }] });
    expectPass({ ...splitN('a.b.c.d', '.', -2), want_result: [{ x: ['c', 'd'] }] });
    expectPass({ ...splitN('a.b.c.d', '.', -10), want_result: [{ x: ['a', 'b', 'c', 'd'] }] });
    expectPass({ ...splitN('', '.', 2), want_result: [{ x: [''] }] });
    expectPass({ ...splitN('abc', '', -2), want_result: [{ x: ['b', 'c'] }] });
  });
  it('rejects a non-integer count with OPA type error text', () => {
    expectPass({
      ...splitN('a.b.c', '.', '1.5'),
      strict_error: true,
      want_error_code: 'eval_type_error',
      want_error: 'strings.split_n: operand 3 must be integer number but got floating-point number',
    });
  });
});

describe('integer literals beyond float64 range (OPA comparisonexpr/test-comparisonexpr-decimals.yaml)', () => {
  it('1e400 is an exact integer greater than 1e399, not an overflowed float', () => {
    expectPass({
      note: 'comparisonexpr/beyond float64 exponent',
      query: 'data.generated.p = x',
      modules: ['package generated\n\np := [1e400 > 1e399, 1e400 == 1e399, 1e400 > 1e299]\n'],
      data: {},
      want_result: [{ x: [true, false, true] }],
    });
  });
});
