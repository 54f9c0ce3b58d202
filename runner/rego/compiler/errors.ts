/**
 * Compile errors: values with OPA's codes and the source location. The
 * compiler collects them per stage; a stage that reports errors stops the
 * pipeline (later stages assume the earlier invariants hold, as OPA's do).
 */
import type { Loc } from '../ast/nodes.ts';

export type CompileErrorCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'rego_type_error';

export interface CompileError {
  code: CompileErrorCode;
  message: string;
  loc: Loc;
}

export function cerr(code: CompileErrorCode, message: string, loc: Loc): CompileError {
  return { code, message, loc };
}

/** OPA's one-line rendering: `file:line: code: message`. */
export function formatCompileError(e: CompileError): string {
  return `${e.loc.file}:${e.loc.line}: ${e.code}: ${e.message}`;
}
