/**
 * `gitops feedback` against the GitHub stand-in (held to GitHub's OpenAPI
 * description, backed by a real bare repository): first run opens one PR and
 * one issue; the same data changes nothing; changed data updates the same PR;
 * a PR closed without merge is not reopened for the same recommendation;
 * a merge is audited once, linked to the recommendation's trace.
 */
import { markdownMermaidProblems, mermaidBlocks } from '../support/mermaid-grammar.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOctokit } from '../../runner/github/client.ts';
import { readAuditLog } from '../../runner/audit/store.ts';
import { startStandIn, type StandIn } from '../support/github-standin/index.ts';
import { gitops } from './fixtures/cli.ts';
import { git, seedRepo } from './fixtures/repo.ts';
import { hourlyCsv } from './fixtures/seed-data.ts';

const BRANCH = 'gitops/recommendations/DEPLOY-WEB-001';
let gh: StandIn | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

async function setup() {
  const { dir, remote } = seedRepo({ remote: true });
  gh = await startStandIn({ repos: [{ owner: 'acme', name: 'infra', path: remote! }] });
  const env = { GITHUB_REPOSITORY: 'acme/infra', GITHUB_TOKEN: 'app-token', GITHUB_API_URL: gh.url, GITOPS_GITHUB_PACING: 'off', GITOPS_GITHUB_RETRY_BASE_MS: '1' };
  const run = async () => {
    const r = await gitops(dir, ['feedback', '--format', 'json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout).intents[0];
  };
  const writes = () => gh!.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.operation}`);
  const remoteTip = () => git(remote!, 'rev-parse', `refs/heads/${BRANCH}`);
  return { dir, remote: remote!, env, run, writes, remoteTip, octokit: createOctokit({ apiUrl: gh.url, token: 'app-token', tuning: { pacing: false, retryBaseMs: 1 } }) };
}

describe('gitops feedback against the GitHub stand-in', () => {
  it('opens one PR and one issue, then changes nothing on the same data, then updates the same PR on new data', async () => {
    const s = await setup();
    const first = await s.run();
    expect(first.pr).toMatchObject({ status: 'created', number: expect.any(Number) });
    expect(first.issue).toMatchObject({ status: 'created' });
    const pulls = gh!.state.pulls('acme/infra');
    expect(pulls).toHaveLength(1);
    const pr = pulls[0]!;
    expect(pr.pull!.head).toBe(BRANCH);
    expect(pr.labels).toEqual(['gitops-feedback', 'approval-required']);
    expect(pr.body).toContain('Add 1 buffer instance to handle peak load');
    expect(pr.body).toContain('+$30.37/month');
    // The period per day against the targets: availability, p95 latency, error rate (Mermaid xychart-beta).
    expect(mermaidBlocks(pr.body!)).toHaveLength(3);
    expect(markdownMermaidProblems(pr.body!)).toEqual([]);
    expect(pr.body).toContain('availability per day, target 99.9 % (flat line)');
    const issues = gh!.state.issues.filter((i) => !i.pull);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.title).toContain('Investigate failed recovery attempt');
    expect(issues[0]!.labels).toEqual(['gitops-feedback', 'priority-high']);
    // The pushed branch: base + one commit touching only the min_instances line.
    const tip = s.remoteTip();
    const main = git(s.remote, 'rev-parse', 'refs/heads/main');
    expect(git(s.remote, 'rev-parse', `${tip}^`)).toBe(main);
    expect(git(s.remote, 'diff', '-U0', main, tip).split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual(['-      min_instances: 3', '+      min_instances: 4']);
    const writesAfterFirst = s.writes();

    // Same data: no commit, no PR, no comment, no API write.
    const second = await s.run();
    expect(second.pr).toMatchObject({ status: 'unchanged', number: pr.number });
    expect(second.issue).toMatchObject({ status: 'unchanged' });
    expect(s.writes()).toEqual(writesAfterFirst);
    expect(s.remoteTip()).toBe(tip);
    expect(gh!.state.pulls('acme/infra')).toHaveLength(1);
    expect(gh!.state.comments ?? []).toHaveLength(0);

    // New evidence (a busier week): the same PR is updated in place.
    writeFileSync(join(s.dir, 'metrics/sample/DEPLOY-WEB-001.csv'), hourlyCsv({ load: 1, peakCpu: 95 }));
    const third = await s.run();
    expect(third.pr).toMatchObject({ status: 'updated', number: pr.number });
    expect(gh!.state.pulls('acme/infra')).toHaveLength(1);
    expect(gh!.state.pulls('acme/infra')[0]!.body).toContain('| peak\\_utilisation | 95 |');
    expect(s.remoteTip()).not.toBe(tip);
    expect(gh!.violations).toEqual([]);

    // The audit trail of the loop, one trace per run, as the feedback-analyst agent.
    const audit = readAuditLog(s.dir).filter((r) => r.actor === 'feedback-analyst');
    const byAction = (a: string) => audit.filter((r) => r.action === a);
    expect(byAction('collect_metrics')).toHaveLength(3);
    expect(byAction('analyze_feedback')).toHaveLength(3);
    expect(byAction('open_recommendation').map((r) => r.details.kind)).toEqual(['pr', 'issue']);
    expect(byAction('update_recommendation').map((r) => r.details.number)).toEqual([pr.number]);
    const open = byAction('open_recommendation')[0]!;
    expect(byAction('collect_metrics')[0]!.trace_id).toBe(open.trace_id);
    expect(open.evidence.commit).toBe(tip);
  });

  it('does not reopen a PR closed without merge for the same recommendation, until the evidence changes', async () => {
    const s = await setup();
    const first = await s.run();
    await s.octokit.rest.pulls.update({ owner: 'acme', repo: 'infra', pull_number: first.pr.number, state: 'closed' });
    const again = await s.run();
    expect(again.pr).toEqual({ status: 'declined', number: first.pr.number, url: expect.any(String) });
    expect(gh!.state.pulls('acme/infra')).toHaveLength(1);
    writeFileSync(join(s.dir, 'metrics/sample/DEPLOY-WEB-001.csv'), hourlyCsv({ load: 1, peakCpu: 93 }));
    const changed = await s.run();
    expect(changed.pr.status).toBe('created');
    expect(changed.pr.number).not.toBe(first.pr.number);
    expect(gh!.violations).toEqual([]);
  });

  it('audits the merge once, linking it to the recommendation trace and the merge commit (which apply records)', async () => {
    const s = await setup();
    const first = await s.run();
    const merged = await s.octokit.rest.pulls.merge({ owner: 'acme', repo: 'infra', pull_number: first.pr.number });
    git(s.dir, 'pull', '-q', 'origin', 'main');
    const next = await s.run();
    expect(next.merges).toEqual([{ number: first.pr.number, merge_commit: merged.data.sha }]);
    const audit = readAuditLog(s.dir);
    const merge = audit.filter((r) => r.action === 'merge_recommendation');
    expect(merge).toHaveLength(1);
    const opened = audit.find((r) => r.action === 'open_recommendation' && r.details.kind === 'pr')!;
    expect(merge[0]!.details.recommendation_trace_id).toBe(opened.trace_id);
    expect(merge[0]!.evidence.commit).toBe(merged.data.sha);
    // The intent now has 4 instances; peak is still near capacity, so the loop proposes a 5th.
    expect(next.recommendations[0]).toMatchObject({ type: 'capacity_optimization', changes: [{ from: 4, to: 5 }] });
    const after = await s.run();
    expect(after.merges).toEqual([]);
    expect(readAuditLog(s.dir).filter((r) => r.action === 'merge_recommendation')).toHaveLength(1);
  });
});
