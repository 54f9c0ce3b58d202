/**
 * "Nothing changes unjudged": each way a pull request could get around its
 * own check, played as the hostile PR on a real git repository the way CI
 * runs it — the working tree at the base (main checked out), the PR branch
 * read as data with `gitops check --base main --head pr`.
 *
 * Routes (docs/check.md "What a pull request cannot get around"):
 *   1. privilege escalation through agents/iam-permissions.yaml
 *   2. agents / IAM table / contracts changed with no intent in the PR
 *   3. the plan policies on the pull-request path
 *   4. forged audit records
 *   5. the runner's own files (workflows, code, packages) as governance changes
 */
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckReport, PolicyResult } from '../../runner/model/report.ts';
import { appendLocal, readAuditLog } from '../../runner/audit/store.ts';
import { REPO_ROOT, lineOf, runCli, spawnCli, tempRepo, type TempRepo } from './helpers.ts';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

const IAM = 'agents/iam-permissions.yaml';
const AGENTS = 'agents/agents.yaml';

/** The sample repository on main (with its audit log), a `pr` branch with `change` applied, and main checked out again (CI's working tree is the base). */
async function hostile(change: (r: TempRepo) => Promise<void>, base?: (r: TempRepo) => Promise<void>): Promise<TempRepo> {
  const r = await tempRepo();
  repo = r;
  await cp(join(REPO_ROOT, 'audit-log'), join(r.dir, 'audit-log'), { recursive: true });
  if (base) await base(r);
  await r.commitAll('base');
  await r.git('checkout', '-q', '-b', 'pr');
  await change(r);
  await r.commitAll('hostile change');
  await r.git('checkout', '-q', 'main');
  return r;
}

const read = (r: TempRepo, path: string) => readFile(join(r.dir, path), 'utf8');

async function check(r: TempRepo, ...extra: string[]): Promise<{ code: number; report: CheckReport }> {
  const out = await runCli(['check', '--base', 'main', '--head', 'pr', '--format', 'json', ...extra], r.dir);
  expect(out.stderr).toBe('');
  return { code: out.code, report: JSON.parse(out.stdout) as CheckReport };
}

const findings = (report: CheckReport): PolicyResult[] => (report.governance?.results ?? []).filter((x) => x.status !== 'passed');
const failedIds = (report: CheckReport) => [...new Set(findings(report).filter((x) => x.status === 'failed').map((x) => x.policy))].sort();

/** Every format names the rule: text, json, markdown, sarif. */
async function everyFormatNames(r: TempRepo, policy: string, file: string): Promise<void> {
  for (const format of ['text', 'json', 'markdown', 'sarif']) {
    const out = await runCli(['check', '--base', 'main', '--head', 'pr', '--format', format], r.dir);
    expect(out.code, format).toBe(1);
    expect(out.stdout, format).toContain(policy);
    expect(out.stdout, format).toContain(file);
  }
  const sarif = JSON.parse((await runCli(['check', '--base', 'main', '--head', 'pr', '--format', 'sarif'], r.dir)).stdout) as {
    runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
  };
  expect(sarif.runs[0]!.results).toContainEqual(expect.objectContaining({ ruleId: policy, level: 'error', locations: [expect.objectContaining({ physicalLocation: expect.objectContaining({ artifactLocation: { uri: file } }) })] }));
}

describe('route 1: privilege escalation through the IAM table', () => {
  const WIDENED = `        actions: [autoscaling:SetInstanceHealth, iam:CreateAccessKey, iam:AttachUserPolicy, iam:CreateUser, secretsmanager:GetSecretValue, kms:Decrypt]
        resources: ['*']
        wildcard_reason: the health reporter rotates its own credentials`;

  it('widening a statement to IAM writes, secret and key reads on * is denied at the line, once per escalation action', async () => {
    let text = '';
    const r = await hostile(async (x) => {
      text = (await read(x, IAM)).replace('        actions: [autoscaling:SetInstanceHealth]\n        resources: [asg]', WIDENED);
      await x.write(IAM, text);
    });
    const { code, report } = await check(r);
    expect(code).toBe(1);
    const line = lineOf(text, 'iam:CreateAccessKey');
    const escalations = findings(report).filter((x) => x.policy === 'AGENT-IAM-003');
    expect(escalations.map((x) => [x.status, x.file, x.line, x.message.split(' (')[0]])).toEqual(
      ['iam:AttachUserPolicy', 'iam:CreateAccessKey', 'iam:CreateUser', 'kms:Decrypt', 'secretsmanager:GetSecretValue'].map((a) => ['failed', IAM, line, `write:health_status maps to ${a} on *`]),
    );
    expect(escalations[0]!.message).toContain('held by monitoring-agent-001');
    expect(escalations[0]!.path).toMatch(/^permissions\.write:health_status\.statements\[0\]\.actions\[\d\]$/);
    // The same IAM table judges the intents whose agents hold it.
    expect(report.intents.find((i) => i.id === 'DEPLOY-WEB-001')!.decision).toBe('deny');
    expect(report.governance!.files).toEqual([IAM]);
    await everyFormatNames(r, 'AGENT-IAM-003', IAM);
  });

  it('iam:PassRole on * is denied; a service wildcard (iam:*) never loads', async () => {
    const r = await hostile(async (x) => {
      const t = await read(x, IAM);
      await x.write(IAM, t.replace('        actions: [ssm:SendCommand]\n        resources: [ssm_document]', '        actions: [ssm:SendCommand, iam:PassRole]\n        resources: [\'*\']\n        wildcard_reason: recovery hands its role to new instances'));
    });
    const { code, report } = await check(r);
    expect(code).toBe(1);
    expect(findings(report).find((x) => x.policy === 'AGENT-IAM-003')!.message).toMatch(/^execute:recovery maps to iam:PassRole on \* .*IAM write.*held by self-healing-agent-001/);

    const w = await hostile(async (x) => {
      const t = await read(x, IAM);
      await x.write(IAM, t.replace('        actions: [autoscaling:SetDesiredCapacity, autoscaling:ExecutePolicy]', '        actions: [autoscaling:SetDesiredCapacity, iam:*]'));
    });
    const star = await check(w);
    expect(star.code).toBe(1);
    expect(findings(star.report)).toContainEqual(expect.objectContaining({ policy: 'AGENT-REGISTRY-001', status: 'failed', file: IAM, message: expect.stringMatching(/^iam_table_invalid: .*actions/) }));
  });

  it('any other widening is allowed but flagged: a changed IAM row, a governance change needing owner review', async () => {
    const r = await hostile(async (x) => {
      const t = await read(x, IAM);
      await x.write(IAM, t.replace('        actions: [autoscaling:SetDesiredCapacity, autoscaling:ExecutePolicy]', '        actions: [autoscaling:SetDesiredCapacity, autoscaling:ExecutePolicy, autoscaling:UpdateAutoScalingGroup]'));
    });
    const { code, report } = await check(r);
    expect(code).toBe(0);
    expect(findings(report).map((x) => [x.policy, x.status])).toEqual([['AGENT-IAM-002', 'warned']]);
    expect(report.governance).toMatchObject({ files: [IAM], needs_review: true });
  });
});

describe('route 2: governed files are judged with no intent in the pull request', () => {
  it('a wildcard permission added while deleting every intent is denied (not "No intent changes", exit 0)', async () => {
    let text = '';
    const r = await hostile(async (x) => {
      text = (await read(x, AGENTS)).replace('      - write:health_status\n', '      - write:health_status\n      - execute:*\n');
      await x.write(AGENTS, text);
      await x.remove('intents');
    });
    const { code, report } = await check(r);
    expect(code).toBe(1);
    expect(report.intents).toEqual([]);
    expect(report.deleted).toEqual(['intents/DEPLOY-WEB-001.yaml']);
    expect(failedIds(report)).toEqual(['AGENT-AUDIT-001', 'AGENT-WILDCARD-001']);
    expect(findings(report).find((x) => x.policy === 'AGENT-WILDCARD-001')).toMatchObject({ file: AGENTS, line: lineOf(text, '- execute:*') });
    await everyFormatNames(r, 'AGENT-WILDCARD-001', AGENTS);
    const text2 = await runCli(['check', '--base', 'main', '--head', 'pr'], r.dir);
    expect(text2.stdout).toMatch(/✖ DENY\s+governed files/);
    expect(text2.stdout).toContain('Summary: 0 intents, 0 allowed, 0 denied, 0 invalid, 0 warnings, 2 governance findings denied');
    // The judgement is in the audit trail even though no intent was checked.
    const recorded = await runCli(['check', '--base', 'main', '--head', 'pr', '--record', '--actor', 'mallory'], r.dir);
    expect(recorded.code).toBe(1);
    expect(readAuditLog(r.dir).find((e) => e.action === 'verify_governance')).toMatchObject({ actor: 'intent-orchestrator', action: 'verify_governance', resource: 'repository', outcome: 'failure', details: { failed: ['AGENT-AUDIT-001', 'AGENT-WILDCARD-001'], files: 1 } });
  });

  it('deleting contracts/ together with the intents that require them is denied, once per contract', async () => {
    const r = await hostile(async (x) => {
      await x.remove('contracts');
      await x.remove('intents');
    });
    const { code, report } = await check(r);
    expect(code).toBe(1);
    const removed = findings(report).filter((x) => x.policy === 'CONTRACT-REMOVED-001');
    expect(removed.map((x) => x.file).sort()).toEqual(['contracts/contract.automation.v1.yaml', 'contracts/contract.monitoring.v1.yaml', 'contracts/contract.self-healing.v1.yaml']);
    expect(removed[0]!.message).toMatch(/^contract_removed_in_use: contract\.\S+ is removed .* intent type deployment requires it at the base \(DEPLOY-WEB-001\)/);
    await everyFormatNames(r, 'CONTRACT-REMOVED-001', 'contracts/contract.self-healing.v1.yaml');
  });

  it('a broken agents.yaml with no intent in the pull request is denied at its line', async () => {
    let text = '';
    const r = await hostile(async (x) => {
      text = (await read(x, AGENTS)).replace('version: 2.1.0', 'version: [two');
      await x.write(AGENTS, text);
    });
    const { code, report } = await check(r);
    expect(code).toBe(1);
    const registry = findings(report).filter((x) => x.policy === 'AGENT-REGISTRY-001');
    expect(registry.length).toBeGreaterThan(0);
    expect(registry[0]).toMatchObject({ status: 'failed', file: AGENTS });
    expect(registry[0]!.line).toBeGreaterThanOrEqual(lineOf(text, 'version: [two'));
    // As a process: exit 1, file:line, never a stack trace.
    const p = await spawnCli(['check', '--base', 'main', '--head', 'pr'], r.dir);
    expect(p.code).toBe(1);
    expect(p.stdout).toMatch(/FAILED\s+AGENT-REGISTRY-001\s+agents\/agents\.yaml:\d+: agents_parse_error|FAILED\s+AGENT-REGISTRY-001\s+agents\/agents\.yaml:\d+: /);
    expect(p.stdout + p.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('route 3: the plan policies judge a pull request', () => {
  // A rule the base's owners keep at plan level only: the intent policies allow 12 instances.
  const CAP = `# METADATA
# title: Autoscaling groups stay within the approved ceiling
# custom:
#   id: PLAN-CAP-001
#   severity: deny
#   passed: Autoscaling groups within 10 instances
package gitops.plan.plan_cap_001

deny contains {"msg": msg, "resource": r.urn} if {
	some r in input.resources
	r.type == "aws:autoscaling/group:Group"
	r.inputs.maxSize > 10
	msg := sprintf("autoscaling group %v may grow to %v instances; the approved ceiling is 10", [r.name, r.inputs.maxSize])
}
`;
  it('an intent its own policies allow is denied by the plan of the base, without --preview (what CI runs)', async () => {
    const r = await hostile(
      async (x) => x.write('intents/DEPLOY-WEB-001.yaml', (await read(x, 'intents/DEPLOY-WEB-001.yaml')).replace('max_instances: 10', 'max_instances: 12')),
      async (x) => x.write('policies/plan/plan_cap_001.rego', CAP),
    );
    const { code, report } = await check(r);
    const seed = report.intents[0]!;
    expect(seed).toMatchObject({ id: 'DEPLOY-WEB-001', change: 'modified', decision: 'deny' });
    expect([...new Set(seed.results.filter((x) => x.status === 'failed').map((x) => x.policy))]).toEqual(['PLAN-CAP-001']);
    expect(seed.results.find((x) => x.policy === 'PLAN-CAP-001')!.message).toMatch(/may grow to 12 instances/);
    expect(seed.plan!.resources).toBeGreaterThan(0);
    expect(code).toBe(1);
    // The local opt-out exists, and is what the verdict was before: allowed without the plan.
    const quick = await check(r, '--no-preview');
    expect(quick.code).toBe(0);
    expect(quick.report.intents[0]!.plan).toBeUndefined();
    const both = await runCli(['check', '--base', 'main', '--head', 'pr', '--preview', '--no-preview'], r.dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('usage_error: gitops check: --preview and --no-preview contradict each other');
  });
});

describe('route 4: only the runner writes audit-log/', () => {
  /** Append a record as the runner would, with the chain and HEAD.json recomputed: it verifies. */
  async function forge(x: TempRepo, when: Date): Promise<void> {
    const [rec] = appendLocal(x.dir, [{ event_id: 'evt-forged-0001', timestamp: when.toISOString(), evidence: {}, actor: 'policy-engine', action: 'validate_policies', resource: 'DEPLOY-WEB-001', outcome: 'success', trace_id: 'trace-check-forged', details: { decision: 'allow' } }], when);
    await x.write('audit-log/HEAD.json', JSON.stringify({ seq: rec!.seq, hash: rec!.hash, file: `audit-log/${when.toISOString().slice(0, 10)}.jsonl` }, null, 2) + '\n');
    expect(readAuditLog(x.dir).at(-1)!.event_id).toBe('evt-forged-0001');
    const verify = await runCli(['audit', 'verify'], x.dir);
    expect(verify.code).toBe(0); // the forgery is self-consistent: verification alone cannot tell
  }

  it.each([
    ['appended to the current day file', new Date('2026-11-28T23:00:00Z'), 'audit-log/2026-11-28.jsonl'],
    ['in a new, later day file', new Date('2026-12-01T08:00:00Z'), 'audit-log/2026-12-01.jsonl'],
  ])('a forged record %s, HEAD.json updated, is denied naming the files', async (_what, when, file) => {
    const r = await hostile((x) => forge(x, when));
    const { code, report } = await check(r);
    expect(code).toBe(1);
    const audit = findings(report).filter((x) => x.policy === 'AUDIT-LOG-001');
    expect(audit.map((x) => x.file).sort()).toEqual([file, 'audit-log/HEAD.json'].sort());
    expect(audit[0]!.message).toMatch(/^audit_log_modified: audit-log\/\S+ is (added|modified) by the pull request; only the runner writes audit-log\//);
    await everyFormatNames(r, 'AUDIT-LOG-001', file);
  });

  it('removing anything under audit-log/ is denied too', async () => {
    const r = await hostile((x) => x.remove('audit-log/README.md'));
    const { code, report } = await check(r);
    expect(code).toBe(1);
    expect(findings(report)).toEqual([expect.objectContaining({ policy: 'AUDIT-LOG-001', status: 'failed', file: 'audit-log/README.md', line: 1, message: expect.stringContaining('is deleted by the pull request') })]);
  });
});

describe('route 5: the runner\'s own files are governance changes', () => {
  it('a PR replacing the check step with exit 0 and editing the runner and packages is flagged for owner review in every format', async () => {
    const r = await hostile(
      async (x) => {
        await x.write('.github/workflows/check.yml', 'on: pull_request\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exit 0\n');
        await x.write('runner/cli/check.ts', 'export const command = { run: async () => 0 };\n');
        await x.write('package.json', '{"name":"gitops-policy-runner","scripts":{"postinstall":"curl evil"}}\n');
      },
      async (x) => {
        await cp(join(REPO_ROOT, '.github/workflows/check.yml'), join(x.dir, '.github/workflows/check.yml'));
        await x.write('package.json', '{"name":"gitops-policy-runner"}\n');
      },
    );
    const { code, report } = await check(r);
    expect(code).toBe(0); // nothing here is denied by itself: CODEOWNERS review is what blocks it
    expect(report.governance).toMatchObject({ files: ['.github/workflows/check.yml', 'package.json', 'runner/cli/check.ts'], needs_review: true });
    const text = (await runCli(['check', '--base', 'main', '--head', 'pr'], r.dir)).stdout;
    expect(text).toContain('Governance changes (need review by their owners, see CODEOWNERS): .github/workflows/check.yml, package.json, runner/cli/check.ts');
    const md = (await runCli(['check', '--base', 'main', '--head', 'pr', '--format', 'markdown'], r.dir)).stdout;
    expect(md).toContain('**🔒 Governance changes need review by their owners (CODEOWNERS):** `.github/workflows/check.yml`, `package.json`, `runner/cli/check.ts`');
    const sarif = JSON.parse((await runCli(['check', '--base', 'main', '--head', 'pr', '--format', 'sarif'], r.dir)).stdout) as { runs: Array<{ results: Array<{ ruleId: string; level: string; message: { text: string } }> }> };
    expect(sarif.runs[0]!.results.filter((x) => x.ruleId === 'GOVERNANCE-REVIEW').map((x) => [x.level, x.message.text])).toEqual([
      ['note', 'governance change, needs owner review: .github/workflows/check.yml'],
      ['note', 'governance change, needs owner review: package.json'],
      ['note', 'governance change, needs owner review: runner/cli/check.ts'],
    ]);
  });

  it('a PR that leaves runner/ alone but replaces the action every later check runs (action.yml, its bundle in dist/), its build or the npm registry is flagged too', async () => {
    const r = await hostile(async (x) => {
      await x.write('action.yml', "name: x\nruns:\n  using: node24\n  main: dist/action/index.cjs\n");
      await x.write('dist/action/index.cjs', 'process.exitCode = 0;\n');
      await x.write('scripts/build.ts', 'export {};\n');
      await x.write('.npmrc', 'registry=https://registry.example.invalid/\n');
      await x.write('CODEOWNERS', '* @someone-else\n');
    });
    const { code, report } = await check(r);
    expect(code).toBe(0);
    expect(report.governance).toMatchObject({ files: ['.npmrc', 'CODEOWNERS', 'action.yml', 'dist/action/index.cjs', 'scripts/build.ts'], needs_review: true });
  });
});
