/**
 * evaluatePolicies reads only `deny` and `warn` of each policy package
 * (PreparedPolicy.evalRefs). Its results must be exactly those of mapping the
 * whole `data.gitops.policies` tree, which is what the wasm engine's
 * decision is (PolicySet.evaluate) and what the check did before.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIntent } from '../../runner/intent/load.ts';
import { translate } from '../../runner/translate/registry.ts';
import { estimateCost } from '../../runner/translate/cost.ts';
import { buildPolicyInput } from '../../runner/policy/input.ts';
import { evaluatePolicies } from '../../runner/policy/evaluate.ts';
import { INTENT_POLICY_ROOT, compilePolicies, isIntentPolicyFile } from '../../runner/policy/load.ts';
import { type PolicySet } from '../../runner/model/policy.ts';
import type { ModuleSource } from '../../runner/rego/api.ts';
import { REPO_ROOT, SEED_INTENT, intentWith } from '../check/helpers.ts';

function repoPolicies(): ModuleSource[] {
  const out: ModuleSource[] = [];
  const visit = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const f = join(d, n);
      const rel = relative(REPO_ROOT, f);
      if (statSync(f).isDirectory()) visit(f);
      else if (isIntentPolicyFile(rel)) out.push({ file: rel, text: readFileSync(f, 'utf8') });
    }
  };
  visit(join(REPO_ROOT, 'policies'));
  return out;
}

function judge(set: PolicySet, id: string, text: string) {
  const doc = loadIntent(`intents/${id}.yaml`, text);
  if (!doc.ok) throw new Error(JSON.stringify(doc.diagnostics));
  const t = translate(doc.value);
  if (!t.ok) throw new Error(JSON.stringify(t.diagnostics));
  const c = estimateCost(t.value.actions, t.value.region);
  if (!c.ok) throw new Error(JSON.stringify(c.diagnostics));
  return evaluatePolicies(set, buildPolicyInput(doc.value, t.value, c.value), doc.value);
}

/** The same set, decided the way the wasm engine decides: the whole tree, then each package picked out of it. */
const wholeTree = (set: PolicySet): PolicySet => ({ ...set, evaluate: (input) => set.prepared.evalRef(INTENT_POLICY_ROOT, { input }) });

const INTENTS: Array<[string, string]> = [
  ['DEPLOY-WEB-001', SEED_INTENT],
  ['AUTH-001', intentWith('AUTH-001', {}, '  security:\n    authentication:\n      method: none\n')],
  ['ENC-001', intentWith('ENC-001', {}, '  security:\n    protocol: http\n')],
  ['BUDGET-001', intentWith('BUDGET-001', { "budget: '$500/month'": "budget: '$50/month'" }, '  security:\n    authentication:\n      method: none\n')],
  ['WARN-001', intentWith('WARN-001', { "budget: '$500/month'": "budget: '$200/month'" })],
  ['HA-001', intentWith('HA-001', { 'min_instances: 3': 'min_instances: 1' }, '  placement:\n    zones: 1\n')],
  ['REGION-002', intentWith('REGION-002', { "region: ['us-west', 'us-east']": "region:\n      - us-west\n      - sa-east" })],
  ['HEAL-002', intentWith('HEAL-002', {}, '  self_healing:\n    enabled: false\n')],
];

describe('evaluatePolicies (deny/warn only)', () => {
  const r = compilePolicies(repoPolicies(), 'test');
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const set = r.value;

  it("gives the whole tree's results for the repo's policies on passing, failing and warning intents", () => {
    const statuses = new Set<string>();
    for (const [id, text] of INTENTS) {
      const got = judge(set, id, text);
      expect(got, id).toEqual(judge(wholeTree(set), id, text));
      for (const x of got) statuses.add(x.status);
    }
    // The intents above exercise every outcome, so the comparison is not of empty lists.
    expect([...statuses].sort()).toEqual(['failed', 'passed', 'warned']);
  });

  it('fails closed on an evaluation error in a deny rule, like the whole tree', () => {
    const mods = [
      {
        file: 'policies/x.rego',
        text: `# METADATA\n# title: X\n# custom:\n#   id: TEST-X-001\npackage gitops.policies.x\nimport rego.v1\nlimit := 1 if input.intent\nlimit := 2 if input.intent\ndeny contains "over" if count(input.actions) > limit\n`,
      },
      { file: 'policies/y.rego', text: `# METADATA\n# title: Y\n# custom:\n#   id: TEST-Y-001\npackage gitops.policies.y\nimport rego.v1\nwarn contains {"msg": "m", "path": ["intent", "id"]} if true\n` },
    ];
    const c = compilePolicies(mods, 'conflict');
    if (!c.ok) throw new Error(JSON.stringify(c.diagnostics));
    const got = judge(c.value, 'DEPLOY-WEB-001', SEED_INTENT);
    expect(got.map((x) => [x.policy, x.status, x.severity])).toEqual([
      ['TEST-X-001', 'failed', 'deny'],
      ['TEST-Y-001', 'failed', 'deny'],
    ]);
    expect(got[0]!.message).toMatch(/^policy evaluation error: policies\/x\.rego:8: .*conflicting/);
    expect(got).toEqual(judge(wholeTree(c.value), 'DEPLOY-WEB-001', SEED_INTENT));
  });
});
