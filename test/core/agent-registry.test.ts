import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAgentRegistry } from '../../runner/core/agent-registry.ts';
import { perform } from '../../runner/core/context.ts';
import { MemorySink } from '../../runner/core/events.ts';
import { REPO } from '../contracts/fixtures.ts';

const repoRegistryText = () => readFileSync(join(REPO, 'agents/agents.yaml'), 'utf8');

describe('parseAgentRegistry', () => {
  it('loads the repository registry: seed agents and the runner’s own', () => {
    const r = parseAgentRegistry(repoRegistryText());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.agents.map((a) => a.agent_id)).toEqual([
      'monitoring-agent-001',
      'self-healing-agent-001',
      'scaling-agent-001',
      'policy-engine',
      'intent-orchestrator',
      'infra-provisioner',
      'results-publisher',
      'audit-recorder',
      'feedback-analyst',
    ]);
    expect(r.value.get('self-healing-agent-001')?.permissions).toEqual(['read:health_status', 'execute:recovery', 'write:audit_logs']);
    expect(r.value.locate(['agents', 1, 'permissions', 1])).toEqual({ line: 26, col: 9 });
  });

  it('reports schema errors at their line', () => {
    const text = 'agents:\n  - agent_id: a\n    type: t\n    version: 1.0\n    permissions: [read:metrics, readmetrics]\n    colour: blue\n';
    const r = parseAgentRegistry(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((d) => [d.code, d.line, d.path])).toEqual([
      ['agents_schema_error', 4, 'agents[0].version'],
      ['agents_schema_error', 5, 'agents[0].permissions[1]'],
      // An unknown key is reported at the key itself.
      ['agents_schema_error', 6, 'agents[0]'],
    ]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "agents[0].version must be a semantic version string like 1.0.0 (YAML reads 1.0 as a number: write '1.0.0')",
      'agents[0].permissions[1] is not a permission: write verb:resource, verb one of read, write, execute (e.g. read:metrics)',
      "agents[0] has unknown field 'colour'",
    ]);
  });

  it('accepts wildcards syntactically (the policies deny them) and rejects duplicate ids at the second', () => {
    expect(parseAgentRegistry('agents:\n  - {agent_id: a, type: t, version: 1.0.0, permissions: ["execute:*"]}\n').ok).toBe(true);
    const r = parseAgentRegistry('agents:\n  - {agent_id: a, type: t, version: 1.0.0, permissions: []}\n  - {agent_id: a, type: t, version: 1.0.0, permissions: []}\n');
    expect(r.ok ? [] : r.diagnostics.map((d) => [d.code, d.line])).toEqual([['agents_duplicate_id', 3]]);
  });

  it('reports YAML syntax errors with a line', () => {
    const r = parseAgentRegistry('agents:\n  - agent_id: a\n   type: [\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ code: 'agents_parse_error', file: 'agents/agents.yaml', line: expect.any(Number) });
  });
});

describe('perform() as a registry agent', () => {
  it('refuses an action the agent lacks the permission for and records it with outcome denied', async () => {
    const reg = parseAgentRegistry(repoRegistryText());
    if (!reg.ok) throw new Error('registry');
    const audit = new MemorySink();
    const ctx = { traceId: 'trace-test', audit, agents: reg.value, human: 'dev@example.com', now: () => new Date('2026-01-01T00:00:00Z') };
    let ran = false;
    // monitoring-agent-001 reads metrics and writes health status; it may not execute a recovery.
    const r = await perform(ctx, { agent: 'monitoring-agent-001', permission: 'execute:recovery', action: 'enable_self_healing', resource: 'DEPLOY-WEB-001' }, () => {
      ran = true;
      return { value: 1 };
    });
    expect(ran).toBe(false);
    expect(r).toEqual({ status: 'denied', reason: 'agent monitoring-agent-001 lacks permission execute:recovery required for enable_self_healing' });
    expect(audit.events).toEqual([
      expect.objectContaining({ actor: 'monitoring-agent-001', action: 'agent_action_refused', outcome: 'denied', resource: 'DEPLOY-WEB-001', trace_id: 'trace-test', details: expect.objectContaining({ attempted_action: 'enable_self_healing', permission: 'execute:recovery' }) }),
    ]);
    const ok = await perform(ctx, { agent: 'self-healing-agent-001', permission: 'execute:recovery', action: 'enable_self_healing', resource: 'DEPLOY-WEB-001' }, () => ({ value: 2 }));
    expect(ok).toMatchObject({ status: 'done', value: 2, outcome: 'success' });
  });

  it('never treats a wildcard as granting a permission', async () => {
    const reg = parseAgentRegistry('agents:\n  - {agent_id: w, type: t, version: 1.0.0, permissions: ["execute:*", write:audit_logs]}\n');
    if (!reg.ok) throw new Error('registry');
    const audit = new MemorySink();
    const r = await perform({ traceId: 't', audit, agents: reg.value, human: 'h', now: () => new Date() }, { agent: 'w', permission: 'execute:recovery', action: 'enable_self_healing', resource: 'x' }, () => ({ value: 0 }));
    expect(r.status).toBe('denied');
    expect(audit.events[0]).toMatchObject({ action: 'agent_action_refused', outcome: 'denied' });
  });
});
