/**
 * The contract between the evaluator and the builtin functions.
 *
 * One declaration table (`registry.ts`) lists every builtin with its name
 * and typed signature; implementations live one file
 * per family (`strings.ts`, `aggregates.ts`, …) and are registered there.
 * The compiler type-checks calls against `decl.args`; the evaluator calls
 * `decl.impl`.
 */
import type { Value } from '../value.ts';

/** Signature types, OPA's type language in miniature. */
export type TypeSpec =
  | 'any'
  | 'null'
  | 'boolean'
  | 'number'
  | 'string'
  | { array: TypeSpec }
  | { set: TypeSpec }
  | { object: [TypeSpec, TypeSpec] }
  | { oneOf: TypeSpec[] };

export interface BuiltinContext {
  /** strict builtin errors: a builtin error aborts evaluation instead of yielding undefined. */
  readonly strict: boolean;
  /** Evaluation start time in ns since epoch; time.now_ns returns this for the whole query (OPA semantics). */
  readonly nowNs: bigint;
  /** Per-query cache for builtins that must be stable within a query (uuid.rfc4122, time.now_ns). */
  readonly cache: Map<string, Value>;
  /** Output of print() calls. */
  print(message: string): void;
  /** opa.runtime() document. */
  readonly runtime: Value;
}

/**
 * Result: a Value, or undefined when the builtin's result is undefined
 * (e.g. `json.unmarshal` never returns undefined, `object.get` never does, but
 * a comparison that fails does). Errors are thrown as `BuiltinError`.
 */
export type BuiltinImpl = (args: Value[], ctx: BuiltinContext) => Value | undefined;

export interface BuiltinDecl {
  name: string;
  args: TypeSpec[];
  /** Result type; undefined for relations that only succeed/fail (none in OPA v1; kept for completeness). */
  result: TypeSpec;
  /** Result may differ between calls with the same arguments (time.now_ns, rand.*, uuid.rfc4122). */
  nondeterministic?: boolean;
  impl: BuiltinImpl;
  /**
   * Relations (OPA's `walk`): when present the evaluator calls this instead of
   * `impl` and tries each yielded output in turn (each may bind variables).
   */
  iter?: (args: Value[], ctx: BuiltinContext) => Iterable<Value>;
}

export type BuiltinErrorCode = 'eval_type_error' | 'eval_builtin_error';

/**
 * Thrown by implementations: `eval_type_error` for bad operand types,
 * `eval_builtin_error` for operational failures (bad regex, unparsable time,
 * divide by zero, …). As in OPA's topdown, both make the call undefined
 * unless strict builtin errors are on (operand types the compiler can see
 * are rejected earlier, as rego_type_error). Implementations throw the bare
 * text (`operand 1 must be string but got number`); the registry's wrapper
 * prefixes the builtin's name (`lower: operand 1 …`), as OPA prints it.
 */
export class BuiltinError extends Error {
  readonly code: BuiltinErrorCode;
  constructor(code: BuiltinErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
