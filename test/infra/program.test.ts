/**
 * The Pulumi program under the mock runtime (runner/infra/preview.ts): the
 * seed intent and its variants (one zone, two regions, no self-healing),
 * asserting the resources and their key inputs. Each run takes ~0.5–2 s, so
 * plans are computed once per variant.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { previewPlan } from '../../runner/infra/preview.ts';
import type { IntentPlan, PlannedResource, StackPlan } from '../../runner/model/plan.ts';
import { seedActions, SEED_AGENT_INPUT } from './fixtures.ts';
import type { Action } from '../../runner/model/report.ts';

async function planOf(actions: Action[], regions?: string[]): Promise<IntentPlan> {
  const r = await previewPlan({ intentId: 'DEPLOY-WEB-001', actions, agents: SEED_AGENT_INPUT, ...(regions ? { regions } : {}) });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
}
const ofType = (s: StackPlan, type: string) => s.resources.filter((r) => r.type === type);
const one = (s: StackPlan, type: string): PlannedResource => {
  const rs = ofType(s, type);
  expect(rs, type).toHaveLength(1);
  return rs[0]!;
};
const T = {
  lb: 'aws:lb/loadBalancer:LoadBalancer',
  tg: 'aws:lb/targetGroup:TargetGroup',
  listener: 'aws:lb/listener:Listener',
  lt: 'aws:ec2/launchTemplate:LaunchTemplate',
  asg: 'aws:autoscaling/group:Group',
  policy: 'aws:autoscaling/policy:Policy',
  alarm: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  rule: 'aws:cloudwatch/eventRule:EventRule',
  target: 'aws:cloudwatch/eventTarget:EventTarget',
  doc: 'aws:ssm/document:Document',
  role: 'aws:iam/role:Role',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  attachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  provider: 'pulumi:providers:aws',
  subnet: 'aws:ec2/subnet:Subnet',
};

describe('the program, seed intent (one region, three zones)', () => {
  let stack: StackPlan;
  beforeAll(async () => {
    const plan = await planOf(seedActions());
    expect(plan.stacks).toHaveLength(1);
    stack = plan.stacks[0]!;
  });

  it('registers every resource (the plan waits for pending registrations)', () => {
    // Resources that depend on other resources' outputs register last: the
    // event target needs the rule, the document and the agent role.
    expect(ofType(stack, T.target)).toHaveLength(1);
    expect(stack.resources.length).toBe(new Set(stack.resources.map((r) => r.urn)).size);
    expect(stack.resources.every((r) => r.urn === `urn:pulumi:DEPLOY-WEB-001-us-west-2::gitops::${r.type}::${r.name}`)).toBe(true);
  });

  it('uses one explicit provider for the region, for every resource', () => {
    const provider = one(stack, T.provider);
    expect(provider.inputs.region).toBe('us-west-2');
    // Provider inputs travel JSON-encoded.
    expect(JSON.parse(String(provider.inputs.defaultTags))).toEqual({ tags: { 'gitops:intent': 'DEPLOY-WEB-001', 'gitops:stack': 'DEPLOY-WEB-001-us-west-2', 'managed-by': 'gitops' } });
    const others = stack.resources.filter((r) => r.type !== T.provider);
    expect(others.every((r) => r.provider === `${provider.urn}::${provider.id}`)).toBe(true);
  });

  it('puts an internet-facing ALB across the three zones with a target group carrying the health check', () => {
    const lb = one(stack, T.lb);
    expect(lb.inputs).toMatchObject({ loadBalancerType: 'application', internal: false });
    expect(lb.inputs.subnets).toHaveLength(3);
    expect(one(stack, T.tg).inputs.healthCheck).toMatchObject({ path: '/health', interval: 30, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 });
  });

  it('serves HTTPS with the TLS 1.3 policy behind OIDC and redirects HTTP', () => {
    const [http, https] = ofType(stack, T.listener).sort((a, b) => Number(a.inputs.port) - Number(b.inputs.port));
    expect(https!.inputs).toMatchObject({ port: 443, protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
    expect((https!.inputs.defaultActions as Array<{ type: string }>).map((a) => a.type)).toEqual(['authenticate-oidc', 'forward']);
    expect(JSON.stringify(https!.inputs)).not.toContain('clientSecret":"<unset'); // secrets are redacted in the plan
    expect(http!.inputs).toMatchObject({ port: 80, protocol: 'HTTP', defaultActions: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }] });
    expect(stack.notes.join('\n')).toContain('gitops:certificateArn');
  });

  it('launches IMDSv2-only instances with an SSM-core-only profile, in an ELB-checked ASG of 3..10', () => {
    expect(one(stack, T.lt).inputs).toMatchObject({ instanceType: 't3.medium', metadataOptions: { httpTokens: 'required' } });
    expect(ofType(stack, T.attachment).map((a) => a.inputs.policyArn)).toEqual(['arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore']);
    const asg = one(stack, T.asg);
    expect(asg.inputs).toMatchObject({ minSize: 3, maxSize: 10, desiredCapacity: 3, healthCheckType: 'ELB', healthCheckGracePeriod: 300 });
    expect(asg.inputs.vpcZoneIdentifiers).toHaveLength(3);
    expect(asg.inputs.targetGroupArns).toEqual([one(stack, T.tg).arn]);
  });

  it('tracks CPU at 70 and scales out on p95 latency over 0.2 s', () => {
    const policies = ofType(stack, T.policy);
    const tracking = policies.find((p) => p.inputs.policyType === 'TargetTrackingScaling')!;
    expect(tracking.inputs.targetTrackingConfiguration).toMatchObject({ targetValue: 70, predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' } });
    const scaleOut = policies.find((p) => p.inputs.policyType === 'StepScaling')!;
    const latency = ofType(stack, T.alarm).find((a) => a.inputs.metricName === 'TargetResponseTime')!;
    expect(latency.inputs).toMatchObject({ extendedStatistic: 'p95', threshold: 0.2, comparisonOperator: 'GreaterThanThreshold', alarmActions: [scaleOut.arn], namespace: 'AWS/ApplicationELB' });
  });

  it('restarts the service on a 5xx rate over 5% via EventBridge → Run Command, within the recovery policy', () => {
    const errors = ofType(stack, T.alarm).find((a) => a.inputs.metricQueries)!;
    const queries = errors.inputs.metricQueries as Array<{ id: string; expression?: string; metric?: { metricName: string } }>;
    expect(queries.map((q) => q.metric?.metricName ?? q.expression)).toEqual(['HTTPCode_Target_5XX_Count', 'RequestCount', 'IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)']);
    expect(errors.inputs.threshold).toBe(5);
    const rule = one(stack, T.rule);
    expect(JSON.parse(String(rule.inputs.eventPattern))).toMatchObject({ 'detail-type': ['CloudWatch Alarm State Change'], resources: [errors.arn], detail: { state: { value: ['ALARM'] } } });
    const doc = one(stack, T.doc);
    const target = one(stack, T.target);
    const healer = ofType(stack, T.role).find((r) => r.name.endsWith('self-healing-agent-001'))!;
    expect(target.inputs).toMatchObject({ arn: doc.arn, roleArn: healer.arn, runCommandTargets: [{ key: 'tag:gitops:stack', values: ['DEPLOY-WEB-001-us-west-2'] }] });
    const step = (JSON.parse(String(doc.inputs.content)) as { mainSteps: Array<{ inputs: { timeoutSeconds: number; runCommand: string[] } }> }).mainSteps[0]!;
    expect(step.inputs.runCommand.join('\n')).toContain('for attempt in $(seq 1 3)');
    expect(step.inputs.runCommand.join('\n')).toContain('timeout 60 systemctl restart nginx');
    expect(step.inputs.timeoutSeconds).toBe(3 * 60 * 2 + 30);
  });

  it('creates one least-privilege role per agent operating the service, without iam:PassRole', () => {
    const agentRoles = ofType(stack, T.role).filter((r) => (r.inputs.tags as Record<string, string> | undefined)?.['gitops:agent']);
    expect(agentRoles.map((r) => (r.inputs.tags as Record<string, string>)['gitops:agent']).sort()).toEqual(['monitoring-agent-001', 'scaling-agent-001', 'self-healing-agent-001']);
    const scaling = ofType(stack, T.rolePolicy).find((p) => p.name.includes('scaling-agent-001'))!;
    const doc = JSON.parse(String(scaling.inputs.policy)) as { Statement: Array<{ Sid: string; Action: string[]; Resource: string }> };
    expect(doc.Statement.find((s) => s.Sid === 'ScaleStackGroup')).toMatchObject({ Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:ExecutePolicy'], Resource: one(stack, T.asg).arn });
    expect(JSON.stringify(ofType(stack, T.rolePolicy).map((p) => p.inputs.policy))).not.toContain('iam:PassRole');
  });

  it('assigns every resource to a seed §6 step', () => {
    const steps = new Map(stack.resources.map((r) => [r.name, r.step]));
    expect(steps.get('deploy-web-001-alb')).toBe('provision_infrastructure');
    expect(steps.get('deploy-web-001-asg')).toBe('deploy_application');
    expect(steps.get('deploy-web-001-cpu-target')).toBe('configure_monitoring');
    expect(steps.get('deploy-web-001-on-error-rate-restart')).toBe('enable_self_healing');
  });
});

describe('the program, variants', () => {
  it('one zone: instances in that zone, the ALB also in a second zone of the region', async () => {
    const [stack] = (await planOf(seedActions({ regions: { 'us-west-2': ['us-west-2b'] } }))).stacks;
    expect(ofType(stack!, T.asg)[0]!.inputs.vpcZoneIdentifiers).toHaveLength(1);
    const zones = ofType(stack!, T.subnet).filter((s) => s.name.includes('public')).map((s) => s.inputs.availabilityZone);
    expect(zones).toEqual(['us-west-2b', 'us-west-2a']);
    expect(stack!.notes.join('\n')).toContain('single zone us-west-2b');
  });

  it('two regions: two stacks, each with its own provider and region', async () => {
    const plan = await planOf(seedActions({ regions: { 'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'], 'eu-west-1': ['eu-west-1a', 'eu-west-1b'] } }));
    expect(plan.stacks.map((s) => [s.stack, one(s, T.provider).inputs.region])).toEqual([
      ['DEPLOY-WEB-001-eu-west-1', 'eu-west-1'],
      ['DEPLOY-WEB-001-us-west-2', 'us-west-2'],
    ]);
    expect(plan.by_type[T.lb]).toBe(2);
    expect(plan.resources).toBe(plan.stacks[0]!.resources.length + plan.stacks[1]!.resources.length);
    expect(ofType(plan.stacks[0]!, T.lb)[0]!.urn).toContain('DEPLOY-WEB-001-eu-west-1::gitops');
  });

  it('no self-healing: CPU tracking and ELB replacement stay, no alarms or recovery automation', async () => {
    const [stack] = (await planOf(seedActions({ selfHealing: false }))).stacks;
    expect(ofType(stack!, T.alarm)).toHaveLength(0);
    expect(ofType(stack!, T.doc)).toHaveLength(0);
    expect(ofType(stack!, T.rule)).toHaveLength(0);
    expect(ofType(stack!, T.policy).map((p) => p.inputs.policyType)).toEqual(['TargetTrackingScaling']);
    expect(ofType(stack!, T.asg)[0]!.inputs.healthCheckType).toBe('ELB');
    expect(stack!.triggers).toEqual([]);
  });
});
