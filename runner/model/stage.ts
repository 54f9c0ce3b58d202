/**
 * The contract between the check and its stages (docs/check.md): what one
 * intent file is (IntentSource), what the stages build up for it
 * (IntentWork), the run-wide read-only environment (CheckEnv), and a stage
 * itself. runner/check/pipeline.ts only assembles the ordered list; each
 * stage lives in its own folder and imports this module, never the check.
 */
import type { AuditAction, Outcome } from '../core/events.ts';
import type { RunContext } from '../core/context.ts';
import type { Diagnostic } from '../core/diagnostics.ts';
import type { Tree } from '../git/tree.ts';
import type { Action, AgentSummary, ContractResult, CostDelta, CostEstimate, Decision, IntentReport, PolicyResult } from './report.ts';
import type { IntentDoc } from './intent.ts';
import type { PolicyInput, PolicySet } from './policy.ts';

/** What a translator makes of an intent: the concrete actions and where they deploy (runner/translate/). */
export interface Translation {
  actions: Action[];
  /** AWS region the actions deploy to (the first region the intent lists, resolved). */
  region: string;
  /** Every region the intent lists, resolved (`us-west` → `us-west-2`), in order: the ALLOWED regions. */
  regions: string[];
  /**
   * The regions the service is deployed to: the first `placement.regions`
   * (default 1) of `regions`. The rest of the list is where the service may
   * go (ARCH-REGION-001), not where it runs — the sample intent's
   * `region: ['us-west', 'us-east']` deploys to us-west-2 only, so the cost
   * the budget policy judges is the cost of what will really be built.
   */
  deploy_regions: string[];
}

/** One intent file to check. */
export interface IntentSource {
  file: string;
  bytes: Uint8Array;
  change: IntentReport['change'];
  /** The path at the base, for a rename. */
  from?: string;
  /** Why the file was not read (a symlink, over the size limit): the schema stage reports it and the intent is invalid. */
  refused?: Diagnostic;
  /** Size in bytes when known without reading (a refused file); else bytes.length. */
  size?: number;
}

/** What the stages build up for one intent. */
export interface IntentWork {
  source: IntentSource;
  /** From the file name until the document is loaded. */
  id: string;
  doc?: IntentDoc;
  translation?: Translation;
  cost?: CostEstimate;
  /** The intent's cost at the PR's base, and base → head (runner/check/base.ts). */
  base_cost?: CostEstimate;
  cost_delta?: CostDelta;
  /** The same intent at the PR's base, loaded, translated and priced (modified or renamed; runner/check/base.ts): what the plan diff compares with. */
  base?: BaseIntent;
  contracts?: ContractResult[];
  agents?: AgentSummary[];
  plan?: IntentReport['plan'];
  plan_diff?: IntentReport['plan_diff'];
  input?: PolicyInput;
  results: PolicyResult[];
  /** Problems with the intent itself: the decision becomes `invalid`. */
  diagnostics: Diagnostic[];
  decision?: Decision;
}

/** Run-wide options a stage may consult (e.g. `preview`). */
export interface StageOptions {
  preview?: boolean;
  [k: string]: unknown;
}

/** Shared, read-only context of one check run. */
export interface CheckEnv {
  ctx: RunContext;
  policies: PolicySet;
  options: StageOptions;
  /** Repository root (or directory) the check runs in. */
  root: string;
  /** Every intent file at head → for repository-wide rules (unique ids). */
  intentFiles: readonly string[];
  /** Memo for work done once per run by a per-intent stage (e.g. the agents check). */
  memo: Map<string, unknown>;
  /**
   * Base and head trees, for stages that compare them (contracts, agents);
   * head defaults to `root`. `head` holds the intents checked, `base` the
   * PR's base (HEAD for working-tree changes; absent for --all without
   * --base), `policies` the tree every policy family is read from (the base
   * when there is one).
   */
  trees?: { base?: Tree; head: Tree; policies?: Tree };
  /**
   * Loads, translates and prices one intent file of the base tree, memoised
   * per run (runner/check/base.ts); set when the check has a base.
   */
  loadBase?: (file: string) => Promise<BaseIntent | undefined>;
  /** Every file the PR changes (any folder; a rename lists both paths), for rules like "consumers updated in the same PR". Empty without a base. */
  changedFiles?: readonly string[];
}

export interface StageOutput {
  patch?: Partial<Omit<IntentWork, 'source'>>;
  /** Audit outcome; default success. */
  outcome?: Outcome;
  details?: Record<string, unknown>;
}

export interface Stage {
  name: string;
  /** Performed as this agent with this permission; emits exactly one `action` event. Absent: pure bookkeeping, no event. */
  audit?: { agent: string; permission: string; action: AuditAction; actorIsHuman?: boolean };
  /** Whether the stage runs at all in this check (default: always). */
  enabled?: (options: StageOptions) => boolean;
  /** Runs even when the intent is already invalid. */
  always?: boolean;
  run(work: IntentWork, env: CheckEnv): Promise<StageOutput> | StageOutput;
}

/** An intent as it was at the PR's base (runner/check/base.ts loads it). */
export interface BaseIntent {
  file: string;
  doc: IntentDoc;
  translation: Translation;
  cost?: CostEstimate;
}

/** The base path of a head intent: itself when modified, the old path when renamed; none when added. */
export function basePathOf(source: Pick<IntentSource, 'file' | 'change' | 'from'>): string | undefined {
  if (source.change === 'added') return undefined;
  return source.change === 'renamed' ? source.from : source.file;
}
