/**
 * Apply on merge (docs/infra.md, "Apply on merge"): the orchestration, independent of the engine.
 *
 * One interface, `ApplyEngine`, two engines: the Pulumi Automation API in
 * production (runner/infra/engines/automation.ts) and the mock runtime here
 * (runner/infra/engines/mock.ts). The orchestration (preflight, ordering,
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
import { formatDiagnostic } from '../core/diagnostics.ts';
import { digestOf } from '../core/hash.ts';
import type { StackTarget } from './stacks.ts';
import { APPLY_STEPS, type ApplyStep, type PlannedResource, type StackPlan, type StackSpec } from '../model/plan.ts';

export const PROVISIONER = 'infra-provisioner';

export type StepOutcome =
  | { status: 'succeeded'; changes: Record<string, number> }
  | { status: 'failed'; error: string; changes?: Record<string, number> };

export interface ApplyEngine {
  /** `automation` (Pulumi Automation API) or `mock` (mock runtime, in-memory state). */
  readonly name: string;
  /** What is missing before anything may be touched (CLI, credentials, backend settings). Empty: ready. */
  preflight(targets: readonly StackTarget[]): Promise<Diagnostic[]>;
  /**
   * Apply one step of one stack. `resources` are the step's resources from the
   * mock-runtime plan (type + logical name identify them in any engine);
   * `final` asks for the full, untargeted update of the stack.
   */
  up(spec: StackSpec, step: ApplyStep, resources: readonly PlannedResource[], final: boolean): Promise<StepOutcome>;
  destroy(target: Extract<StackTarget, { kind: 'destroy' }>): Promise<StepOutcome>;
}

export type StepName = ApplyStep | 'destroy_infrastructure';

export interface StepRecord {
  step: StepName;
  status: 'succeeded' | 'failed' | 'skipped';
  duration_ms: number;
  resources: number;
  changes?: Record<string, number>;
  error?: string;
}

export interface StackRecord {
  stack: string;
  intent: string;
  region: string;
  file: string;
  kind: 'up' | 'destroy';
  change: string;
  status: 'succeeded' | 'failed' | 'skipped';
  /** Why a stack was skipped or failed. */
  reason?: string;
  steps: StepRecord[];
  duration_ms: number;
}

export type ApplyStatus = 'succeeded' | 'failed' | 'nothing_to_apply' | 'preflight_failed';

export interface ApplyReport {
  version: 1;
  trace_id: string;
  engine: string;
  base?: string;
  head?: string;
  status: ApplyStatus;
  /** Why nothing was applied (preflight problems). */
  diagnostics: Diagnostic[];
  stacks: StackRecord[];
  summary: { stacks: number; succeeded: number; failed: number; skipped: number };
  duration_ms: number;
}

/** The exit-code rule lives with the result: 0 applied or nothing to apply, 1 a stack failed, 2 could not start. */
export function applyExitCode(r: ApplyReport): 0 | 1 | 2 {
  if (r.status === 'preflight_failed') return 2;
  return r.status === 'failed' ? 1 : 0;
}

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
  const { previewStack } = await import('./preview.ts');
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

// ---------------------------------------------------------------------------
// Reporters: pure functions of the report.

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const changesText = (c?: Record<string, number>) =>
  c ? Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'no changes' : '';

export function renderApplyText(r: ApplyReport): string {
  const lines: string[] = [];
  if (r.status === 'preflight_failed') {
    lines.push(`gitops apply: cannot apply with the ${r.engine} engine; nothing was changed.`);
    for (const d of r.diagnostics) lines.push(`  ${formatDiagnostic(d)}`);
    lines.push('  For the plan without cloud access: gitops apply --preview');
    return lines.join('\n') + '\n';
  }
  if (r.status === 'nothing_to_apply' && r.stacks.length === 0) return `gitops apply: nothing to apply${r.base ? ` between ${r.base} and ${r.head}` : ''} (no intent or program change).\n`;
  for (const s of r.stacks) {
    lines.push(`${s.status === 'succeeded' ? '✓' : s.status === 'failed' ? '✗' : '-'} ${s.stack} (${s.kind}, ${s.change}, ${s.file}): ${s.status}${s.reason ? ` — ${s.reason}` : ''}`);
    for (const st of s.steps) lines.push(`    ${st.step.padEnd(24)} ${st.status.padEnd(9)} ${secs(st.duration_ms).padStart(7)}  ${st.resources} resources${st.changes ? `  (${changesText(st.changes)})` : ''}${st.error ? `  error: ${st.error}` : ''}`);
  }
  const sm = r.summary;
  const verdict = r.status === 'nothing_to_apply' ? 'nothing applied' : r.status;
  lines.push('', `apply ${verdict}: ${sm.succeeded} succeeded, ${sm.failed} failed, ${sm.skipped} skipped of ${sm.stacks} stack(s) in ${secs(r.duration_ms)} [engine ${r.engine}, trace ${r.trace_id}]`);
  return lines.join('\n') + '\n';
}

/** For the comment on the merged PR (the GitHub edge posts it when the apply failed). */
export function renderApplyMarkdown(r: ApplyReport): string {
  const head = {
    succeeded: '✅ **Apply succeeded**',
    failed: '❌ **Apply failed**',
    nothing_to_apply: 'ℹ️ **Nothing to apply**',
    preflight_failed: '⛔ **Apply could not start** (nothing was changed)',
  }[r.status];
  const out = [`<!-- gitops:apply ${r.base ?? ''}..${r.head ?? ''} -->`, `${head} — engine \`${r.engine}\`, trace \`${r.trace_id}\``, ''];
  for (const d of r.diagnostics) out.push(`- \`${d.code}\`: ${d.message}`);
  if (r.stacks.length) {
    out.push('| Stack | Step | Status | Duration | Details |', '|---|---|---|---:|---|');
    for (const s of r.stacks) {
      if (!s.steps.length) out.push(`| \`${s.stack}\` | — | ${s.status} | — | ${(s.reason ?? '').replaceAll('|', '\\|')} |`);
      for (const st of s.steps) out.push(`| \`${s.stack}\` | ${st.step} | ${st.status} | ${secs(st.duration_ms)} | ${(st.error ?? changesText(st.changes)).replaceAll('|', '\\|')} |`);
    }
  }
  return out.join('\n') + '\n';
}
