/**
 * One IAM role per agent the intent puts to work (docs/agents.md: the agents its
 * actions assign, runner/model/agent-assignment.ts), with the agent's permissions
 * turned into least-privilege statements by the agents' IAM table
 * (agents/iam-permissions.yaml, runner/core/iam-table.ts). Statements stay
 * symbolic (`asg`, `ssm_document`, …): the program resolves them to the
 * stack's ARNs.
 *
 * No agent is granted `iam:PassRole`: the table never lists it, because no
 * agent action hands a role to a service (EventBridge assumes the
 * self-healing role itself; Run Command is sent without a notification
 * role). The plan policy PLAN-IAM-001 rejects an unscoped PassRole should a
 * row ever need it.
 */
import { assignAgents } from '../model/agent-assignment.ts';
import { iamStatementsFor, type IamTable } from '../core/iam-table.ts';
import type { Agent } from '../core/context.ts';
import { fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import type { Action } from '../model/report.ts';
import type { AgentRoleSpec } from '../model/plan.ts';

/**
 * Who assumes the role. The self-healing agent's recovery is executed by
 * EventBridge invoking Run Command, so EventBridge assumes that role; the
 * other agents run as workloads of the account.
 */
const TRUST_BY_TYPE: Record<string, string> = {
  'self-healing': 'events.amazonaws.com',
};

export function agentRoleSpecs(actions: readonly Action[], agents: readonly Agent[], table: IamTable): Result<AgentRoleSpec[]> {
  const byId = new Map(agents.map((a) => [a.agent_id, a]));
  const { assignments } = assignAgents(actions, { get: (id) => byId.get(id), list: () => agents });
  const working = new Map<string, Agent>();
  for (const a of assignments) if (a.status !== 'no_agent') working.set(a.agent.agent_id, a.agent);
  const roles: AgentRoleSpec[] = [];
  const problems: Diagnostic[] = [];
  for (const agent of [...working.values()].sort((a, b) => a.agent_id.localeCompare(b.agent_id))) {
    const statements = iamStatementsFor(agent, table);
    if (!statements.ok) {
      problems.push(...statements.diagnostics);
      continue;
    }
    // An agent whose permissions are all repository-scoped needs no role (and AWS rejects an empty policy).
    if (statements.value.length === 0) continue;
    roles.push({
      agentId: agent.agent_id,
      type: agent.type,
      trustedBy: TRUST_BY_TYPE[agent.type] ?? 'account',
      statements: statements.value.map((s) => ({ sid: s.sid, actions: s.actions, resources: s.resources, ...(s.condition ? { condition: s.condition } : {}) })),
      permissions: agent.permissions.filter((p) => table.rows.get(p)?.scope === 'aws'),
    });
  }
  return problems.length ? fail(problems) : ok(roles);
}
