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
