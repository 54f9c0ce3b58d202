import { describe, expect, it } from 'vitest';
import { parseTrigger, requiredStackConfig, stackSpecs } from '../../runner/infra/spec.ts';
import { agentRoleSpecs } from '../../runner/infra/agent-roles.ts';
import { seedActions, SEED_AGENTS, SEED_AGENT_INPUT, IAM_TABLE } from './fixtures.ts';
import type { Action } from '../../runner/model/report.ts';

const specsOf = (actions: Action[], regions?: string[]) => stackSpecs({ intentId: 'DEPLOY-WEB-001', actions, agents: SEED_AGENT_INPUT, file: 'intents/DEPLOY-WEB-001.yaml', ...(regions ? { regions } : {}) });

describe('stackSpecs', () => {
  it('turns the seed actions into one stack per region with the intent’s values', () => {
    const r = specsOf(seedActions(), ['us-west-2', 'us-east-1']);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.map((s) => s.stack)).toEqual(['DEPLOY-WEB-001-us-east-1', 'DEPLOY-WEB-001-us-west-2']);
    const west = r.value.find((s) => s.region === 'us-west-2')!;
    expect(west.zones).toEqual(['us-west-2a', 'us-west-2b', 'us-west-2c']);
    expect(west.scaling).toEqual({ min: 3, max: 10, targetCpu: 70 });
    expect(west.healthCheck).toEqual({ interval: 30, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, path: '/health' });
    expect(west.loadBalancer.listeners).toEqual([
      { protocol: 'HTTPS', port: 443, sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' },
      { protocol: 'HTTP', port: 80, redirectToHttps: true },
    ]);
    expect(west.selfHealing).toMatchObject({ strategy: 'restart', maxAttempts: 3, timeoutSeconds: 60 });
    // The second region gets as many zones from the translator's zone table.
    expect(r.value.find((s) => s.region === 'us-east-1')!.zones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(west.agents.map((a) => a.agentId)).toEqual(['monitoring-agent-001', 'scaling-agent-001', 'self-healing-agent-001']);
  });

  it('splits one deploy_instances whose zones span regions', () => {
    const actions = seedActions({ regions: { 'us-west-2': ['us-west-2a', 'us-west-2b', 'us-east-1a', 'us-east-1b'] } });
    (actions[1]!.config as { region?: string }).region = undefined;
    delete (actions[1]!.config as { region?: string }).region;
    const r = specsOf(actions);
    expect(r.ok && r.value.map((s) => [s.region, s.zones])).toEqual([
      ['us-east-1', ['us-east-1a', 'us-east-1b']],
      ['us-west-2', ['us-west-2a', 'us-west-2b']],
    ]);
  });

  it('fails with diagnostics naming the action and field', () => {
    const actions = seedActions();
    (actions[2]!.config as Record<string, unknown>).min = 'three';
    (actions[3]!.config as Record<string, unknown>).timeout = 30;
    const r = specsOf(actions.filter((a) => a.action !== 'create_load_balancer'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'infra_invalid_action', path: 'actions[1].config.min', file: 'intents/DEPLOY-WEB-001.yaml' }),
        expect.objectContaining({ code: 'infra_missing_action', message: expect.stringContaining('create_load_balancer') }),
      ]),
    );
  });

  it('checks what the load balancer and health check accept', () => {
    const actions = seedActions();
    (actions[3]!.config as Record<string, unknown>).timeout = 30; // not < interval 30
    (actions[2]!.config as Record<string, unknown>).min = 12; // > max 10
    const r = specsOf(actions);
    expect(!r.ok && r.diagnostics.map((d) => d.path)).toEqual(['actions[2].config.min', 'actions[3].config.timeout']);
    const noPolicy = seedActions();
    (noPolicy[0]!.config as { listeners: Array<Record<string, unknown>> }).listeners[0]!.ssl_policy = undefined;
    delete (noPolicy[0]!.config as { listeners: Array<Record<string, unknown>> }).listeners[0]!.ssl_policy;
    const r2 = specsOf(noPolicy);
    expect(!r2.ok && r2.diagnostics[0]).toMatchObject({ code: 'infra_invalid_action', path: 'actions[0].config.listeners.0' });
  });

  it('refuses restart triggers when no agent may execute recovery', () => {
    const r = stackSpecs({ intentId: 'X', actions: seedActions(), agents: { registry: SEED_AGENTS.filter((a) => !a.permissions.includes('execute:recovery')), iamTable: IAM_TABLE } });
    expect(!r.ok && r.diagnostics[0]!.code).toBe('infra_no_recovery_agent');
  });

  it('lists the stack config a real apply needs', () => {
    const r = specsOf(seedActions());
    expect(r.ok && requiredStackConfig(r.value[0]!).map((c) => c.key)).toEqual(['gitops:certificateArn', 'gitops:oidc']);
  });
});

describe('parseTrigger', () => {
  it('converts latency to seconds (CloudWatch TargetResponseTime) and percentages to percent', () => {
    expect(parseTrigger('latency_p95 > 200ms', 'scale_out')).toEqual({ ok: true, value: { condition: 'latency_p95 > 200ms', action: 'scale_out', signal: { kind: 'metric', metric: 'latency_p95', op: '>', threshold: 0.2 } } });
    expect(parseTrigger('error_rate > 5%', 'restart_service').ok && parseTrigger('error_rate > 5%', 'restart_service')).toMatchObject({ value: { signal: { metric: 'error_rate', threshold: 5 } } });
    expect(parseTrigger("health_status == 'failed'", 'restart_instance')).toMatchObject({ ok: true, value: { signal: { kind: 'health_status', equals: 'failed' } } });
  });

  it('rejects what the program cannot implement', () => {
    expect(parseTrigger("health_status == 'failed'", 'scale_out')).toMatchObject({ ok: false, diagnostics: [{ code: 'infra_unsupported_trigger' }] });
    expect(parseTrigger('throughput > 10 req/s', 'scale_out')).toMatchObject({ ok: false, diagnostics: [{ message: expect.stringContaining('no alarm for throughput') }] });
    expect(parseTrigger('error_rate < 5%', 'restart_service')).toMatchObject({ ok: false });
  });
});

describe('agentRoleSpecs', () => {
  it('gives a role to each agent the intent puts to work (seed §5), from the IAM table, never iam:PassRole', () => {
    const r = agentRoleSpecs(seedActions(), SEED_AGENTS, IAM_TABLE);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const roles = r.value;
    expect(roles.map((x) => x.agentId)).toEqual(['monitoring-agent-001', 'scaling-agent-001', 'self-healing-agent-001']);
    expect(roles.map((r) => r.agentId)).not.toContain('policy-engine');
    const healer = roles.find((r) => r.agentId === 'self-healing-agent-001')!;
    expect(healer.trustedBy).toBe('events.amazonaws.com');
    expect(healer.statements.flatMap((s) => s.actions)).toContain('ssm:SendCommand');
    expect(roles.flatMap((r) => r.statements.flatMap((s) => s.actions))).not.toContain('iam:PassRole');
  });
});
