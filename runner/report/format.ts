/** Small shared helpers for the reporters (all pure). */
import { governanceDenied, type CheckReport, type IntentReport, type PolicyResult } from '../model/report.ts';

export const money = (n: number) => `$${n.toFixed(2)}`;
/** Hourly prices need more than cents: $0.0416/h. */
export const price = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** One-line rendering of an action's config: `count=3, instance_type=t3.medium, availability_zones=[us-west-2a, …]`. */
export function inline(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? `{${inline(x)}}` : inline(x))).join(', ')}]`;
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${x !== null && typeof x === 'object' && !Array.isArray(x) ? `{${inline(x)}}` : inline(x)}`)
      .join(', ');
  }
  return String(v);
}

export function headline(r: CheckReport): string {
  const s = r.summary;
  const parts = [`${s.intents} intent${s.intents === 1 ? '' : 's'}`, `${s.allowed} allowed`, `${s.denied} denied`, `${s.invalid} invalid`, `${s.warnings} warning${s.warnings === 1 ? '' : 's'}`];
  const failed = r.governance?.results.filter((x) => x.status === 'failed').length ?? 0;
  if (failed) parts.push(`${failed} governance finding${failed === 1 ? '' : 's'} denied`);
  return parts.join(', ');
}

export function verdict(r: CheckReport): 'passed' | 'failed' | 'error' {
  if (r.diagnostics.length) return 'error';
  return r.intents.some((i) => i.decision !== 'allow') || governanceDenied(r) ? 'failed' : 'passed';
}

export const STATUS_ORDER: Record<PolicyResult['status'], number> = { failed: 0, warned: 1, passed: 2 };

/** Failed first, then warned, then passed; stable by policy id within a status. */
export function sortedResults(i: Pick<IntentReport, 'results'>): PolicyResult[] {
  return [...i.results].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.policy.localeCompare(b.policy) || a.line - b.line);
}

/** The governance results worth showing: failed and warned, in report order (failed first). */
export function governanceFindings(r: CheckReport): PolicyResult[] {
  return r.governance ? sortedResults(r.governance).filter((x) => x.status !== 'passed') : [];
}
