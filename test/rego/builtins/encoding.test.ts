import { describe, expect, it } from 'vitest';
import { call, expectRows, expectErrors, set, obj } from './helpers.ts';

describe('json', () => {
  it('marshal like Go encoding/json', () => {
    expectRows([
      ['json.marshal', [{ b: [1, 2.5, null], a: set('y', 'x') }], '{"a":["x","y"],"b":[1,2.5,null]}'],
      ['json.marshal', ['<a&b>'], '"\\u003ca\\u0026b\\u003e"'],
      ['json.marshal', [12345678901234567890123n], '12345678901234567890123'],
      ['json.marshal', [obj([[1, 'x']])], '{"1":"x"}'],
      ['json.marshal_with_options', [{ a: [1] }, { pretty: true }], '{\n\t"a": [\n\t\t1\n\t]\n}'],
      ['json.marshal_with_options', [{ a: 1 }, { indent: '  ', prefix: '>' }], '{\n>  "a": 1\n>}'],
      ['json.marshal_with_options', [{ a: 1 }, {}], '{"a":1}'],
    ]);
  });
  it('unmarshal keeps big integers exact', () => {
    expectRows([
      ['json.unmarshal', ['{"a": [1, 2.5, "x", null, true]}'], { a: [1, 2.5, 'x', null, true] }],
      ['json.unmarshal', ['123456789012345678901234567890'], 123456789012345678901234567890n],
      ['json.is_valid', ['{"a": 1}'], true],
      ['json.is_valid', ['{'], false],
      ['json.is_valid', [1], false],
    ]);
    const err = (() => {
      try {
        call('json.unmarshal', ['{']);
      } catch (e) {
        return e as { code: string; message: string };
      }
    })();
    expect(err?.code).toBe('eval_builtin_error');
    expect(err?.message.startsWith('json.unmarshal: ')).toBe(true);
  });
  it('filter, remove, patch', () => {
    expectRows([
      ['json.filter', [{ a: { b: 1, c: 2 }, d: 3 }, ['a/b', 'd']], { a: { b: 1 }, d: 3 }],
      ['json.filter', [{ a: [{ x: 1 }, { x: 2 }] }, [['a', 1]]], { a: [{ x: 2 }] }],
      ['json.filter', [{ a: 1, b: 2 }, set('b')], { b: 2 }],
      ['json.remove', [{ a: { b: 1, c: 2 }, d: 3 }, ['a/b', 'd']], { a: { c: 2 } }],
      ['json.remove', [{ a: [1, 2, 3] }, ['a/1']], { a: [1, 3] }],
      ['json.remove', [{ 'a/b': 1, c: 2 }, ['a~1b']], { c: 2 }],
      ['json.patch', [{ a: 1 }, [{ op: 'add', path: '/b', value: 2 }]], { a: 1, b: 2 }],
      ['json.patch', [{ a: [1, 3] }, [{ op: 'add', path: '/a/1', value: 2 }]], { a: [1, 2, 3] }],
      ['json.patch', [{ a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }]], { a: [1, 2] }],
      ['json.patch', [{ a: 1, b: 2 }, [{ op: 'remove', path: '/a' }]], { b: 2 }],
      ['json.patch', [{ a: 1 }, [{ op: 'replace', path: '/a', value: 9 }]], { a: 9 }],
      ['json.patch', [{ a: { x: 1 } }, [{ op: 'move', from: '/a/x', path: '/b' }]], { a: {}, b: 1 }],
      ['json.patch', [{ a: 1 }, [{ op: 'copy', from: '/a', path: '/b' }]], { a: 1, b: 1 }],
      ['json.patch', [{ a: 1 }, [{ op: 'test', path: '/a', value: 1 }]], { a: 1 }],
      ['json.patch', [{ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]], undefined],
      ['json.patch', [{ q: { bar: 2 } }, [{ op: 'add', path: '/a/b', value: 1 }]], undefined],
      ['json.patch', [{ a: 1 }, [{ op: 'add', path: ['b'], value: 2 }]], { a: 1, b: 2 }],
      ['json.patch', [{ a: 1 }, [{ op: 'replace', path: '', value: 'x' }]], 'x'],
      // OPA's parsePath strips leading slashes: `b`, `/b` and `//b` are all key b; `/` alone is the key "".
      ['json.patch', [{ a: 1 }, [{ op: 'add', path: 'b', value: 2 }]], { a: 1, b: 2 }],
      ['json.patch', [{ a: 1 }, [{ op: 'add', path: '//b', value: 2 }]], { a: 1, b: 2 }],
      ['json.patch', [{ a: { x: 1 } }, [{ op: 'move', from: 'a/x', path: 'y' }]], { a: {}, y: 1 }],
      ['json.patch', [{ a: 1 }, [{ op: 'add', path: '/', value: 2 }]], obj([['', 2], ['a', 1]])],
      ['json.patch', [{ a: [1, 3] }, [{ op: 'add', path: 'a/1', value: 2 }]], { a: [1, 2, 3] }],
      ['json.filter', [{ a: { '': 1, b: 2 } }, ['a/']], { a: { '': 1 } }],
    ]);
  });
});

describe('yaml', () => {
  it('unmarshal, marshal, is_valid', () => {
    expectRows([
      ['yaml.unmarshal', ['a: 1\nb: [x, true]\n'], { a: 1, b: ['x', true] }],
      ['yaml.unmarshal', ['num: 123456789012345678901234567890'], { num: 123456789012345678901234567890n }],
      // YAML 1.1 scalars, as Go's yaml.v2 under OPA: y/n/on/off are booleans.
      ['yaml.unmarshal', ['a: on\nb: n'], { a: true, b: false }],
      ['yaml.marshal', [{ b: [1, 2], a: 'x' }], 'a: x\nb:\n- 1\n- 2\n'],
      ['yaml.is_valid', ['foo:\n  - qux: bar\n  - baz: 2'], true],
      ['yaml.is_valid', ['foo:\n  - baz: {'], false],
      ['yaml.is_valid', ['a: 1\n---\n\tb: 2\n'], false],
      ['yaml.is_valid', ['a: 1\n---\nb: 2\n'], true],
      ['yaml.is_valid', [1], false],
    ]);
  });
});

describe('base64, hex, urlquery', () => {
  it('encode and decode', () => {
    expectRows([
      ['base64.encode', ['there'], 'dGhlcmU='],
      ['base64.decode', ['dGhlcmU='], 'there'],
      ['base64.is_valid', ['dGhlcmU='], true],
      ['base64.is_valid', ['dGhlcmU'], false],
      ['base64url.encode', ['\u00ff\u00fe'], 'w7_Dvg=='],
      ['base64url.encode_no_pad', ['\u00ff\u00fe'], 'w7_Dvg'],
      ['base64url.decode', ['w7_Dvg'], '\u00ff\u00fe'],
      ['base64url.decode', ['w7_Dvg=='], '\u00ff\u00fe'],
      ['hex.encode', ['hi'], '6869'],
      ['hex.decode', ['6869'], 'hi'],
      ['urlquery.encode', ['a=b+1'], 'a%3Db%2B1'],
      ['urlquery.encode', ['a b/ü'], 'a+b%2F%C3%BC'],
      ['urlquery.decode', ['a%3Db%2B1+x'], 'a=b+1 x'],
      ['urlquery.encode_object', [{ b: 'x y', a: ['1', '2'], c: set('z') }], 'a=1&a=2&b=x+y&c=z'],
      ['urlquery.decode_object', ['a=1&a=2&b=x+y&c'], { a: ['1', '2'], b: ['x y'], c: [''] }],
    ]);
    expectErrors([
      ['base64.decode', ['***'], 'eval_builtin_error', 'base64.decode: illegal base64 data at input byte 0'],
      ['hex.decode', ['zz'], 'eval_builtin_error', "hex.decode: encoding/hex: invalid byte: U+007A 'z'"],
      ['hex.decode', ['abc'], 'eval_builtin_error', 'hex.decode: encoding/hex: odd length hex string'],
      ['urlquery.decode', ['%zz'], 'eval_builtin_error', 'urlquery.decode: invalid URL escape "%zz"'],
    ]);
  });
});
