/**
 * `gitops feedback --dry-run` end to end on real temporary git repositories:
 * the embedded file source, and the acceptance run against a REAL Prometheus.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.ts';
import { gitops } from './fixtures/cli.ts';
import { git, seedRepo } from './fixtures/repo.ts';
import { openMetrics, SEED_END } from './fixtures/seed-data.ts';

const UNTIL = new Date(SEED_END * 1000).toISOString();
const INTENT = 'intents/DEPLOY-WEB-001.yaml';

function expectSeedFigures(intent: any) {
  const m = intent.feedback.metrics_collected;
  expect(intent.feedback.period).toBe('7 days');
  expect(m.availability).toEqual({ achieved: 99.95, target: 99.9, delta: 0.05 });
  expect(m.performance).toEqual({ latency_p95: 85, target: 100, delta: -15 });
  expect(m.self_healing).toEqual({ recovery_attempts: 12, successful_recoveries: 11, success_rate: 91.7 });
  expect(m.deployment).toMatchObject({ success_rate: 98.5, average_deployment_time: 345 });
  expect(intent.feedback.analysis.strengths.map((f: any) => f.message)).toEqual(expect.arrayContaining(['Exceeded availability target', 'Performance better than expected', 'Self-healing working effectively']));
  expect(intent.feedback.analysis.improvements.map((f: any) => f.message)).toEqual(['1 recovery failure needs investigation', 'Consider adding buffer instances for peak load']);
  // the recommendations (docs/feedback.md, "The analysis document")
  expect(intent.recommendations.map((r: any) => ({ id: r.recommendation_id, type: r.type, description: r.description, priority: r.priority, approval_required: r.approval_required, expected_benefit: r.expected_benefit }))).toEqual([
    { id: 'OPT-001', type: 'capacity_optimization', description: 'Add 1 buffer instance to handle peak load', priority: 'medium', approval_required: true, expected_benefit: { availability_improvement: '+0.02%', cost_increase: '+$30.37/month' } },
    { id: 'OPT-002', type: 'self_healing_improvement', description: 'Investigate failed recovery attempt', priority: 'high', approval_required: false, expected_benefit: { self_healing_success_rate: '+8.3%', cost: '0' } },
  ]);
}

describe('gitops feedback --dry-run (file source, embedded default)', () => {
  it('prints seed §9/§10, writes the branch and body locally, opens nothing, records nothing', async () => {
    const { dir } = seedRepo();
    const before = git(dir, 'rev-parse', 'HEAD');
    const status = git(dir, 'status', '--porcelain');
    const r = await gitops(dir, ['feedback', '--dry-run', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const intent = out.intents[0];
    expectSeedFigures(intent);
    // The branch: one commit on HEAD changing only the min_instances line, and it passes gitops check.
    expect(intent.branch).toMatchObject({ name: 'gitops/recommendations/DEPLOY-WEB-001', base: before, check: { decision: 'allow', failed: [] }, labels: ['gitops-feedback', 'approval-required'] });
    expect(git(dir, 'rev-parse', 'refs/heads/gitops/recommendations/DEPLOY-WEB-001')).toBe(intent.branch.commit);
    expect(git(dir, 'rev-parse', `${intent.branch.commit}^`)).toBe(before);
    expect(git(dir, 'diff', '--name-only', before, intent.branch.commit)).toBe(INTENT);
    const diff = git(dir, 'diff', '-U0', before, intent.branch.commit);
    expect(diff.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-      min_instances: 3', '+      min_instances: 4']);
    expect(intent.pr).toEqual({ status: 'dry-run', branch: 'gitops/recommendations/DEPLOY-WEB-001' });
    expect(intent.issue).toMatchObject({ status: 'dry-run' });
    const body = readFileSync(intent.branch.body_file, 'utf8');
    expect(body).toMatch(/<!-- gitops-feedback intent=DEPLOY-WEB-001 kind=pr hash=sha256:[0-9a-f]{64} trace=trace-feedback-/);
    expect(body).toContain('+$30.37/month');
    expect(body).toContain('+      min_instances: 4');
    // The working tree, HEAD and the audit log are untouched.
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(before);
    expect(git(dir, 'status', '--porcelain')).toBe(status);
  });

  it('works under npm and CI environments (EDITOR, GIT_* variables), which the git environment allow-list drops or passes by name', async () => {
    const { dir } = seedRepo();
    const r = await gitops(dir, ['feedback', '--dry-run', '--format', 'json'], { EDITOR: 'vi', GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt', GIT_TERMINAL_PROMPT: '0' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).intents[0].branch).toMatchObject({ name: 'gitops/recommendations/DEPLOY-WEB-001', check: { decision: 'allow' } });
  });

  it('text output reads like the seed, with the diff', async () => {
    const { dir } = seedRepo();
    const r = await gitops(dir, ['feedback', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('achieved: 99.95');
    expect(r.stdout).toContain('success_rate: 91.7');
    expect(r.stdout).toContain('recommendation_id: OPT-001');
    expect(r.stdout).toContain("cost_increase: +$30.37/month");
    expect(r.stdout).toContain('+      min_instances: 4');
  });

  it('does not propose a buffer instance that would break the budget (the check denies it)', async () => {
    const seed = readFileSync(new URL('../../intents/DEPLOY-WEB-001.yaml', import.meta.url), 'utf8');
    const { dir } = seedRepo({ intent: seed.replace("budget: '$500/month'", "budget: '$130/month'") });
    const r = await gitops(dir, ['feedback', '--dry-run', '--format', 'json']);
    expect(r.code).toBe(0);
    const intent = JSON.parse(r.stdout).intents[0];
    expect(intent.recommendations.map((x: any) => x.type)).toEqual(['self_healing_improvement']);
    expect(intent.rules).toContainEqual(expect.objectContaining({ rule: 'buffer-instance-for-peak', status: 'rejected', failed: ['COMP-BUDGET-001'] }));
    expect(intent.branch).toBeUndefined();
    expect(existsSync(`${dir}/.git/refs/heads/gitops/recommendations/DEPLOY-WEB-001`)).toBe(false);
  });

  it('exits 1 naming the file when an intent has no metrics, and 2 on usage errors', async () => {
    const { dir } = seedRepo();
    const none = await gitops(dir, ['feedback', '--dry-run', '--until', '2024-01-01T00:00:00Z']);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('metrics/sample/DEPLOY-WEB-001.csv: metrics_no_data');
    expect((await gitops(dir, ['feedback', '--dry-run', '--format', 'xml'])).code).toBe(2);
    expect((await gitops(dir, ['feedback', '--dry-run', '--source', 'datadog'])).stderr).toContain('usage_error');
  });
});

describe('acceptance: gitops feedback --dry-run against a REAL Prometheus', () => {
  let prom: RunningPrometheus;
  beforeAll(async () => {
    prom = await startPrometheus(openMetrics());
  });
  afterAll(async () => {
    await prom?.close();
  });

  it('produces seed §9 figures and §10-like recommendations from 7 days of backfilled history', async () => {
    const { dir } = seedRepo();
    const r = await gitops(dir, ['feedback', '--dry-run', '--format', 'json', '--source', 'prometheus', '--prometheus-url', prom.url, '--until', UNTIL]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.source).toBe('prometheus');
    expectSeedFigures(out.intents[0]);
    expect(out.intents[0].branch.check.decision).toBe('allow');
    expect(out.intents[0].branch.changed_lines).toHaveLength(1);
  });
});
