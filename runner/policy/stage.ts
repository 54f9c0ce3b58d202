/**
 * The policies stage of the check (docs/check.md): the intent policies judge
 * the translated intent (runner/policy/input.ts builds the input,
 * runner/policy/evaluate.ts evaluates). Earlier stages' results are kept.
 */
import type { Stage } from '../model/stage.ts';
import { buildPolicyInput } from './input.ts';
import { evaluatePolicies } from './evaluate.ts';

export const policiesStage: Stage = {
  name: 'policies',
  audit: { agent: 'policy-engine', permission: 'read:policies', action: 'validate_policies' },
  run(w, env) {
    const input = buildPolicyInput(w.doc!, w.translation!, w.cost!);
    const results = evaluatePolicies(env.policies, input, w.doc!);
    const failed = results.filter((r) => r.status === 'failed');
    return {
      // Earlier stages (contracts, agents) contribute results too: keep them.
      patch: { input, results: [...w.results, ...results] },
      // A denial is a successful evaluation whose outcome for the intent is `failure`.
      outcome: failed.length ? 'failure' : 'success',
      details: {
        decision: failed.length ? 'deny' : 'allow',
        failed: [...new Set(failed.map((r) => r.policy))],
        warned: [...new Set(results.filter((r) => r.status === 'warned').map((r) => r.policy))],
        policy_source: env.policies.source,
      },
    };
  },
};

