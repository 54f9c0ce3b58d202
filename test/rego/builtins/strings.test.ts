import { describe, it } from 'vitest';
import { expectRows, expectErrors, set } from './helpers.ts';

describe('strings', () => {
  it('basic functions', () => {
    expectRows([
      ['concat', [', ', ['a', 'b']], 'a, b'],
      ['concat', ['-', set('b', 'a')], 'a-b'],
      ['concat', ['-', []], ''],
      ['contains', ['abc', 'b'], true],
      ['startswith', ['abc', 'ab'], true],
      ['endswith', ['abc', 'bc'], true],
      ['lower', ['AbC'], 'abc'],
      ['upper', ['abc'], 'ABC'],
      ['split', ['a.b.c', '.'], ['a', 'b', 'c']],
      ['split', ['abc', ''], ['a', 'b', 'c']],
      ['split', ['abc', 'x'], ['abc']],
      ['replace', ['aaa', 'a', 'b'], 'bbb'],
      ['replace', ['ab', '', '-'], '-a-b-'],
      ['replace', ['', '', '-'], '-'], // Go: an empty old matches k+1 times in k runes, once in ""
      ['strings.replace_n', [{ '': 'X' }, ''], 'X'],
      ['strings.replace_n', [{ '': 'X' }, 'ab'], 'XaXbX'],
      // Go's generic replacer: the empty key (first in sorted order) wins, but not twice at one position
      ['strings.replace_n', [{ '': 'X', a: 'Y' }, 'ab'], 'XYXbX'],
      ['strings.replace_n', [{ '': '-', é: 'e' }, 'aéb'], '-a-e-b-'],
      ['strings.replace_n', [{ a: '1', aa: '2' }, 'aaa'], '111'],
      ['strings.replace_n', [{ '<': '&lt;', '>': '&gt;' }, '<b>'], '&lt;b&gt;'],
      ['indexof', ['hello', 'l'], 2],
      ['indexof', ['héllo', 'l'], 2],
      ['indexof', ['hello', 'z'], -1],
      ['indexof_n', ['sssss', 'ss'], [0, 1, 2, 3]],
      ['indexof_n', ['日本語日本', '日本'], [0, 3]],
      ['substring', ['abcdef', 1, 3], 'bcd'],
      ['substring', ['abc', 1, -1], 'bc'],
      ['substring', ['abc', 5, 1], ''],
      ['substring', ['日本語', 1, 1], '本'],
      ['trim', ['  xx  ', ' '], 'xx'],
      ['trim', ['abcba', 'ab'], 'c'],
      ['trim_left', ['xxa', 'x'], 'a'],
      ['trim_right', ['axx', 'x'], 'a'],
      ['trim_prefix', ['prefix-x', 'prefix-'], 'x'],
      ['trim_suffix', ['x.rego', '.rego'], 'x'],
      ['trim_space', ['\t a b \n'], 'a b'],
      ['strings.reverse', ['abc😀'], '😀cba'],
      ['strings.count', ['cheese', 'e'], 3],
      ['strings.count', ['five', ''], 5],
      ['format_int', [255, 16], 'ff'],
      ['format_int', [-15.9, 16], '-f'],
      ['format_int', [5, 2], '101'],
      ['format_int', [18446744073709551617n, 10], '18446744073709551617'],
      ['strings.any_prefix_match', ['abc', ['x', 'ab']], true],
      ['strings.any_prefix_match', [['x', 'abc'], set('y')], false],
      ['strings.any_suffix_match', [set('foo.rego'), '.rego'], true],
    ]);
  });
  it('errors read like OPA', () => {
    expectErrors([
      ['concat', [1, []], 'eval_type_error', 'concat: operand 1 must be string but got number'],
      ['concat', ['', 1], 'eval_type_error', 'concat: operand 2 must be one of {set, array} but got number'],
      ['concat', ['', ['a', 1]], 'eval_type_error', 'concat: operand 2 must be array of strings but got array containing number'],
      ['substring', ['abc', -1, 1], 'eval_builtin_error', 'substring: negative offset'],
      ['indexof', ['abc', ''], 'eval_builtin_error', 'indexof: empty search character'],
      ['format_int', [1, 3], 'eval_type_error', 'format_int: operand 2 must be one of {2, 8, 10, 16}'],
      ['strings.any_prefix_match', [1, 'a'], 'eval_type_error', 'strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number'],
      ['strings.any_suffix_match', ['a', [1]], 'eval_type_error', 'strings.any_suffix_match: operand 2 must be array of strings but got array containing number'],
      ['strings.reverse', [{}], 'eval_type_error', 'strings.reverse: operand 1 must be string but got object'],
      ['strings.replace_n', [{ a: 1 }, 'a'], 'eval_type_error', 'strings.replace_n: operand 1 non-string value found in pattern object'],
    ]);
  });
  it('sprintf follows Go fmt', () => {
    expectRows([
      ['sprintf', ['%s-%d', ['a', 5]], 'a-5'],
      ['sprintf', ['%v %v %v', [1, 'x', true]], '1 x true'],
      ['sprintf', ['%v', [[1, 'a', set(2)]]], '[1, "a", {2}]'],
      ['sprintf', ['%v', [{ b: 1, a: set() }]], '{"a": set(), "b": 1}'],
      ['sprintf', ['%.2f', [3.14159]], '3.14'],
      ['sprintf', ['%f', [1.5]], '1.500000'],
      ['sprintf', ['%5d|%-5d|%05d', [42, 42, 42]], '   42|42   |00042'],
      ['sprintf', ['%x %X %o %b', [255, 255, 8, 5]], 'ff FF 10 101'],
      ['sprintf', ['%q', ['a"b']], '"a\\"b"'],
      ['sprintf', ['%e', [123456.789]], '1.234568e+05'],
      ['sprintf', ['%v', [1e21]], '1e+21'],
      ['sprintf', ['%v', [0.000001]], '1e-06'],
      ['sprintf', ['%v', [2.5]], '2.5'],
      ['sprintf', ['%g', [100000.5]], '100000.5'],
      ['sprintf', ['%s', [123456789123456789123n]], '123456789123456789123'],
      ['sprintf', ['%s', [1208925819614629174706175n]], '1208925819614629174706175'],
      ['sprintf', ['%d', ['x']], '%!d(string=x)'],
      ['sprintf', ['%s', [1]], '%!s(int64=1)'],
      ['sprintf', ['%d %d', [1]], '1 %!d(MISSING)'],
      ['sprintf', ['%d', [1, 2]], '1%!(EXTRA int64=2)'],
      ['sprintf', ['100%%', []], '100%'],
      ['sprintf', ['%.3s', ['abcdef']], 'abc'],
      ['sprintf', ['%+d', [5]], '+5'],
    ]);
  });
});
