/**
 * The governance report (success metrics and time to value; docs/feedback.md, "gitops report"), computed
 * from the audit log, the metrics and git history — pure given its inputs.
 *
 *  deployment success rate  apply traces whose four steps all succeeded / apply traces
 *  availability vs target   per intent, from the metric source
 *  self-healing success     successful report_recovery / all, by the self-healing agent
 *  policy compliance        deployed intents whose latest validate_policies before the
 *                           deployment succeeded (allowed: every deny-policy passed) /
 *                           deployed intents; a deployment with no check on record counts
 *                           as non-compliant (it was not verified)
 *  audit coverage           commits on the default branch that changed intents/ in the
 *                           period and have at least one audit record naming them
 *                           (evidence.commit) / those commits — an independent check
 *                           against git, since "every action emits an event" holds by
 *                           construction inside the runner
 *  intent-to-deployment     mean time from an intent's submit_intent to the end of the
 *                           deployment that followed it
 *  recovery time            mean duration of successful recoveries
 */
import { APPLY_STEPS, deploymentStats, durationSeconds, recoveryStats } from './analyze.ts';
import { round } from './period.ts';
import type { AuditRecord, DailyFigures, IntentTargets, Period, ServiceMetrics } from './types.ts';
import { dailyFigures, metricCharts } from './charts.ts';

export interface IntentCommit {
  sha: string;
  /** Unix seconds. */
  time: number;
}

export interface GovernanceInput {
  period: Period;
  audit: readonly AuditRecord[];
  intents: ReadonlyArray<{ targets: IntentTargets; metrics: ServiceMetrics | null }>;
  /** Commits that changed intents/ on the default branch; null when git history is unavailable. */
  intentCommits: readonly IntentCommit[] | null;
}

export interface Rate {
  numerator: number;
  denominator: number;
  /** Percent, 1 decimal; null when there was nothing to measure. */
  rate: number | null;
}

export interface GovernanceReport {
  period: { start: string; end: string; label: string };
  deployment_success_rate: Rate;
  average_deployment_time_seconds: number | null;
  availability: Array<{ intent_id: string; service: string; achieved: number | null; target: number | null; delta: number | null; met: boolean | null }>;
  self_healing_success_rate: Rate;
  policy_compliance: Rate & { unverified: string[] };
  audit_coverage: Rate & { uncovered: string[] } | null;
  intent_to_deployment_seconds: number | null;
  recovery_time_seconds: number | null;
  /** Per intent with metrics: the daily figures and targets the Markdown report charts. */
  charts?: Array<{ intent_id: string; targets: { availability: number | null; latency_p95: number | null }; daily: DailyFigures[] }>;
}

/** Check events name the intent; apply steps may name its stack (`<intent>-<region>`). */
const sameIntent = (a: string, b: string) => a === b || b.startsWith(`${a}-`) || a.startsWith(`${b}-`);
const rate = (n: number, d: number): Rate => ({ numerator: n, denominator: d, rate: d > 0 ? round((n / d) * 100, 1) : null });
const t = (r: AuditRecord) => Date.parse(r.timestamp) / 1000;

interface Deployment {
  trace: string;
  resource: string;
  start: number;
  end: number;
  ok: boolean;
}

function deployments(audit: readonly AuditRecord[], p: Period): Deployment[] {
  const byTrace = new Map<string, AuditRecord[]>();
  for (const r of audit) {
    if (!(APPLY_STEPS as readonly string[]).includes(r.action)) continue;
    if (t(r) <= p.start || t(r) > p.end) continue;
    (byTrace.get(r.trace_id) ?? byTrace.set(r.trace_id, []).get(r.trace_id)!).push(r);
  }
  return [...byTrace.entries()].map(([trace, steps]) => {
    const times = steps.map(t);
    const end = Math.max(...times);
    return {
      trace,
      resource: steps[0]!.resource,
      // A step's timestamp is when it finished; it started duration earlier.
      start: Math.min(...steps.map((s) => t(s) - durationSeconds(s))),
      end,
      ok: APPLY_STEPS.every((a) => steps.some((s) => s.action === a && s.outcome === 'success')),
    };
  });
}

export function governanceReport(g: GovernanceInput): GovernanceReport {
  const deps = deployments(g.audit, g.period);
  let recoveries = { ok: 0, all: 0 };
  let recoverySecs: number[] = [];
  const ids = g.intents.map((i) => i.targets);
  for (const tg of ids) {
    const r = recoveryStats(g.audit, tg.id, tg.service, g.period.start, g.period.end);
    recoveries = { ok: recoveries.ok + r.successful_recoveries, all: recoveries.all + r.recovery_attempts };
    if (r.mean_recovery_seconds !== null) recoverySecs = recoverySecs.concat(Array(r.successful_recoveries).fill(r.mean_recovery_seconds));
  }
  const okDeps = deps.filter((d) => d.ok);
  const depTimes = ids.map((tg) => deploymentStats(g.audit, tg.id, g.period.start, g.period.end)).filter((s) => s.average_deployment_time !== null);
  const avgDeploy = depTimes.length ? round(depTimes.reduce((a, s) => a + s.average_deployment_time! * s.successful, 0) / depTimes.reduce((a, s) => a + s.successful, 0), 0) : null;

  // Policy compliance and intent-to-deployment: the check that preceded each deployment.
  const checks = g.audit.filter((r) => r.action === 'validate_policies').sort((a, b) => t(a) - t(b));
  const submits = g.audit.filter((r) => r.action === 'submit_intent').sort((a, b) => t(a) - t(b));
  const unverified: string[] = [];
  let compliant = 0;
  const leadTimes: number[] = [];
  for (const d of deps) {
    const before = (list: AuditRecord[]) => list.filter((r) => t(r) <= d.start && sameIntent(r.resource, d.resource)).at(-1);
    const check = before(checks);
    if (check?.outcome === 'success') compliant++;
    else unverified.push(d.trace);
    const submit = before(submits);
    if (submit && d.ok) leadTimes.push(d.end - t(submit));
  }

  let coverage: GovernanceReport['audit_coverage'] = null;
  if (g.intentCommits) {
    const named = new Set(g.audit.map((r) => r.evidence?.commit).filter((c): c is string => typeof c === 'string'));
    const inPeriod = g.intentCommits.filter((c) => c.time > g.period.start && c.time <= g.period.end);
    const uncovered = inPeriod.filter((c) => !named.has(c.sha)).map((c) => c.sha);
    coverage = { ...rate(inPeriod.length - uncovered.length, inPeriod.length), uncovered };
  }

  return {
    period: { start: new Date(g.period.start * 1000).toISOString(), end: new Date(g.period.end * 1000).toISOString(), label: g.period.label },
    deployment_success_rate: rate(okDeps.length, deps.length),
    average_deployment_time_seconds: avgDeploy,
    availability: g.intents.map(({ targets, metrics }) => {
      const achieved = metrics ? round(metrics.availability, 2) : null;
      const delta = achieved !== null && targets.availability !== null ? round(achieved - targets.availability, 2) : null;
      return { intent_id: targets.id, service: targets.service, achieved, target: targets.availability, delta, met: delta === null ? null : delta >= 0 };
    }),
    self_healing_success_rate: rate(recoveries.ok, recoveries.all),
    policy_compliance: { ...rate(compliant, deps.length), unverified },
    audit_coverage: coverage,
    intent_to_deployment_seconds: leadTimes.length ? round(leadTimes.reduce((a, b) => a + b, 0) / leadTimes.length, 0) : null,
    recovery_time_seconds: recoverySecs.length ? round(recoverySecs.reduce((a, b) => a + b, 0) / recoverySecs.length, 0) : null,
    ...chartsOf(g.intents),
  };
}

function chartsOf(intents: GovernanceInput['intents']): Pick<GovernanceReport, 'charts'> {
  const charts = intents.flatMap(({ targets, metrics }) => (metrics ? [{ intent_id: targets.id, targets: { availability: targets.availability, latency_p95: targets.latency_p95 }, daily: dailyFigures(metrics) }] : []));
  return charts.length ? { charts } : {};
}

/** The charts section of the Markdown report: each intent's metrics per day against its targets. */
function chartsMarkdown(r: GovernanceReport): string[] {
  const blocks = (r.charts ?? []).flatMap((c) => metricCharts(c.daily, c.targets, c.intent_id));
  return blocks.length ? ['', '### Metrics against targets', '', ...blocks] : [];
}

const pct = (r: Rate | null) => (r === null ? 'n/a (no git history)' : r.rate === null ? 'n/a (nothing to measure)' : `${r.rate}% (${r.numerator}/${r.denominator})`);
const dur = (s: number | null) => (s === null ? 'n/a' : s >= 120 ? `${round(s / 60, 1)} min (${s} s)` : `${s} s`);

function lines(r: GovernanceReport): Array<[string, string]> {
  return [
    ['Deployment success rate', pct(r.deployment_success_rate)],
    ['Average deployment time', dur(r.average_deployment_time_seconds)],
    ...r.availability.map((a): [string, string] => [`Availability ${a.intent_id}`, a.achieved === null ? 'n/a (no metrics)' : `${a.achieved}% (target: ${a.target ?? 'n/a'}%, ${a.delta !== null && a.delta >= 0 ? '+' : ''}${a.delta ?? 'n/a'})`]),
    ['Self-healing success', pct(r.self_healing_success_rate)],
    ['Policy compliance', pct(r.policy_compliance)],
    ['Audit coverage', pct(r.audit_coverage)],
    ['Intent to deployment', dur(r.intent_to_deployment_seconds)],
    ['Recovery time', dur(r.recovery_time_seconds)],
  ];
}

export const REPORT_FORMATS = {
  text: (r: GovernanceReport) => {
    const rows = lines(r);
    const w = Math.max(...rows.map(([k]) => k.length));
    return [`Governance report, ${r.period.label} (${r.period.start} .. ${r.period.end})`, '', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`), ''].join('\n');
  },
  markdown: (r: GovernanceReport) =>
    [`## Governance report, ${r.period.label}`, '', `${r.period.start} .. ${r.period.end}`, '', '| Success metric | Value |', '|---|---|', ...lines(r).map(([k, v]) => `| ${k} | ${v} |`), ...chartsMarkdown(r), ''].join('\n'),
  json: (r: GovernanceReport) => JSON.stringify(r, null, 2) + '\n',
} satisfies Record<string, (r: GovernanceReport) => string>;
