/**
 * Translated actions (docs/intents.md, "Translation"; `Action` in runner/model/report.ts) → one
 * validated `StackSpec` per region. This is the program's input contract: the
 * Pulumi program never reads raw intent YAML, and a malformed action fails
 * here with a diagnostic naming the action and field, before Pulumi loads.
 *
 * Regions: one `deploy_instances` action per region (with `region`, or zones
 * whose names give the region); a single action whose zones span regions is
 * split by region.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { Action } from '../model/report.ts';
import type { Agent } from '../core/context.ts';
import { diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import { parseTriggerCondition } from '../model/quantity.ts';
import { REGION_ZONES } from '../model/regions.ts';
import { agentRoleSpecs } from './agent-roles.ts';
import type { IamTable } from '../core/iam-table.ts';
import { PROJECT, type AlarmMetric, type AgentRoleSpec, type ListenerSpec, type StackSpec, type TriggerAction, type TriggerSpec, type TriggerSignal } from '../model/plan.ts';

const REGION_PATTERN = '^[a-z]{2}(-[a-z]+)+-\\d+$';
const posInt = (minimum: number, maximum?: number) => ({ type: 'integer', minimum, ...(maximum !== undefined ? { maximum } : {}) });

/** JSON Schemas of the action configs the program consumes (extra fields are allowed: other stages add theirs). */
const CONFIG_SCHEMAS: Record<string, object> = {
  create_load_balancer: {
    type: 'object',
    required: ['type', 'scheme', 'listeners'],
    properties: {
      type: { const: 'application' },
      scheme: { enum: ['internet-facing', 'internal'] },
      listeners: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['protocol', 'port'],
          properties: {
            protocol: { enum: ['HTTPS', 'HTTP'] },
            port: posInt(1, 65535),
            ssl_policy: { type: 'string', pattern: '^ELBSecurityPolicy-' },
            redirect_to_https: { type: 'boolean' },
          },
          // An HTTPS listener without a security policy would get AWS's default (TLS 1.2, no 1.3).
          if: { properties: { protocol: { const: 'HTTPS' } } },
          then: { required: ['ssl_policy'] },
        },
      },
      authentication: {
        type: 'object',
        required: ['method'],
        properties: { method: { enum: ['oidc', 'cognito', 'none'] }, required: { type: 'boolean' }, issuer: { type: 'string' } },
      },
      certificate_arn: { type: 'string', pattern: '^arn:aws[a-z-]*:acm:' },
    },
  },
  deploy_instances: {
    type: 'object',
    required: ['count', 'instance_type', 'availability_zones'],
    properties: {
      count: posInt(1),
      instance_type: { type: 'string', pattern: '^[a-z][a-z0-9-]*\\.[a-z0-9]+$' },
      availability_zones: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+[a-z]$' } },
      region: { type: 'string', pattern: REGION_PATTERN },
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
    // strictRequired off: the if/then on listeners requires a property declared beside it, not inside `then`.
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
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

const ALARM_METRICS: ReadonlySet<string> = new Set<AlarmMetric>(['error_rate', 'latency_p50', 'latency_p95', 'latency_p99', 'cpu_utilization']);

/**
 * Self-healing trigger conditions (`health_status == 'failed'`, `error_rate > 5%`,
 * `latency_p95 > 200ms`), parsed with the intent loader's condition parser,
 * then narrowed to what the program can implement. CloudWatch's
 * TargetResponseTime is in seconds, so latencies are converted here, once
 * (200 ms → 0.2).
 */
export function parseTrigger(condition: string, action: TriggerAction): Result<TriggerSpec> {
  const bad = (why: string) => fail<TriggerSpec>(diag('infra_unsupported_trigger', `trigger "${condition}" → ${action}: ${why}`));
  const parsed = parseTriggerCondition(condition);
  if (!parsed.ok) return bad(parsed.message);
  const c = parsed.condition;
  let signal: TriggerSignal;
  if (c.metric === 'health_status') {
    if (c.op !== '==') return bad('only health_status == <status> is supported');
    signal = { kind: 'health_status', equals: String(c.value) };
  } else if (ALARM_METRICS.has(c.metric)) {
    if (c.op !== '>' && c.op !== '>=') return bad(`only ${c.metric} > or >= a threshold can raise an alarm`);
    const value = Number(c.value);
    signal = { kind: 'metric', metric: c.metric as AlarmMetric, op: c.op, threshold: c.unit === 'ms' ? value / 1000 : value };
  } else {
    return bad(`no alarm for ${c.metric} (supported: health_status, ${[...ALARM_METRICS].join(', ')})`);
  }
  // Which mechanism implements which trigger: an unhealthy instance is replaced
  // by the autoscaling group (ELB health checks); metric triggers need an alarm.
  if ((signal.kind === 'health_status') !== (action === 'restart_instance')) {
    return bad(signal.kind === 'health_status' ? 'a health_status trigger can only restart_instance (ELB health check replacement)' : 'restart_instance is driven by health_status only');
  }
  if (signal.kind === 'health_status' && signal.equals !== 'failed') return bad("the load balancer's health check only knows 'failed'");
  return ok({ condition, action, signal });
}

export interface SpecInput {
  intentId: string;
  actions: readonly Action[];
  /** The agent registry, with the agents' IAM table (agents/iam-permissions.yaml); or ready role specs. */
  agents: { registry: readonly Agent[]; iamTable: IamTable } | AgentRoleSpec[];
  /** Intent file, for diagnostics. */
  file?: string;
  /**
   * Every region the intent deploys to (the translation's `regions`). A region
   * without its own deploy_instances action gets the same number of zones
   * from the translator's zone table.
   */
  regions?: readonly string[];
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
  for (const region of input.regions ?? []) {
    if (deploys.some((d) => d.region === region)) continue;
    const primary = deploys[0];
    const known = REGION_ZONES[region];
    if (!primary) break;
    if (!known) {
      diags.push(diag('infra_unknown_region', `region ${region}: no availability zones known for it (runner/model/regions.ts)`, at('regions')));
      continue;
    }
    deploys.push({ ...primary, region, zones: known.slice(0, primary.zones.length) });
  }
  const seen = new Set<string>();
  for (const d of deploys) {
    if (seen.has(d.region)) diags.push(diag('infra_invalid_action', `deploy_instances: region ${d.region} is deployed more than once`, at(`actions[${d.index}]`)));
    seen.add(d.region);
  }
  const lbAction = single('create_load_balancer');
  const lb = lbAction.config as {
    scheme: 'internet-facing' | 'internal';
    listeners: Array<{ protocol: 'HTTPS' | 'HTTP'; port: number; ssl_policy?: string; redirect_to_https?: boolean }>;
    authentication?: { method: 'oidc' | 'cognito' | 'none'; required?: boolean; issuer?: string };
    certificate_arn?: string;
  };
  const ports = lb.listeners.map((l) => l.port);
  if (new Set(ports).size !== ports.length) diags.push(diag('infra_invalid_action', `create_load_balancer: two listeners on the same port (${ports.join(', ')})`, at(`actions[${lbAction.index}].config.listeners`)));
  const listeners = lb.listeners.map((l): ListenerSpec => (l.protocol === 'HTTPS' ? { protocol: 'HTTPS', port: l.port, sslPolicy: l.ssl_policy! } : { protocol: 'HTTP', port: l.port, redirectToHttps: l.redirect_to_https ?? false }));
  if (listeners.some((l) => l.protocol === 'HTTP' && l.redirectToHttps) && !listeners.some((l) => l.protocol === 'HTTPS')) {
    diags.push(diag('infra_invalid_action', 'create_load_balancer: an HTTP listener redirects to HTTPS but there is no HTTPS listener', at(`actions[${lbAction.index}].config.listeners`)));
  }
  const auth = lb.authentication && lb.authentication.method !== 'none' && lb.authentication.required !== false ? { method: lb.authentication.method, ...(lb.authentication.issuer ? { issuer: lb.authentication.issuer } : {}) } : undefined;
  if (diags.length) return fail(diags);

  let agents: AgentRoleSpec[];
  if (Array.isArray(input.agents)) agents = input.agents;
  else {
    const roles = agentRoleSpecs(actions, input.agents.registry, input.agents.iamTable);
    if (!roles.ok) return roles;
    agents = roles.value;
  }
  // EventBridge runs the restart as the agent that holds execute:recovery; without one nobody may run it.
  if (selfHealing?.triggers.some((t) => t.action === 'restart_service') && !agents.some((a) => a.permissions.includes('execute:recovery'))) {
    return fail(diag('infra_no_recovery_agent', 'a trigger restarts the service, but no agent in agents/agents.yaml holds execute:recovery', at(`actions[${healing!.index}].config.triggers`)));
  }
  return ok(
    deploys
      .sort((a, b) => a.region.localeCompare(b.region))
      .map((d): StackSpec => {
        return {
          project: PROJECT,
          stack: stackName(intentId, d.region),
          intentId,
          region: d.region,
          zones: d.zones,
          loadBalancer: {
            scheme: lb.scheme,
            listeners,
            ...(auth ? { authentication: auth } : {}),
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

/**
 * Stack config a real apply needs (settings of the deployment, not of the
 * intent): checked by the Automation engine before the first step, so a
 * missing certificate fails the apply before any resource is touched.
 */
export function requiredStackConfig(spec: StackSpec): Array<{ key: string; what: string }> {
  const need: Array<{ key: string; what: string }> = [];
  if (spec.loadBalancer.listeners.some((l) => l.protocol === 'HTTPS') && !spec.loadBalancer.certificateArn) need.push({ key: 'gitops:certificateArn', what: "the HTTPS listener's ACM certificate ARN" });
  if (spec.loadBalancer.authentication?.method === 'oidc') need.push({ key: 'gitops:oidc', what: 'the OIDC client (JSON: issuer, authorizationEndpoint, tokenEndpoint, userInfoEndpoint, clientId, clientSecret)' });
  if (spec.loadBalancer.authentication?.method === 'cognito') need.push({ key: 'gitops:cognito', what: 'the Cognito user pool (JSON: userPoolArn, userPoolClientId, userPoolDomain)' });
  return need;
}
