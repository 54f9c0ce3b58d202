/**
 * What an apply works on and what it reports (docs/infra.md, "Apply on
 * merge"): the stacks a merge touches, the engine interface both engines
 * implement (Pulumi's Automation API, the mock runtime), and the apply
 * report every reporter is a pure function of.
 */
import type { Diagnostic } from '../core/diagnostics.ts';
import type { ApplyStep, PlannedResource, StackSpec } from './plan.ts';

export type StackChange = 'added' | 'modified' | 'renamed' | 'program' | 'selected' | 'removed' | 'region_removed';

export type StackTarget =
  | { kind: 'up'; stack: string; intentId: string; region: string; file: string; change: StackChange; spec: StackSpec }
  | { kind: 'destroy'; stack: string; intentId: string; region: string; file: string; change: StackChange };

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

