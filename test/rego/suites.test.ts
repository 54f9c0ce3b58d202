/**
 * Real-world Rego suites (../shared/rego-suites, see its SOURCE.md) run
 * through `gitops policy test`'s runner the way upstream runs them:
 *   trivy-checks: `opa test --explain=fails lib/ checks/ examples/ --ignore '*.yaml'`
 *                 with Trivy's builtins (test/suites/builtins/trivy.ts)
 *   regal:        `opa test bundle` with Regal's (test/suites/builtins/regal.ts)
 *
 * The goal — reached — is that every test passes except those calling an
 * upstream builtin that is not ported. The assertion pins the accounting —
 * pass/fail counts, failing tests per cause, and passing tests whose
 * evaluation reached an unported builtin anyway — and on any difference
 * prints every such test by name with its cause (test/suites/harness.ts),
 * so a change in either direction is visible. The figures are in docs/rego.md
 * ("Real-world suites"). Skipped, with the reason, when ../shared is absent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../check/helpers.ts';
import { renderOutcome, runSuite, type SuiteOutcome } from '../suites/harness.ts';
import * as trivy from '../suites/builtins/trivy.ts';
import * as regal from '../suites/builtins/regal.ts';

const SUITES = join(REPO_ROOT, '..', 'shared', 'rego-suites');
const TRIVY = join(SUITES, 'trivy-checks');
const REGAL = join(SUITES, 'regal');

/** The accounting as comparable data: counts, set-aside files and tests, failing tests per cause. */
function accounting(o: SuiteOutcome) {
  return {
    counts: o.counts,
    setAsideFiles: o.setAside.length,
    setAsideTests: o.setAside.reduce((n, s) => n + s.tests, 0),
    failing: Object.fromEntries([...o.failures].map(([cause, names]) => [cause, names.length])),
    passedThroughUnported: Object.fromEntries([...o.passedThroughUnported].map(([b, names]) => [b, names.length])),
  };
}

function expectAccounting(name: string, o: SuiteOutcome, want: ReturnType<typeof accounting>): void {
  // The message lists every failing test with its cause when the figures move.
  expect(accounting(o), `\n${renderOutcome(name, o)}\n`).toEqual(want);
}

const UNPORTED_ONLY = (o: SuiteOutcome) => [...o.failures.keys()].every((c) => c.startsWith('unported builtin '));

describe.skipIf(!existsSync(TRIVY))('trivy-checks through gitops policy test (needs ../shared/rego-suites/trivy-checks; skipped when absent)', () => {
  it('runs lib/ checks/ examples/ --ignore *.yaml with Trivy’s builtins: the accounting by cause', { timeout: 300_000 }, async () => {
    const o = await runSuite({ name: 'trivy-checks', root: TRIVY, targets: ['lib', 'checks', 'examples'], ignore: ['*.yaml'], builtins: trivy.builtins, unported: trivy.unported });
    expectAccounting('trivy-checks', o, {
      counts: { PASS: 1943, FAIL: 0, SKIPPED: 0, ERROR: 0, total: 1943 },
      setAsideFiles: 0,
      setAsideTests: 0,
      failing: {},
      passedThroughUnported: {},
    });
    // All six of Trivy's builtins are ported, and every test passes: the goal is reached for Trivy.
    expect(o.failures.size).toBe(0);
  });

  it('the CLI runs a slice the same way (--builtins, --ignore, --explain fails): all pass, exit 0; without --builtins it does not compile', { timeout: 120_000 }, async () => {
    const r = await runCli(['policy', 'test', '--builtins', join(REPO_ROOT, 'test/suites/builtins/trivy.ts'), '--explain', 'fails', 'lib/docker', 'lib/test', 'checks/docker', '--ignore', '*.yaml'], TRIVY);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('FAILURES');
    expect(r.stdout).toMatch(/PASS: 185\/185\n$/);
    // Without Trivy's builtins the same slice does not compile (usage/runner error, exit 2).
    const bare = await runCli(['policy', 'test', 'lib/docker', 'lib/test', 'checks/docker', '--ignore', '*.yaml'], TRIVY);
    expect(bare.code).toBe(2);
    expect(bare.stdout + bare.stderr).toMatch(/rego_type_error: undefined function (result\.new|sh\.parse_commands)/);
  });
});

describe.skipIf(!existsSync(REGAL))('regal through gitops policy test (needs ../shared/rego-suites/regal; skipped when absent)', () => {
  it('runs bundle/ with regal.last: the accounting by cause', { timeout: 300_000 }, async () => {
    const o = await runSuite({ name: 'regal', root: REGAL, targets: ['bundle'], ignore: [], builtins: regal.builtins, unported: regal.unported });
    expectAccounting('regal', o, {
      counts: { PASS: 175, FAIL: 618, SKIPPED: 0, ERROR: 0, total: 793 },
      setAsideFiles: 0,
      setAsideTests: 0,
      failing: { 'unported builtin regal.parse_module': 618 },
      passedThroughUnported: { 'regal.parse_module': 11 },
    });
    // The goal: every failing test fails because it reaches an unported regal.* builtin.
    expect(UNPORTED_ONLY(o)).toBe(true);
  });
});
