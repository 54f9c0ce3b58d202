/** Array builtins (OPA topdown/array.go). */
import type { BuiltinDecl } from './types.ts';
import type { Value } from '../value.ts';
import { arr, smallInt } from './operands.ts';

function slice(args: Value[]): Value {
  const a = arr(args, 0);
  let start = smallInt(args, 1);
  let stop = smallInt(args, 2);
  // OPA clamps instead of failing: negative start → 0, stop past the end → length.
  if (start < 0) start = 0;
  if (stop > a.length) stop = a.length;
  if (start >= stop) return [];
  return a.slice(start, stop);
}

/** OPA's array.flatten removes exactly one level of nesting: inner arrays are spliced, anything else is kept as is. */
function flatten(args: Value[]): Value {
  const out: Value[] = [];
  for (const e of arr(args, 0)) {
    if (Array.isArray(e)) out.push(...e);
    else out.push(e);
  }
  return out;
}

export const ARRAYS: BuiltinDecl[] = [
  {
    name: 'array.concat',
    args: [{ array: 'any' }, { array: 'any' }],
    result: { array: 'any' },
    impl: (args) => [...arr(args, 0), ...arr(args, 1)],
  },
  { name: 'array.slice', args: [{ array: 'any' }, 'number', 'number'], result: { array: 'any' }, impl: slice },
  { name: 'array.reverse', args: [{ array: 'any' }], result: { array: 'any' }, impl: (args) => [...arr(args, 0)].reverse() },
  { name: 'array.flatten', args: [{ array: 'any' }], result: { array: 'any' }, impl: flatten },
];
