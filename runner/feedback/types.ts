/**
 * The feedback stage's data (docs/feedback.md).
 *
 * Pipeline: a MetricSource collects `ServiceMetrics` for an intent's service
 * over a period → `analyze()` compares them (and the audit log) with the
 * intent's targets → recommendation rules propose changes → the PR stage
 * turns each intent's recommendations into one PR (or an issue).
 * Every stage is a function of the previous stage's output type.
 */
import type { Diagnostic } from '../core/diagnostics.ts';

/** [unix seconds, value] — the Prometheus shape; every source normalises to it. */
export type Sample = readonly [number, number];

export interface Period {
  /** Unix seconds, inclusive. */
  start: number;
  /** Unix seconds, inclusive. */
  end: number;
  /** As the user wrote it (`7d`), for reports. */
  label: string;
}

/**
 * What the analysis needs about one service over one period. Percentages are
 * 0–100 (`availability: 99.95`, `error_rate: 0.01`, as the analysis prints them).
 */
export interface ServiceMetrics {
  service: string;
  period: Period;
  /** Share of time the service answered its health check, percent. */
  availability: number;
  /** 95th percentile request latency over the period, milliseconds. */
  latency_p95: number;
  /** Mean requests per second over the period. */
  throughput: number;
  /** Highest requests per second at the source's step. */
  throughput_peak: number;
  /** 5xx responses / all responses, percent. */
  error_rate: number;
  /** CPU utilisation of the group (percent of capacity): peak and mean. */
  utilisation: { peak: number; average: number; peak_at: number | null };
  /**
   * Series kept for evidence that needs time alignment (was the service down
   * while it was near capacity?). `availability` is 1/0 per step (up/down).
   */
  series: { availability: Sample[]; utilisation: Sample[] };
  /**
   * Per-UTC-day figures for the charts, when the source can compute them
   * exactly (the file source sums each day's latency histogram). Without
   * them, the charts draw availability from `series.availability` only.
   */
  daily?: DailyFigures[];
  /** Which source produced the figures and how (queries, file), for the PR body. */
  provenance: { source: string; detail: string };
}

/** One UTC day of a service's metrics (the charts' x axis). */
export interface DailyFigures {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Percent of the day's steps the health check passed. */
  availability: number;
  /** Milliseconds; null without latency data that day. */
  latency_p95: number | null;
  /** 5xx / all responses, percent; null without requests that day. */
  error_rate: number | null;
}

/** Everything a metric source needs to know to look one service up. */
export interface MetricQuery {
  intentId: string;
  service: string;
  period: Period;
}

export type SourceResult = { ok: true; metrics: ServiceMetrics } | { ok: false; diagnostics: Diagnostic[] };

/** The one interface every metric source implements (Renovate's manager contract, in small). */
export interface MetricSource {
  readonly id: string;
  collect(query: MetricQuery): Promise<SourceResult>;
  /**
   * Optional capability: the source's own clock. A recorded file ends when it
   * ends; without --until the period ends at its last sample instead of now.
   */
  latest?(query: Pick<MetricQuery, 'intentId' | 'service'>): Promise<number | null>;
}

/** The targets an intent sets, parsed from its quantity strings. */
export interface IntentTargets {
  id: string;
  file: string;
  /** Percent, e.g. 99.9 from '99.9%'. */
  availability: number | null;
  /** Milliseconds, e.g. 100 from '<100ms'. */
  latency_p95: number | null;
  /** Requests per second, e.g. 1000 from '>1000 req/s'. */
  throughput: number | null;
  min_instances: number | null;
  max_instances: number | null;
  /** USD per month, e.g. 500 from '$500/month'. */
  budget: number | null;
  /** The service name metrics are labelled with (intent.monitoring.component_id, or the id). */
  service: string;
}

/** A record read back from the audit log (the fields the feedback stage uses). */
export interface AuditRecord {
  event_id?: string;
  timestamp: string;
  actor: string;
  action: string;
  resource: string;
  outcome: string;
  trace_id: string;
  evidence?: Record<string, unknown>;
  details?: Record<string, unknown>;
}

export interface Finding {
  /** Stable code, e.g. `availability_target_exceeded`. */
  code: string;
  message: string;
  /** The figures the finding rests on. */
  evidence: Record<string, number | string>;
}

/** The analysis, per intent; field names are the analysis document's (docs/feedback.md, "The analysis document"). */
export interface FeedbackAnalysis {
  intent_id: string;
  service: string;
  period: string;
  metrics_collected: {
    deployment: {
      success_rate: number | null;
      average_deployment_time: number | null;
      deployments: number;
      successful: number;
    };
    availability: { achieved: number; target: number | null; delta: number | null };
    performance: { latency_p95: number; target: number | null; delta: number | null };
    throughput: { achieved: number; peak: number; target: number | null };
    error_rate: number;
    utilisation: { peak: number; average: number };
    self_healing: { recovery_attempts: number; successful_recoveries: number; success_rate: number | null };
  };
  analysis: { strengths: Finding[]; improvements: Finding[] };
}

/** One changed scalar in the intent file. */
export interface IntentChange {
  /** Path inside the YAML document, e.g. ['intent','requirements','scalability','min_instances']. */
  path: string[];
  from: unknown;
  to: string | number | boolean;
}

/** A recommendation as the analysis document lists it (docs/feedback.md), plus what the runner needs to act on it. */
export interface Recommendation {
  recommendation_id: string;
  /** The rule that produced it (registry key). */
  rule: string;
  type: string;
  description: string;
  expected_benefit: Record<string, string>;
  priority: 'low' | 'medium' | 'high';
  approval_required: boolean;
  /** The figures and thresholds that triggered the rule. */
  evidence: Record<string, number | string>;
  /** Intent file edits; empty → becomes an issue, not a PR. */
  changes: IntentChange[];
}
