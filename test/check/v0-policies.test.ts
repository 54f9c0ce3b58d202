/**
 * `gitops check` with a policy folder written in Rego v0: a `.manifest`
 * (OPA's bundle manifest, rego_version 0) in that folder, or `--v0-compatible`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../runner/model/report.ts';
import { runCli, tempRepo, type TempRepo } from './helpers.ts';

let repo: TempRepo;

const LEGACY = `# METADATA
# title: Legacy deny
# custom:
#   id: LEGACY-001
#   severity: deny
#   passed: Legacy ok
package gitops.policies.legacy_001

deny[msg] {
  input.intent.requirements.scalability.max_instances > 5
  msg := sprintf("legacy limit: at most 5 instances, got %v", [input.intent.requirements.scalability.max_instances])
}
`;

beforeAll(async () => {
  repo = await tempRepo();
  await repo.write('policies/legacy/legacy_001.rego', LEGACY);
  await repo.commitAll('a v0 policy without a manifest');
});
afterAll(() => repo.cleanup());

async function check(...args: string[]): Promise<{ code: number; report?: CheckReport; stdout: string; stderr: string }> {
  const r = await runCli(['check', '--all', '--format', 'json', ...args], repo.dir);
  let report: CheckReport | undefined;
  try {
    report = JSON.parse(r.stdout) as CheckReport;
  } catch {
    report = undefined;
  }
  return { ...r, ...(report ? { report } : {}) };
}

describe('check with a v0 policy folder', () => {
  it('without a manifest the v0 policy is a parse error at file:line:col', async () => {
    const r = await check();
    expect(r.code).toBe(2);
    expect(JSON.stringify(r.report?.diagnostics ?? r.stderr)).toContain('policies/legacy/legacy_001.rego');
    expect(JSON.stringify(r.report?.diagnostics ?? r.stderr)).toContain('rego_parse_error');
  });

  it('--v0-compatible reaches the policy loader: the v0 policy parses, v1 files without import rego.v1 do not', async () => {
    const r = await check('--v0-compatible');
    expect(r.code).toBe(2);
    const diags = JSON.stringify(r.report?.diagnostics ?? r.stderr);
    expect(diags).not.toContain('legacy_001.rego');
    expect(diags).toContain('policies/compliance/comp_budget_001.rego');
  });

  it('with policies/legacy/.manifest rego_version 0 the policy is evaluated (and the v1 policies beside it still are)', async () => {
    await repo.write('policies/legacy/.manifest', JSON.stringify({ revision: 'legacy', rego_version: 0 }));
    await repo.commitAll('manifest');
    const r = await check();
    expect(r.report, r.stderr).toBeDefined();
    const results = r.report!.intents.flatMap((i) => i.results);
    expect(results).toContainEqual(expect.objectContaining({ policy: 'LEGACY-001', status: 'failed', message: 'legacy limit: at most 5 instances, got 10' }));
    expect(results.some((x) => x.policy === 'SEC-AUTH-001')).toBe(true);
    expect(r.code).toBe(1);
  });
});
