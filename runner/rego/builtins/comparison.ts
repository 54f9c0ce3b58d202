/** Comparison builtins (OPA topdown/comparison.go): total order over all values. */
import type { BuiltinDecl } from './types.ts';
import { compare, equal } from '../value.ts';

const cmp = (name: string, test: (c: number) => boolean): BuiltinDecl => ({
  name,
  args: ['any', 'any'],
  result: 'boolean',
  impl: ([a, b]) => test(compare(a!, b!)),
});

export const COMPARISON: BuiltinDecl[] = [
  { name: 'equal', args: ['any', 'any'], result: 'boolean', impl: ([a, b]) => equal(a!, b!) },
  { name: 'neq', args: ['any', 'any'], result: 'boolean', impl: ([a, b]) => !equal(a!, b!) },
  cmp('lt', (c) => c < 0),
  cmp('lte', (c) => c <= 0),
  cmp('gt', (c) => c > 0),
  cmp('gte', (c) => c >= 0),
];
