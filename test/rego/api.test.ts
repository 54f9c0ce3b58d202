/** The embedding API contract other engineers rely on. */
import { describe, expect, it } from 'vitest';
import { prepare } from '../../runner/rego/api.ts';

const POLICY = `# METADATA
# title: Budget guard
# custom:
#   id: COMP-BUDGET-001
#   severity: deny
package gitops.policies.budget
import rego.v1

deny contains msg if {
  input.intent.constraints.budget_usd > data.limits.budget
  msg := sprintf("budget %v over %v", [input.intent.constraints.budget_usd, data.limits.budget])
}

# METADATA
# title: Regions
warn contains "single region" if count(input.intent.constraints.region) < 2
`;

describe('prepare / evalRef / query / annotations / rules', () => {
  const r = prepare([{ file: 'policies/budget.rego', text: POLICY }], { data: { limits: { budget: 500 } } });
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  const p = r.value;

  it('evaluates data.gitops.policies once per input, sets as sorted arrays', () => {
    const input = { intent: { constraints: { budget_usd: 900, region: ['us-west'] } } };
    expect(p.evalRef(['gitops', 'policies'], { input })).toEqual({ budget: { deny: ['budget 900 over 500'], warn: ['single region'] } });
    expect(p.evalRef(['gitops', 'policies', 'budget', 'deny'], { input: { intent: { constraints: { budget_usd: 1, region: ['a', 'b'] } } } })).toEqual([]);
    expect(p.evalRef(['gitops', 'nothing'])).toBeUndefined();
  });

  it('per-evaluation data extends the base data', () => {
    const input = { intent: { constraints: { budget_usd: 900, region: ['a', 'b'] } } };
    expect(p.evalRef(['gitops', 'policies', 'budget', 'deny'], { input, data: { limits: { budget: 1000 } } })).toEqual([]);
  });

  it('queries return binding rows; compile errors come back as a diagnostic', () => {
    expect(p.query('x := data.limits.budget * 2')).toEqual({ ok: true, rows: [{ x: 1000 }] });
    const bad = p.query('x := y');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'rego_unsafe_var_error', line: 1, col: 1 });
  });

  it('annotations carry title and custom, by package and rule', () => {
    expect(p.annotations()).toEqual([
      { scope: 'package', package: ['gitops', 'policies', 'budget'], file: 'policies/budget.rego', line: 1, title: 'Budget guard', custom: { id: 'COMP-BUDGET-001', severity: 'deny' } },
      { scope: 'rule', package: ['gitops', 'policies', 'budget'], rule: 'warn', file: 'policies/budget.rego', line: 14, title: 'Regions' },
    ]);
  });

  it('rules lists every rule with kind and location', () => {
    expect(p.rules()).toEqual([
      { package: ['gitops', 'policies', 'budget'], name: 'deny', file: 'policies/budget.rego', line: 9, kind: 'partial_set' },
      { package: ['gitops', 'policies', 'budget'], name: 'warn', file: 'policies/budget.rego', line: 16, kind: 'partial_set' },
    ]);
  });

  it('parse errors are diagnostics with OPA code and file:line:col', () => {
    const e = prepare([{ file: 'x.rego', text: 'package x\np := }\n' }]);
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.diagnostics[0]).toMatchObject({ code: 'rego_parse_error', file: 'x.rego', line: 2, col: 6 });
  });
});
