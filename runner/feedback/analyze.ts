/**
 * Analysis per intent (docs/feedback.md, "Analysis"): what was achieved against what the intent
 * asked for, from the collected metrics and the audit log.
 *
 *  - availability / latency: achieved vs target, delta = achieved − target;
 *  - deployments: the apply runs of the intent in the period (one trace id
 *    each, the four apply steps of docs/infra.md); successful when every step succeeded; average time =
 *    mean total step duration of the successful ones;
 *  - self-healing: `report_recovery` records by the self-healing agent for the
 *    intent in the period; success rate = successes / attempts.
 * Strengths and improvements are structured findings (code + figures) so
 * reports and rules key on codes, never on wording.
 */
import { periodText, round } from './period.ts';
import type { AuditRecord, FeedbackAnalysis, Finding, IntentTargets, ServiceMetrics } from './types.ts';

export const SELF_HEALING_AGENT = 'self-healing-agent-001';
export const APPLY_STEPS = ['provision_infrastructure', 'deploy_application', 'configure_monitoring', 'enable_self_healing'] as const;

/** Thresholds the findings use; the recommendation rules document theirs beside them. */
export const THRESHOLDS = {
  /** Peak CPU at or above this share of capacity counts as "near capacity". */
  peak_utilisation_near_capacity: 80,
  /** Self-healing below this success rate is an improvement, at or above a strength. */
  self_healing_effective: 90,
  /** Deployment success rate at or above this is a strength. */
  deployment_reliable: 95,
  /** Error rate (percent) above this is an improvement. */
  error_rate_high: 1,
} as const;

/** Does an audit record belong to this intent? Stacks are named `<intent>-<region>`. */
export function isFor(rec: AuditRecord, intentId: string): boolean {
  return rec.resource === intentId || rec.resource.startsWith(`${intentId}-`) || rec.resource.startsWith(`${intentId}/`);
}

function inPeriod(rec: AuditRecord, start: number, end: number): boolean {
  const t = Date.parse(rec.timestamp) / 1000;
  return t > start && t <= end;
}

export function durationSeconds(rec: AuditRecord): number {
  const d = rec.details ?? {};
  if (typeof d.duration_seconds === 'number') return d.duration_seconds;
  if (typeof d.duration_ms === 'number') return d.duration_ms / 1000;
  return 0;
}

export interface DeploymentStats {
  deployments: number;
  successful: number;
  success_rate: number | null;
  average_deployment_time: number | null;
}

export function deploymentStats(records: readonly AuditRecord[], intentId: string, start: number, end: number): DeploymentStats {
  const runs = new Map<string, AuditRecord[]>();
  for (const r of records) {
    if (!(APPLY_STEPS as readonly string[]).includes(r.action) || !isFor(r, intentId) || !inPeriod(r, start, end)) continue;
    (runs.get(r.trace_id) ?? runs.set(r.trace_id, []).get(r.trace_id)!).push(r);
  }
  let successful = 0;
  let time = 0;
  for (const steps of runs.values()) {
    const done = APPLY_STEPS.every((s) => steps.some((r) => r.action === s && r.outcome === 'success'));
    if (!done) continue;
    successful++;
    time += steps.reduce((a, r) => a + durationSeconds(r), 0);
  }
  return {
    deployments: runs.size,
    successful,
    success_rate: runs.size > 0 ? round((successful / runs.size) * 100, 1) : null,
    average_deployment_time: successful > 0 ? round(time / successful, 0) : null,
  };
}

export interface RecoveryStats {
  recovery_attempts: number;
  successful_recoveries: number;
  success_rate: number | null;
  /** Mean seconds to recover, of the successful ones (the report's recovery time, docs/feedback.md). */
  mean_recovery_seconds: number | null;
  failures: AuditRecord[];
}

/**
 * Recoveries are ingested with the monitored component as their resource
 * (runner/audit/ingest.ts), and the intent id in details when the platform
 * knows it; either ties a recovery to the intent.
 */
function isRecoveryFor(r: AuditRecord, intentId: string, service: string): boolean {
  return r.resource === service || r.details?.intent_id === intentId || isFor(r, intentId);
}

export function recoveryStats(records: readonly AuditRecord[], intentId: string, service: string, start: number, end: number): RecoveryStats {
  const recs = records.filter((r) => r.action === 'report_recovery' && r.actor === SELF_HEALING_AGENT && isRecoveryFor(r, intentId, service) && inPeriod(r, start, end));
  const ok = recs.filter((r) => r.outcome === 'success');
  const secs = ok.map((r) => r.details?.duration_seconds).filter((v): v is number => typeof v === 'number');
  return {
    recovery_attempts: recs.length,
    successful_recoveries: ok.length,
    success_rate: recs.length > 0 ? round((ok.length / recs.length) * 100, 1) : null,
    mean_recovery_seconds: secs.length > 0 ? round(secs.reduce((a, b) => a + b, 0) / secs.length, 0) : null,
    failures: recs.filter((r) => r.outcome !== 'success'),
  };
}

export interface AnalysisInput {
  targets: IntentTargets;
  metrics: ServiceMetrics;
  audit: readonly AuditRecord[];
}

export function analyze({ targets, metrics, audit }: AnalysisInput): FeedbackAnalysis {
  const { start, end } = metrics.period;
  const dep = deploymentStats(audit, targets.id, start, end);
  const rec = recoveryStats(audit, targets.id, targets.service, start, end);
  const availability = round(metrics.availability, 2);
  const p95 = round(metrics.latency_p95, 0);
  const availDelta = targets.availability === null ? null : round(availability - targets.availability, 2);
  const latDelta = targets.latency_p95 === null ? null : round(p95 - targets.latency_p95, 0);
  const strengths: Finding[] = [];
  const improvements: Finding[] = [];

  if (availDelta !== null) {
    const e = { achieved: availability, target: targets.availability!, delta: availDelta };
    if (availDelta > 0) strengths.push({ code: 'availability_target_exceeded', message: 'Exceeded availability target', evidence: e });
    else if (availDelta === 0) strengths.push({ code: 'availability_target_met', message: 'Met availability target', evidence: e });
    else improvements.push({ code: 'availability_below_target', message: `Availability ${availability}% is below the ${targets.availability}% target`, evidence: e });
  }
  if (latDelta !== null) {
    const e = { latency_p95: p95, target: targets.latency_p95!, delta: latDelta };
    if (latDelta < 0) strengths.push({ code: 'latency_better_than_target', message: 'Performance better than expected', evidence: e });
    else improvements.push({ code: 'latency_above_target', message: `p95 latency ${p95} ms is not under the ${targets.latency_p95} ms target`, evidence: e });
  }
  if (rec.success_rate !== null) {
    const e = { recovery_attempts: rec.recovery_attempts, successful_recoveries: rec.successful_recoveries, success_rate: rec.success_rate };
    if (rec.success_rate >= THRESHOLDS.self_healing_effective) strengths.push({ code: 'self_healing_effective', message: 'Self-healing working effectively', evidence: e });
    else improvements.push({ code: 'self_healing_ineffective', message: `Self-healing succeeded in ${rec.success_rate}% of attempts`, evidence: e });
    const failed = rec.recovery_attempts - rec.successful_recoveries;
    if (failed > 0) {
      improvements.push({
        code: 'recovery_failed',
        message: `${failed} recovery failure${failed === 1 ? '' : 's'} need${failed === 1 ? 's' : ''} investigation`,
        evidence: { failed, first_failure: rec.failures[0]!.timestamp, trace_id: rec.failures[0]!.trace_id },
      });
    }
  }
  if (dep.success_rate !== null && dep.success_rate >= THRESHOLDS.deployment_reliable) {
    strengths.push({ code: 'deployments_reliable', message: 'Deployments reliable', evidence: { success_rate: dep.success_rate, deployments: dep.deployments } });
  } else if (dep.success_rate !== null) {
    improvements.push({ code: 'deployments_unreliable', message: `Only ${dep.success_rate}% of deployments succeeded`, evidence: { success_rate: dep.success_rate, deployments: dep.deployments } });
  }
  const peak = round(metrics.utilisation.peak, 1);
  if (peak >= THRESHOLDS.peak_utilisation_near_capacity) {
    improvements.push({
      code: 'peak_near_capacity',
      message: 'Consider adding buffer instances for peak load',
      evidence: { peak_utilisation: peak, threshold: THRESHOLDS.peak_utilisation_near_capacity, ...(metrics.utilisation.peak_at !== null ? { peak_at: new Date(metrics.utilisation.peak_at * 1000).toISOString() } : {}) },
    });
  }
  const errorRate = round(metrics.error_rate, 2);
  if (errorRate > THRESHOLDS.error_rate_high) {
    improvements.push({ code: 'error_rate_high', message: `Error rate ${errorRate}% is above ${THRESHOLDS.error_rate_high}%`, evidence: { error_rate: errorRate } });
  }

  return {
    intent_id: targets.id,
    service: metrics.service,
    period: periodText(metrics.period),
    metrics_collected: {
      deployment: { success_rate: dep.success_rate, average_deployment_time: dep.average_deployment_time, deployments: dep.deployments, successful: dep.successful },
      availability: { achieved: availability, target: targets.availability, delta: availDelta },
      performance: { latency_p95: p95, target: targets.latency_p95, delta: latDelta },
      throughput: { achieved: round(metrics.throughput, 0), peak: round(metrics.throughput_peak, 0), target: targets.throughput },
      error_rate: errorRate,
      utilisation: { peak, average: round(metrics.utilisation.average, 1) },
      self_healing: { recovery_attempts: rec.recovery_attempts, successful_recoveries: rec.successful_recoveries, success_rate: rec.success_rate },
    },
    analysis: { strengths, improvements },
  };
}
