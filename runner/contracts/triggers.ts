/**
 * Self-healing trigger conditions (docs/contracts.md, "Triggers") as a small typed expression:
 *
 *   health_status == 'failed'   → {metric: health_status, operator: '==', threshold: {value: 'failed', unit: null}}
 *   error_rate > 5%             → {metric: error_rate,    operator: '>',  threshold: {value: 5, unit: '%'}}
 *   latency_p95 > 200ms         → {metric: latency_p95,   operator: '>',  threshold: {value: 200, unit: 'ms'}}
 *
 * Grammar: `<metric> <op> <literal>`, op ∈ == != > >= < <=, literal a quoted
 * string or a number with an optional unit. Against a metric catalogue (from
 * the monitoring contract) the metric must exist, the unit must be known and
 * of the metric's dimension (`0.2s` is fine for a metric in ms and is
 * normalised to 200 ms), and a string must be one of the metric's values.
 * An unknown metric or unit is an error at the condition's file:line, never
 * a string passed along to the platform.
 */
import { type Diagnostic, type Location, type Result, diag, fail, ok } from '../core/diagnostics.ts';
import type { MetricCatalogue } from './metric-catalogue.ts';

/** Where the condition was written; `path` is its field path in the intent. */
export type TriggerAt = Location & { path?: string };

export const OPERATORS = ['==', '!=', '>=', '<=', '>', '<'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface TriggerExpr {
  metric: string;
  operator: Operator;
  threshold: { value: number | string; unit: string | null };
  /** The threshold in the metric's own unit (only when validated against a catalogue). */
  normalized?: { value: number | string; unit: string | null };
  /** The condition as written. */
  source: string;
}

/** Known units: dimension and factor to the dimension's base unit. */
export const UNITS: Readonly<Record<string, { dimension: 'duration' | 'ratio' | 'rate'; factor: number }>> = {
  ms: { dimension: 'duration', factor: 1 },
  s: { dimension: 'duration', factor: 1000 },
  min: { dimension: 'duration', factor: 60_000 },
  '%': { dimension: 'ratio', factor: 1 },
  'req/s': { dimension: 'rate', factor: 1 },
  'req/min': { dimension: 'rate', factor: 1 / 60 },
};

const EXPR_RE = /^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(==|!=|>=|<=|>|<)\s*(.*?)\s*$/;
const STRING_RE = /^(?:'([^']*)'|"([^"]*)")$/;
const NUMBER_RE = /^(-?(?:\d+(?:\.\d+)?|\.\d+))\s*([A-Za-z%][A-Za-z%/]*)?$/;

function err(code: string, message: string, at: TriggerAt): Result<TriggerExpr> {
  return fail(diag(code, message, at));
}

// Round away binary noise from unit conversion (0.2 s → 200 ms, not 200.00000000000003).
function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

export function parseTrigger(condition: string, at: TriggerAt, catalogue?: MetricCatalogue): Result<TriggerExpr> {
  const m = EXPR_RE.exec(condition);
  if (!m) {
    return err('trigger_syntax_error', `cannot parse trigger condition ${JSON.stringify(condition)}: expected <metric> <operator> <value>, operator one of ${OPERATORS.join(' ')}`, at);
  }
  const [, metric, op, literal] = m as unknown as [string, string, Operator, string];
  let threshold: TriggerExpr['threshold'];
  const s = STRING_RE.exec(literal);
  const n = s ? null : NUMBER_RE.exec(literal);
  if (s) {
    threshold = { value: s[1] ?? s[2] ?? '', unit: null };
  } else if (n) {
    threshold = { value: Number(n[1]), unit: n[2] ?? null };
  } else {
    return err('trigger_syntax_error', `cannot parse the value ${JSON.stringify(literal)} in trigger condition ${JSON.stringify(condition)}: expected a quoted string or a number with an optional unit (5%, 200ms)`, at);
  }
  if (threshold.unit !== null && !(threshold.unit in UNITS)) {
    return err('trigger_unknown_unit', `unknown unit '${threshold.unit}' in trigger condition ${JSON.stringify(condition)} (known units: ${Object.keys(UNITS).join(', ')})`, at);
  }
  const expr: TriggerExpr = { metric, operator: op, threshold, source: condition };
  if (!catalogue) return ok(expr);

  const spec = catalogue.get(metric);
  if (!spec) {
    return err('trigger_unknown_metric', `unknown metric '${metric}' in trigger condition ${JSON.stringify(condition)}: the monitoring contract defines ${[...catalogue.keys()].join(', ')}`, at);
  }
  if (spec.kind === 'enum') {
    if (typeof threshold.value !== 'string') {
      return err('trigger_type_mismatch', `metric '${metric}' takes one of ${spec.values.map((v) => `'${v}'`).join(', ')}, not a number`, at);
    }
    if (op !== '==' && op !== '!=') {
      return err('trigger_operator_invalid', `metric '${metric}' is a status: only == and != apply, not ${op}`, at);
    }
    if (!spec.values.includes(threshold.value)) {
      return err('trigger_unknown_value', `'${threshold.value}' is not a value of ${metric} (one of ${spec.values.map((v) => `'${v}'`).join(', ')})`, at);
    }
    expr.normalized = { ...threshold };
    return ok(expr);
  }
  if (typeof threshold.value !== 'number') {
    return err('trigger_type_mismatch', `metric '${metric}' is numeric${spec.unit ? ` (in ${spec.unit})` : ''}, not a string`, at);
  }
  if (spec.unit === null) {
    if (threshold.unit !== null) return err('trigger_unit_mismatch', `metric '${metric}' has no unit; drop '${threshold.unit}'`, at);
    expr.normalized = { ...threshold };
    return ok(expr);
  }
  // A bare number would silently mean "in whatever unit the metric uses": require it.
  if (threshold.unit === null) {
    return err('trigger_unit_missing', `trigger condition ${JSON.stringify(condition)} needs a unit: ${metric} is measured in ${spec.unit} (e.g. ${threshold.value}${spec.unit})`, at);
  }
  const want = UNITS[spec.unit];
  const got = UNITS[threshold.unit]!;
  if (!want) {
    // The contract uses a unit this table does not know: only the identical unit is safe.
    if (threshold.unit !== spec.unit) return err('trigger_unit_mismatch', `metric '${metric}' is measured in ${spec.unit}; write the threshold in ${spec.unit}`, at);
    expr.normalized = { ...threshold };
    return ok(expr);
  }
  if (want.dimension !== got.dimension) {
    return err('trigger_unit_mismatch', `unit '${threshold.unit}' (${got.dimension}) does not fit metric '${metric}', measured in ${spec.unit} (${want.dimension})`, at);
  }
  expr.normalized = { value: round((threshold.value * got.factor) / want.factor), unit: spec.unit };
  return ok(expr);
}

export interface TriggerSpec {
  condition: unknown;
  action?: unknown;
}

/** Parse a list of `{condition, action}` triggers; `locate(i)` gives each condition's position. */
export function parseTriggers(
  triggers: readonly TriggerSpec[],
  locate: (index: number) => TriggerAt,
  catalogue: MetricCatalogue,
): { exprs: TriggerExpr[]; diagnostics: Diagnostic[] } {
  const exprs: TriggerExpr[] = [];
  const diagnostics: Diagnostic[] = [];
  triggers.forEach((t, i) => {
    const at = locate(i);
    if (typeof t?.condition !== 'string') {
      diagnostics.push(diag('trigger_syntax_error', `trigger ${i + 1} has no condition string`, at));
      return;
    }
    const r = parseTrigger(t.condition, at, catalogue);
    if (r.ok) exprs.push(r.value);
    else diagnostics.push(...r.diagnostics);
  });
  return { exprs, diagnostics };
}
