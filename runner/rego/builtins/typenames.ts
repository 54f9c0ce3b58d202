/** Type predicates and type_name (OPA topdown/type.go, type_name.go). Every is_* answers false, never undefined. */
import type { BuiltinDecl } from './types.ts';
import { typeName, type TypeName } from '../value.ts';

const is = (t: TypeName): BuiltinDecl => ({
  name: `is_${t}`,
  args: ['any'],
  result: 'boolean',
  impl: ([x]) => typeName(x!) === t,
});

export const TYPES: BuiltinDecl[] = [
  is('number'),
  is('string'),
  is('boolean'),
  is('array'),
  is('set'),
  is('object'),
  is('null'),
  { name: 'type_name', args: ['any'], result: 'string', impl: ([x]) => typeName(x!) },
];
