/**
 * Preview without cloud or CLI: the Pulumi program runs in-process under
 * @pulumi/pulumi's mock runtime and every registration is captured into a
 * resource plan (URN, type, name, mock id, inputs, apply step).
 *
 * Loaded ONLY via dynamic import (`await import('../infra/preview.ts')`):
 * this module pulls in @pulumi/pulumi, and the program pulls in @pulumi/aws.
 *
 * Ordering constraints that make the plan complete:
 * 1. `setMocks` runs before the program module is imported (the runtime's
 *    settings must be the mock monitor's before any resource is constructed);
 * 2. after `defineStack` returns, resources are still being registered
 *    asynchronously (outputs resolve, dependent resources register): the run
 *    waits on `runtime.disconnect()`, which drains the RPC queue; without it
 *    the plan silently misses every resource that depends on another's output.
 * The mock runtime is process-global, so runs are serialised.
 */
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { diag, fail, ok, type Result } from '../core/diagnostics.ts';
import type { Action } from '../model/report.ts';
import type { CostEstimate } from '../model/report.ts';
import { planCost } from './plan-cost.ts';
import type { PlanPolicyOutcome, PreparedPlanPolicies } from './plan-policy.ts';
import { planDetails } from './plan-details.ts';
import { type PlanDetails } from '../model/plan.ts';
import { stackSpecs, type SpecInput } from './spec.ts';
import type { IntentPlan, PlannedResource, StackPlan, StackSpec } from '../model/plan.ts';

export const MOCK_ACCOUNT = '123456789012';

interface Captured {
  type: string;
  name: string;
  id: string;
  arn: string;
  provider?: string;
  inputs: Record<string, unknown>;
}

/** A believable, deterministic state for each mocked resource: the outputs other resources read. */
function mockState(stack: StackSpec, type: string, name: string, inputs: Record<string, unknown>, id: string): Record<string, unknown> {
  const service = type.split(':')[1]?.split('/')[0] ?? 'mock';
  const arn = `arn:aws:${service}:${stack.region}:${MOCK_ACCOUNT}:${name}`;
  const state: Record<string, unknown> = { ...inputs, id, arn, name: inputs.name ?? name };
  if (type === 'aws:lb/loadBalancer:LoadBalancer') Object.assign(state, { arnSuffix: `app/${name}/${id}`, dnsName: `${name}.${stack.region}.elb.amazonaws.com` });
  if (type === 'aws:lb/targetGroup:TargetGroup') state.arnSuffix = `targetgroup/${name}/${id}`;
  if (type === 'aws:ec2/launchTemplate:LaunchTemplate') state.latestVersion = 1;
  if (type === 'aws:ssm/document:Document') state.arn = `arn:aws:ssm:${stack.region}:${MOCK_ACCOUNT}:document/${name}`;
  return state;
}

function mockCall(stack: StackSpec, token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/preview`, userId: 'PREVIEW', id: MOCK_ACCOUNT };
    case 'aws:ssm/getParameter:getParameter':
      return { name: inputs.name, type: 'String', value: 'ami-00000000000000000', version: 1, id: inputs.name };
    case 'aws:index/getAvailabilityZones:getAvailabilityZones': {
      const names = ['a', 'b', 'c'].map((s) => `${stack.region}${s}`);
      return { names, zoneIds: names.map((_, i) => `mock-az${i + 1}`), id: stack.region };
    }
    default:
      // A new data source in the program needs a mock answer here; failing loudly beats a half plan.
      throw new Error(`preview mock has no answer for ${token}`);
  }
}

/**
 * A mock physical id that depends only on the resource's identity (stack, type,
 * name), never on registration order: the plan diff (diff.ts) compares the
 * base's plan with the head's, and an added resource must not shift every
 * later resource's id (and so every input that refers to one).
 */
function mockId(stack: string, type: string, name: string): string {
  if (type.startsWith('pulumi:providers:')) return `${name}-provider`;
  return `${name}-${createHash('sha256').update(`${stack}\0${type}\0${name}`).digest('hex').slice(0, 8)}`;
}

// Pulumi's wire format marks special values with this key (secrets, assets, resource references).
const SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

/**
 * JSON-safe copy of the inputs the program sent. A secret marks its whole
 * top-level property secret, so secret wrappers are unwrapped to keep the rest
 * visible, and secret-looking leaves are redacted: a plan ends up in PR comments.
 */
function plain(value: unknown, key = ''): unknown {
  if (/secret|password/i.test(key) && value !== undefined) return '[secret]';
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => plain(v));
  const obj = value as Record<string, unknown>;
  if (obj[SIG_KEY] === SECRET_SIG) return plain(obj.value, key);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== SIG_KEY) out[k] = plain(v, k);
  return out;
}

let queue: Promise<unknown> = Promise.resolve();
/** The mock runtime is process-global: one program run at a time. */
function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

/** Run the program for one stack under the mock runtime and return its plan. */
export function previewStack(spec: StackSpec): Promise<StackPlan> {
  return serialised(async () => {
    const captured: Captured[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          const id = mockId(spec.stack, args.type, args.name);
          const inputs = plain(args.inputs) as Record<string, unknown>;
          const state = mockState(spec, args.type, args.name, inputs, id);
          captured.push({ type: args.type, name: args.name, id, arn: String(state.arn), ...(args.provider ? { provider: args.provider } : {}), inputs });
          return { id, state };
        },
        call(args) {
          return mockCall(spec, args.token, args.inputs as Record<string, unknown>);
        },
      },
      spec.project,
      spec.stack,
      true,
    );
    // Import only now: see ordering constraint 1 above.
    const { defineStack } = await import('./program.ts');
    let programError: unknown;
    let result: ReturnType<typeof defineStack> | undefined;
    try {
      result = defineStack(spec);
    } catch (err) {
      programError = err;
    }
    // Ordering constraint 2: drain every pending registration, even after a failure.
    await pulumi.runtime.disconnect();
    if (programError) throw programError;
    const steps = result!.steps;
    const resources: PlannedResource[] = captured.map((c) => {
      const step = steps[c.name];
      if (!step) throw new Error(`resource ${c.type} ${c.name} was created without an apply step`);
      return {
        // Mock-runtime URN: no root stack resource, hence no parent type chain (the real engine adds `pulumi:pulumi:Stack$`).
        urn: `urn:pulumi:${spec.stack}::${spec.project}::${c.type}::${c.name}`,
        type: c.type,
        name: c.name,
        id: c.id,
        arn: c.arn,
        ...(c.provider ? { provider: c.provider } : {}),
        step,
        inputs: c.inputs,
      };
    });
    return {
      project: spec.project,
      stack: spec.stack,
      intentId: spec.intentId,
      region: spec.region,
      zones: spec.zones,
      resources,
      triggers: (spec.selfHealing?.triggers ?? []).map((t) => ({ condition: t.condition, action: t.action, signal: t.signal.kind })),
      notes: result!.notes,
    };
  });
}

export function countByType(stacks: readonly StackPlan[]): Record<string, number> {
  const by: Record<string, number> = {};
  for (const s of stacks) for (const r of s.resources) by[r.type] = (by[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(by).sort(([a], [b]) => a.localeCompare(b)));
}

export interface PreviewInput {
  intentId: string;
  actions: readonly Action[];
  /** The agent registry and IAM table (roles are derived from them), or ready role specs. */
  agents: SpecInput['agents'];
  file?: string;
  /** Only these regions (e.g. one stack of a matrix job). */
  regions?: string[];
}

/**
 * The resource plan of one intent: one stack per region, each run under the
 * mock runtime. Bad actions come back as diagnostics (no Pulumi run); a
 * program failure becomes an `infra_program_error` diagnostic.
 */
export async function previewPlan(input: PreviewInput): Promise<Result<IntentPlan>> {
  const specs = stackSpecs(input);
  if (!specs.ok) return specs;
  const chosen = input.regions ? specs.value.filter((s) => input.regions!.includes(s.region)) : specs.value;
  return previewSpecs(input.intentId, chosen, input.file);
}

/** The plan of already validated stack specs (one intent). */
export async function previewSpecs(intentId: string, specs: readonly StackSpec[], file?: string): Promise<Result<IntentPlan>> {
  const started = performance.now();
  const stacks: StackPlan[] = [];
  for (const spec of specs) {
    try {
      stacks.push(await previewStack(spec));
    } catch (err) {
      return fail(diag('infra_program_error', `stack ${spec.stack}: ${err instanceof Error ? err.message : String(err)}`, file ? { file } : undefined));
    }
  }
  return ok({
    intentId,
    ...(file ? { file } : {}),
    stacks,
    resources: stacks.reduce((n, s) => n + s.resources.length, 0),
    by_type: countByType(stacks),
    duration_ms: Math.round(performance.now() - started),
  });
}

export interface AssessedPlan {
  plan: IntentPlan;
  policy: PlanPolicyOutcome;
  cost: CostEstimate;
  details: PlanDetails;
}

/** Preview, then judge the plan (plan policies) and price it: what `apply --preview` and `check --preview` show. */
export async function assessPlan(input: PreviewInput | { intentId: string; file?: string; specs: readonly StackSpec[] }, policies: PreparedPlanPolicies): Promise<Result<AssessedPlan>> {
  const p = 'specs' in input ? await previewSpecs(input.intentId, input.specs, input.file) : await previewPlan(input);
  if (!p.ok) return p;
  const judged = policies.evaluate(p.value);
  if (!judged.ok) return judged;
  const cost = planCost(p.value);
  return ok({ plan: p.value, policy: judged.value, cost, details: planDetails(p.value, { policies: { evaluated: judged.value.policies, findings: judged.value.findings }, cost }) });
}
