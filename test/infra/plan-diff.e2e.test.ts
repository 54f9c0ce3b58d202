/**
 * The plan diff and the cost delta of `gitops check --base --head --preview`
 * on real git repositories (a copy of the governed sample): a modified intent
 * (max_instances 10 → 12, the demo's `demo/scale-web`), an added intent, a
 * deleted intent. Each preview runs the program under the mock runtime, so
 * the branches are checked once each (beforeAll) and asserted on separately.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../runner/check/run.ts';
import type { CheckReport } from '../../runner/model/report.ts';
import { renderText } from '../../runner/report/text.ts';
import { renderMarkdown } from '../../runner/report/markdown.ts';
import { summaryOf } from '../../runner/github/render.ts';
import { intentWith, tempRepo, type TempRepo } from '../check/helpers.ts';
import { MemorySink } from '../../runner/core/events.ts';
import { createRunContext } from '../../runner/core/run-context.ts';

const FILE = 'intents/DEPLOY-WEB-001.yaml';
let repo: TempRepo;
const reports: Record<string, CheckReport> = {};

const sinks: Record<string, MemorySink> = {};

async function branch(name: string, change: (r: TempRepo) => Promise<void>): Promise<void> {
  await repo.git('checkout', '-q', '-B', name, 'main');
  await change(repo);
  await repo.commitAll(name);
  await repo.git('checkout', '-q', 'main');
  sinks[name] = new MemorySink();
  const ctx = createRunContext({ repoDir: repo.dir, kind: 'check', sink: sinks[name] });
  reports[name] = await runCheck({ cwd: repo.dir, base: 'main', head: name, preview: true, ctx });
}

/** The `base_previews` the preview stage recorded in its audit event (how many base stacks ran the program again). */
const basePreviews = (name: string) => sinks[name]!.events.filter((e) => e.action === 'preview_infrastructure').map((e) => (e.details as { base_previews?: number }).base_previews);

beforeAll(async () => {
  repo = await tempRepo();
  const seed = await (await import('node:fs/promises')).readFile(`${repo.dir}/${FILE}`, 'utf8');
  await branch('scale', (r) => r.write(FILE, seed.replace('max_instances: 10', 'max_instances: 12')));
  await branch('add', (r) => r.write('intents/DEPLOY-NEW-003.yaml', intentWith('DEPLOY-NEW-003')));
  await branch('delete', (r) => r.remove(FILE));
  // A contracts change re-checks every intent at head: unchanged stacks, so no second program run.
  await branch('contracts', async (r) => r.write('contracts/requirements.yaml', (await (await import('node:fs/promises')).readFile(`${r.dir}/contracts/requirements.yaml`, 'utf8')) + '# reviewed\n'));
  await branch('rename', async (r) => {
    await r.remove(FILE);
    await r.write('intents/DEPLOY-WEB-002.yaml', seed.replace("id: 'DEPLOY-WEB-001'", "id: 'DEPLOY-WEB-002'"));
  });
}, 240_000);
afterAll(() => repo?.cleanup());

describe('plan diff: a modified intent (max_instances 10 → 12)', () => {
  it('is one update of the autoscaling group, maxSize 10 → 12, nothing created, replaced or deleted', () => {
    const i = reports.scale!.intents[0]!;
    const d = i.plan_diff!;
    expect(d.kind).toBe('modified');
    expect(d.counts).toMatchObject({ create: 0, update: 1, replace: 0, delete: 0 });
    expect(d.counts.same).toBe(i.plan!.resources - 1);
    expect(d.changes).toHaveLength(1);
    const [c] = d.changes;
    expect(c).toMatchObject({ op: 'update', type: 'aws:autoscaling/group:Group', name: 'deploy-web-001-asg' });
    expect(c!.changes).toEqual([{ path: 'maxSize', old: 10, new: 12 }]);
    expect(d.stacks.changed).toEqual(['DEPLOY-WEB-001-us-west-2']);
  });

  it('prices the change: maximum $325.95 → $386.69 (+$60.74, +18.6%), the minimum unchanged, budget headroom after it', () => {
    const i = reports.scale!.intents[0]!;
    expect(i.base_cost!.monthly_max).toBe(325.95);
    expect(i.cost_delta).toMatchObject({ base_max: 325.95, head_max: 386.69, delta_max: 60.74, pct_max: 18.6, delta_min: 0, pct_min: 0, budget: 500, headroom: 113.31 });
    expect(reports.scale!.cost_delta).toMatchObject({ delta_max: 60.74, pct_max: 18.6 });
  });

  it('shows the diff and the delta in every format: text, json, markdown, the check run summary', () => {
    const r = reports.scale!;
    const text = renderText(r);
    expect(text).toContain('Plan diff (base → head): 1 to update');
    expect(text).toMatch(/~\s+autoscaling:Group\s+deploy-web-001-asg\s+maxSize: 10 → 12/);
    expect(text).toContain('Cost change (base → head): $325.95 → $386.69 (+$60.74, +18.6%) at maximum; $113.37 (unchanged) at minimum capacity; budget $500.00: $113.31 headroom after the change');
    const json = JSON.parse(JSON.stringify(r)) as CheckReport;
    expect(json.intents[0]!.plan_diff!.changes[0]!.changes[0]).toEqual({ path: 'maxSize', old: 10, new: 12 });
    const md = renderMarkdown(r);
    expect(md).toMatch(/\| ~ update \| `autoscaling:Group` deploy-web-001-asg \| `maxSize`: 10 → 12 \|/);
    expect(md).toContain('$325.95 → $386.69 (+$60.74, +18.6%)');
    expect(md).toContain('```mermaid\nflowchart LR');
    expect(md).toMatch(/class n\d+ update/);
    const summary = summaryOf(r);
    expect(summary).toContain('~1');
    expect(summary).toContain('+60.74 (+18.6%)');
    expect(summary).toContain('- DEPLOY-WEB-001: ~ `autoscaling:Group` deploy-web-001-asg: maxSize: 10 → 12');
  });

  it('previews the base once (the head stack differs) and keeps the change in the stack picture', () => {
    expect(basePreviews('scale')).toEqual([1]);
    const g = reports.scale!.intents[0]!.plan!.graphs!;
    expect(g).toHaveLength(1);
    const asg = g[0]!.nodes.find((n) => n.kind === 'autoscaling_group')!;
    expect(asg).toMatchObject({ op: 'update', label: 'Autoscaling group 3..12 instances' });
    expect(g[0]!.nodes.filter((n) => n.op !== 'same')).toHaveLength(1);
    expect(g[0]!.edges.some((e) => e.to === asg.id && e.label === 'targets')).toBe(true);
  });
});

describe('plan diff: an added intent', () => {
  it('is creates only, and its whole cost is the delta', () => {
    const i = reports.add!.intents.find((x) => x.id === 'DEPLOY-NEW-003')!;
    expect(i.plan_diff!.kind).toBe('added');
    expect(i.plan_diff!.counts).toMatchObject({ create: i.plan!.resources, update: 0, replace: 0, delete: 0, same: 0 });
    expect(new Set(i.plan_diff!.changes.map((c) => c.op))).toEqual(new Set(['create']));
    expect(i.cost_delta).toMatchObject({ base_max: 0, head_max: i.cost!.monthly_max, pct_max: null });
  });
});

describe('plan diff: a deleted intent', () => {
  it('is deletes only, with the --destroy-removed semantics stated, and a negative cost delta', () => {
    const r = reports.delete!;
    expect(r.intents).toHaveLength(0);
    const d = r.deleted_intents![0]!;
    expect(d).toMatchObject({ id: 'DEPLOY-WEB-001', file: FILE });
    expect(d.plan_diff!.kind).toBe('deleted');
    expect(d.plan_diff!.counts).toMatchObject({ create: 0, update: 0, replace: 0, same: 0 });
    expect(d.plan_diff!.counts.delete).toBe(d.plan_diff!.changes.length);
    expect(d.plan_diff!.changes.length).toBeGreaterThan(40);
    expect(new Set(d.plan_diff!.changes.map((c) => c.op))).toEqual(new Set(['delete']));
    expect(d.plan_diff!.notes.join(' ')).toContain('--destroy-removed');
    expect(r.cost_delta).toMatchObject({ base_max: 325.95, head_max: 0, delta_max: -325.95, pct_max: -100 });
    expect(renderText(r)).toContain(`${d.plan_diff!.counts.delete} to delete`);
    expect(renderMarkdown(r)).toContain('--destroy-removed');
    // Previewing what is removed is an audited action like the preview stage.
    expect(sinks.delete!.events.filter((e) => e.action === 'preview_infrastructure')).toEqual([
      expect.objectContaining({ actor: 'intent-orchestrator', resource: 'DEPLOY-WEB-001', outcome: 'success', details: expect.objectContaining({ deleted: FILE, delete: d.plan_diff!.counts.delete }) }),
    ]);
  });
});

describe('plan diff: a renamed intent', () => {
  it('is compared with its old path at the base: the old stack deleted (with the apply semantics), the new one created, the cost unchanged', () => {
    const i = reports.rename!.intents[0]!;
    expect(i).toMatchObject({ id: 'DEPLOY-WEB-002', change: 'renamed' });
    const d = i.plan_diff!;
    expect(d.kind).toBe('modified');
    expect(d.stacks).toMatchObject({ created: ['DEPLOY-WEB-002-us-west-2'], deleted: ['DEPLOY-WEB-001-us-west-2'], changed: [] });
    expect(d.counts.create).toBe(d.counts.delete);
    expect(d.notes.join(' ')).toContain('DEPLOY-WEB-001-us-west-2: destroyed on merge only by gitops apply --destroy-removed');
    expect(i.cost_delta).toMatchObject({ base_max: 325.95, head_max: 325.95, delta_max: 0 });
    expect(renderMarkdown(reports.rename!)).toMatch(/- \*\*delete stack\*\* `DEPLOY-WEB-001-us-west-2` \(-\d+\): /);
  });
});

describe('plan diff: an intent the PR does not change (re-checked for a contracts change)', () => {
  it('reuses the head plan for the base (no second program run) and shows no change, and no picture', () => {
    const i = reports.contracts!.intents[0]!;
    expect(i.change).toBe('unchanged');
    expect(basePreviews('contracts')).toEqual([0]);
    expect(i.plan_diff).toMatchObject({ kind: 'modified', changes: [], counts: { create: 0, update: 0, replace: 0, delete: 0, same: i.plan!.resources } });
    expect(i.plan!.graphs).toBeUndefined();
    expect(i.cost_delta).toMatchObject({ delta_min: 0, delta_max: 0 });
    expect(renderText(reports.contracts!)).toContain(`Plan diff (base → head): no changes (${i.plan!.resources} unchanged)`);
  });
});
