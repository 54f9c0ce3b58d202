import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, spawnCli } from '../check/helpers.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitops-policy-test-'));
  for (const d of ['security', 'compliance', 'architecture', 'lib']) await cp(join(REPO_ROOT, 'policies', d), join(dir, 'policies', d), { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('gitops policy test', () => {
  it('passes on the repository’s intent policies and prints an opa-test summary', async () => {
    const r = await runCli(['policy', 'test'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS: (\d+)\/\1\n$/);
  });

  it('lists every test with -v', async () => {
    const r = await runCli(['policy', 'test', '-v', 'policies/security', 'policies/lib'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('policies/security/sec_auth_001_test.rego:\n');
    expect(r.stdout).toMatch(/data\.gitops\.policies\.sec_auth_001_test\.test_no_authentication_denied: PASS \(/);
  });

  it('fails (exit 1, FAIL line, counts) when a policy test fails', async () => {
    const file = join(dir, 'policies/compliance/comp_budget_001.rego');
    const original = await readFile(file, 'utf8');
    // Weaken the policy: the budget deny now never fires, so its unit tests must catch it.
    await writeFile(file, original.replace('input.cost.monthly_min > budget\n', 'input.cost.monthly_min > budget * 100\n'));
    try {
      const r = await spawnCli(['policy', 'test'], dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('policies/compliance/comp_budget_001_test.rego:\n');
      expect(r.stdout).toMatch(/data\.gitops\.policies\.comp_budget_001_test\.test_min_over_budget_denied: FAIL/);
      expect(r.stdout).toMatch(/\nPASS: \d+\/(\d+)\nFAIL: 1\/\1\n$/);
      expect(r.stderr).not.toMatch(/\bat \S+:\d+:\d+/); // no stack trace
    } finally {
      await writeFile(file, original);
    }
  });

  it('exits 2 naming file:line:col when a policy does not compile', async () => {
    const bad = join(dir, 'policies/security/broken.rego');
    await writeFile(bad, 'package gitops.policies.broken\n\ndeny contains msg if {\n\tmsg := \n}\n');
    try {
      const r = await runCli(['policy', 'test', 'policies'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^policies\/security\/broken\.rego:\d+:\d+: rego_parse_error: /m);
    } finally {
      await rm(bad);
    }
  });

  it('runs only matching tests with --run and reports skipped todo tests', async () => {
    const todo = join(dir, 'policies/security/todo_test.rego');
    await writeFile(todo, 'package gitops.policies.todo_test\n\ntodo_test_later if false\n');
    try {
      const r = await runCli(['policy', 'test', '-v', '--run', 'sec_enc_001|todo', 'policies/security', 'policies/lib'], dir);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain('sec_auth_001');
      expect(r.stdout).toContain('todo_test_later: SKIPPED');
      expect(r.stdout).toMatch(/SKIPPED: 1\/\d+/);
    } finally {
      await rm(todo);
    }
  });

  it('lists the intent policies with id, severity and title', async () => {
    const r = await runCli(['policy', 'list'], dir);
    expect(r.code).toBe(0);
    for (const id of ['ARCH-HA-001', 'ARCH-HEAL-001', 'ARCH-REGION-001', 'ARCH-SCALE-001', 'COMP-BUDGET-001', 'SEC-AUTH-001', 'SEC-ENC-001']) expect(r.stdout).toContain(id);
    expect(r.stdout).toMatch(/SEC-AUTH-001\s+deny\s+Authentication configured/);
  });
});
