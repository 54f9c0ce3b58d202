/**
 * Evaluation errors: OPA's topdown error codes with the location of the
 * expression that raised them. Rendered like OPA's
 * `file:line: eval_type_error: message`.
 */
import type { Loc } from '../ast/nodes.ts';

export type EvalErrorCode = 'eval_conflict_error' | 'eval_type_error' | 'eval_builtin_error' | 'eval_internal_error';

export class RegoEvalError extends Error {
  readonly code: EvalErrorCode;
  readonly loc: Loc | undefined;
  readonly detail: string;
  constructor(code: EvalErrorCode, detail: string, loc?: Loc) {
    super(loc ? `${loc.file}:${loc.line}: ${code}: ${detail}` : `${code}: ${detail}`);
    this.code = code;
    this.detail = detail;
    this.loc = loc;
  }
}

/**
 * Conflict messages. Current OPA names the document ("rule data.p produced
 * conflicting values", "function data.f produced conflicting values for the
 * same inputs"); OPA's long-standing texts, which users' tests and part of
 * OPA's own conformance cases still match on, are "complete rules must not
 * produce multiple outputs" and "functions must not produce multiple outputs
 * for same inputs". The message leads with the long-standing text and goes on
 * with the current one, so a match on either holds (docs/rego.md).
 */
export const completeDocConflictMsg = (path: string): string => `complete rules must not produce multiple outputs: rule ${path} produced conflicting values`;
export const functionConflictMsg = (path: string): string =>
  `functions must not produce multiple outputs for same inputs: function ${path} produced conflicting values for the same inputs`;
