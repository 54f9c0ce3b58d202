/**
 * The embedding API of the Rego engine: compile once, evaluate many.
 *
 * CONTRACT (used by the check, policy tests, plan policies, `gitops rego eval`):
 * the engine helper replaces the bodies below; the signatures are fixed.
 *
 *   const r = prepare([{ file: 'policies/sec.rego', text }]);
 *   if (!r.ok) → r.diagnostics (OPA codes: rego_parse_error, rego_compile_error,
 *               rego_unsafe_var_error, rego_recursion_error, rego_type_error; file:line:col)
 *   const p = r.value;
 *   p.evalRef(['gitops', 'policies'], { input }) → JS value (sets as sorted arrays) | undefined
 *   p.query('x := data.a.b[_]', { input, data }) → { ok, rows: [{ x: … }] } | { ok: false, error }
 */
import type { Diagnostic, Result } from '../core/diagnostics.ts';

export interface ModuleSource {
  /** Path shown in locations, e.g. `policies/security/sec_auth_001.rego`. */
  file: string;
  text: string;
}

export interface PrepareOptions {
  /** Builtin errors abort evaluation (OPA's strict-builtin-errors). */
  strictBuiltinErrors?: boolean;
  /** Base data document, merged under the modules' virtual documents. */
  data?: unknown;
}

export interface EvalOptions {
  input?: unknown;
  /** Overrides/extends the base data for this evaluation. */
  data?: unknown;
  strictBuiltinErrors?: boolean;
  /** Receives print() output; default: dropped. */
  print?: (message: string, location: { file: string; line: number; col: number }) => void;
}

/** One `# METADATA` annotation block (OPA's annotations, YAML in comments). */
export interface Annotation {
  scope: 'package' | 'rule' | 'document' | 'subpackages';
  /** Package path, e.g. ['gitops', 'policies', 'sec_auth_001'] (without `data`). */
  package: string[];
  /** Rule name for rule/document scope. */
  rule?: string;
  file: string;
  line: number;
  title?: string;
  description?: string;
  custom?: Record<string, unknown>;
}

export interface RuleInfo {
  package: string[];
  name: string;
  file: string;
  line: number;
  kind: 'complete' | 'partial_set' | 'partial_object' | 'function';
}

export type QueryResult =
  | { ok: true; rows: Array<Record<string, unknown>> }
  | { ok: false; error: Diagnostic };

export interface PreparedPolicy {
  /** Evaluate `data.<path>`; undefined when the document is undefined. Throws EvalError (with a Diagnostic) on eval errors. */
  evalRef(path: string[], opts?: EvalOptions): unknown;
  /** Evaluate an ad-hoc query; rows are the bindings of the query's variables (OPA `opa eval` semantics). */
  query(query: string, opts?: EvalOptions): QueryResult;
  annotations(): Annotation[];
  rules(): RuleInfo[];
}

export class EvalError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.diagnostic = diagnostic;
  }
}

export function prepare(_modules: ModuleSource[], _opts: PrepareOptions = {}): Result<PreparedPolicy> {
  throw new Error('Rego engine not wired yet (being built)');
}
