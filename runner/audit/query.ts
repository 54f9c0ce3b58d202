/**
 * Reading the log back: filter records, group them into trails (docs/audit.md,
 * `gitops audit show`).
 * Pure functions of the records.
 */
import type { AuditRecord } from './record.ts';

export interface AuditQuery {
  trace?: string;
  action?: string | readonly string[];
  resource?: string;
  actor?: string;
  outcome?: string;
  /** ISO timestamps, inclusive. */
  since?: string;
  until?: string;
}

export function queryAudit(records: readonly AuditRecord[], q: AuditQuery): AuditRecord[] {
  const actions = q.action === undefined ? undefined : new Set(typeof q.action === 'string' ? [q.action] : q.action);
  const since = q.since ? Date.parse(q.since) : undefined;
  const until = q.until ? Date.parse(q.until) : undefined;
  return records.filter(
    (r) =>
      (q.trace === undefined || r.trace_id === q.trace) &&
      (actions === undefined || actions.has(r.action)) &&
      (q.resource === undefined || r.resource === q.resource) &&
      (q.actor === undefined || r.actor === q.actor) &&
      (q.outcome === undefined || r.outcome === q.outcome) &&
      (since === undefined || Date.parse(r.timestamp) >= since) &&
      (until === undefined || Date.parse(r.timestamp) <= until),
  );
}

/** One audit trail: one trace, its events in chain order. */
export interface AuditTrail {
  trace_id: string;
  events: Array<Pick<AuditRecord, 'event_id' | 'timestamp' | 'actor' | 'action' | 'resource' | 'outcome'>>;
}

/** Group records into trails, ordered by each trace's first record in the chain. */
export function trails(records: readonly AuditRecord[]): AuditTrail[] {
  const byTrace = new Map<string, AuditTrail>();
  for (const r of records) {
    let t = byTrace.get(r.trace_id);
    if (!t) byTrace.set(r.trace_id, (t = { trace_id: r.trace_id, events: [] }));
    t.events.push({ event_id: r.event_id, timestamp: r.timestamp, actor: r.actor, action: r.action, resource: r.resource, outcome: r.outcome });
  }
  return [...byTrace.values()];
}
