/**
 * Recommendation rules (docs/feedback.md, "Recommendation rules"): an explicit registry of named rules. Each
 * documents the evidence it reads and its thresholds, and returns a proposal
 * or null. Rules never price anything themselves: the pipeline
 * (recommend.ts) runs every proposal that edits the intent through the check,
 * takes the cost change from the check's estimate — the same price table the
 * budget policy judges — and drops proposals the policies deny.
 */
import { round } from './period.ts';
import { MIN_INSTANCES_PATH } from './targets.ts';
import { THRESHOLDS } from './analyze.ts';
import type { FeedbackAnalysis, IntentChange, IntentTargets, Sample, ServiceMetrics } from './types.ts';

export interface RuleInput {
  targets: IntentTargets;
  metrics: ServiceMetrics;
  analysis: FeedbackAnalysis;
}

export interface Proposal {
  type: string;
  description: string;
  priority: 'low' | 'medium' | 'high';
  approval_required: boolean;
  /** Benefits other than cost; the pipeline adds the cost entry. */
  expected_benefit: Record<string, string>;
  /** Which cost key the pipeline fills from the check: `cost_increase`, `cost_decrease`, or `cost` ('0') when nothing changes. */
  cost_key: 'cost_increase' | 'cost_decrease' | 'cost';
  evidence: Record<string, number | string>;
  changes: IntentChange[];
}

export interface RecommendationRule {
  id: string;
  title: string;
  /** What the rule reads, in words, for docs/feedback.md and `--help`. */
  evidence: string;
  thresholds: Readonly<Record<string, number>>;
  evaluate(input: RuleInput): Proposal | null;
}

function pct(n: number, digits = 2): string {
  return `${n >= 0 ? '+' : ''}${n.toFixed(digits)}%`;
}

/** Utilisation at time t: the last utilisation sample at or before t (series sorted). */
function utilisationAt(series: readonly Sample[], t: number): number | null {
  let lo = 0;
  let hi = series.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (series[mid]![0] <= t) {
      found = series[mid]![1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found ?? series[0]?.[1] ?? null;
}

/**
 * Unavailability (percent of the period) that fell in steps when the group ran
 * at or above `threshold` utilisation: the share a buffer instance is expected
 * to win back. Estimated from the series, not assumed.
 */
export function downtimeNearCapacity(metrics: ServiceMetrics, threshold: number): number {
  const avail = metrics.series.availability;
  if (avail.length === 0) return 0;
  let lost = 0;
  for (const [t, up] of avail) {
    const u = utilisationAt(metrics.series.utilisation, t);
    if (u !== null && u >= threshold) lost += 1 - up;
  }
  return (lost / avail.length) * 100;
}

export const bufferInstanceForPeak: RecommendationRule = {
  id: 'buffer-instance-for-peak',
  title: 'Peak load near capacity → add one buffer instance',
  evidence: 'peak CPU utilisation of the group over the period (metrics), min/max instances (intent), downtime that coincided with near-capacity steps (series)',
  thresholds: { peak_utilisation: THRESHOLDS.peak_utilisation_near_capacity },
  evaluate({ targets, metrics }) {
    const peak = round(metrics.utilisation.peak, 1);
    if (peak < this.thresholds.peak_utilisation!) return null;
    if (targets.min_instances === null) return null;
    // Raising min above max would be invalid; that needs a human decision on max.
    if (targets.max_instances !== null && targets.min_instances + 1 > targets.max_instances) return null;
    const gain = downtimeNearCapacity(metrics, this.thresholds.peak_utilisation!);
    return {
      type: 'capacity_optimization',
      description: 'Add 1 buffer instance to handle peak load',
      priority: 'medium',
      approval_required: true,
      expected_benefit: { availability_improvement: pct(round(gain, 2)) },
      cost_key: 'cost_increase',
      evidence: {
        peak_utilisation: peak,
        threshold: this.thresholds.peak_utilisation!,
        ...(metrics.utilisation.peak_at !== null ? { peak_at: new Date(metrics.utilisation.peak_at * 1000).toISOString() } : {}),
        downtime_near_capacity: `${round(gain, 4)}%`,
        min_instances: targets.min_instances,
      },
      changes: [{ path: MIN_INSTANCES_PATH, from: targets.min_instances, to: targets.min_instances + 1 }],
    };
  },
};

export const investigateFailedRecovery: RecommendationRule = {
  id: 'investigate-failed-recovery',
  title: 'A failed recovery → investigate (high priority, no file change)',
  evidence: 'report_recovery records of self-healing-agent-001 for the intent in the period (audit log)',
  thresholds: { failed_recoveries: 1 },
  evaluate({ analysis }) {
    const sh = analysis.metrics_collected.self_healing;
    const failed = sh.recovery_attempts - sh.successful_recoveries;
    if (failed < this.thresholds.failed_recoveries!) return null;
    const finding = analysis.analysis.improvements.find((f) => f.code === 'recovery_failed');
    return {
      type: 'self_healing_improvement',
      description: failed === 1 ? 'Investigate failed recovery attempt' : `Investigate ${failed} failed recovery attempts`,
      priority: 'high',
      approval_required: false,
      // If the failures had succeeded, the rate would have been 100 %.
      expected_benefit: { self_healing_success_rate: pct(round(100 - (sh.success_rate ?? 0), 1), 1) },
      cost_key: 'cost',
      evidence: {
        recovery_attempts: sh.recovery_attempts,
        successful_recoveries: sh.successful_recoveries,
        success_rate: sh.success_rate ?? 0,
        ...(finding ? { first_failure: finding.evidence.first_failure!, trace_id: finding.evidence.trace_id! } : {}),
      },
      changes: [],
    };
  },
};

export const scaleInLowUtilisation: RecommendationRule = {
  id: 'scale-in-low-utilisation',
  title: 'Sustained low utilisation, well within the error budget → remove one instance',
  evidence: 'peak CPU utilisation over the whole period (sustained: even the peak is low), share of the availability error budget used, p95 vs target (metrics), min_instances (intent)',
  thresholds: { peak_utilisation_max: 40, error_budget_used_max: 50, min_instances_floor: 2 },
  evaluate({ targets, metrics, analysis }) {
    const peak = round(metrics.utilisation.peak, 1);
    if (peak > this.thresholds.peak_utilisation_max!) return null;
    if (targets.min_instances === null || targets.min_instances - 1 < this.thresholds.min_instances_floor!) return null;
    const a = analysis.metrics_collected.availability;
    if (a.target === null || a.target >= 100) return null;
    const budgetUsed = ((100 - a.achieved) / (100 - a.target)) * 100;
    if (budgetUsed > this.thresholds.error_budget_used_max!) return null;
    const p = analysis.metrics_collected.performance;
    if (p.target !== null && p.latency_p95 >= p.target) return null;
    return {
      type: 'cost_optimization',
      description: 'Remove 1 instance: sustained low utilisation with the availability target met',
      priority: 'low',
      approval_required: true,
      expected_benefit: { availability_impact: 'none expected' },
      cost_key: 'cost_decrease',
      evidence: { peak_utilisation: peak, threshold: this.thresholds.peak_utilisation_max!, error_budget_used: `${round(budgetUsed, 1)}%`, min_instances: targets.min_instances },
      changes: [{ path: MIN_INSTANCES_PATH, from: targets.min_instances, to: targets.min_instances - 1 }],
    };
  },
};

/** The registry; order is the order recommendations are numbered in (OPT-001, …). */
export const RULES = {
  'buffer-instance-for-peak': bufferInstanceForPeak,
  'investigate-failed-recovery': investigateFailedRecovery,
  'scale-in-low-utilisation': scaleInLowUtilisation,
} satisfies Record<string, RecommendationRule>;
