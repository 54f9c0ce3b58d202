/**
 * The check's results: the one type every reporter (text, json, markdown,
 * sarif, GitHub check run, sticky comment, job summary) is a pure function of.
 * The JSON format (`gitops check --format json`) is this type, documented in
 * docs/check.md; keep it stable.
 */
import type { Diagnostic } from '../core/diagnostics.ts';
import type { PlanDiff } from './plan.ts';
import type { StackGraph } from './plan.ts';

export type Decision = 'allow' | 'deny' | 'invalid';
export type PolicyStatus = 'passed' | 'failed' | 'warned';
/** conftest semantics: `deny` blocks the merge, `warn` is reported. */
export type Severity = 'deny' | 'warn';

export interface PolicyResult {
  policy: string; // e.g. SEC-AUTH-001
  title: string;
  status: PolicyStatus;
  severity: Severity;
  message: string;
  /** Intent file and 1-based line the finding points at. */
  file: string;
  line: number;
  /** Field path in the intent the finding is about, when known. */
  path?: string;
}

export interface Action {
  action: string; // create_load_balancer, deploy_instances, …
  config: Record<string, unknown>;
}

export interface CostItem {
  resource: string;
  quantity: number;
  unit_price: number; // USD per hour
  monthly_min: number;
  monthly_max: number;
}

export interface CostEstimate {
  currency: 'USD';
  hours_per_month: number; // 730, Infracost's convention
  monthly_min: number; // at minimum capacity
  monthly_max: number; // at maximum capacity
  budget?: number;
  items: CostItem[];
  price_table: { source: string; date: string; region: string };
  assumptions: string[];
}

/** Base → head monthly cost (runner/check/base.ts); a missing side counts as $0. */
export interface CostDelta {
  base_min: number;
  base_max: number;
  head_min: number;
  head_max: number;
  delta_min: number;
  delta_max: number;
  /** Percent change, one decimal; null when the base is $0 (a new intent). */
  pct_min: number | null;
  pct_max: number | null;
  budget?: number;
  /** Budget minus the head's maximum-capacity cost (negative: over budget). */
  headroom?: number;
}

export interface ContractResult {
  contract: string; // contract.self-healing.v1
  status: 'verified' | 'failed' | 'missing';
  version: string | null;
  compatible: boolean;
  message?: string;
}

export interface AgentSummary {
  agent_id: string;
  type: string;
  version: string;
  permissions: string[];
}

export interface IntentReport {
  id: string;
  file: string;
  type: string;
  description?: string;
  /** added | modified | renamed | unchanged (with --all). */
  change: 'added' | 'modified' | 'renamed' | 'unchanged';
  decision: Decision;
  results: PolicyResult[];
  actions: Action[];
  cost?: CostEstimate;
  contracts?: ContractResult[];
  agents?: AgentSummary[];
  /** Infrastructure preview summary, when the preview ran (issue: infrastructure). */
  plan?: { resources: number; by_type: Record<string, number>; details?: unknown; graphs?: StackGraph[] };
  /** The intent's cost at the PR's base, when it existed there (modified, renamed). */
  base_cost?: CostEstimate;
  /** Base → head cost (with a base tree). */
  cost_delta?: CostDelta;
  /** Resource by resource, base plan vs head plan (with --preview and a base). */
  plan_diff?: PlanDiff;
  /** Schema/parse problems (decision `invalid`), each with file:line. */
  diagnostics: Diagnostic[];
}

export interface CheckReport {
  version: 1;
  trace_id: string;
  base?: string;
  head?: string;
  /**
   * The full commit ids compared (a run between two commits): what `gitops
   * publish` matches against the pull request it publishes to, so a report
   * written for another head (a stale file, one committed to the repository)
   * never becomes this pull request's verdict.
   */
  commits?: { base: string; head: string };
  intents: IntentReport[];
  /** Intent files deleted between base and head (nothing to evaluate; apply may destroy). */
  deleted: string[];
  /** The deleted intents' stacks (all deletes) and cost at base, when the check has a base (the plan diff with --preview). */
  deleted_intents?: Array<{ id: string; file: string; base_cost?: CostEstimate; cost_delta?: CostDelta; plan_diff?: PlanDiff; graphs?: StackGraph[]; notes?: string[] }>;
  /** The PR's cost change: every intent's delta summed, deleted intents included. */
  cost_delta?: CostDelta;
  /** Files under policies/ changed by the PR: evaluated with the base's policies, flagged for owner review. */
  policy_changes: { files: string[]; needs_review: boolean };
  /**
   * The governed files themselves, judged on every run with a base whether or
   * not an intent changed (agents, IAM table, contracts, requirements, the
   * audit log), and the changed files that decide how everything is judged
   * (.github/, runner/, package files, policies, agents, contracts), which
   * need owner review. A failed result here denies the PR (exit 1).
   */
  governance?: GovernanceReport;
  /** Runner-level problems (policies that do not compile, unknown refs): exit 2. */
  diagnostics: Diagnostic[];
  summary: { intents: number; allowed: number; denied: number; invalid: number; warnings: number };
}

export interface GovernanceReport {
  /** Changed files under the governed paths (a rename lists `old → new`), sorted. */
  files: string[];
  /** True when `files` is not empty: the PR needs review by the owners of those paths (CODEOWNERS). */
  needs_review: boolean;
  /** Repository-wide results (agent policies, IAM escalation, contract set, audit log): one `passed` per rule without findings. */
  results: PolicyResult[];
}

/** True when a repository-wide (governance) result denies the PR. */
export function governanceDenied(report: CheckReport): boolean {
  return !!report.governance?.results.some((r) => r.status === 'failed');
}

/** The exit-code rule lives with the results (conftest's ExitCode): 0 allowed, 1 denied/invalid, 2 runner error. */
export function exitCode(report: CheckReport): 0 | 1 | 2 {
  if (report.diagnostics.length > 0) return 2;
  if (report.intents.some((i) => i.decision !== 'allow') || governanceDenied(report)) return 1;
  return 0;
}
