import { describe, it } from 'vitest';
import { expectRows, expectErrors, set, obj } from './helpers.ts';

describe('aggregates', () => {
  it('count, sum, product, max, min, sort, all, any', () => {
    expectRows([
      ['count', ['héllo'], 5],
      ['count', [[1, 2]], 2],
      ['count', [set(1, 2, 3)], 3],
      ['count', [{ a: 1 }], 1],
      ['sum', [[1, 2.5, 0.1]], 3.6],
      ['sum', [set()], 0],
      ['product', [[2, 3, 4]], 24],
      ['max', [[1, 3, 2]], 3],
      ['max', [[]], undefined],
      ['min', [set('b', 'a')], 'a'],
      ['sort', [[3, 'a', null, 1]], [null, 1, 3, 'a']],
      ['sort', [set(3, 1)], [1, 3]],
      ['all', [[true, true]], true],
      ['all', [[true, 1]], false],
      ['any', [set(false, true)], true],
      ['any', [[]], false],
    ]);
    expectErrors([
      ['count', [1], 'eval_type_error', 'count: operand 1 must be one of {array, object, set, string} but got number'],
      ['sum', [[1, 'a']], 'eval_type_error', 'sum: operand 1 must be array of numbers but got array containing string'],
      ['sum', [{}], 'eval_type_error', 'sum: operand 1 must be one of {set, array} but got object'],
      ['max', ['ab'], 'eval_type_error', 'max: operand 1 must be one of {set, array} but got string'],
    ]);
  });
});

describe('arrays', () => {
  it('concat, slice, reverse', () => {
    expectRows([
      ['array.concat', [[1], [2, 3]], [1, 2, 3]],
      ['array.slice', [[1, 2, 3, 4], 1, 3], [2, 3]],
      ['array.slice', [[1, 2, 3], -5, 10], [1, 2, 3]],
      ['array.slice', [[1, 2, 3], 2, 1], []],
      ['array.reverse', [[1, 2, 3]], [3, 2, 1]],
    ]);
    expectErrors([['array.concat', [[1], set()], 'eval_type_error', 'array.concat: operand 2 must be array but got set']]);
  });
});

describe('objects', () => {
  it('object.get with keys and paths', () => {
    expectRows([
      ['object.get', [{ a: 1 }, 'a', 0], 1],
      ['object.get', [{ a: 1 }, 'b', 0], 0],
      ['object.get', [{ a: { b: [10, { c: 'x' }] } }, ['a', 'b', 1, 'c'], 'd'], 'x'],
      ['object.get', [{ a: { b: 1 } }, ['a', 'z'], 'd'], 'd'],
      ['object.get', [{ a: 1 }, [], 'd'], { a: 1 }],
      ['object.get', [{ a: set('x') }, ['a', 'x'], false], 'x'],
    ]);
  });
  it('keys, union, union_n, remove, filter', () => {
    expectRows([
      ['object.keys', [{ a: 1, b: 2 }], set('a', 'b')],
      ['object.union', [{ a: 1, b: { c: 1, d: 2 } }, { b: { c: 3 }, e: 4 }], { a: 1, b: { c: 3, d: 2 }, e: 4 }],
      ['object.union', [{ a: { b: 1 } }, { a: 2 }], { a: 2 }],
      ['object.union_n', [[{ a: { b: 2 } }, { a: 4 }, { a: { c: 3 } }]], { a: { c: 3 } }],
      ['object.union_n', [[]], {}],
      ['object.remove', [{ a: 1, b: 2, c: 3 }, ['a', 'c']], { b: 2 }],
      ['object.remove', [{ a: 1, b: 2 }, set('b')], { a: 1 }],
      ['object.remove', [{ a: 1, b: 2 }, { a: 'x' }], { b: 2 }],
      ['object.filter', [{ a: 1, b: 2, c: 3 }, ['a', 'c', 'z']], { a: 1, c: 3 }],
      ['object.filter', [obj([[1, 'one'], ['1', 'str']]), [1]], obj([[1, 'one']])],
    ]);
    expectErrors([
      ['object.keys', ['a'], 'eval_type_error', 'object.keys: operand 1 must be object but got string'],
      ['object.remove', [{}, 1], 'eval_type_error', 'object.remove: operand 2 must be one of {object, set, array} but got number'],
      ['object.union_n', [[{}, 1]], 'eval_type_error', 'object.union_n: operand 1 must be array of objects but got array containing number'],
    ]);
  });
  it('object.subset', () => {
    expectRows([
      ['object.subset', [{ a: 1, b: { c: 2, d: 3 } }, { b: { c: 2 } }], true],
      ['object.subset', [{ a: 1 }, { a: 2 }], false],
      ['object.subset', [{ a: set(1, 2, 3) }, { a: set(1) }], true],
      ['object.subset', [[1, 2, 3, 4], [2, 3]], true],
      ['object.subset', [[1, 2, 3, 4], [2, 4]], false],
      ['object.subset', [[1, 2, 3], set(3, 1)], true],
      ['object.subset', [set(1, 2), set(2)], true],
    ]);
    expectErrors([
      ['object.subset', [{}, []], 'eval_type_error', 'object.subset: both arguments object.subset must be of the same type or array and set'],
    ]);
  });
});

describe('types and casts', () => {
  it('is_* and type_name', () => {
    expectRows([
      ['is_number', [1], true],
      ['is_number', ['1'], false],
      ['is_string', ['a'], true],
      ['is_boolean', [false], true],
      ['is_array', [set()], false],
      ['is_set', [set()], true],
      ['is_object', [{}], true],
      ['is_null', [null], true],
      ['type_name', [null], 'null'],
      ['type_name', [set()], 'set'],
      ['type_name', [{}], 'object'],
      ['type_name', [[]], 'array'],
      ['type_name', [1.5], 'number'],
    ]);
  });
  it('to_number', () => {
    expectRows([
      ['to_number', [null], 0],
      ['to_number', [true], 1],
      ['to_number', ['-3.5'], -3.5],
      ['to_number', ['1e3'], 1000],
      ['to_number', ['123456789012345678901234567890'], 123456789012345678901234567890n],
      ['to_number', ['0x1p-2'], 0.25],
      ['to_number', [7], 7],
    ]);
    expectErrors([
      ['to_number', ['nan'], 'eval_type_error', 'to_number: operand 1 must be valid number string but got string'],
      ['to_number', ['-Infinity'], 'eval_type_error', 'to_number: operand 1 must be valid number string but got string'],
      ['to_number', ['abc'], 'eval_builtin_error', 'to_number: strconv.ParseFloat: parsing "abc": invalid syntax'],
      ['to_number', [[]], 'eval_type_error', 'to_number: operand 1 must be one of {null, boolean, number, string} but got array'],
    ]);
  });
});
