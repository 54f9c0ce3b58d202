/**
 * Records that arrive from outside this run:
 *  - recovery reports from the platform (restarts, scale-outs; docs/audit.md,
 *    `gitops audit ingest-recoveries`), which
 *    the feedback stage reads back as `report_recovery` events attributed to
 *    the self-healing agent;
 * Idempotent: ingesting the same input twice appends nothing new.
 *
 * Records exported by another run are NOT ingested: a self-hashed record
 * proves nothing about who produced it (anyone can compute the hash), and a
 * pull request's job could produce any record it liked. The check runs under
 * `pull_request_target` with the base's runner and a write token, so it
 * commits its own records (docs/audit.md, docs/github.md).
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { hasPermission, type AgentDirectory } from '../core/context.ts';
import { diag, type Diagnostic } from '../core/diagnostics.ts';
import { newTraceId, type AuditEventInput, type AuditSink } from '../core/events.ts';
import { digestOf } from '../core/hash.ts';
import { loadAuditLog, openAuditSink } from './store.ts';

/** What the platform reports about one recovery attempt. */
export interface RecoveryReport {
  /** The platform's id for the attempt; the idempotency key when present. */
  recovery_id?: string;
  /** The monitored component (the service, e.g. web-service-001). */
  component_id: string;
  intent_id?: string;
  /** When the attempt happened (ISO 8601). */
  timestamp: string;
  /** What was done: the trigger's action (restart_instance, restart_service, scale_out, …). */
  action: string;
  /** The trigger condition that fired, as configured. */
  trigger?: string;
  result: 'success' | 'failure';
  attempt?: number;
  duration_seconds?: number;
  /** Reporting agent; defaults to the registry's self-healing agent (RECOVERY_AGENT). */
  agent?: string;
  trace_id?: string;
}

export const RECOVERY_AGENT = 'self-healing-agent-001';
/** The permission that lets an agent put records in the audit log (self-healing-agent-001 holds it: docs/agents.md). */
export const RECOVERY_PERMISSION = 'write:audit_logs';

const RECOVERY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['component_id', 'timestamp', 'action', 'result'],
  properties: {
    recovery_id: { type: 'string', minLength: 1, maxLength: 200 },
    component_id: { type: 'string', minLength: 1, maxLength: 200 },
    intent_id: { type: 'string', minLength: 1, maxLength: 200 },
    timestamp: { type: 'string', format: 'date-time' },
    action: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
    trigger: { type: 'string', maxLength: 500 },
    result: { enum: ['success', 'failure'] },
    attempt: { type: 'integer', minimum: 1 },
    duration_seconds: { type: 'number', minimum: 0 },
    agent: { type: 'string', minLength: 1 },
    trace_id: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: false, strict: true });
addFormats(ajv);
const validateRecovery = ajv.compile<RecoveryReport>(RECOVERY_SCHEMA);

function ajvMessage(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'report';
  if (e.keyword === 'additionalProperties') return `${where}: unknown field '${String(e.params.additionalProperty)}'`;
  return `${where}: ${e.message ?? 'invalid'}`;
}

export interface IngestResult {
  ingested: number;
  /** Already in the log (same recovery id / event id): not appended again. */
  duplicates: number;
  refused: number;
  problems: Diagnostic[];
}

export interface RecoveryIngestOptions {
  /** Where events go; defaults to the working copy's file sink. */
  sink?: AuditSink;
  agents: AgentDirectory;
  traceId?: string;
  /** Name of the input for diagnostics (file path). */
  source?: string;
}

/**
 * Append one `report_recovery` event per new recovery report, as the
 * reporting agent (permission-checked like `perform`: an agent without
 * write:audit_logs gets `agent_action_refused` instead). The event keeps the
 * platform's timestamp; `resource` is the component; `details.source_id` is
 * the idempotency key (the recovery id, else the report's digest).
 */
export function ingestRecoveries(repoDir: string, reports: unknown[], opts: RecoveryIngestOptions): IngestResult {
  const sink = opts.sink ?? openAuditSink(repoDir);
  const traceId = opts.traceId ?? newTraceId('feedback', 'recoveries');
  const source = opts.source ?? 'recoveries';
  const seen = new Set(
    loadAuditLog(repoDir)
      .records.filter((r) => r.action === 'report_recovery')
      .map((r) => String(r.details.source_id ?? '')),
  );
  const result: IngestResult = { ingested: 0, duplicates: 0, refused: 0, problems: [] };
  reports.forEach((report, i) => {
    if (!validateRecovery(report)) {
      result.problems.push(diag('recovery_report_invalid', `recovery report ${i + 1}: ${ajvMessage(validateRecovery.errors![0]!)}`, { file: source, path: `[${i}]` }));
      return;
    }
    const key = report.recovery_id ?? digestOf(report);
    if (seen.has(key)) {
      result.duplicates++;
      return;
    }
    seen.add(key);
    const agentId = report.agent ?? RECOVERY_AGENT;
    const base = { resource: report.component_id, trace_id: report.trace_id ?? traceId, timestamp: report.timestamp };
    if (!hasPermission(opts.agents.get(agentId), RECOVERY_PERMISSION)) {
      sink.emit({
        ...base,
        actor: agentId,
        action: 'agent_action_refused',
        outcome: 'denied',
        details: { attempted_action: 'report_recovery', permission: RECOVERY_PERMISSION, source_id: key, reason: `agent ${agentId} may not write audit logs` },
      });
      result.refused++;
      return;
    }
    const event: AuditEventInput = {
      ...base,
      actor: agentId,
      action: 'report_recovery',
      outcome: report.result,
      evidence: { input_digest: digestOf(report) },
      details: {
        source_id: key,
        recovery_action: report.action,
        ...(report.intent_id ? { intent_id: report.intent_id } : {}),
        ...(report.trigger ? { trigger: report.trigger } : {}),
        ...(report.attempt !== undefined ? { attempt: report.attempt } : {}),
        ...(report.duration_seconds !== undefined ? { duration_seconds: report.duration_seconds } : {}),
      },
    };
    sink.emit(event);
    result.ingested++;
  });
  return result;
}
