/**
 * Quantity strings users write in intents — `'99.9%'`, `'<100ms'`,
 * `'>1000 req/s'`, `'$500/month'` — parsed into numbers with a canonical unit
 * so policies compare numbers, never strings.
 *
 * Each field has a KIND (percent, duration, rate, money) with an explicit
 * table of accepted units and their factor to the canonical unit. A unit that
 * is not in the table is an error, never a guess: `'<100 parsecs'` must not
 * silently become 100 of something.
 */

export type QuantityOp = '<' | '<=' | '>' | '>=' | '=';

export interface Quantity {
  /** Value in the canonical unit of its kind. */
  value: number;
  /** Canonical unit: '%', 'ms', 'req/s', 'USD/month'. */
  unit: string;
  /** Operator as written; '=' when none was written. */
  op: QuantityOp;
  /** The text as written, for messages. */
  text: string;
}

export type QuantityKind = 'percent' | 'duration' | 'rate' | 'money';

interface KindSpec {
  canonical: string;
  /** Accepted unit spellings (lower-case, spaces removed) → factor to canonical. */
  units: Record<string, number>;
  /** Whether the unit may be omitted (never: a bare number is ambiguous). */
  example: string;
  /** Money is written with a leading `$` (or a USD unit). */
  currency?: boolean;
  max?: number;
}

// 730 h/month is the convention the cost estimate uses (Infracost's), so a
// yearly budget is 12 months and a daily one 730/24 days of it.
const HOURS_PER_MONTH = 730;

export const KINDS: Record<QuantityKind, KindSpec> = {
  percent: { canonical: '%', units: { '%': 1 }, example: "'99.9%'", max: 100 },
  duration: { canonical: 'ms', units: { ms: 1, s: 1000, sec: 1000, us: 0.001, 'µs': 0.001, m: 60_000, min: 60_000 }, example: "'<100ms'" },
  rate: {
    canonical: 'req/s',
    units: { 'req/s': 1, rps: 1, 'requests/s': 1, 'req/sec': 1, 'req/min': 1 / 60, rpm: 1 / 60, 'req/h': 1 / 3600 },
    example: "'>1000 req/s'",
  },
  money: {
    canonical: 'USD/month',
    units: { '/month': 1, '/mo': 1, 'usd/month': 1, '/year': 1 / 12, '/yr': 1 / 12, 'usd/year': 1 / 12, '/day': HOURS_PER_MONTH / 24, 'usd/day': HOURS_PER_MONTH / 24 },
    example: "'$500/month'",
    currency: true,
  },
};

export type QuantityParse = { ok: true; quantity: Quantity } | { ok: false; message: string };

const SHAPE = /^\s*(<=|>=|<|>|=)?\s*(\$)?\s*(\d+(?:\.\d+)?)\s*(.*?)\s*$/;

function round(n: number): number {
  // Unit factors like 1/60 produce float noise; 9 significant decimals is plenty for policies.
  return Math.round(n * 1e9) / 1e9;
}

export function parseQuantity(text: string, kind: QuantityKind): QuantityParse {
  const spec = KINDS[kind];
  const m = SHAPE.exec(text);
  if (!m) return { ok: false, message: `'${text}' is not a ${kind} quantity like ${spec.example}` };
  const [, op = '=', dollar, num, rawUnit = ''] = m;
  const unitKey = rawUnit.toLowerCase().replace(/\s+/g, '');
  if (spec.currency) {
    if (!dollar && !unitKey.startsWith('usd')) return { ok: false, message: `'${text}' must be an amount in US dollars like ${spec.example}` };
  } else if (dollar) {
    return { ok: false, message: `'${text}' is not a ${kind} quantity like ${spec.example} (unexpected '$')` };
  }
  if (unitKey === '') return { ok: false, message: `'${text}' has no unit; write it like ${spec.example}` };
  const factor = spec.units[unitKey];
  if (factor === undefined) {
    const known = Object.keys(spec.units).join(', ');
    return { ok: false, message: `unknown unit '${rawUnit}' in '${text}'; a ${kind} accepts: ${known}` };
  }
  const value = round(Number(num) * factor);
  if (spec.max !== undefined && value > spec.max) return { ok: false, message: `'${text}' is more than ${spec.max}${spec.canonical}` };
  return { ok: true, quantity: { value, unit: spec.canonical, op: op as QuantityOp, text } };
}

/**
 * A requirement no measurement can meet: an upper bound at or below zero
 * (`'<0ms'`, `'<0%'`: nothing these quantities measure is negative), or a
 * latency of at most zero. Accepting one would hand the policies a number
 * that only looks like a requirement.
 */
export function unsatisfiable(q: Quantity, kind: QuantityKind): string | undefined {
  if (q.op === '<' && q.value <= 0) return `'${q.text}' can never be met: a ${kind} is never below 0${KINDS[kind].canonical}`;
  if (kind === 'duration' && (q.op === '<=' || q.op === '=') && q.value <= 0) return `'${q.text}' can never be met: a ${kind} must be more than 0${KINDS[kind].canonical}`;
  return undefined;
}

/**
 * The quantity fields of an intent, by path under `intent`, and their kind.
 * The policy input mirrors this structure under `input.quantities`.
 */
export const QUANTITY_FIELDS: ReadonlyArray<{ path: readonly string[]; kind: QuantityKind }> = [
  { path: ['requirements', 'availability'], kind: 'percent' },
  { path: ['requirements', 'performance', 'latency_p50'], kind: 'duration' },
  { path: ['requirements', 'performance', 'latency_p95'], kind: 'duration' },
  { path: ['requirements', 'performance', 'latency_p99'], kind: 'duration' },
  { path: ['requirements', 'performance', 'throughput'], kind: 'rate' },
  { path: ['requirements', 'performance', 'error_rate'], kind: 'percent' },
  { path: ['constraints', 'budget'], kind: 'money' },
];

// ---------------------------------------------------------------------------
// Self-healing trigger conditions (docs/intents.md, "Self-healing triggers"): `metric op value`.

export const TRIGGER_METRICS: Record<string, QuantityKind | 'status'> = {
  health_status: 'status',
  error_rate: 'percent',
  availability: 'percent',
  cpu_utilization: 'percent',
  latency_p50: 'duration',
  latency_p95: 'duration',
  latency_p99: 'duration',
  throughput: 'rate',
};

export const HEALTH_STATUSES = ['healthy', 'degraded', 'failed', 'unknown'] as const;

export interface TriggerCondition {
  metric: string;
  op: '==' | '!=' | '<' | '<=' | '>' | '>=';
  /** A health status for `health_status`, otherwise a quantity in the metric's canonical unit. */
  value: string | number;
  unit?: string;
}

const CONDITION = /^\s*([a-z_][a-z0-9_]*)\s*(==|!=|<=|>=|<|>)\s*(.+?)\s*$/;

export function parseTriggerCondition(text: string): { ok: true; condition: TriggerCondition } | { ok: false; message: string } {
  const m = CONDITION.exec(text);
  if (!m) return { ok: false, message: `'${text}' is not a condition like "error_rate > 5%" or "health_status == 'failed'"` };
  const [, metric = '', op = '', rhs = ''] = m;
  const kind = TRIGGER_METRICS[metric];
  if (!kind) return { ok: false, message: `unknown metric '${metric}' in '${text}'; known: ${Object.keys(TRIGGER_METRICS).join(', ')}` };
  if (kind === 'status') {
    const s = /^'([a-z]+)'$|^"([a-z]+)"$|^([a-z]+)$/.exec(rhs);
    const status = s ? (s[1] ?? s[2] ?? s[3]) : undefined;
    if (!status || !(HEALTH_STATUSES as readonly string[]).includes(status)) {
      return { ok: false, message: `'${rhs}' in '${text}' is not a health status (${HEALTH_STATUSES.join(', ')})` };
    }
    if (op !== '==' && op !== '!=') return { ok: false, message: `health_status can only be compared with == or != in '${text}'` };
    return { ok: true, condition: { metric, op, value: status } };
  }
  const q = parseQuantity(rhs, kind);
  if (!q.ok) return { ok: false, message: `${q.message} (in condition '${text}')` };
  if (q.quantity.op !== '=') return { ok: false, message: `write the comparison once in '${text}'` };
  return { ok: true, condition: { metric, op: op as TriggerCondition['op'], value: q.quantity.value, unit: q.quantity.unit } };
}
