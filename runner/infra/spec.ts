/**
 * Translated actions (seed §3, `Action` in runner/check/types.ts) → one
 * validated `StackSpec` per region. This is the program's input contract: the
 * Pulumi program never reads raw intent YAML, and a malformed action fails
 * here with a diagnostic naming the action and field, before Pulumi loads.
 *
 * Regions: one `deploy_instances` action per region (with `region`, or zones
 * whose names give the region); a single action whose zones span regions is
 * split by region.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { Action } from '../check/types.ts';
import type { Agent } from '../core/context.ts';
import { diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import { agentRoleSpecs } from './agent-roles.ts';
import { PROJECT, type AgentRoleSpec, type StackSpec, type TriggerAction, type TriggerSpec, type TriggerSignal } from './types.ts';

const posInt = (minimum: number, maximum?: number) => ({ type: 'integer', minimum, ...(maximum !== undefined ? { maximum } : {}) });

/** JSON Schemas of the action configs the program consumes (extra fields are allowed: other stages add theirs). */
const CONFIG_SCHEMAS: Record<string, object> = {
  create_load_balancer: {
    type: 'object',
    required: ['type', 'scheme', 'tls_policy'],
    properties: {
      type: { const: 'application' },
      scheme: { enum: ['internet-facing', 'internal'] },
      protocol: { const: 'HTTPS' },
      tls_policy: { type: 'string', pattern: '^ELBSecurityPolicy-' },
      http_redirect: { type: 'boolean' },
      certificate_arn: { type: 'string', pattern: '^arn:aws[a-z-]*:acm:' },
      region: { type: 'string' },
    },
  },
  deploy_instances: {
    type: 'object',
    required: ['count', 'instance_type', 'availability_zones'],
    properties: {
      count: posInt(1),
      instance_type: { type: 'string', pattern: '^[a-z][a-z0-9-]*\\.[a-z0-9]+$' },
      availability_zones: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+[a-z]$' } },
      region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' },
    },
  },
  configure_auto_scaling: {
    type: 'object',
    required: ['min', 'max', 'target_cpu'],
    properties: { min: posInt(1), max: posInt(1), target_cpu: { type: 'number', exclusiveMinimum: 0, maximum: 100 } },
  },
  // Ranges are the ALB target group's own limits.
  setup_health_checks: {
    type: 'object',
    required: ['interval', 'timeout', 'healthy_threshold', 'unhealthy_threshold'],
    properties: {
      interval: posInt(5, 300),
      timeout: posInt(2, 120),
      healthy_threshold: posInt(2, 10),
      unhealthy_threshold: posInt(2, 10),
      path: { type: 'string', pattern: '^/' },
    },
  },
  enable_self_healing: {
    type: 'object',
    required: ['recovery_policy', 'triggers'],
    properties: {
      recovery_policy: {
        type: 'object',
        required: ['strategy', 'max_attempts', 'timeout_seconds'],
        properties: { strategy: { const: 'restart' }, max_attempts: posInt(1, 10), timeout_seconds: posInt(1, 3600) },
      },
      triggers: {
        type: 'array',
        items: { type: 'object', required: ['condition', 'action'], properties: { condition: { type: 'string' }, action: { enum: ['restart_instance', 'restart_service', 'scale_out'] } } },
      },
    },
  },
};

const REQUIRED_ACTIONS = ['create_load_balancer', 'deploy_instances', 'configure_auto_scaling', 'setup_health_checks'] as const;

let validators: Map<string, ReturnType<Ajv['compile']>> | undefined;
function validatorFor(action: string) {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    validators = new Map(Object.entries(CONFIG_SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));
  }
  return validators.get(action);
}

function ajvDiag(err: ErrorObject, index: number, action: string, file: string | undefined): Diagnostic {
  const field = err.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const path = `actions[${index}].config${field ? '.' + field : ''}`;
  const extra = err.keyword === 'enum' || err.keyword === 'const' ? ` (${JSON.stringify(err.params.allowedValues ?? err.params.allowedValue)})` : '';
  return diag('infra_invalid_action', `${action}: ${field || 'config'} ${err.message}${extra}`, { ...(file ? { file } : {}), path });
}

/** `us-west-2a` → `us-west-2`. */
export function regionOfZone(zone: string): string {
  return zone.replace(/[a-z]$/, '');
}

/**
 * Trigger conditions of seed §8: `health_status == 'failed'`, `error_rate > 5%`,
 * `latency_p95 > 200ms`. CloudWatch's TargetResponseTime is in seconds, so
 * latencies are converted here once (200 ms → 0.2).
 */
export function parseTrigger(condition: string, action: TriggerAction): Result<TriggerSpec> {
  const m = /^\s*([a-z_0-9]+)\s*(==|>)\s*(.+?)\s*$/.exec(condition);
  const bad = (why: string) => fail<TriggerSpec>(diag('infra_unsupported_trigger', `trigger "${condition}" → ${action}: ${why}`));
  if (!m) return bad('expected `<signal> == <value>` or `<signal> > <threshold>`');
  const [, signal, op, raw] = m as unknown as [string, string, string, string];
  let parsed: TriggerSignal;
  if (signal === 'health_status' && op === '==') {
    parsed = { kind: 'health_status', equals: raw.replace(/^['"]|['"]$/g, '') };
  } else if (signal === 'error_rate' && op === '>') {
    const n = /^(\d+(?:\.\d+)?)\s*%$/.exec(raw);
    if (!n) return bad('error_rate threshold must be a percentage, e.g. 5%');
    parsed = { kind: 'error_rate', thresholdPercent: Number(n[1]) };
  } else if (signal === 'latency_p95' && op === '>') {
    const n = /^(\d+(?:\.\d+)?)\s*(ms|s)$/.exec(raw);
    if (!n) return bad('latency_p95 threshold must be a duration in ms or s, e.g. 200ms');
    parsed = { kind: 'latency_p95', thresholdSeconds: n[2] === 'ms' ? Number(n[1]) / 1000 : Number(n[1]) };
  } else {
    return bad(`unsupported signal ${signal} ${op} (supported: health_status ==, error_rate >, latency_p95 >)`);
  }
  // Which mechanism implements which trigger: an unhealthy instance is replaced
  // by the autoscaling group (ELB health checks); metric triggers need an alarm.
  if ((parsed.kind === 'health_status') !== (action === 'restart_instance')) {
    return bad(parsed.kind === 'health_status' ? 'a health_status trigger can only restart_instance (ELB health check replacement)' : 'restart_instance is driven by health_status only');
  }
  return ok({ condition, action, signal: parsed });
}

export interface SpecInput {
  intentId: string;
  actions: readonly Action[];
  agents: readonly Agent[] | AgentRoleSpec[];
  /** Intent file, for diagnostics. */
  file?: string;
}

function isRoleSpecs(a: SpecInput['agents']): a is AgentRoleSpec[] {
  return a.length > 0 && 'statements' in (a[0] as object);
}

export function stackName(intentId: string, region: string): string {
  return `${intentId}-${region}`;
}

export function stackSpecs(input: SpecInput): Result<StackSpec[]> {
  const { intentId, actions, file } = input;
  const at = (path?: string) => ({ ...(file ? { file } : {}), ...(path ? { path } : {}) });
  const diags: Diagnostic[] = [];
  if (!Array.isArray(actions)) return fail(diag('infra_invalid_action', 'actions must be a list of {action, config}', at()));
  const byKind = new Map<string, Array<{ index: number; config: Record<string, unknown> }>>();
  actions.forEach((a, index) => {
    if (!a || typeof a.action !== 'string' || typeof a.config !== 'object' || a.config === null) {
      diags.push(diag('infra_invalid_action', 'each action must be {action: string, config: object}', at(`actions[${index}]`)));
      return;
    }
    const validate = validatorFor(a.action);
    if (!validate) return; // actions for other stages (e.g. contracts) are not the program's business
    if (!validate(a.config)) for (const e of validate.errors ?? []) diags.push(ajvDiag(e, index, a.action, file));
    byKind.set(a.action, [...(byKind.get(a.action) ?? []), { index, config: a.config }]);
  });
  for (const k of REQUIRED_ACTIONS) {
    if (!byKind.has(k)) diags.push(diag('infra_missing_action', `intent ${intentId}: translation has no ${k} action; the program needs it`, at('actions')));
  }
  if (diags.length) return fail(diags);

  const single = (k: string) => {
    const list = byKind.get(k)!;
    if (list.length > 1) diags.push(diag('infra_invalid_action', `${k} appears ${list.length} times; expected once`, at(`actions[${list[1]!.index}]`)));
    return list[0]!;
  };
  const scaling = single('configure_auto_scaling');
  const health = single('setup_health_checks');
  const healing = byKind.has('enable_self_healing') ? single('enable_self_healing') : undefined;

  const s = scaling.config as { min: number; max: number; target_cpu: number };
  if (s.min > s.max) diags.push(diag('infra_invalid_action', `configure_auto_scaling: min ${s.min} is greater than max ${s.max}`, at(`actions[${scaling.index}].config.min`)));
  const h = health.config as { interval: number; timeout: number; healthy_threshold: number; unhealthy_threshold: number; path?: string };
  // The ALB rejects a health check whose timeout is not shorter than its interval.
  if (h.timeout >= h.interval) diags.push(diag('infra_invalid_action', `setup_health_checks: timeout ${h.timeout}s must be less than interval ${h.interval}s`, at(`actions[${health.index}].config.timeout`)));

  let selfHealing: StackSpec['selfHealing'];
  if (healing) {
    const c = healing.config as { recovery_policy: { strategy: 'restart'; max_attempts: number; timeout_seconds: number }; triggers: Array<{ condition: string; action: TriggerAction }> };
    const triggers: TriggerSpec[] = [];
    c.triggers.forEach((t, i) => {
      const r = parseTrigger(t.condition, t.action);
      if (r.ok) triggers.push(r.value);
      else diags.push(...r.diagnostics.map((d) => ({ ...d, ...at(`actions[${healing.index}].config.triggers[${i}]`) })));
    });
    selfHealing = { strategy: c.recovery_policy.strategy, maxAttempts: c.recovery_policy.max_attempts, timeoutSeconds: c.recovery_policy.timeout_seconds, triggers };
  }

  // Regions: one deploy_instances per region.
  type Deploy = { index: number; region: string; zones: string[]; count: number; instanceType: string };
  const deploys: Deploy[] = [];
  for (const d of byKind.get('deploy_instances')!) {
    const c = d.config as { count: number; instance_type: string; availability_zones: string[]; region?: string };
    const regions = [...new Set(c.availability_zones.map(regionOfZone))];
    if (c.region !== undefined && (regions.length !== 1 || regions[0] !== c.region)) {
      diags.push(diag('infra_invalid_action', `deploy_instances: zones ${c.availability_zones.join(', ')} are not all in region ${c.region}`, at(`actions[${d.index}].config.availability_zones`)));
      continue;
    }
    for (const region of regions) {
      deploys.push({ index: d.index, region, zones: c.availability_zones.filter((z) => regionOfZone(z) === region), count: c.count, instanceType: c.instance_type });
    }
  }
  const seen = new Set<string>();
  for (const d of deploys) {
    if (seen.has(d.region)) diags.push(diag('infra_invalid_action', `deploy_instances: region ${d.region} is deployed more than once`, at(`actions[${d.index}]`)));
    seen.add(d.region);
  }
  const lbs = byKind.get('create_load_balancer')!;
  const lbFor = (region: string) => lbs.find((l) => l.config.region === region) ?? lbs.find((l) => l.config.region === undefined);
  for (const d of deploys) if (!lbFor(d.region)) diags.push(diag('infra_missing_action', `no create_load_balancer action for region ${d.region}`, at('actions')));
  if (diags.length) return fail(diags);

  const agents = isRoleSpecs(input.agents) ? input.agents : agentRoleSpecs(input.agents as readonly Agent[]);
  return ok(
    deploys
      .sort((a, b) => a.region.localeCompare(b.region))
      .map((d): StackSpec => {
        const lb = lbFor(d.region)!.config as { scheme: 'internet-facing' | 'internal'; tls_policy: string; http_redirect?: boolean; certificate_arn?: string };
        return {
          project: PROJECT,
          stack: stackName(intentId, d.region),
          intentId,
          region: d.region,
          zones: d.zones,
          loadBalancer: {
            scheme: lb.scheme,
            tlsPolicy: lb.tls_policy,
            httpRedirect: lb.http_redirect ?? true,
            ...(lb.certificate_arn ? { certificateArn: lb.certificate_arn } : {}),
          },
          // Desired capacity starts at the deployed count, kept inside [min, max].
          instances: { count: Math.min(Math.max(d.count, s.min), s.max), instanceType: d.instanceType },
          scaling: { min: s.min, max: s.max, targetCpu: s.target_cpu },
          // AWS's own default health check path is `/`.
          healthCheck: { interval: h.interval, timeout: h.timeout, healthyThreshold: h.healthy_threshold, unhealthyThreshold: h.unhealthy_threshold, path: h.path ?? '/' },
          ...(selfHealing ? { selfHealing } : {}),
          agents,
        };
      }),
  );
}
