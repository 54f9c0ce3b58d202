import { describe, expect, it } from 'vitest';
import { lookupBuiltin } from '../../../runner/rego/builtins/registry.ts';
import { call, ctx, expectErrors, expectRows, set, show, v } from './helpers.ts';

describe('walk', () => {
  it('is a relation yielding every [path, value] in pre-order', () => {
    const decl = lookupBuiltin('walk')!;
    const out = [...decl.iter!([v({ a: [1, 2], b: set('x') })], ctx())].map(show);
    expect(out).toEqual([
      '[[], {"a": [1, 2], "b": {"x"}}]',
      '[["a"], [1, 2]]',
      '[["a", 0], 1]',
      '[["a", 1], 2]',
      '[["b"], {"x"}]',
      '[["b", "x"], "x"]',
    ]);
  });
});

describe('graph', () => {
  it('reachable and reachable_paths', () => {
    expectRows([
      ['graph.reachable', [{ a: ['b'], b: ['c'], c: [], d: ['a'] }, ['a']], set('a', 'b', 'c')],
      ['graph.reachable', [{ a: set('b') }, set('z')], set()],
      ['graph.reachable_paths', [{ a: set('b'), b: set('c'), c: set('a') }, set('a')], set(['a', 'b', 'c'])],
      ['graph.reachable_paths', [{ a: ['b'], b: ['nonexistent'] }, set('a', 'b')], set(['a', 'b'], ['b'])],
      ['graph.reachable_paths', [{ a: null }, ['a']], set(['a'])],
      ['graph.reachable_paths', [{}, set('a')], set()],
      // OPA's path builder commits the path so far at a neighbour the graph lacks and where a
      // cycle would close, and still follows the other neighbours.
      ['graph.reachable_paths', [{ a: ['b', 'x'], b: ['c'], c: [] }, ['a']], set(['a'], ['a', 'b', 'c'])],
      ['graph.reachable_paths', [{ a: ['b'], b: ['a', 'c'], c: [] }, ['a']], set(['a', 'b'], ['a', 'b', 'c'])],
      ['graph.reachable', [{ a: null }, ['a']], set('a')],
    ]);
    expectErrors([
      ['graph.reachable', [{ a: [] }, 'a'], 'eval_type_error', 'graph.reachable: operand 2 must be one of {array, set} but got string'],
      ['graph.reachable', ['not a graph', ['a']], 'eval_type_error', 'graph.reachable: operand 1 must be object but got string'],
      ['graph.reachable_paths', [{ a: [] }, 'a'], 'eval_type_error', 'graph.reachable_paths: operand 2 must be one of {array, set} but got string'],
    ]);
  });
});

describe('uuid.parse', () => {
  it('exposes the fields of Go google/uuid', () => {
    expectRows([
      ['uuid.parse', ['00000000-0000-4000-8000-000000000000'], { variant: 'RFC4122', version: 4 }],
      ['uuid.parse', ['{00000000-0000-4000-8000-000000000000}'], { variant: 'RFC4122', version: 4 }],
      ['uuid.parse', ['6bea8ef2d3d33cd184e09bab06a52ece'], { variant: 'RFC4122', version: 3 }],
      [
        'uuid.parse',
        ['urn:uuid:000003e8-48b9-21ee-b200-325096b39f47'],
        {
          clocksequence: 12800,
          domain: 'Person',
          id: 1000,
          macvariables: 'local:unicast',
          nodeid: '32-50-96-b3-9f-47',
          time: 1693566990121469600n,
          variant: 'RFC4122',
          version: 2,
        },
      ],
      ['uuid.parse', ['not-a-uuid'], undefined],
    ]);
  });
});

describe('unsupported builtins', () => {
  it('are declared (so `with` can mock them) and fail as builtin errors when called', () => {
    expectErrors([
      ['http.send', [{ method: 'get', url: 'https://example.com' }], 'eval_builtin_error', 'http.send: not supported by the gitops runner (no network access from policy decisions); replace it in tests with `with http.send as …`'],
    ]);
    expect(lookupBuiltin('io.jwt.decode_verify')?.args.length).toBe(2);
  });
});

describe('context builtins', () => {
  it('uuid.rfc4122 and rand.intn are stable within one query, fresh across queries', () => {
    const c1 = ctx();
    const a = call('uuid.rfc4122', ['k'], c1) as string;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(call('uuid.rfc4122', ['k'], c1)).toBe(a);
    expect(call('uuid.rfc4122', ['other'], c1)).not.toBe(a);
    expect(call('uuid.rfc4122', ['k'], ctx())).not.toBe(a);
    const r = call('rand.intn', ['seed', 10], c1) as number;
    expect(r >= 0 && r < 10).toBe(true);
    expect(call('rand.intn', ['seed', 10], c1)).toBe(r);
    expect(call('rand.intn', ['seed', 0], c1)).toBe(0);
  });
  it('opa.runtime, trace, now_ns come from the context', () => {
    const c = ctx();
    expect(show(call('opa.runtime', [], c))).toBe('{"env": {}, "version": "test"}');
    expect(call('trace', ['hello'], c)).toBe(true);
    expect(c.printed).toEqual(['hello']);
  });
  it('bits', () => {
    expectRows([
      ['bits.or', [5, 3], 7],
      ['bits.and', [5, 3], 1],
      ['bits.xor', [5, 3], 6],
      ['bits.negate', [5], -6],
      ['bits.lsh', [1, 70], 1180591620717411303424n],
      ['bits.rsh', [8, 2], 2],
    ]);
  });
});
