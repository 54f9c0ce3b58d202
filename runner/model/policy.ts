/**
 * A compiled family of policies as the stages see it (runner/policyset/load.ts
 * builds it from a tree; runner/policy/bundle.ts over runner/policyset/bundle.ts from an OPA-built wasm
 * bundle), and the input every intent policy is evaluated against.
 * Documented in docs/policies.md.
 */
import type { PreparedPolicy } from '../rego/api.ts';
import type { Action, CostEstimate, Severity } from './report.ts';
import type { IntentSpec, QuantityTree } from './intent.ts';

export interface PolicyMeta {
  /** SEC-AUTH-001 */
  id: string;
  title: string;
  /** What the policy blocks with: `deny` (blocks) or `warn` (reports). */
  severity: Severity;
  /** Message shown when the policy passes ("Authentication configured"). */
  passed: string;
  description?: string;
  /** Package path under `gitops.policies`, e.g. ['sec_auth_001']. */
  pkg: string[];
  file: string;
  line: number;
}

export interface PolicySet {
  prepared: PreparedPolicy;
  policies: PolicyMeta[];
  /** Digest of the policy sources (evidence in audit events). */
  digest: string;
  files: string[];
  /** Where the policies were read from (`main (abc1234)`; with the wasm engine also the bundle). */
  source: string;
  /**
   * Evaluates the decision document `data.gitops.policies` for one input.
   * Absent: the in-process engine, which evaluates only each policy's
   * `deny` and `warn` (`prepared.evalRefs`, see evaluate.ts). Set by the wasm
   * engine (runner/policy/bundle.ts) so callers never special-case engines.
   */
  evaluate?: (input: unknown) => unknown;
}

/** What every intent policy sees as `input` (policies/input.schema.json documents it; runner/policy/input.ts builds it). */
export interface PolicyInput {
  file: string;
  intent: IntentSpec;
  quantities: QuantityTree;
  region: { deploy: string; deploy_regions: string[]; requested: string[]; resolved: string[] };
  actions: Action[];
  cost: CostEstimate;
}

