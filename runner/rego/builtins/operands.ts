/**
 * Shared operand checks: every bad-argument error reads exactly like OPA's
 * (`operand 2 must be one of {string, set, array} but got number`). The
 * registry prefixes the builtin's name (`concat: operand 1 …`), as OPA's
 * topdown does for every builtin error, so implementations never repeat it.
 */
import { BuiltinError } from './types.ts';
import { RObject, RSet, typeName, type Num, type Value } from '../value.ts';

/** `operand N must be X but got T` (one expected type) or `must be one of {X, Y}`. */
export function typeError(pos: number, got: Value, ...expected: string[]): BuiltinError {
  const want = expected.length === 1 ? expected[0]! : `one of {${expected.join(', ')}}`;
  return new BuiltinError('eval_type_error', `operand ${pos} must be ${want} but got ${typeName(got)}`);
}

/** An operand of the right type but an unacceptable value (OPA's NewOperandErr). */
export function operandError(pos: number, message: string): BuiltinError {
  return new BuiltinError('eval_type_error', `operand ${pos} ${message}`);
}

/** Operational failure (bad regex, unparsable time …): undefined unless strict. */
export function builtinError(message: string): BuiltinError {
  return new BuiltinError('eval_builtin_error', message);
}

export function isNum(v: Value): v is Num {
  return typeof v === 'number' || typeof v === 'bigint';
}
export function isObject(v: Value): v is RObject {
  return v instanceof RObject;
}
export function isSet(v: Value): v is RSet {
  return v instanceof RSet;
}

export function str(args: Value[], i: number): string {
  const v = args[i]!;
  if (typeof v !== 'string') throw typeError(i + 1, v, 'string');
  return v;
}
export function num(args: Value[], i: number): Num {
  const v = args[i]!;
  if (typeof v !== 'number' && typeof v !== 'bigint') throw typeError(i + 1, v, 'number');
  return v;
}
export function arr(args: Value[], i: number): Value[] {
  const v = args[i]!;
  if (!Array.isArray(v)) throw typeError(i + 1, v, 'array');
  return v;
}
export function set(args: Value[], i: number): RSet {
  const v = args[i]!;
  if (!(v instanceof RSet)) throw typeError(i + 1, v, 'set');
  return v;
}
export function obj(args: Value[], i: number): RObject {
  const v = args[i]!;
  if (!(v instanceof RObject)) throw typeError(i + 1, v, 'object');
  return v;
}

/**
 * An integer operand as bigint. Non-integers are OPA's
 * `operand N must be integer number but got floating-point number`.
 */
export function int(args: Value[], i: number): bigint {
  const v = num(args, i);
  if (typeof v === 'bigint') return v;
  if (!Number.isInteger(v)) throw operandError(i + 1, 'must be integer number but got floating-point number');
  return BigInt(v);
}

/** A small integer operand (indexes, counts) as a JS number. */
export function smallInt(args: Value[], i: number): number {
  const v = num(args, i);
  if (typeof v === 'bigint') return Number(v);
  if (!Number.isInteger(v)) throw operandError(i + 1, 'must be integer number but got floating-point number');
  return v;
}

/** Elements of an array or set (OPA's "one of {array, set}" operands). */
export function arrayOrSet(args: Value[], i: number, ...expected: string[]): readonly Value[] {
  const v = args[i]!;
  if (Array.isArray(v)) return v;
  if (v instanceof RSet) return v.sorted();
  throw typeError(i + 1, v, ...(expected.length ? expected : ['array', 'set']));
}

/**
 * A string, or an array/set of strings (strings.any_prefix_match and friends):
 * `operand 1 must be array of strings but got array containing number`.
 */
export function strings(args: Value[], i: number): string[] {
  const v = args[i]!;
  if (typeof v === 'string') return [v];
  return stringElements(v, i, 'string', 'set', 'array');
}

/** Elements of an array or set that must all be strings (concat, …). */
export function stringCollection(args: Value[], i: number): string[] {
  return stringElements(args[i]!, i, 'set', 'array');
}

/** The string elements of an array or set operand; `expected` names the operand types in the type error. */
function stringElements(v: Value, i: number, ...expected: string[]): string[] {
  let items: Iterable<Value>;
  let kind: string;
  if (Array.isArray(v)) {
    items = v;
    kind = 'array';
  } else if (v instanceof RSet) {
    items = v.sorted();
    kind = 'set';
  } else {
    throw typeError(i + 1, v, ...expected);
  }
  const out: string[] = [];
  for (const x of items) {
    if (typeof x !== 'string') throw operandError(i + 1, `must be ${kind} of strings but got ${kind} containing ${typeName(x)}`);
    out.push(x);
  }
  return out;
}

/** OPA's NewOperandElementErr: `operand 1 must be array of numbers but got array containing string`. */
export function elementError(pos: number, composite: Value, got: Value, ...expected: string[]): BuiltinError {
  const kind = typeName(composite);
  const want = expected.length === 1 ? `${expected[0]}s` : `(any of) {${expected.join(', ')}}`;
  return operandError(pos, `must be ${kind} of ${want} but got ${kind} containing ${typeName(got)}`);
}
