/**
 * The builtins that ask a value's type: is_number … is_null and type_name
 * (OPA topdown/type.go, type_name.go). Every is_* answers false, never
 * undefined. (The builtin contract itself, BuiltinDecl and TypeSpec, is
 * types.ts.)
 */
import type { BuiltinDecl } from './types.ts';
import { typeName, type TypeName } from '../value.ts';

const is = (t: TypeName): BuiltinDecl => ({
  name: `is_${t}`,
  args: ['any'],
  result: 'boolean',
  impl: ([x]) => typeName(x!) === t,
});

export const TYPE_OF: BuiltinDecl[] = [
  is('number'),
  is('string'),
  is('boolean'),
  is('array'),
  is('set'),
  is('object'),
  is('null'),
  { name: 'type_name', args: ['any'], result: 'string', impl: ([x]) => typeName(x!) },
];
