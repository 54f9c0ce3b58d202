/**
 * Which agents an intent's actions put to work (docs/agents.md, "The check"),
 * and whether each holds what its job needs.
 *
 * ACTION_AGENTS is the explicit table: a translated action that sets up
 * something an agent keeps doing after the deployment (watch health, recover,
 * scale) names the agent type that does it and the permissions it needs.
 * Provisioning actions (load balancer, instances) are not here: the runner's
 * own `infra-provisioner` performs them at apply time, and perform() checks
 * its permission then.
 *
 * The apply stage uses `agentFor(action)` to perform the matching step as
 * that agent (so a recovery is enabled as self-healing-agent-001, with
 * execute:recovery, and refused + recorded if the agent lacks it).
 */
import type { Action, AgentSummary } from './report.ts';
import type { Agent, AgentDirectory } from '../core/context.ts';

export interface AgentRole {
  /** Agent `type` in agents.yaml. */
  type: string;
  /** Permission the step is performed with (the one perform() checks). */
  permission: string;
  /** Everything the agent needs to do the job afterwards. */
  needs: readonly string[];
}

export const ACTION_AGENTS: Readonly<Record<string, AgentRole>> = {
  setup_health_checks: { type: 'monitoring', permission: 'write:health_status', needs: ['read:metrics', 'write:health_status'] },
  enable_self_healing: { type: 'self-healing', permission: 'execute:recovery', needs: ['read:health_status', 'execute:recovery', 'write:audit_logs'] },
  configure_auto_scaling: { type: 'auto-scaling', permission: 'execute:scale_operations', needs: ['read:metrics', 'execute:scale_operations'] },
};

export type Assignment =
  | { status: 'assigned'; action: string; agent: Agent; role: AgentRole }
  | { status: 'no_agent'; action: string; role: AgentRole }
  | { status: 'missing_permissions'; action: string; agent: Agent; role: AgentRole; missing: string[] };

/** The agent of the role's type that will act for this action: the first in registry order. */
export function agentFor(action: string, agents: AgentDirectory): Assignment | undefined {
  const role = ACTION_AGENTS[action];
  if (!role) return undefined;
  const candidates = agents.list().filter((a) => a.type === role.type);
  // Prefer an agent that can do the whole job; else report the first, with what it lacks.
  const capable = candidates.find((a) => role.needs.every((p) => a.permissions.includes(p)));
  if (capable) return { status: 'assigned', action, agent: capable, role };
  const first = candidates[0];
  if (!first) return { status: 'no_agent', action, role };
  return { status: 'missing_permissions', action, agent: first, role, missing: role.needs.filter((p) => !first.permissions.includes(p)) };
}

export interface IntentAgents {
  assignments: Assignment[];
  /** The agents the intent puts to work, in registry order, each once (the check's `intents[].agents`). */
  agents: AgentSummary[];
}

export function assignAgents(actions: readonly Action[], agents: AgentDirectory): IntentAgents {
  const assignments: Assignment[] = [];
  for (const a of actions) {
    const asg = agentFor(a.action, agents);
    if (asg) assignments.push(asg);
  }
  const ids = new Set(assignments.flatMap((a) => (a.status === 'no_agent' ? [] : [a.agent.agent_id])));
  const summaries = agents
    .list()
    .filter((a) => ids.has(a.agent_id))
    .map(summarise);
  return { assignments, agents: summaries };
}

/** What the report shows of an agent. */
function summarise(agent: Agent): AgentSummary {
  return { agent_id: agent.agent_id, type: agent.type, version: agent.version, permissions: [...agent.permissions] };
}
