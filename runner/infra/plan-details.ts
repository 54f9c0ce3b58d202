/**
 * The structured summary of a plan stored in `report.intents[].plan.details`
 * (`planDetails`): per stack, each resource with the inputs worth showing.
 * Pure data, no Pulumi import; runner/report/plan.ts renders it.
 */
import type { CostEstimate } from '../model/report.ts';
import type { IntentPlan, PlanDetails, PlanKeyInputs as Key, PlannedResource } from '../model/plan.ts';

const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
const pick = (r: PlannedResource, paths: string[]): Key => {
  const out: Key = {};
  for (const p of paths) {
    const v = get(r.inputs, p);
    if (v !== undefined) out[p.split('.').pop()!] = v;
  }
  return out;
};
const actionsOf = (policy: unknown): string[] => {
  try {
    const doc = JSON.parse(String(policy)) as { Statement: Array<{ Action: string | string[] }> };
    return doc.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  } catch {
    return [];
  }
};

/** The inputs worth showing per resource type (explicit registry; other types show none). */
const KEY_INPUTS: Record<string, (r: PlannedResource) => Key> = {
  'pulumi:providers:aws': (r) => pick(r, ['region']),
  'aws:lb/loadBalancer:LoadBalancer': (r) => ({ ...pick(r, ['loadBalancerType', 'internal']), subnets: (r.inputs.subnets as unknown[] | undefined)?.length ?? 0 }),
  'aws:lb/targetGroup:TargetGroup': (r) => ({ ...pick(r, ['port', 'protocol']), health_check: pick(r, ['healthCheck.path', 'healthCheck.interval', 'healthCheck.timeout', 'healthCheck.healthyThreshold', 'healthCheck.unhealthyThreshold']) }),
  'aws:lb/listener:Listener': (r) => ({
    ...pick(r, ['port', 'protocol', 'sslPolicy']),
    actions: ((r.inputs.defaultActions as Array<{ type: string; redirect?: { protocol?: string } }> | undefined) ?? []).map((a) => (a.type === 'redirect' ? `redirect→${a.redirect?.protocol ?? '?'}` : a.type)),
  }),
  'aws:ec2/launchTemplate:LaunchTemplate': (r) => ({ ...pick(r, ['instanceType', 'imageId']), imds: get(r.inputs, 'metadataOptions.httpTokens') === 'required' ? 'v2-only' : 'v1-allowed' }),
  'aws:autoscaling/group:Group': (r) => ({ ...pick(r, ['minSize', 'maxSize', 'desiredCapacity', 'healthCheckType', 'healthCheckGracePeriod']), zones: (r.inputs.vpcZoneIdentifiers as unknown[] | undefined)?.length ?? 0 }),
  'aws:autoscaling/policy:Policy': (r) => ({ ...pick(r, ['policyType', 'adjustmentType', 'targetTrackingConfiguration.targetValue']), ...(get(r.inputs, 'targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType') ? { metric: get(r.inputs, 'targetTrackingConfiguration.predefinedMetricSpecification.predefinedMetricType') } : {}) }),
  'aws:cloudwatch/metricAlarm:MetricAlarm': (r) => ({
    metric: r.inputs.metricName ?? ((r.inputs.metricQueries as Array<{ expression?: string }> | undefined) ?? []).find((q) => q.expression)?.expression,
    ...pick(r, ['extendedStatistic', 'statistic', 'comparisonOperator', 'threshold']),
    actions: (r.inputs.alarmActions as unknown[] | undefined)?.length ?? 0,
    trigger: get(r.inputs, 'tags.gitops:trigger'),
  }),
  'aws:cloudwatch/eventRule:EventRule': (r) => pick(r, ['description']),
  'aws:cloudwatch/eventTarget:EventTarget': (r) => ({ run_command: (r.inputs.runCommandTargets as Array<{ key: string; values: string[] }> | undefined)?.map((t) => `${t.key}=${t.values.join(',')}`) ?? [], role: r.inputs.roleArn !== undefined }),
  'aws:ssm/document:Document': (r) => ({ ...pick(r, ['documentType']), description: (() => { try { return (JSON.parse(String(r.inputs.content)) as { description?: string }).description; } catch { return undefined; } })() }),
  'aws:iam/role:Role': (r) => pick(r, ['description']),
  'aws:iam/rolePolicy:RolePolicy': (r) => ({ actions: actionsOf(r.inputs.policy) }),
  'aws:iam/rolePolicyAttachment:RolePolicyAttachment': (r) => pick(r, ['policyArn']),
  'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule': (r) => ({ port: r.inputs.fromPort === r.inputs.toPort ? r.inputs.fromPort : `${String(r.inputs.fromPort)}-${String(r.inputs.toPort)}`, from: r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? 'security group' }),
  'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule': (r) => ({ port: r.inputs.fromPort, to: r.inputs.cidrIpv4 ?? 'security group' }),
  'aws:ec2/subnet:Subnet': (r) => pick(r, ['cidrBlock', 'availabilityZone']),
  'aws:ec2/vpc:Vpc': (r) => pick(r, ['cidrBlock']),
  'aws:cloudwatch/logGroup:LogGroup': (r) => pick(r, ['name', 'retentionInDays']),
};

export function keyInputs(r: PlannedResource): Key {
  return KEY_INPUTS[r.type]?.(r) ?? {};
}

export function planDetails(plan: IntentPlan, extras: { policies?: PlanDetails['policies']; cost?: CostEstimate } = {}): PlanDetails {
  return {
    duration_ms: plan.duration_ms,
    stacks: plan.stacks.map((s) => ({
      stack: s.stack,
      region: s.region,
      zones: s.zones,
      notes: s.notes,
      resources: s.resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, step: r.step, key: keyInputs(r) })),
    })),
    ...(extras.policies ? { policies: extras.policies } : {}),
    ...(extras.cost ? { cost: extras.cost } : {}),
  };
}
