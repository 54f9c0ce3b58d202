/**
 * The mock engine: applies plans from the mock runtime to an in-memory state.
 * It is the ApplyEngine the orchestration is tested with, and what
 * `gitops apply --engine mock` runs (a dry run of the whole apply path; the
 * state is discarded at exit).
 *
 * It computes real change counts against its state (create / update / same /
 * delete by URN and inputs), so re-applying is visibly idempotent, and it can
 * be told to fail a given stack step (failure-handling tests).
 */
import type { Diagnostic } from '../../core/diagnostics.ts';
import { digestOf } from '../../core/hash.ts';
import type { ApplyEngine, StepOutcome } from '../../model/apply.ts';
import type { StackTarget } from '../../model/apply.ts';
import type { ApplyStep, PlannedResource, StackSpec } from '../../model/plan.ts';

export interface MockEngineOptions {
  /** Fail this step of this stack with the returned message. */
  failStep?: (stack: string, step: ApplyStep | 'destroy_infrastructure') => string | undefined;
  /** Problems preflight reports (to test that nothing runs after them). */
  preflightProblems?: Diagnostic[];
}

export class MockEngine implements ApplyEngine {
  readonly name = 'mock';
  /** stack → urn → inputs digest */
  readonly state = new Map<string, Map<string, string>>();
  /** Every call, in order: what the orchestration asked for. */
  readonly calls: Array<{ op: 'up' | 'destroy'; stack: string; step?: ApplyStep; resources: number; final?: boolean }> = [];
  private readonly opts: MockEngineOptions;
  /** The whole plan of a stack, remembered at each step so the final step can delete what left it. */
  private readonly declared = new Map<string, Set<string>>();

  constructor(opts: MockEngineOptions = {}) {
    this.opts = opts;
  }

  async preflight(_targets: readonly StackTarget[]): Promise<Diagnostic[]> {
    return this.opts.preflightProblems ?? [];
  }

  async up(spec: StackSpec, step: ApplyStep, resources: readonly PlannedResource[], final: boolean): Promise<StepOutcome> {
    this.calls.push({ op: 'up', stack: spec.stack, step, resources: resources.length, final });
    const failure = this.opts.failStep?.(spec.stack, step);
    if (failure) return { status: 'failed', error: failure };
    const state = this.state.get(spec.stack) ?? new Map<string, string>();
    this.state.set(spec.stack, state);
    const declared = this.declared.get(spec.stack) ?? new Set<string>();
    this.declared.set(spec.stack, declared);
    const changes = { create: 0, update: 0, same: 0, delete: 0 };
    for (const r of resources) {
      declared.add(r.urn);
      const digest = digestOf(r.inputs);
      const before = state.get(r.urn);
      if (before === undefined) changes.create++;
      else if (before === digest) changes.same++;
      else changes.update++;
      state.set(r.urn, digest);
    }
    if (final) {
      // The full update deletes what the program no longer declares.
      for (const urn of [...state.keys()]) {
        if (!declared.has(urn)) {
          state.delete(urn);
          changes.delete++;
        }
      }
      this.declared.delete(spec.stack);
    }
    return { status: 'succeeded', changes };
  }

  async destroy(target: Extract<StackTarget, { kind: 'destroy' }>): Promise<StepOutcome> {
    this.calls.push({ op: 'destroy', stack: target.stack, resources: this.state.get(target.stack)?.size ?? 0 });
    const failure = this.opts.failStep?.(target.stack, 'destroy_infrastructure');
    if (failure) return { status: 'failed', error: failure };
    const n = this.state.get(target.stack)?.size ?? 0;
    this.state.delete(target.stack);
    return { status: 'succeeded', changes: { delete: n } };
  }
}
