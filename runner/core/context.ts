/**
 * The run context every stage receives: who acts (agents), where events go
 * (audit sink), which trace this run belongs to, and the clock.
 *
 * Stages never call each other's side effects directly; they act through
 * `perform`, which checks the acting agent's permission first, runs the
 * action, and emits exactly one audit event with the outcome. That is how
 * "every action is performed as a named agent and recorded" holds by
 * construction rather than by discipline.
 */
import type { AuditAction, AuditSink, Evidence, Outcome } from './events.ts';

export interface Agent {
  agent_id: string;
  type: string;
  version: string;
  permissions: readonly string[];
  owner?: string;
}

export interface AgentDirectory {
  get(id: string): Agent | undefined;
  list(): readonly Agent[];
}

export interface RunContext {
  traceId: string;
  audit: AuditSink;
  agents: AgentDirectory;
  /** The human behind the run (PR author, merger, dispatcher), or the bot. */
  human: string;
  /** Commit the run is about (head SHA of the PR, merge commit, …). */
  commit?: string;
  now(): Date;
}

/** Does the agent hold the permission? Exact match only: wildcards are never granted (AGENT-WILDCARD-001). */
export function hasPermission(agent: Agent | undefined, permission: string): boolean {
  return agent !== undefined && agent.permissions.includes(permission);
}

export interface PerformSpec {
  /** Acting agent id, from the registry; `actor` in the event unless `actor` is given. */
  agent: string;
  permission: string;
  action: AuditAction;
  resource: string;
  /** Overrides the event actor, e.g. the human who submitted the intent. */
  actor?: string;
  evidence?: Evidence;
}

export type Performed<T> =
  | { status: 'done'; value: T; outcome: Outcome }
  | { status: 'denied'; reason: string };

/**
 * Run `fn` as `spec.agent`. The function returns its value and, optionally, an
 * outcome other than success (a policy denial is a successful evaluation with
 * outcome `failure` for the intent) plus details for the event.
 * A permission failure emits `agent_action_refused` (outcome `denied`) and
 * never runs `fn`. A thrown error emits outcome `failure` and is re-thrown.
 */
export async function perform<T>(
  ctx: RunContext,
  spec: PerformSpec,
  fn: () => Promise<{ value: T; outcome?: Outcome; details?: Record<string, unknown> }> | { value: T; outcome?: Outcome; details?: Record<string, unknown> },
): Promise<Performed<T>> {
  const agent = ctx.agents.get(spec.agent);
  const base = {
    actor: spec.actor ?? spec.agent,
    resource: spec.resource,
    trace_id: ctx.traceId,
    evidence: { ...(ctx.commit ? { commit: ctx.commit } : {}), ...spec.evidence },
  };
  if (!hasPermission(agent, spec.permission)) {
    const reason = agent
      ? `agent ${spec.agent} lacks permission ${spec.permission} required for ${spec.action}`
      : `agent ${spec.agent} is not in the agent registry`;
    ctx.audit.emit({
      ...base,
      actor: spec.agent,
      action: 'agent_action_refused',
      outcome: 'denied',
      details: { attempted_action: spec.action, permission: spec.permission, reason },
    });
    return { status: 'denied', reason };
  }
  const started = ctx.now().getTime();
  try {
    const r = await fn();
    const outcome = r.outcome ?? 'success';
    ctx.audit.emit({
      ...base,
      action: spec.action,
      outcome,
      details: { agent: spec.agent, duration_ms: ctx.now().getTime() - started, ...r.details },
    });
    return { status: 'done', value: r.value, outcome };
  } catch (err) {
    ctx.audit.emit({
      ...base,
      action: spec.action,
      outcome: 'failure',
      details: { agent: spec.agent, duration_ms: ctx.now().getTime() - started, error: err instanceof Error ? err.message : String(err) },
    });
    throw err;
  }
}
