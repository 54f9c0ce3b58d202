/** Which agent performs which action, and what its job needs (runner/model/agent-assignment.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assignAgents, agentFor } from '../../runner/model/agent-assignment.ts';
import { parseAgentRegistry } from '../../runner/core/agent-registry.ts';
import { REPO, seedActions } from '../contracts/fixtures.ts';

const repoRegistryText = () => readFileSync(join(REPO, 'agents/agents.yaml'), 'utf8');

describe('assignAgents', () => {
  const reg = parseAgentRegistry(repoRegistryText());
  if (!reg.ok) throw new Error('registry');

  it('puts the three seed agents to work for the seed translation (seed §5)', () => {
    const { agents, assignments } = assignAgents(seedActions(), reg.value);
    expect(assignments.every((a) => a.status === 'assigned')).toBe(true);
    expect(agents).toEqual([
      { agent_id: 'monitoring-agent-001', type: 'monitoring', version: '2.1.0', permissions: ['read:metrics', 'write:health_status'] },
      { agent_id: 'self-healing-agent-001', type: 'self-healing', version: '1.5.0', permissions: ['read:health_status', 'execute:recovery', 'write:audit_logs'] },
      { agent_id: 'scaling-agent-001', type: 'auto-scaling', version: '1.3.0', permissions: ['read:metrics', 'execute:scale_operations', 'write:audit_logs'] },
    ]);
  });

  it('reports an agent lacking what its job needs, and a missing agent type', () => {
    const r = parseAgentRegistry('agents:\n  - {agent_id: sh, type: self-healing, version: 1.0.0, permissions: [read:health_status, write:audit_logs]}\n');
    if (!r.ok) throw new Error('registry');
    expect(agentFor('enable_self_healing', r.value)).toMatchObject({ status: 'missing_permissions', missing: ['execute:recovery'] });
    expect(agentFor('configure_auto_scaling', r.value)).toMatchObject({ status: 'no_agent', role: { type: 'auto-scaling' } });
    expect(agentFor('create_load_balancer', r.value)).toBeUndefined();
  });
});
