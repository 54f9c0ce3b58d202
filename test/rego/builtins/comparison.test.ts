import { describe, expect, it } from 'vitest';
import { BUILTINS, lookupBuiltin } from '../../../runner/rego/builtins/registry.ts';
import { INFIX } from '../../../runner/rego/ast/operators.ts';
import { expectRows, expectErrors, set } from './helpers.ts';

describe('registry', () => {
  it('maps every infix operator to its builtin', () => {
    expect(Object.fromEntries(INFIX)).toEqual({
      '==': 'equal',
      '!=': 'neq',
      '<': 'lt',
      '<=': 'lte',
      '>': 'gt',
      '>=': 'gte',
      '+': 'plus',
      '-': 'minus',
      '*': 'mul',
      '/': 'div',
      '%': 'rem',
      '&': 'and',
      '|': 'or',
    });
    // The parser rewrites each operator to a call: every one must name a declared builtin.
    for (const name of INFIX.values()) expect(lookupBuiltin(name)?.name).toBe(name);
  });
  it('declares every builtin once with a signature', () => {
    for (const [name, d] of BUILTINS) {
      expect(d.name).toBe(name);
      expect(Array.isArray(d.args)).toBe(true);
      expect(typeof d.impl).toBe('function');
    }
    expect(lookupBuiltin('no.such.builtin')).toBeUndefined();
    expect(BUILTINS.size).toBeGreaterThan(140);
  });
});

describe('comparison', () => {
  it('uses OPA total order across types', () => {
    expectRows([
      ['equal', [1, 1.0], true],
      ['equal', [1, '1'], false],
      ['equal', [set(1, 2), set(2, 1)], true],
      ['equal', [{ a: [1] }, { a: [1] }], true],
      ['neq', [null, false], true],
      ['lt', [null, false], true],
      ['lt', [false, 0], true],
      ['lt', [0, ''], true],
      ['lt', ['', []], true],
      ['lt', [[], {}], true],
      ['lt', [{}, set()], true],
      ['lt', ['a', 'b'], true],
      ['lt', [[1, 2], [1, 3]], true],
      ['lt', [[1, 2], [1, 2, 0]], true],
      ['lte', [2, 2], true],
      ['gt', [9007199254740993n, 9007199254740992], true],
      ['gte', [1.5, 2], false],
    ]);
  });
  it('in operator: member_2 / member_3', () => {
    expectRows([
      ['internal.member_2', [2, [1, 2]], true],
      ['internal.member_2', [2, set(1, 3)], false],
      ['internal.member_2', ['v', { k: 'v' }], true],
      ['internal.member_2', ['k', { k: 'v' }], false],
      ['internal.member_2', ['a', 'abc'], false],
      ['internal.member_3', [1, 'b', ['a', 'b']], true],
      ['internal.member_3', [0, 'b', ['a', 'b']], false],
      ['internal.member_3', ['k', 'v', { k: 'v' }], true],
      ['internal.member_3', ['k', 'w', { k: 'v' }], false],
    ]);
  });
  it('set operators', () => {
    expectRows([
      ['and', [set(1, 2, 3), set(2, 3, 4)], set(2, 3)],
      ['or', [set(1), set(2)], set(1, 2)],
      ['minus', [set(1, 2, 3), set(2)], set(1, 3)],
      ['intersection', [set(set(1, 2), set(2, 3))], set(2)],
      ['union', [set(set(1, 2), set(2, 3))], set(1, 2, 3)],
      ['intersection', [set()], set()],
    ]);
    expectErrors([
      ['and', [set(1), 1], 'eval_type_error', 'and: operand 2 must be set but got number'],
      ['union', [set(1)], 'eval_type_error', 'union: operand 1 must be set of sets but got set containing number'],
    ]);
  });
});
