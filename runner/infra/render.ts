/**
 * Plan reporters: pure functions of the plan data (no Pulumi import, so the
 * check's markdown reporter can use them). `planDetails` is the structured
 * summary stored in `report.intents[].plan.details`; the text and markdown
 * renderings are computed from it.
 */
import type { CostEstimate } from '../model/report.ts';
import type { PlanFinding, PlanPolicyInfo } from './plan-policy.ts';
import { APPLY_STEPS, type IntentPlan, type PlannedResource } from '../model/plan.ts';

type Key = Record<string, unknown>;
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

export interface PlanDetails {
  duration_ms: number;
  stacks: Array<{
    stack: string;
    region: string;
    zones: string[];
    notes: string[];
    resources: Array<{ urn: string; type: string; name: string; step: string; key: Key }>;
  }>;
  policies?: { evaluated: PlanPolicyInfo[]; findings: PlanFinding[] };
  cost?: CostEstimate;
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

function fmtKey(key: Key): string {
  return Object.entries(key)
    .filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

const short = (type: string) => type.replace(/^aws:/, '').replace(/^([^/]+)\/[^:]+:/, '$1:');

const money = (n: number) => `$${n.toFixed(2)}`;

export function renderPlanText(intentId: string, file: string | undefined, resources: number, d: PlanDetails): string {
  const lines: string[] = [];
  lines.push(`${intentId}${file ? ` (${file})` : ''}: ${resources} resources in ${d.stacks.length} stack${d.stacks.length === 1 ? '' : 's'} (mock runtime, ${d.duration_ms} ms)`);
  for (const s of d.stacks) {
    lines.push('', `stack ${s.stack}  region ${s.region}  zones ${s.zones.join(', ')}  (${s.resources.length} resources)`);
    for (const step of APPLY_STEPS) {
      const rs = s.resources.filter((r) => r.step === step);
      if (!rs.length) continue;
      lines.push(`  ${step} (${rs.length})`);
      for (const r of rs) lines.push(`    + ${short(r.type)}  ${r.name}${Object.keys(r.key).length ? '  ' + fmtKey(r.key) : ''}`);
    }
    for (const n of s.notes) lines.push(`  note: ${n}`);
  }
  if (d.policies) {
    const failed = new Set(d.policies.findings.map((f) => f.policy));
    lines.push('', `plan policies: ${d.policies.evaluated.length - failed.size} passed, ${failed.size} with findings`);
    for (const p of d.policies.evaluated) if (!failed.has(p.id)) lines.push(`  ✓ ${p.id} ${p.passed ?? p.title}`);
    for (const f of d.policies.findings) lines.push(`  ${f.severity === 'deny' ? '✗' : '!'} ${f.policy} [${f.stack}] ${f.message}`);
  }
  if (d.cost) lines.push('', ...costLines(d.cost).map((l) => l));
  return lines.join('\n') + '\n';
}

function costLines(c: CostEstimate): string[] {
  return [
    `cost from the plan: ${money(c.monthly_min)}–${money(c.monthly_max)}/month (${c.hours_per_month} h/month, min..max capacity; prices ${c.price_table.date})`,
    ...c.items.map((i) => `  ${i.resource}: ${money(i.monthly_min)}–${money(i.monthly_max)}`),
    ...c.assumptions.map((a) => `  assumes: ${a}`),
  ];
}

/** Markdown for the PR comment: counts by type up front, the resource list folded. */
export function renderPlanMarkdown(plan: { resources: number; by_type: Record<string, number>; details?: unknown }, opts: { listResources?: boolean } = {}): string {
  const d = plan.details as PlanDetails | undefined;
  const out: string[] = [];
  out.push(`**Infrastructure preview**: ${plan.resources} resources${d ? ` in ${d.stacks.length} stack(s): ${d.stacks.map((s) => `\`${s.stack}\``).join(', ')}` : ''}`, '');
  out.push('| Resource type | Count |', '|---|---:|');
  for (const [t, n] of Object.entries(plan.by_type)) out.push(`| \`${t}\` | ${n} |`);
  if (d?.policies?.findings.length) {
    out.push('', '**Plan policy findings**', '');
    for (const f of d.policies.findings) out.push(`- ${f.severity === 'deny' ? '❌' : '⚠️'} **${f.policy}** \`${f.stack}\`: ${f.message}`);
  }
  if (d?.cost) out.push('', `Cost from the plan: ${money(d.cost.monthly_min)}–${money(d.cost.monthly_max)}/month (${d.cost.hours_per_month} h/month).`);
  // With a plan diff the changes are listed already; the full list stays in the JSON report and the text output.
  if (d && opts.listResources !== false) {
    out.push('', '<details><summary>Resources and key inputs</summary>', '');
    for (const s of d.stacks) {
      out.push(`**${s.stack}** (${s.zones.join(', ')})`, '');
      for (const r of s.resources) out.push(`- \`${short(r.type)}\` ${r.name} — ${r.step}${Object.keys(r.key).length ? ` — ${fmtKey(r.key).replaceAll('|', '\\|')}` : ''}`);
      for (const n of s.notes) out.push(`- _note_: ${n}`);
      out.push('');
    }
    out.push('</details>');
  }
  return out.join('\n') + '\n';
}
