/**
 * The plan policies (policies/plan/*.rego) on a real mock-runtime plan of the
 * seed, and on copies of it broken one way at a time.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { previewPlan } from '../../runner/infra/preview.ts';
import { preparePlanPolicies, type PreparedPlanPolicies } from '../../runner/infra/plan-policy.ts';
import { planCost } from '../../runner/infra/plan-cost.ts';
import type { IntentPlan, PlannedResource } from '../../runner/model/plan.ts';
import { seedActions, SEED_AGENT_INPUT } from './fixtures.ts';

const ROOT = join(import.meta.dirname, '../..');
const modules = readdirSync(join(ROOT, 'policies/plan'))
  .filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego'))
  .map((f) => ({ file: `policies/plan/${f}`, text: readFileSync(join(ROOT, 'policies/plan', f), 'utf8') }));

let seed: IntentPlan;
let policies: PreparedPlanPolicies;
beforeAll(async () => {
  const r = await previewPlan({ intentId: 'DEPLOY-WEB-001', actions: seedActions(), agents: SEED_AGENT_INPUT });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  seed = r.value;
  const p = preparePlanPolicies(modules);
  if (!p.ok) throw new Error(JSON.stringify(p.diagnostics));
  policies = p.value;
});

/** A copy of the seed plan with `edit` applied to its first stack's resources. */
function broken(edit: (resources: PlannedResource[]) => PlannedResource[]): IntentPlan {
  const copy = structuredClone(seed);
  copy.stacks[0]!.resources = edit(copy.stacks[0]!.resources);
  return copy;
}
const findings = (plan: IntentPlan) => {
  const r = policies.evaluate(plan);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
};
const named = (rs: PlannedResource[], suffix: string) => rs.find((r) => r.name.endsWith(suffix))!;

describe('plan policies', () => {
  it('are read with their METADATA ids', () => {
    expect(policies.policies.map((p) => p.id)).toEqual(['PLAN-ASG-001', 'PLAN-IAM-001', 'PLAN-NET-001', 'PLAN-TLS-001', 'PLAN-TRIG-001']);
  });

  it('pass the seed plan', () => {
    expect(findings(seed)).toMatchObject({ findings: [], denied: false });
  });

  it('deny an autoscaling group with EC2 health checks', () => {
    const out = findings(broken((rs) => (named(rs, '-asg').inputs.healthCheckType = 'EC2', rs)));
    expect(out.denied).toBe(true);
    expect(out.findings).toEqual([
      expect.objectContaining({ policy: 'PLAN-ASG-001', severity: 'deny', stack: 'DEPLOY-WEB-001-us-west-2', resource: expect.stringContaining('deploy-web-001-asg'), message: expect.stringContaining('EC2 health checks') }),
      // …and the restart_instance trigger loses its mechanism.
      expect.objectContaining({ policy: 'PLAN-TRIG-001', message: expect.stringContaining('restart_instance') }),
    ]);
  });

  it('deny world-open ingress anywhere but the load balancer’s 443 (and its redirecting 80)', () => {
    const ssh = broken((rs) => {
      const app = named(rs, '-app-in-alb');
      return [...rs, { ...structuredClone(app), urn: app.urn + '-ssh', name: 'ssh', inputs: { ...app.inputs, fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0', referencedSecurityGroupId: undefined } }];
    });
    expect(findings(ssh).findings.map((f) => [f.policy, f.message])).toEqual([['PLAN-NET-001', expect.stringContaining('not the load balancer')]]);
    // Port 80 stays allowed only while its listener redirects.
    const forwarding = findings(broken((rs) => (named(rs, '-http-80').inputs.defaultActions = [{ type: 'forward', targetGroupArn: 'x' }], rs)));
    expect(forwarding.findings.map((f) => f.policy).sort()).toEqual(['PLAN-NET-001', 'PLAN-TLS-001']);
  });

  it('deny an HTTPS listener without TLS 1.3', () => {
    const out = findings(broken((rs) => (named(rs, '-https-443').inputs.sslPolicy = 'ELBSecurityPolicy-TLS-1-2-2017-01', rs)));
    expect(out.findings).toEqual([expect.objectContaining({ policy: 'PLAN-TLS-001', message: expect.stringContaining('does not enable TLS 1.3') })]);
  });

  it('deny a trigger without its alarm, or an alarm without its action', () => {
    const noLatency = findings(broken((rs) => rs.filter((r) => !r.name.includes('alarm-latency'))));
    expect(noLatency.findings.map((f) => f.message)).toEqual([expect.stringContaining('latency_p95 > 200ms')]);
    const noAction = findings(broken((rs) => (named(rs, 'alarm-latency-p95-scale-out').inputs.alarmActions = [], rs)));
    expect(noAction.findings.map((f) => f.message)).toEqual([expect.stringContaining('does not trigger a scaling policy')]);
    const noTarget = findings(broken((rs) => rs.filter((r) => r.type !== 'aws:cloudwatch/eventTarget:EventTarget')));
    expect(noTarget.findings.map((f) => f.message)).toEqual([expect.stringContaining('is not wired to a restart')]);
  });

  it('deny unscoped iam:PassRole, wildcard actions and IMDSv1', () => {
    const out = findings(
      broken((rs) => {
        const p = named(rs, 'scaling-agent-001-policy');
        const doc = JSON.parse(String(p.inputs.policy)) as { Statement: unknown[] };
        doc.Statement.push({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }, { Effect: 'Allow', Action: ['s3:*'], Resource: '*' });
        p.inputs.policy = JSON.stringify(doc);
        (named(rs, '-lt').inputs.metadataOptions as Record<string, unknown>).httpTokens = 'optional';
        return rs;
      }),
    );
    expect(out.findings.map((f) => f.message).sort()).toEqual([
      expect.stringContaining('grants iam:PassRole without a specific role'),
      expect.stringContaining('grants the wildcard action s3:*'),
      expect.stringContaining('allows IMDSv1'),
    ].sort((a, b) => String(a).localeCompare(String(b))));
  });
});

describe('cost from the plan', () => {
  it('prices instances at min and max capacity over 730 h and lists what is usage-priced', () => {
    const c = planCost(seed);
    expect(c.hours_per_month).toBe(730);
    const ec2 = c.items.find((i) => i.resource === 'us-west-2/ec2:t3.medium')!;
    expect(ec2).toMatchObject({ quantity: 3, unit_price: 0.0416, monthly_min: 91.1, monthly_max: 303.68 });
    expect(c.monthly_min).toBe(Math.round((91.1 + 16.43 + 5.84) * 100) / 100);
    expect(c.assumptions.join('\n')).toContain('NAT gateway');
    expect(c.assumptions.join('\n')).toContain('CloudWatch alarms');
  });
});

describe('the plan policies’ Rego unit tests (policies/plan/*_test.rego)', () => {
  it('pass', async () => {
    const { readRegoFiles, runPolicyTests } = await import('../../runner/policy/test.ts');
    const r = runPolicyTests(await readRegoFiles(ROOT, ['policies/plan']));
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.value.length).toBeGreaterThanOrEqual(26);
    expect(r.value.filter((c) => c.status !== 'PASS').map((c) => `${c.name}: ${c.status} ${c.error ?? ''}`)).toEqual([]);
  });
});
