import { describe, expect, it } from 'vitest';
import { call, expectErrors } from './helpers.ts';

// The glob-intersection library's own test tables (non_empty_test.go), which OPA's answers come from.
const NON_EMPTY: Record<string, string[]> = {
  abcd: ['abcd', '....', '[a-d]*'],
  pqrs: ['.qrs', 'p.rs', 'pq.s', 'pqr.'],
  '.*': ['asdklfj', 'jasdfh', 'asdhfajfh', 'asdflkasdfjl'],
  'd*': ['[abcd][abcd]', 'd[a-z]+', '.....', '[d]*'],
  '[a-p]+': ['[p-z]+', 'apapapaapapapap', '.*', 'abcdefgh*'],
  'abcd[a-c]z+': ['abcd[b-d][yz]*', 'abcdazzzz', 'abcdbzzz', 'abcdcz'],
  '.*\\\\': ['.*', 'asdfasdf\\\\'],
  '.a.a': ['b.b.', 'c.c.', 'd.d.', 'e.e.'],
  '.*.*.*.*.*.*.*.*.*.*.*.*.*.*.*': ['.*.*.*.*.*.*.*.*.*.*.*'],
  'foo.*bar': ['foobar', 'fooalkdsjfbar'],
  '[ab]+c': ['[bc]+', '[bc]*'],
};
const EMPTY: Record<string, string[]> = {
  abcd: ['lsdfhda', 'abcdla', 'asdlfk', 'ksdfj'],
  '[a-d]+': ['xyz', 'p+', '[e-f]+'],
  '[0-9]*': ['[a-z]', '.\\*'],
  'mamama.*': ['dadada.*', 'nanana.*'],
  '.*mamama': ['.*dadada', '.*nanana'],
  '.xyz.': ['paaap', '.*pqr.*'],
  'ab+': ['a', 'b', 'abc'],
  '.*.*.*.*f': ['.*.*.*.*g'],
  '.*': [''],
};

describe('regex.globs_match', () => {
  it('intersecting globs', () => {
    for (const [lhs, rhss] of Object.entries(NON_EMPTY)) for (const rhs of rhss) expect(call('regex.globs_match', [lhs, rhs]), `${lhs} ~ ${rhs}`).toBe(true);
  });
  it('disjoint globs', () => {
    for (const [lhs, rhss] of Object.entries(EMPTY)) for (const rhs of rhss) expect(call('regex.globs_match', [lhs, rhs]), `${lhs} ~ ${rhs}`).toBe(false);
  });
  it("OPA's documented examples", () => {
    expect(call('regex.globs_match', ['a.a.[0-9]+z', '.b.b2359825792*594823z'])).toBe(true);
    expect(call('regex.globs_match', ['[a-z]+', '[0-9]*'])).toBe(false);
  });
  it('invalid globs are builtin errors with the library texts', () => {
    expectErrors([
      ['regex.globs_match', ['[ab', 'a'], 'eval_builtin_error', 'regex.globs_match: input:[ab, pos:3, found [ without matching ]: the input provided is invalid'],
      ['regex.globs_match', ['a', '*a'], 'eval_builtin_error', "regex.globs_match: input:*a, pos:1, flag '*' must be preceded by a non-flag: the input provided is invalid"],
      ['regex.globs_match', ['a]', 'a'], 'eval_builtin_error', "regex.globs_match: input:a], pos:2, set-close ']' with no preceding '[': the input provided is invalid"],
      ['regex.globs_match', ['[z-a]', 'a'], 'eval_builtin_error', "regex.globs_match: input:[z-a], pos:4, range is out of order: 'a' comes before 'z' in Unicode: the input provided is invalid"],
      ['regex.globs_match', ['a\\', 'a'], 'eval_builtin_error', 'regex.globs_match: input:a\\, pos:1, input ends with a \\ (escape) character: the input provided is invalid'],
      ['regex.globs_match', [1, 'a'], 'eval_type_error', 'regex.globs_match: operand 1 must be string but got number'],
    ]);
  });
});
