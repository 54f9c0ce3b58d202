import { describe, it } from 'vitest';
import { expectRows, expectErrors, set } from './helpers.ts';

describe('arithmetic', () => {
  it('computes exact decimals like OPA', () => {
    expectRows([
      ['plus', [0.1, 0.2], 0.3],
      ['plus', [1, 2], 3],
      ['minus', [0.3, 0.1], 0.2],
      ['mul', [0.1, 3], 0.3],
      ['mul', [1.1, 1.1], 1.21],
      ['div', [10, 4], 2.5],
      ['div', [1, 3], 1 / 3],
      ['div', [6, 3], 2],
      ['rem', [7, 3], 1],
      ['rem', [-7, 3], -1],
      ['rem', [4.0, 2], 0],
      ['abs', [-1.5], 1.5],
      ['round', [1.5], 2],
      ['round', [-1.5], -2],
      ['round', [2.4], 2],
      ['ceil', [1.01], 2],
      ['ceil', [-1.5], -1],
      ['floor', [-1.5], -2],
      ['floor', [1.999], 1],
    ]);
  });
  it('keeps big integers exact', () => {
    expectRows([
      ['plus', [9007199254740991, 2], 9007199254740993n],
      ['mul', [4294967296, 4294967296], 18446744073709551616n],
      ['minus', [18446744073709551616n, 1], 18446744073709551615n],
      ['rem', [18446744073709551617n, 10], 7],
      ['div', [18446744073709551616n, 2], 9223372036854775808n],
    ]);
  });
  it('numbers.range and range_step', () => {
    expectRows([
      ['numbers.range', [1, 4], [1, 2, 3, 4]],
      ['numbers.range', [2, -1], [2, 1, 0, -1]],
      ['numbers.range', [0, 0], [0]],
      ['numbers.range_step', [0, 10, 3], [0, 3, 6, 9]],
      ['numbers.range_step', [10, 0, 5], [10, 5, 0]],
    ]);
  });
  it('fails like OPA', () => {
    expectErrors([
      ['div', [1, 0], 'eval_builtin_error', 'div: divide by zero'],
      ['rem', [1, 0], 'eval_builtin_error', 'rem: modulo by zero'],
      ['rem', [1.5, 1], 'eval_builtin_error', 'rem: modulo on floating-point number'],
      ['plus', ['1', 1], 'eval_type_error', 'plus: operand 1 must be number but got string'],
      ['mul', [1, null], 'eval_type_error', 'mul: operand 2 must be number but got null'],
      ['minus', ['a', 1], 'eval_type_error', 'minus: operand 1 must be one of {number, set} but got string'],
      ['minus', [1, set()], 'eval_type_error', 'minus: operand 2 must be number but got set'],
      ['minus', [set(), 1], 'eval_type_error', 'minus: operand 2 must be set but got number'],
      ['numbers.range', [1.5, 2], 'eval_type_error', 'numbers.range: operand 1 must be integer number but got floating-point number'],
      ['numbers.range_step', [1, 2, 0], 'eval_builtin_error', 'numbers.range_step: step must be a positive integer'],
    ]);
  });
});
