/**
 * The audit vocabulary every stage speaks (docs/audit.md, "The actions").
 *
 * `AUDIT_ACTIONS` is the explicit registry of every action the runner can
 * perform; each performed action emits exactly one event through an
 * `AuditSink`. The audit stage (`runner/audit/`) turns events into chained,
 * append-only records; the core only knows this interface, so every stage is
 * testable with the in-memory sink.
 */
export const AUDIT_ACTIONS = {
  // pull-request check (docs/check.md)
  submit_intent: 'An intent file was added or changed in a pull request (or checked with --all)',
  validate_schema: 'The intent was validated against the intent JSON Schema',
  validate_policies: 'The intent (and its translation) was evaluated with the Rego policies',
  translate_intent: 'The intent was translated into technical actions',
  estimate_cost: 'The monthly cost of the translated actions was estimated',
  verify_contracts: 'The interface contracts the intent needs were verified',
  verify_agents: 'The agent registry was checked against the agent policies',
  verify_governance: 'The governed files (agents, IAM table, contracts, audit log) were judged for the whole change, with or without intents',
  preview_infrastructure: 'The Pulumi program was previewed under the mock runtime',
  publish_results: 'The check results were published (check run, PR comment, job summary)',
  // apply on merge: the four apply steps (docs/infra.md)
  provision_infrastructure: 'Apply step: network, load balancer and compute provisioned',
  deploy_application: 'Apply step: launch template and autoscaling group rolled out',
  configure_monitoring: 'Apply step: alarms and scaling policies configured',
  enable_self_healing: 'Apply step: recovery automation enabled',
  destroy_infrastructure: 'A removed intent’s stack was destroyed',
  // agents (docs/agents.md)
  agent_action_refused: 'An agent attempted an action its permissions do not allow',
  // self-healing: recoveries reported by the platform (docs/audit.md, ingest-recoveries)
  report_recovery: 'The platform reported a recovery attempt (restart, scale-out) and its result',
  // feedback loop (docs/feedback.md)
  collect_metrics: 'Metrics were collected for an intent over a period',
  analyze_feedback: 'Collected metrics were compared with the intent’s targets',
  open_recommendation: 'A recommendation PR (or issue) was opened',
  update_recommendation: 'An existing recommendation PR was updated',
  merge_recommendation: 'A recommendation PR was merged',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export type Outcome = 'success' | 'failure' | 'denied' | 'skipped';

/** Evidence that lets an auditor reproduce the decision. */
export interface Evidence {
  commit?: string;
  policy_digest?: string;
  input_digest?: string;
  [k: string]: unknown;
}

/** What a stage reports; the audit store adds event_id, timestamp and chain hashes. */
export interface AuditEventInput {
  actor: string;
  action: AuditAction;
  resource: string;
  outcome: Outcome;
  trace_id: string;
  evidence?: Evidence;
  /** Free-form, small, JSON-serialisable details (durations, counts, reasons). */
  details?: Record<string, unknown>;
  /** Defaults to now; tests and the ingestion of platform events pass their own. */
  timestamp?: string;
}

export interface AuditSink {
  emit(event: AuditEventInput): void;
}

/** Collects events in memory: the sink for tests and for dry runs. */
export class MemorySink implements AuditSink {
  readonly events: AuditEventInput[] = [];
  emit(event: AuditEventInput): void {
    this.events.push({ ...event, timestamp: event.timestamp ?? new Date().toISOString() });
  }
}

/** One trace id per PR check / merge / feedback run. */
export function newTraceId(kind: 'check' | 'apply' | 'feedback' | 'report', seed?: string): string {
  const rand = Math.random().toString(36).slice(2, 10);
  return `trace-${kind}-${seed ? seed.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40) + '-' : ''}${Date.now().toString(36)}${rand}`;
}
