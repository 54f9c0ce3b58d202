/**
 * The builtins OPA deprecated before 1.0 (`any`, `all`, `re_match`,
 * `set_diff`, `net.cidr_overlap`, `cast_*`). OPA 1.x still has them for Rego
 * v0 modules (`--v0-compatible`, a manifest's rego_version 0); a v1 module —
 * or a v0 module importing rego.v1 — that calls one is a compile error
 * (`deprecated built-in function calls in expression: any`, compiler stage
 * checkDeprecatedBuiltins). Semantics as OPA's topdown (aggregates.go,
 * casts.go, sets.go, regex.go, cidr.go).
 */
import type { BuiltinDecl } from './types.ts';
import { RSet, type Value } from '../value.ts';
import { isSet, set, typeError } from './operands.ts';
import { REGEX } from './regex.ts';
import { NET } from './net.ts';

/** The implementation of a current builtin a deprecated one is an alias of (unwrapped: the registry names errors once). */
function aliasOf(family: readonly BuiltinDecl[], name: string): BuiltinDecl['impl'] {
  const d = family.find((x) => x.name === name);
  if (!d) throw new Error(`deprecated builtins: ${name} is not declared`);
  return d.impl;
}

function cast(type: 'string' | 'boolean' | 'null' | 'object', test: (v: Value) => boolean): BuiltinDecl {
  return { name: `cast_${type}`, args: ['any'], result: type === 'object' ? { object: ['any', 'any'] } : type, impl: (a) => {
    if (!test(a[0]!)) throw typeError(1, a[0]!, type);
    return a[0]!;
  } };
}

export const DEPRECATED: BuiltinDecl[] = [
  { name: 're_match', args: ['string', 'string'], result: 'boolean', impl: aliasOf(REGEX, 'regex.match') },
  { name: 'net.cidr_overlap', args: ['string', 'string'], result: 'boolean', impl: aliasOf(NET, 'net.cidr_contains') },
  {
    name: 'set_diff',
    args: [{ set: 'any' }, { set: 'any' }],
    result: { set: 'any' },
    impl: (a) => {
      const x = set(a, 0);
      const y = set(a, 1);
      return RSet.of([...x.values()].filter((v) => !y.has(v)));
    },
  },
  {
    name: 'cast_array',
    args: ['any'],
    result: { array: 'any' },
    impl: (a) => {
      const v = a[0]!;
      if (Array.isArray(v)) return v;
      if (isSet(v)) return [...v.sorted()];
      throw typeError(1, v, 'array', 'set');
    },
  },
  {
    name: 'cast_set',
    args: ['any'],
    result: { set: 'any' },
    impl: (a) => {
      const v = a[0]!;
      if (isSet(v)) return v;
      if (Array.isArray(v)) return RSet.of(v);
      throw typeError(1, v, 'array', 'set');
    },
  },
  cast('string', (v) => typeof v === 'string'),
  cast('boolean', (v) => typeof v === 'boolean'),
  cast('null', (v) => v === null),
  cast('object', (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !isSet(v)),
];

/** Every deprecated builtin; `any` and `all` are implemented with the aggregates (aggregates.ts). */
export const DEPRECATED_NAMES: ReadonlySet<string> = new Set([...DEPRECATED.map((d) => d.name), 'any', 'all']);
