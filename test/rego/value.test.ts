/**
 * runner/rego/value.ts: lazy input views and list-backed small sets must be
 * indistinguishable from eagerly converted values (same equality, keys,
 * order, JSON form, errors).
 */
import { describe, expect, it } from 'vitest';
import { ConversionError, RObject, RSet, canon, compare, compareStr, equal, fromJS, inputFromJS, keyOf, sortList, toJS, type Value } from '../../runner/rego/value.ts';

const doc = {
  z: 1,
  a: { list: [1, { deep: 'x' }, [true, null]], n: 2.5, big: 12345678901234567890n },
  m: undefined,
  '10': 'int-like key',
  é: 'accent',
};

describe('input views (inputFromJS)', () => {
  it('equal the eager conversion in value, canonical key, order and JSON form', () => {
    const lazy = inputFromJS(doc);
    const eager = fromJS(doc);
    expect(lazy).toBeInstanceOf(RObject);
    expect(equal(lazy, eager)).toBe(true);
    expect(equal(eager, lazy)).toBe(true);
    expect(keyOf(lazy)).toBe(keyOf(eager));
    expect(compare(lazy, eager)).toBe(0);
    expect(toJS(lazy)).toEqual(toJS(eager));
    expect(Object.keys(toJS(inputFromJS(doc)) as object)).toEqual(Object.keys(toJS(eager) as object));
    expect((lazy as RObject).keys()).toEqual((eager as RObject).keys());
  });
  it('read one property at a time: undefined is null, missing and inherited keys are undefined', () => {
    const o = inputFromJS(doc) as RObject;
    expect(o.getStr('m')).toBe(null);
    expect(o.getStr('missing')).toBeUndefined();
    expect(o.getStr('toString')).toBeUndefined();
    expect(o.has('toString')).toBe(false);
    expect(o.get(10)).toBeUndefined(); // a number key is not the string key '10'
    expect(o.getStr('10')).toBe('int-like key');
    const a = o.getStr('a') as RObject;
    expect(o.getStr('a')).toBe(a); // converted once per view
    expect(a.getStr('big')).toBe(12345678901234567890n);
    expect(a.size).toBe(3);
  });
  it('reject values with no Rego form when read (ConversionError), also through toJS', () => {
    const o = inputFromJS({ ok: 1, bad: Number.NaN, fn: () => 1 }) as RObject;
    expect(o.getStr('ok')).toBe(1);
    expect(() => o.getStr('bad')).toThrow(ConversionError);
    expect(() => o.getStr('fn')).toThrow(ConversionError);
    expect(() => toJS(inputFromJS({ x: [Infinity] }))).toThrow(ConversionError);
    expect(() => fromJS({ x: Infinity })).toThrow(ConversionError);
  });
  it('a view becomes an ordinary object when modified', () => {
    const src = { a: 1 };
    const o = inputFromJS(src) as RObject;
    o.set('b', 2);
    expect(toJS(o)).toEqual({ a: 1, b: 2 });
    expect(src).toEqual({ a: 1 });
  });
});

describe('sets', () => {
  it('deduplicate structurally below and above the indexed size', () => {
    for (const n of [3, 30]) {
      const s = new RSet();
      for (let i = 0; i < n; i++) {
        s.add(fromJS({ i, tag: 'x' }));
        s.add(inputFromJS({ tag: 'x', i }));
        s.add(i);
        s.add(BigInt(i));
      }
      expect(s.size).toBe(2 * n);
      expect(s.has(fromJS({ tag: 'x', i: n - 1 }))).toBe(true);
      expect(s.has(fromJS({ tag: 'y', i: 0 }))).toBe(false);
      expect(s.has(1.0)).toBe(true);
    }
  });
  it('compare and print the same whatever the insertion order', () => {
    const xs: Value[] = ['b', 1, fromJS({ k: [1] }), null, 'a'];
    const a = RSet.of(xs);
    const b = RSet.of([...xs].reverse());
    expect(equal(a, b)).toBe(true);
    expect(canon(a)).toBe(canon(b));
    expect(toJS(a)).toEqual([null, 1, 'a', 'b', { k: [1] }]);
  });
});

describe('ordering helpers', () => {
  it('compareStr is code point (UTF-8 byte) order, also beyond the BMP', () => {
    const words = ['b', 'a', 'ab', '', '\u{1F600}', '\uFFFD', 'é', 'Z'];
    expect(sortList([...words], compareStr)).toEqual(['', 'Z', 'a', 'ab', 'b', 'é', '\uFFFD', '\u{1F600}']);
    expect([...words].sort((x, y) => compareStr(x, y))).toEqual(sortList([...words], compareStr));
  });
  it('sortList sorts short and long lists like Array.prototype.sort', () => {
    const long = Array.from({ length: 40 }, (_, i) => (i * 7919) % 41);
    expect(sortList([...long], (a, b) => a - b)).toEqual([...long].sort((a, b) => a - b));
    expect(sortList([3, 1, 2], (a, b) => a - b)).toEqual([1, 2, 3]);
  });
});
