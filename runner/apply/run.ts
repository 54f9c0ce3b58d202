/**
 * Apply on merge (docs/infra.md, "Apply on merge"): the orchestration, independent of the engine.
 *
 * One interface, `ApplyEngine`, two engines: the Pulumi Automation API in
 * production (runner/apply/engines/automation.ts) and the mock runtime here
 * (runner/apply/engines/mock.ts). The orchestration (preflight, ordering,
 * one apply per stack at a time, the four apply steps each performed as the
 * `infra-provisioner` agent and audited with duration and outcome, failure
 * handling) is the same for both, so the tests exercise the production path.
 *
 * Steps: each stack is applied in the order of APPLY_STEPS (docs/infra.md,
 * "The apply steps"). Steps 1–3 update only
 * their own resources (targeted updates); the last step is a full update of
 * the stack, which also deletes what the program no longer declares.
 */
import { perform, type RunContext } from '../core/context.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import { digestOf } from '../core/hash.ts';
import { APPLY_STEPS, type StackPlan, type StackSpec } from '../model/plan.ts';
import type { ApplyEngine, ApplyReport, ApplyStatus, StackRecord, StackTarget, StepOutcome, StepRecord } from '../model/apply.ts';

export const PROVISIONER = 'infra-provisioner';

// One apply per stack at a time within this process; across jobs, the
// Actions concurrency group per stack and the backend's stack lock serialise.
const locks = new Map<string, Promise<unknown>>();
async function withStackLock<T>(stack: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(stack) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(stack, tail);
  try {
    return await run;
  } finally {
    if (locks.get(stack) === tail) locks.delete(stack);
  }
}

export interface ApplyOptions {
  destroyRemoved?: boolean;
  base?: string;
  head?: string;
  /** The stack's resource plan (default: the mock-runtime preview, loaded on demand). */
  planFor?: (spec: StackSpec) => Promise<StackPlan>;
}

async function defaultPlanFor(spec: StackSpec): Promise<StackPlan> {
  const { previewStack } = await import('../infra/preview.ts');
  return previewStack(spec);
}

function summarise(stacks: StackRecord[]): ApplyReport['summary'] {
  return {
    stacks: stacks.length,
    succeeded: stacks.filter((s) => s.status === 'succeeded').length,
    failed: stacks.filter((s) => s.status === 'failed').length,
    skipped: stacks.filter((s) => s.status === 'skipped').length,
  };
}

export async function applyStacks(ctx: RunContext, engine: ApplyEngine, targets: readonly StackTarget[], opts: ApplyOptions = {}): Promise<ApplyReport> {
  const started = ctx.now().getTime();
  const base = {
    version: 1 as const,
    trace_id: ctx.traceId,
    engine: engine.name,
    ...(opts.base ? { base: opts.base } : {}),
    ...(opts.head ? { head: opts.head } : {}),
  };
  const finish = (status: ApplyStatus, stacks: StackRecord[], diagnostics: Diagnostic[] = []): ApplyReport => ({
    ...base,
    status,
    diagnostics,
    stacks,
    summary: summarise(stacks),
    duration_ms: ctx.now().getTime() - started,
  });

  // Preflight before anything else, even with nothing to apply: a runner that
  // could not apply must not look healthy because this merge changed nothing.
  const problems = await engine.preflight(targets);
  if (problems.length) return finish('preflight_failed', [], problems);
  if (targets.length === 0) return finish('nothing_to_apply', []);

  const planFor = opts.planFor ?? defaultPlanFor;
  const records: StackRecord[] = [];
  for (const t of targets) {
    records.push(await withStackLock(t.stack, () => (t.kind === 'up' ? upStack(ctx, engine, t, planFor) : destroyStack(ctx, engine, t, !!opts.destroyRemoved))));
  }
  const applied = records.filter((r) => r.status !== 'skipped');
  const status: ApplyStatus = records.some((r) => r.status === 'failed') ? 'failed' : applied.length === 0 ? 'nothing_to_apply' : 'succeeded';
  return finish(status, records);
}

function stackRecord(t: StackTarget): StackRecord {
  return { stack: t.stack, intent: t.intentId, region: t.region, file: t.file, kind: t.kind, change: t.change, status: 'succeeded', steps: [], duration_ms: 0 };
}

async function upStack(ctx: RunContext, engine: ApplyEngine, t: Extract<StackTarget, { kind: 'up' }>, planFor: (s: StackSpec) => Promise<StackPlan>): Promise<StackRecord> {
  const rec = stackRecord(t);
  const started = ctx.now().getTime();
  let plan: StackPlan;
  try {
    plan = await planFor(t.spec);
  } catch (err) {
    return { ...rec, status: 'failed', reason: `the program could not be planned: ${err instanceof Error ? err.message : String(err)}`, steps: [] };
  }
  const planDigest = digestOf(plan.resources.map((r) => [r.urn, r.inputs]));
  let failed: string | undefined;
  for (const [i, step] of APPLY_STEPS.entries()) {
    const resources = plan.resources.filter((r) => r.step === step);
    if (failed) {
      rec.steps.push({ step, status: 'skipped', duration_ms: 0, resources: resources.length });
      continue;
    }
    const final = i === APPLY_STEPS.length - 1;
    const stepStart = ctx.now().getTime();
    let outcome: StepOutcome;
    try {
      const p = await perform(
        ctx,
        { agent: PROVISIONER, permission: 'execute:provision', action: step, resource: t.stack, evidence: { plan_digest: planDigest, intent: t.intentId, file: t.file } },
        async () => {
          const o = await engine.up(t.spec, step, resources, final);
          return {
            value: o,
            outcome: o.status === 'succeeded' ? 'success' : 'failure',
            details: { stack: t.stack, step, engine: engine.name, resources: resources.length, duration_ms: ctx.now().getTime() - stepStart, ...(o.changes ? { changes: o.changes } : {}), ...(o.status === 'failed' ? { error: o.error } : {}) },
          };
        },
      );
      outcome = p.status === 'denied' ? { status: 'failed', error: p.reason } : p.value;
    } catch (err) {
      // perform() already recorded the failure; the stack stops here.
      outcome = { status: 'failed', error: err instanceof Error ? err.message : String(err) };
    }
    const duration = ctx.now().getTime() - stepStart;
    if (outcome.status === 'failed') {
      failed = `${step}: ${outcome.error}`;
      rec.steps.push({ step, status: 'failed', duration_ms: duration, resources: resources.length, error: outcome.error, ...(outcome.changes ? { changes: outcome.changes } : {}) });
    } else {
      rec.steps.push({ step, status: 'succeeded', duration_ms: duration, resources: resources.length, changes: outcome.changes });
    }
  }
  return { ...rec, status: failed ? 'failed' : 'succeeded', ...(failed ? { reason: failed } : {}), duration_ms: ctx.now().getTime() - started };
}

async function destroyStack(ctx: RunContext, engine: ApplyEngine, t: Extract<StackTarget, { kind: 'destroy' }>, allowed: boolean): Promise<StackRecord> {
  const rec = stackRecord(t);
  if (!allowed) return { ...rec, status: 'skipped', reason: `${t.change === 'removed' ? 'intent removed' : 'region removed from the intent'}: pass --destroy-removed to destroy the stack` };
  const started = ctx.now().getTime();
  let outcome: StepOutcome;
  try {
    const p = await perform(ctx, { agent: PROVISIONER, permission: 'execute:destroy', action: 'destroy_infrastructure', resource: t.stack, evidence: { intent: t.intentId, file: t.file } }, async () => {
      const o = await engine.destroy(t);
      return { value: o, outcome: o.status === 'succeeded' ? 'success' : 'failure', details: { stack: t.stack, engine: engine.name, ...(o.changes ? { changes: o.changes } : {}), ...(o.status === 'failed' ? { error: o.error } : {}) } };
    });
    outcome = p.status === 'denied' ? { status: 'failed', error: p.reason } : p.value;
  } catch (err) {
    outcome = { status: 'failed', error: err instanceof Error ? err.message : String(err) };
  }
  const duration = ctx.now().getTime() - started;
  const step: StepRecord =
    outcome.status === 'failed'
      ? { step: 'destroy_infrastructure', status: 'failed', duration_ms: duration, resources: 0, error: outcome.error }
      : { step: 'destroy_infrastructure', status: 'succeeded', duration_ms: duration, resources: outcome.changes.delete ?? 0, changes: outcome.changes };
  return { ...rec, status: step.status === 'failed' ? 'failed' : 'succeeded', ...(step.error ? { reason: `destroy_infrastructure: ${step.error}` } : {}), steps: [step], duration_ms: duration };
}
