/**
 * `gitops check` end to end on real temporary git repositories holding a copy
 * of this repository's governed content.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../runner/model/report.ts';
import { MemorySink } from '../../runner/core/events.ts';
import { createRunContext } from '../../runner/core/run-context.ts';
import { runCheck } from '../../runner/check/run.ts';
import { MALFORMED } from '../intent/malformed.ts';
import { NODE, REPO_ROOT, intentWith, lineOf, runCli, spawnCli, tempRepo, type TempRepo } from './helpers.ts';

const exec = promisify(execFile);
let repo: TempRepo;

beforeAll(async () => {
  repo = await tempRepo();
});
afterAll(() => repo.cleanup());

async function branch(name: string, files: Record<string, string | null>, from = 'main'): Promise<void> {
  await repo.git('checkout', '-q', '-B', name, from);
  for (const [path, content] of Object.entries(files)) {
    if (content === null) await repo.git('rm', '-q', '-r', path);
    else await repo.write(path, content);
  }
  await repo.commitAll(name);
  await repo.git('checkout', '-q', 'main');
}

async function checkJson(args: string[]): Promise<{ code: number; report: CheckReport; stderr: string }> {
  const r = await runCli(['check', ...args, '--format', 'json'], repo.dir);
  return { code: r.code, report: JSON.parse(r.stdout) as CheckReport, stderr: r.stderr };
}

describe('gitops check --all on a clone of the sample', () => {
  it('allows DEPLOY-WEB-001 with SEC-AUTH-001, SEC-ENC-001 and COMP-BUDGET-001 passed, printing actions and cost (real process)', async () => {
    const clone = await mkdtemp(join(tmpdir(), 'gitops-clone-'));
    try {
      await exec('git', ['clone', '-q', repo.dir, clone]);
      const r = await spawnCli(['check', '--all'], clone);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('✔ ALLOW   DEPLOY-WEB-001  intents/DEPLOY-WEB-001.yaml');
      expect(r.stdout).toMatch(/passed\s+SEC-AUTH-001\s+Authentication configured/);
      expect(r.stdout).toMatch(/passed\s+SEC-ENC-001\s+TLS 1\.3 enabled/);
      expect(r.stdout).toMatch(/passed\s+COMP-BUDGET-001\s+Within budget constraints/);
      for (const a of ['create_load_balancer', 'deploy_instances', 'configure_auto_scaling', 'setup_health_checks', 'enable_self_healing']) expect(r.stdout).toContain(`. ${a}: `);
      expect(r.stdout).toContain('availability_zones=[us-west-2a, us-west-2b, us-west-2c]');
      expect(r.stdout).toContain('Cost: $113.37/month at minimum capacity, $325.95/month at maximum; budget $500.00/month');
      expect(r.stdout).toContain('Summary: 1 intent, 1 allowed, 0 denied, 0 invalid, 0 warnings');
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
  });

  it('does not load Pulumi on the check path', async () => {
    const { stdout } = await exec(NODE, ['--import', 'tsx', join(REPO_ROOT, 'test/check/probe-modules.ts'), 'check', '--all', '--repo', repo.dir], { cwd: REPO_ROOT });
    const probe = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(probe).toEqual({ code: 0, during: 0, control: expect.any(Number), allowed: true });
    expect(probe.control).toBeGreaterThan(0); // the detection works: importing Pulumi does show up
  });

  it('does not load Pulumi for a local look at a PR (--no-preview): the cost delta of a modified and of a deleted intent needs no preview', async () => {
    const pr = await tempRepo();
    try {
      await pr.write('intents/OLD-009.yaml', intentWith('OLD-009'));
      await pr.commitAll('a second intent');
      await pr.git('checkout', '-q', '-b', 'change');
      const seed = await readFile(join(pr.dir, 'intents/DEPLOY-WEB-001.yaml'), 'utf8');
      await pr.write('intents/DEPLOY-WEB-001.yaml', seed.replace('max_instances: 10', 'max_instances: 12'));
      await pr.remove('intents/OLD-009.yaml');
      await pr.commitAll('scale one, delete the other');
      const { stdout } = await exec(NODE, ['--import', 'tsx', join(REPO_ROOT, 'test/check/probe-modules.ts'), 'check', '--base', 'main', '--head', 'change', '--no-preview', '--repo', pr.dir], { cwd: REPO_ROOT });
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ code: 0, during: 0, control: expect.any(Number), allowed: true });
      // The same check in-process: the deltas are there without a plan diff (no --preview).
      const r = await runCheck({ cwd: pr.dir, base: 'main', head: 'change' });
      expect(r.intents[0]!.cost_delta).toMatchObject({ delta_max: 60.74, pct_max: 18.6 });
      expect(r.intents[0]!.plan_diff).toBeUndefined();
      expect(r.deleted_intents).toEqual([expect.objectContaining({ id: 'OLD-009', file: 'intents/OLD-009.yaml', cost_delta: expect.objectContaining({ head_max: 0, pct_max: -100 }) })]);
      expect(r.deleted_intents![0]!.plan_diff).toBeUndefined();
      expect(r.cost_delta).toMatchObject({ base_max: 651.9, head_max: 386.69, delta_max: -265.21 });
    } finally {
      await pr.cleanup();
    }
  });
});

/** One branch per policy: an intent that breaks it, the line the denial must name. */
const BREAKS: Array<{ policy: string; id: string; text: string; needle: string }> = [
  { policy: 'SEC-AUTH-001', id: 'AUTH-001', text: intentWith('AUTH-001', {}, '  security:\n    authentication:\n      method: none\n'), needle: 'method: none' },
  { policy: 'SEC-ENC-001', id: 'ENC-001', text: intentWith('ENC-001', {}, '  security:\n    protocol: http\n'), needle: 'protocol: http' },
  { policy: 'SEC-ENC-001', id: 'ENC-002', text: intentWith('ENC-002', {}, '  security:\n    tls_policy: tls12\n'), needle: 'tls_policy' },
  { policy: 'COMP-BUDGET-001', id: 'BUDGET-001', text: intentWith('BUDGET-001', { "budget: '$500/month'": "budget: '$50/month'" }), needle: 'budget:' },
  { policy: 'ARCH-HA-001', id: 'HA-001', text: intentWith('HA-001', { 'min_instances: 3': 'min_instances: 1' }), needle: 'min_instances' },
  { policy: 'ARCH-HA-001', id: 'HA-002', text: intentWith('HA-002', {}, '  placement:\n    zones: 1\n'), needle: 'zones: 1' },
  { policy: 'ARCH-HA-001', id: 'HA-003', text: intentWith('HA-003', {}, '  health_check:\n    enabled: false\n'), needle: 'enabled: false' },
  { policy: 'ARCH-SCALE-001', id: 'SCALE-001', text: intentWith('SCALE-001', { 'min_instances: 3': 'min_instances: 12' }), needle: 'min_instances' },
  { policy: 'ARCH-REGION-001', id: 'REGION-002', text: intentWith('REGION-002', { "region: ['us-west', 'us-east']": "region:\n      - us-west\n      - sa-east" }), needle: '- sa-east' },
  { policy: 'ARCH-HEAL-001', id: 'HEAL-002', text: intentWith('HEAL-002', {}, '  self_healing:\n    enabled: false\n'), needle: 'enabled: false' },
];

describe('a branch whose intent breaks a policy', () => {
  for (const b of BREAKS) {
    it(`${b.id} is denied by ${b.policy} at line ${lineOf(b.text, b.needle)}`, async () => {
      const file = `intents/${b.id}.yaml`;
      await branch(`break/${b.id}`, { [file]: b.text });
      const { code, report } = await checkJson(['--base', 'main', '--head', `break/${b.id}`]);
      expect(code).toBe(1);
      expect(report.intents).toHaveLength(1);
      const i = report.intents[0]!;
      expect(i).toMatchObject({ id: b.id, file, change: 'added', decision: 'deny' });
      expect(i.results).toContainEqual(expect.objectContaining({ policy: b.policy, status: 'failed', severity: 'deny', file, line: lineOf(b.text, b.needle) }));
      // Only the broken policy (and what the same opt-out legitimately implies) fails.
      const failed = new Set(i.results.filter((r) => r.status === 'failed').map((r) => r.policy));
      expect([...failed].filter((p) => !['SEC-AUTH-001', b.policy].includes(p))).toEqual([]);

      const text = await runCli(['check', '--base', 'main', '--head', `break/${b.id}`], repo.dir);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain(`✖ DENY    ${b.id}`);
      expect(text.stdout).toMatch(new RegExp(`FAILED\\s+${b.policy}\\s+${file.replace(/[.]/g, '\\.')}:${lineOf(b.text, b.needle)}: `));
    });
  }

  it('a cost over budget only at maximum capacity is allowed with a COMP-BUDGET-001 warning (exit 0)', async () => {
    const text = intentWith('WARN-001', { "budget: '$500/month'": "budget: '$200/month'" });
    await branch('warn/budget', { 'intents/WARN-001.yaml': text });
    const { code, report } = await checkJson(['--base', 'main', '--head', 'warn/budget']);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ allowed: 1, warnings: 1 });
    expect(report.intents[0]!.results).toContainEqual(expect.objectContaining({ policy: 'COMP-BUDGET-001', status: 'warned', severity: 'warn', line: lineOf(text, 'budget:') }));
  });
});

describe('a PR cannot weaken the policies it is judged by', () => {
  it('deleting the budget policy and editing the others in the same branch still denies, and flags the policy change', async () => {
    const text = intentWith('SNEAKY-001', { "budget: '$500/month'": "budget: '$50/month'" }, '  security:\n    authentication:\n      method: none\n');
    const secAuth = await readFile(join(repo.dir, 'policies/security/sec_auth_001.rego'), 'utf8');
    await branch('sneaky', {
      'intents/SNEAKY-001.yaml': text,
      'policies/compliance/comp_budget_001.rego': null,
      'policies/security/sec_auth_001.rego': secAuth.replaceAll('deny contains', 'ignored contains'),
    });
    const { code, report } = await checkJson(['--base', 'main', '--head', 'sneaky']);
    expect(code).toBe(1);
    const i = report.intents[0]!;
    expect(i.decision).toBe('deny');
    const failed = i.results.filter((r) => r.status === 'failed');
    expect(failed).toContainEqual(expect.objectContaining({ policy: 'COMP-BUDGET-001', line: lineOf(text, 'budget:') }));
    expect(failed).toContainEqual(expect.objectContaining({ policy: 'SEC-AUTH-001', line: lineOf(text, 'method: none') }));
    expect(report.policy_changes).toEqual({ files: ['policies/compliance/comp_budget_001.rego', 'policies/security/sec_auth_001.rego'], needs_review: true });

    const md = await runCli(['check', '--base', 'main', '--head', 'sneaky', '--format', 'markdown'], repo.dir);
    expect(md.stdout).toContain('Policy changes need policy-owner review');
  });

  it('adding a policy that would allow everything does not change the verdict either', async () => {
    const text = intentWith('SNEAKY-002', { 'min_instances: 3': 'min_instances: 1' });
    await branch('sneaky2', { 'intents/SNEAKY-002.yaml': text, 'policies/architecture/arch_ha_001.rego': 'package gitops.policies.arch_ha_001\n' });
    const { code, report } = await checkJson(['--base', 'main', '--head', 'sneaky2']);
    expect(code).toBe(1);
    expect(report.intents[0]!.results).toContainEqual(expect.objectContaining({ policy: 'ARCH-HA-001', status: 'failed' }));
    expect(report.policy_changes.needs_review).toBe(true);
  });
});

describe('malformed intents: exit 1 with file:line, no stack trace', () => {
  for (const m of MALFORMED) {
    it(`${m.name}: ${m.code} at ${m.file}:${m.line}`, async () => {
      await repo.write(m.file, m.content);
      try {
        // Working-tree mode: the uncommitted file is the one change checked.
        const r = await runCli(['check'], repo.dir);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(1);
        expect(r.stdout).toContain('✖ INVALID');
        expect(r.stdout).toContain(`  ${m.file}:${m.line}:`);
        expect(r.stdout).toMatch(new RegExp(`${m.file.replace(/[.]/g, '\\.')}:${m.line}:\\d+: ${m.code}: `));
        expect(r.stdout).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
      } finally {
        await repo.remove(m.file);
        await repo.remove('intents/team-b');
      }
    });
  }

  it('all of them at once in a real process: exit 1, every file reported, no stack trace', async () => {
    await branch('malformed', Object.fromEntries(MALFORMED.map((m) => [m.file, typeof m.content === 'string' ? m.content : Buffer.from(m.content).toString('latin1')])));
    // Binary contents are committed from the working tree byte for byte below.
    await repo.git('checkout', '-q', 'malformed');
    for (const m of MALFORMED) if (typeof m.content !== 'string') await repo.write(m.file, m.content);
    await repo.commitAll('binary contents');
    await repo.git('checkout', '-q', 'main');
    const r = await spawnCli(['check', '--base', 'main', '--head', 'malformed', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as CheckReport;
    expect(report.summary.invalid).toBe(MALFORMED.length);
    for (const m of MALFORMED) {
      const i = report.intents.find((x) => x.file === m.file);
      expect(i?.diagnostics[0], m.name).toMatchObject({ code: m.code, file: m.file, line: m.line });
      if (m.message) expect(i?.diagnostics[0]?.message, m.name).toMatch(m.message);
    }
  });
});

describe('git changes and runner errors', () => {
  it('handles renames and deletions between the refs', async () => {
    const seed = await readFile(join(repo.dir, 'intents/DEPLOY-WEB-001.yaml'), 'utf8');
    await branch('move', { 'intents/DEPLOY-WEB-001.yaml': null, 'intents/web/DEPLOY-WEB-001.yaml': seed });
    const moved = await checkJson(['--base', 'main', '--head', 'move']);
    expect(moved.code).toBe(0);
    expect(moved.report.intents.map((i) => [i.file, i.change, i.decision])).toEqual([['intents/web/DEPLOY-WEB-001.yaml', 'renamed', 'allow']]);

    await branch('delete', { 'intents/DEPLOY-WEB-001.yaml': null });
    const deleted = await checkJson(['--base', 'main', '--head', 'delete']);
    expect(deleted.code).toBe(0);
    expect(deleted.report.intents).toEqual([]);
    expect(deleted.report.deleted).toEqual(['intents/DEPLOY-WEB-001.yaml']);
  });

  it('an unknown ref is a runner error (exit 2) naming it', async () => {
    const r = await spawnCli(['check', '--base', 'main', '--head', 'no-such-branch'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("git_unknown_ref: unknown git ref 'no-such-branch'");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('policies at the base that do not compile are a runner error (exit 2) with file:line:col', async () => {
    await branch('broken-base', { 'policies/security/zz_broken.rego': 'package gitops.policies.zz\n\ndeny contains msg if {\n  msg := [1,\n}\n' });
    await branch('on-broken', { 'intents/ONB-001.yaml': intentWith('ONB-001') }, 'broken-base');
    const r = await runCli(['check', '--base', 'broken-base', '--head', 'on-broken'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/error: policies\/security\/zz_broken\.rego:\d+:\d+: rego_parse_error: /);
  });

  it('a policy without METADATA id is a runner error pointing at it', async () => {
    await branch('no-meta', { 'policies/security/zz_nometa.rego': 'package gitops.policies.zz_nometa\n\ndeny contains "x" if false\n' });
    const r = await checkJson(['--all', '--head', 'no-meta']);
    expect(r.code).toBe(2);
    expect(r.report.diagnostics).toContainEqual(expect.objectContaining({ code: 'policy_missing_metadata', file: 'policies/security/zz_nometa.rego', line: 3 }));
  });

  it('usage errors exit 2 without a stack trace', async () => {
    const r = await runCli(['check', '--format', 'yaml'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown format 'yaml'");
    const h = await runCli(['check', '--head', 'main'], repo.dir);
    expect(h.code).toBe(2);
  });
});

describe('formats, output file and audit events', () => {
  it('json carries intents[].{id,file,decision,results[],actions,cost} and a summary; markdown, sarif and --output work', async () => {
    await branch('fmt', { 'intents/FMT-001.yaml': intentWith('FMT-001', { "budget: '$500/month'": "budget: '$50/month'" }) });
    const { report } = await checkJson(['--base', 'main', '--head', 'fmt']);
    const i = report.intents[0]!;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['version', 'trace_id', 'base', 'head', 'intents', 'deleted', 'policy_changes', 'diagnostics', 'summary']));
    expect(i.results[0]).toEqual(expect.objectContaining({ policy: expect.any(String), status: expect.any(String), severity: expect.any(String), message: expect.any(String), line: expect.any(Number) }));
    expect(i.actions).toHaveLength(5);
    expect(i.cost).toMatchObject({ monthly_min: 113.37, monthly_max: 325.95, budget: 50 });

    const out = join(repo.dir, 'report.sarif');
    const s = await runCli(['check', '--base', 'main', '--head', 'fmt', '--format', 'sarif', '--output', out], repo.dir);
    expect(s.code).toBe(1);
    expect(s.stdout).toContain('sarif report written to');
    const sarif = JSON.parse(await readFile(out, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toContainEqual(
      expect.objectContaining({ ruleId: 'COMP-BUDGET-001', level: 'error', locations: [expect.objectContaining({ physicalLocation: expect.objectContaining({ artifactLocation: { uri: 'intents/FMT-001.yaml' } }) })] }),
    );
    await rm(out);

    const md = await runCli(['check', '--base', 'main', '--head', 'fmt', '--format', 'markdown'], repo.dir);
    expect(md.stdout).toContain('### ❌ Intent check failed');
    expect(md.stdout).toMatch(/\| FMT-001 \| ❌ COMP-BUDGET-001 \| `intents\/FMT-001\.yaml:\d+` \|/);
    expect(md.stdout).toMatch(/\| FMT-001 \| ❌ deny \| — \| \$0\.00 → \$\d+\.\d\d \(\+\$\d+\.\d\d, new\) \|/);
  });

  it('each stage emits exactly one audit event per intent, as its named agent', async () => {
    const sink = new MemorySink();
    const ctx = createRunContext({ repoDir: repo.dir, kind: 'check', sink, human: 'alice@example.com' });
    const report = await runCheck({ cwd: repo.dir, all: true, ctx });
    expect(report.intents.map((i) => i.decision)).toEqual(['allow']);
    const mine = ['submit_intent', 'validate_schema', 'translate_intent', 'estimate_cost', 'validate_policies'];
    const events = sink.events.filter((e) => mine.includes(e.action));
    expect(events.map((e) => [e.action, e.actor, e.resource, e.outcome])).toEqual([
      ['submit_intent', 'alice@example.com', 'DEPLOY-WEB-001', 'success'],
      ['validate_schema', 'policy-engine', 'DEPLOY-WEB-001', 'success'],
      ['translate_intent', 'intent-orchestrator', 'DEPLOY-WEB-001', 'success'],
      ['estimate_cost', 'intent-orchestrator', 'DEPLOY-WEB-001', 'success'],
      ['validate_policies', 'policy-engine', 'DEPLOY-WEB-001', 'success'],
    ]);
    expect(new Set(sink.events.map((e) => e.trace_id))).toEqual(new Set([ctx.traceId]));
    expect(events.at(-1)!.evidence).toMatchObject({ policy_digest: expect.stringMatching(/^sha256:/), input_digest: expect.stringMatching(/^sha256:/) });
  });

  it('runCheck checks in-memory intent files against the committed policies (the feedback loop’s entry point)', async () => {
    const report = await runCheck({ cwd: repo.dir, files: [{ file: 'intents/DEPLOY-WEB-001.yaml', bytes: intentWith('DEPLOY-WEB-001', { 'max_instances: 10': 'max_instances: 11' }) }] });
    expect(report.intents.map((i) => [i.id, i.decision])).toEqual([['DEPLOY-WEB-001', 'allow']]);
    expect(report.intents[0]!.cost!.monthly_max).toBeGreaterThan(325.95);
  });
});
