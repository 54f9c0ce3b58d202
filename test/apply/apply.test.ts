/**
 * The apply orchestration through the ApplyEngine interface, with the mock
 * engine. Plans are injected (`planFor`) so these tests need no Pulumi run;
 * the program's own plan is tested in program.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { applyStacks } from '../../runner/apply/run.ts';
import { renderApplyMarkdown, renderApplyText } from '../../runner/report/apply.ts';
import { applyExitCode } from '../../runner/model/apply.ts';
import { MockEngine } from '../../runner/apply/engines/mock.ts';
import { stackSpecs } from '../../runner/infra/spec.ts';
import type { StackTarget } from '../../runner/model/apply.ts';
import { APPLY_STEPS, type StackPlan, type StackSpec } from '../../runner/model/plan.ts';
import type { Agent, RunContext } from '../../runner/core/context.ts';
import { MemorySink } from '../../runner/core/events.ts';
import { diag } from '../../runner/core/diagnostics.ts';
import { seedActions, SEED_AGENT_INPUT } from '../infra/fixtures.ts';

const PROVISIONER: Agent = { agent_id: 'infra-provisioner', type: 'automation', version: '1.0.0', permissions: ['read:plans', 'execute:provision', 'execute:destroy', 'write:audit_logs'] };

function ctxWith(agents: Agent[] = [PROVISIONER]): RunContext & { audit: MemorySink } {
  const byId = new Map(agents.map((a) => [a.agent_id, a]));
  return { traceId: 'trace-apply-test', audit: new MemorySink(), agents: { get: (id) => byId.get(id), list: () => agents }, human: 'merger', now: () => new Date() };
}

function specs(intentId: string): StackSpec[] {
  const r = stackSpecs({ intentId, actions: seedActions(), agents: SEED_AGENT_INPUT, regions: ['us-west-2', 'us-east-1'] });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
}
const up = (spec: StackSpec): StackTarget => ({ kind: 'up', stack: spec.stack, intentId: spec.intentId, region: spec.region, file: `intents/${spec.intentId}.yaml`, change: 'modified', spec });
const destroy = (stack: string): StackTarget => ({ kind: 'destroy', stack, intentId: stack.split('-us-')[0]!, region: 'us-west-2', file: 'intents/OLD.yaml', change: 'removed' });

/** A small plan: two resources per step, named after the stack. */
async function fakePlan(spec: StackSpec): Promise<StackPlan> {
  return {
    project: spec.project,
    stack: spec.stack,
    intentId: spec.intentId,
    region: spec.region,
    zones: spec.zones,
    triggers: [],
    notes: [],
    resources: APPLY_STEPS.flatMap((step) =>
      [1, 2].map((i) => ({ urn: `urn:pulumi:${spec.stack}::gitops::t::${step}-${i}`, type: 't', name: `${step}-${i}`, id: `${step}-${i}`, arn: `arn:${step}-${i}`, step, inputs: { i } })),
    ),
  };
}

describe('applyStacks', () => {
  it('applies each stack in the seed’s four steps, as infra-provisioner, with durations and outcomes', async () => {
    const ctx = ctxWith();
    const engine = new MockEngine();
    const targets = [...specs('WEB-B'), ...specs('WEB-A')].map(up);
    const report = await applyStacks(ctx, engine, targets, { planFor: fakePlan });
    expect(report.status).toBe('succeeded');
    expect(applyExitCode(report)).toBe(0);
    // One stack at a time, steps in order, the last one full.
    expect(engine.calls.map((c) => `${c.stack}:${c.step}:${c.final}`)).toEqual(
      targets.flatMap((t) => APPLY_STEPS.map((s, i) => `${t.stack}:${s}:${i === 3}`)),
    );
    const events = ctx.audit.events;
    expect(events).toHaveLength(targets.length * 4);
    expect(events.slice(0, 4).map((e) => [e.actor, e.action, e.resource, e.outcome])).toEqual(APPLY_STEPS.map((s) => ['infra-provisioner', s, targets[0]!.stack, 'success']));
    expect(events[0]!.details).toMatchObject({ engine: 'mock', resources: 2, duration_ms: expect.any(Number), changes: { create: 2 } });
    expect(events[0]!.evidence).toMatchObject({ plan_digest: expect.stringMatching(/^sha256:/), intent: 'WEB-B' });
    expect(report.stacks[0]!.steps.map((s) => [s.step, s.status, s.resources])).toEqual(APPLY_STEPS.map((s) => [s, 'succeeded', 2]));
    expect(renderApplyText(report)).toContain('apply succeeded: 4 succeeded, 0 failed, 0 skipped of 4 stack(s)');
  });

  it('is idempotent: re-applying the same plan changes nothing', async () => {
    const engine = new MockEngine();
    const targets = specs('WEB').map(up);
    await applyStacks(ctxWith(), engine, targets, { planFor: fakePlan });
    const again = await applyStacks(ctxWith(), engine, targets, { planFor: fakePlan });
    expect(again.stacks.flatMap((s) => s.steps.map((st) => st.changes))).toEqual(Array(8).fill({ create: 0, update: 0, same: 2, delete: 0 }));
  });

  it('stops a stack at its failed step, skips the rest, carries on with other stacks and reports failure', async () => {
    const ctx = ctxWith();
    const [east, west] = specs('WEB');
    const engine = new MockEngine({ failStep: (stack, step) => (stack === east!.stack && step === 'deploy_application' ? 'autoscaling group did not reach desired capacity' : undefined) });
    const report = await applyStacks(ctx, engine, [up(east!), up(west!)], { planFor: fakePlan });
    expect(report.status).toBe('failed');
    expect(applyExitCode(report)).toBe(1);
    const failed = report.stacks[0]!;
    expect(failed).toMatchObject({ stack: east!.stack, status: 'failed', reason: 'deploy_application: autoscaling group did not reach desired capacity' });
    expect(failed.steps.map((s) => s.status)).toEqual(['succeeded', 'failed', 'skipped', 'skipped']);
    expect(report.stacks[1]!.status).toBe('succeeded');
    expect(ctx.audit.events.filter((e) => e.resource === east!.stack).map((e) => [e.action, e.outcome])).toEqual([
      ['provision_infrastructure', 'success'],
      ['deploy_application', 'failure'],
    ]);
    expect(renderApplyMarkdown(report)).toContain('❌ **Apply failed**');
    expect(renderApplyMarkdown(report)).toContain('autoscaling group did not reach desired capacity');
  });

  it('records an engine crash as a failed step, never as success', async () => {
    const ctx = ctxWith();
    const engine = new MockEngine();
    engine.up = async () => {
      throw new Error('connection reset');
    };
    const report = await applyStacks(ctx, engine, specs('WEB').slice(0, 1).map(up), { planFor: fakePlan });
    expect(report.status).toBe('failed');
    expect(ctx.audit.events.map((e) => [e.action, e.outcome, e.details?.error])).toEqual([['provision_infrastructure', 'failure', 'connection reset']]);
  });

  it('refuses when the provisioner lacks the permission (agent_action_refused, nothing applied)', async () => {
    const ctx = ctxWith([{ ...PROVISIONER, permissions: ['read:plans'] }]);
    const engine = new MockEngine();
    const report = await applyStacks(ctx, engine, specs('WEB').slice(0, 1).map(up), { planFor: fakePlan });
    expect(report.status).toBe('failed');
    expect(engine.calls).toEqual([]);
    expect(ctx.audit.events.map((e) => [e.action, e.outcome])).toEqual([['agent_action_refused', 'denied']]);
  });

  it('stops before anything when preflight reports problems', async () => {
    const ctx = ctxWith();
    const engine = new MockEngine({ preflightProblems: [diag('apply_pulumi_missing', 'the pulumi CLI is not installed')] });
    const report = await applyStacks(ctx, engine, specs('WEB').map(up), { planFor: fakePlan });
    expect(report).toMatchObject({ status: 'preflight_failed', stacks: [], diagnostics: [{ code: 'apply_pulumi_missing' }] });
    expect(applyExitCode(report)).toBe(2);
    expect(engine.calls).toEqual([]);
    expect(ctx.audit.events).toEqual([]);
    expect(renderApplyText(report)).toContain('nothing was changed');
  });

  it('reports "nothing to apply" as such', async () => {
    const report = await applyStacks(ctxWith(), new MockEngine(), [], { planFor: fakePlan, base: 'main~1', head: 'main' });
    expect(report.status).toBe('nothing_to_apply');
    expect(applyExitCode(report)).toBe(0);
    expect(renderApplyText(report)).toBe('gitops apply: nothing to apply between main~1 and main (no intent or program change).\n');
  });

  it('destroys removed stacks only with --destroy-removed', async () => {
    const engine = new MockEngine();
    const [spec] = specs('OLD');
    await applyStacks(ctxWith(), engine, [up(spec!)], { planFor: fakePlan });
    const kept = await applyStacks(ctxWith(), engine, [destroy(spec!.stack)], { planFor: fakePlan });
    expect(kept).toMatchObject({ status: 'nothing_to_apply', stacks: [{ status: 'skipped', reason: expect.stringContaining('--destroy-removed') }] });
    expect(engine.state.get(spec!.stack)?.size).toBe(8);
    const ctx = ctxWith();
    const gone = await applyStacks(ctx, engine, [destroy(spec!.stack)], { planFor: fakePlan, destroyRemoved: true });
    expect(gone.status).toBe('succeeded');
    expect(gone.stacks[0]!.steps).toEqual([expect.objectContaining({ step: 'destroy_infrastructure', status: 'succeeded', resources: 8 })]);
    expect(ctx.audit.events.map((e) => [e.actor, e.action, e.outcome])).toEqual([['infra-provisioner', 'destroy_infrastructure', 'success']]);
    expect(engine.state.has(spec!.stack)).toBe(false);
  });

  it('the final step deletes what the program no longer declares', async () => {
    const engine = new MockEngine();
    const [spec] = specs('WEB');
    await applyStacks(ctxWith(), engine, [up(spec!)], { planFor: fakePlan });
    const smaller = async (s: StackSpec) => {
      const p = await fakePlan(s);
      return { ...p, resources: p.resources.filter((r) => r.name !== 'configure_monitoring-2') };
    };
    const report = await applyStacks(ctxWith(), engine, [up(spec!)], { planFor: smaller });
    expect(report.stacks[0]!.steps[3]!.changes).toMatchObject({ delete: 1 });
    expect(engine.state.get(spec!.stack)?.size).toBe(7);
  });
});
