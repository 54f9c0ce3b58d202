/**
 * The PR comment's size: one intent reads short, and a 100-intent PR fits
 * GitHub's 65,536-character comment with every failure listed (policy, line,
 * link, message), the rest named as being in the job summary and artifact.
 * Realistic content: 18 policies per intent, actions, contracts, agents, a
 * 50-resource preview inventory, a plan diff and a stack picture.
 */
import { describe, expect, it } from 'vitest';
import type { CheckReport, IntentReport, PolicyResult } from '../../runner/model/report.ts';
import { renderMarkdown } from '../../runner/report/markdown.ts';
import { COMMENT_MARKDOWN_BUDGET, LIMITS, commentBody } from '../../runner/github/render.ts';
import { markdownMermaidProblems } from '../support/mermaid-grammar.ts';

const links = { repository: 'acme/infra', sha: 'a'.repeat(40) };

function intent(n: number, failing: boolean): IntentReport {
  const id = `DEPLOY-SVC-${String(n).padStart(3, '0')}`;
  const file = `intents/${id}.yaml`;
  const results: PolicyResult[] = Array.from({ length: 16 }, (_, k) => ({ policy: `POL-${k}`, title: `Policy ${k}`, status: 'passed' as const, severity: 'deny' as const, message: `Policy ${k} holds for this intent, with a reasonably long explanation of why`, file, line: 3 }));
  if (failing) {
    results.push({ policy: 'COMP-BUDGET-001', title: 'Budget', status: 'failed', severity: 'deny', message: `estimated $${400 + n}.95/month at maximum capacity exceeds the budget of $300/month by $${100 + n}.95; lower max_instances or raise the budget`, file, line: 17 });
    results.push({ policy: 'SEC-AUTH-001', title: 'Auth', status: 'failed', severity: 'deny', message: 'the load balancer has no authentication: add requirements.security.authentication (oidc or cognito)', file, line: 9 });
  }
  const resources = Array.from({ length: 50 }, (_, k) => ({ urn: `urn:pulumi:${id}-us-west-2::gitops::aws:ec2/subnet:Subnet::${id.toLowerCase()}-r${k}`, type: 'aws:ec2/subnet:Subnet', name: `${id.toLowerCase()}-r${k}`, step: 'provision_infrastructure', key: { cidrBlock: `10.0.${k}.0/24`, availabilityZone: 'us-west-2a' } }));
  return {
    id,
    file,
    type: 'deployment',
    description: 'A web service with a description of moderate length',
    change: 'modified',
    decision: failing ? 'deny' : 'allow',
    results,
    actions: Array.from({ length: 5 }, (_, k) => ({ action: `action_${k}`, config: { count: 3, instance_type: 't3.medium', availability_zones: ['us-west-2a', 'us-west-2b'], path: '/health' } })),
    cost: { currency: 'USD', hours_per_month: 730, monthly_min: 113.37, monthly_max: 386.69, budget: 500, items: [], price_table: { source: 'AWS', date: '2026-11-01', region: 'us-west-2' }, assumptions: [] },
    cost_delta: { base_min: 113.37, base_max: 325.95, head_min: 113.37, head_max: 386.69, delta_min: 0, delta_max: 60.74, pct_min: 0, pct_max: 18.6, budget: 500, headroom: 113.31 },
    contracts: [{ contract: 'contract.self-healing.v1', status: 'verified', version: '1.0.0', compatible: true }],
    agents: [{ agent_id: 'scaling-agent-001', type: 'auto-scaling', version: '1.3.0', permissions: ['read:metrics', 'execute:scale_operations'] }],
    plan: {
      resources: 50,
      by_type: { 'aws:ec2/subnet:Subnet': 50 },
      details: { duration_ms: 1000, stacks: [{ stack: `${id}-us-west-2`, region: 'us-west-2', zones: ['us-west-2a'], notes: [], resources }] },
      graphs: [{ stack: `${id}-us-west-2`, nodes: [{ id: 'n0', kind: 'load_balancer', label: 'Load balancer', op: 'same' }, { id: 'n1', kind: 'autoscaling_group', label: 'Autoscaling group 3..12 instances', op: 'update' }], edges: [{ from: 'n0', to: 'n1' }] }],
    },
    plan_diff: {
      kind: 'modified',
      counts: { create: 0, update: 1, replace: 0, delete: 0, same: 49 },
      changes: [{ op: 'update', stack: `${id}-us-west-2`, urn: `urn:pulumi:${id}-us-west-2::gitops::aws:autoscaling/group:Group::asg`, type: 'aws:autoscaling/group:Group', name: `${id.toLowerCase()}-asg`, changes: [{ path: 'maxSize', old: 10, new: 12 }] }],
      stacks: { created: [], deleted: [], changed: [`${id}-us-west-2`], unchanged: [] },
      notes: [],
    },
    diagnostics: [],
  };
}

function report(intents: IntentReport[]): CheckReport {
  return {
    version: 1,
    trace_id: 'trace-check-size',
    base: 'main@abc',
    head: 'feature@def',
    intents,
    deleted: [],
    policy_changes: { files: [], needs_review: false },
    diagnostics: [],
    summary: { intents: intents.length, allowed: intents.filter((i) => i.decision === 'allow').length, denied: intents.filter((i) => i.decision === 'deny').length, invalid: 0, warnings: 0 },
  };
}

const failureRows = (r: CheckReport) => r.intents.flatMap((i) => i.results.filter((x) => x.status === 'failed').map((x) => `| ${i.id} | ❌ ${x.policy} | [\`${x.file}:${x.line}\`](https://github.com/acme/infra/blob/${links.sha}/${x.file}#L${x.line}) | ${x.message.replaceAll('_', '\\_')} |`));

describe('comment size', () => {
  it('one intent: everything in one short comment, the passed policies and the inventory folded', () => {
    const r = report([intent(1, true)]);
    const md = renderMarkdown(r, { links, limit: COMMENT_MARKDOWN_BUDGET });
    expect(md.length).toBeLessThan(8000);
    for (const row of failureRows(r)) expect(md).toContain(row);
    expect(md).toContain('<details><summary>Policies: 16 passed, 2 not (listed above)</summary>');
    expect(md).toContain('<details><summary>Preview inventory: 50 resources</summary>');
    expect(md).not.toContain('left out');
    expect(markdownMermaidProblems(md)).toEqual([]);
  });

  it('100 intents (half denied, 2 failures each): one comment under 65,536 characters, every failure complete, the rest pointed to', () => {
    const r = report(Array.from({ length: 100 }, (_, n) => intent(n, n % 2 === 0)));
    const full = renderMarkdown(r, { links });
    expect(full.length).toBeGreaterThan(LIMITS.commentBody);
    const md = renderMarkdown(r, { links, limit: COMMENT_MARKDOWN_BUDGET });
    const c = commentBody(md, { project: 'p', command: 'check' });
    expect(c.body.length).toBeLessThanOrEqual(LIMITS.commentBody);
    expect(c.trimmed).toBe(false);
    const rows = failureRows(r);
    expect(rows).toHaveLength(100);
    for (const row of rows) expect(c.body).toContain(row);
    expect(c.body).toMatch(/> ℹ️ \d+ of 100 intent sections are left out to fit GitHub's comment limit \(every failure is listed above\)\. They are in the workflow's job summary and its `report\.json` artifact\./);
    // Denied intents' sections come before allowed ones, so what is shown is what blocks the merge.
    const shown = [...c.body.matchAll(/^#### (✅|❌) /gm)].map((m) => m[1]);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.indexOf('✅') === -1 || shown.lastIndexOf('❌') < shown.indexOf('✅')).toBe(true);
    expect(markdownMermaidProblems(c.body)).toEqual([]);
  });
});
