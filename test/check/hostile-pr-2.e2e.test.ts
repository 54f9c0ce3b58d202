/**
 * More ways a pull request could get around its own check, each played as the
 * hostile PR on a real git repository the way CI runs it (docs/github.md
 * "Threat model"): main checked out (the base), the PR read as data with
 * `gitops check --base <base sha> --head <head sha>`, then `gitops publish
 * --report report.json`, whose exit code is the verdict.
 *
 * Routes:
 *   6. a report that is not this pull request's (a report.json committed by an
 *      earlier PR, left in the base checkout) published as its verdict when
 *      the check dies before writing its own
 *   7. an intent moved into intents/ from elsewhere: judged as a rename of a
 *      file nothing deployed ($0 delta, no creates) while apply creates it
 *   8. a head behind its base: judged alone, while the merge commit (what
 *      apply deploys) combines it with the base's newer commits
 *   9. a duplicate intent id that reached the branch anyway (the base moved
 *      after the check, an admin merge): apply deployed whichever file it read
 *      first over the other's stacks
 *  10. a `%YAML 1.1` directive: the parser reads `max_instances: 1:20` as 80
 *      (sexagesimal), what the policies judge and apply deploys, while a
 *      reviewer reads 1:20
 *  11. a submodule (gitlink) at an intent path: "empty file" in the check, an
 *      internal error in apply's selection
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../runner/model/report.ts';
import { REPO_ROOT, intentWith, runCli, tempRepo, type TempRepo } from './helpers.ts';

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.cleanup();
  repo = undefined;
});

/** The sample repository on main with its audit log. */
async function sampleRepo(): Promise<TempRepo> {
  const r = await tempRepo();
  repo = r;
  await cp(join(REPO_ROOT, 'audit-log'), join(r.dir, 'audit-log'), { recursive: true });
  await r.commitAll('base');
  return r;
}

/** A `pr-N` branch off main with `change` committed; main checked out again (CI's working tree is the base). */
async function branch(r: TempRepo, name: string, change: (x: TempRepo) => Promise<void>): Promise<{ base: string; head: string }> {
  const base = (await r.git('rev-parse', 'main')).trim();
  await r.git('checkout', '-q', '-b', name, 'main');
  await change(r);
  const head = await r.commitAll(name);
  await r.git('checkout', '-q', 'main');
  return { base, head };
}

/** What check.yml's check step runs (without the wasm bundle: the interpreter decides the same). */
const ciCheck = (r: TempRepo, c: { base: string; head: string }) =>
  runCli(['check', '--base', c.base, '--head', c.head, '--format', 'json', '--output', 'report.json', '--no-preview'], r.dir);

/** What check.yml's publish step runs, in the Actions environment of pull request `number` (no token: annotations and job summary only). */
async function ciPublish(r: TempRepo, number: number, c: { base: string; head: string }) {
  const eventPath = join(r.dir, '..', `${r.dir.split('/').pop()}-event.json`);
  await writeFile(eventPath, JSON.stringify({ action: 'synchronize', number, pull_request: { number, base: { sha: c.base, ref: 'main' }, head: { sha: c.head, ref: `pr-${number}` }, user: { login: 'mallory' } } }));
  const env = { GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/infra', GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_EVENT_PATH: eventPath, GITHUB_SHA: c.base };
  try {
    return await runCli(['publish', '--report', 'report.json'], r.dir, env);
  } finally {
    await r.remove(join('..', `${r.dir.split('/').pop()}-event.json`));
  }
}

describe('route 6: only the report of this pull request\'s commits is its verdict', () => {
  it('a report.json an earlier PR committed is refused (exit 2) when the check of a denied PR wrote none', async () => {
    const r = await sampleRepo();
    // PR 1 (no governed file, no intent: nothing for owners to review): adds the allowed report its own check wrote.
    const pr1 = await branch(r, 'pr-1', async (x) => x.write('docs/notes.md', 'notes\n'));
    expect((await ciCheck(r, pr1)).code).toBe(0);
    const planted = await readFile(join(r.dir, 'report.json'), 'utf8');
    await r.git('checkout', '-q', 'pr-1');
    await r.write('report.json', planted);
    await r.commitAll('pr-1: keep the report');
    await r.git('checkout', '-q', 'main');
    await r.git('merge', '-q', '--no-ff', '-m', 'merge pr-1', 'pr-1');
    expect(await r.git('ls-files', 'report.json')).toBe('report.json\n');

    // PR 2: an intent over its budget (denied). Its check dies before writing (out of memory, killed): only the committed file is there.
    const pr2 = await branch(r, 'pr-2', async (x) => x.write('intents/MAL-WEB-001.yaml', intentWith('MAL-WEB-001', { "budget: '$500/month'": "budget: '$5/month'" })));
    const stale = await ciPublish(r, 2, pr2);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain('report_not_for_this_pull_request');
    expect(stale.stderr).toContain(`head ${pr2.head.slice(0, 12)}`);

    // The check that does write its report: recorded for PR 2's commits, published with its verdict (denied).
    const own = await ciCheck(r, pr2);
    expect(own.code).toBe(1);
    const report = JSON.parse(await readFile(join(r.dir, 'report.json'), 'utf8')) as CheckReport;
    expect(report.commits).toEqual(pr2);
    expect((await ciPublish(r, 2, pr2)).code).toBe(1);
  });

  it('a report without the commits it compared (a --all or working-tree check) is not a pull request\'s verdict', async () => {
    const r = await sampleRepo();
    const pr = await branch(r, 'pr-3', async (x) => x.write('intents/OK-WEB-001.yaml', intentWith('OK-WEB-001')));
    expect((await runCli(['check', '--all', '--format', 'json', '--output', 'report.json', '--no-preview'], r.dir)).code).toBe(0);
    const out = await ciPublish(r, 3, pr);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('report_not_for_this_pull_request');
  });
});

describe('route 7: the check and apply read the changed intents the same way', () => {
  it('an intent moved into intents/ from another folder is new in the check (its full cost) as in affected/apply, not a $0 rename', async () => {
    const r = await sampleRepo();
    await r.write('drafts/MAL-WEB-002.yaml', intentWith('MAL-WEB-002'));
    await r.commitAll('a draft, not deployed');
    const pr = await branch(r, 'pr-7', async (x) => {
      await x.git('mv', 'drafts/MAL-WEB-002.yaml', 'intents/MAL-WEB-002.yaml');
    });
    expect(await r.git('diff', '--name-status', '-M', pr.base, pr.head)).toMatch(/^R100\tdrafts\/MAL-WEB-002\.yaml\tintents\/MAL-WEB-002\.yaml/);

    const checked = await runCli(['check', '--base', pr.base, '--head', pr.head, '--format', 'json', '--no-preview'], r.dir);
    const report = JSON.parse(checked.stdout) as CheckReport;
    const intent = report.intents.find((i) => i.file === 'intents/MAL-WEB-002.yaml')!;
    expect(intent.change).toBe('added');
    expect(intent.base_cost).toBeUndefined();
    expect(intent.cost_delta!.base_max).toBe(0);
    expect(intent.cost_delta!.delta_max).toBe(intent.cost!.monthly_max);
    expect(intent.cost_delta!.delta_max).toBeGreaterThan(0);

    const affected = await runCli(['affected', '--base', pr.base, '--head', pr.head, '--format', 'json'], r.dir);
    expect(affected.code).toBe(0);
    const stacks = (JSON.parse(affected.stdout) as { stacks: Array<{ file: string; change: string; action: string }> }).stacks;
    expect(stacks.length).toBeGreaterThan(0);
    for (const s of stacks) expect([s.file, s.change, s.action]).toEqual([intent.file, intent.change, 'up']);
  });

  it('moved out of intents/, an intent is deleted for both: the check lists it, apply destroys its stacks', async () => {
    const r = await sampleRepo();
    const pr = await branch(r, 'pr-8', async (x) => {
      await x.write('drafts/README.md', 'drafts\n');
      await x.git('mv', 'intents/DEPLOY-WEB-001.yaml', 'drafts/DEPLOY-WEB-001.yaml');
    });
    const report = JSON.parse((await runCli(['check', '--base', pr.base, '--head', pr.head, '--format', 'json', '--no-preview'], r.dir)).stdout) as CheckReport;
    expect(report.deleted).toEqual(['intents/DEPLOY-WEB-001.yaml']);
    expect(report.intents.map((i) => i.file)).not.toContain('drafts/DEPLOY-WEB-001.yaml');
    const stacks = (JSON.parse((await runCli(['affected', '--base', pr.base, '--head', pr.head, '--format', 'json'], r.dir)).stdout) as { stacks: Array<{ file: string; change: string; action: string }> }).stacks;
    expect(stacks.length).toBeGreaterThan(0);
    for (const s of stacks) expect([s.file, s.change, s.action]).toEqual(['intents/DEPLOY-WEB-001.yaml', 'removed', 'destroy']);
  });
});

describe('route 8: the check judges what the merge commit holds, not the head alone', () => {
  const WEB = 'intents/DEPLOY-WEB-001.yaml';

  it('two edits each allowed alone (more instances on main, a smaller budget in the PR) are denied together, as they would merge', async () => {
    const r = await sampleRepo();
    const pr = await branch(r, 'pr-9', async (x) => x.write(WEB, (await readFile(join(x.dir, WEB), 'utf8')).replace("budget: '$500/month'", "budget: '$350/month'")));
    // Main moves on after the PR branched: more instances, within the $500 budget it has.
    await r.write(WEB, (await readFile(join(r.dir, WEB), 'utf8')).replace('min_instances: 3', 'min_instances: 12').replace('max_instances: 10', 'max_instances: 14'));
    const base = await r.commitAll('main: scale out');
    const alone = JSON.parse((await runCli(['check', '--base', pr.base, '--head', pr.head, '--format', 'json', '--no-preview'], r.dir)).stdout) as CheckReport;
    expect(alone.intents.map((i) => i.decision)).toEqual(['allow']);
    const onMain = JSON.parse((await runCli(['check', '--base', pr.base, '--head', base, '--format', 'json', '--no-preview'], r.dir)).stdout) as CheckReport;
    expect(onMain.intents.map((i) => i.decision)).toEqual(['allow']);

    // CI: --base is the base branch's tip now. The merge holds at least 12 instances and $350/month.
    const out = await runCli(['check', '--base', base, '--head', pr.head, '--format', 'json', '--no-preview'], r.dir);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as CheckReport;
    expect(report.commits).toEqual({ base, head: pr.head });
    const web = report.intents.find((i) => i.file === WEB)!;
    expect(web.decision).toBe('deny');
    expect(web.results.filter((x) => x.status === 'failed').map((x) => x.policy)).toContain('COMP-BUDGET-001');
    expect(web.cost!.monthly_min).toBeGreaterThan(350);
  });

  it('an intent id the base added since the PR branched is a duplicate in the merge', async () => {
    const r = await sampleRepo();
    const pr = await branch(r, 'pr-10', async (x) => x.write('intents/team-b/NEW-WEB-001.yaml', intentWith('NEW-WEB-001')));
    await r.write('intents/NEW-WEB-001.yaml', intentWith('NEW-WEB-001', { "budget: '$500/month'": "budget: '$450/month'" }));
    const base = await r.commitAll('main: another team adds NEW-WEB-001');
    const out = await runCli(['check', '--base', base, '--head', pr.head, '--format', 'json', '--no-preview'], r.dir);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as CheckReport;
    // Only the PR's own change is checked (the base's newer file is not the PR's), and it collides.
    expect(report.intents.map((i) => [i.file, i.decision, i.diagnostics.map((d) => d.code)])).toEqual([['intents/team-b/NEW-WEB-001.yaml', 'invalid', ['intent_duplicate_id']]]);
  });
});

describe('route 9: apply refuses two intent files with one id', () => {
  it('a second DEPLOY-WEB-001 merged past the check is refused by affected (the apply matrix), not deployed over the first', async () => {
    const r = await sampleRepo();
    const before = (await r.git('rev-parse', 'main')).trim();
    const pr = await branch(r, 'pr-11', async (x) => x.write('intents/team-b/DEPLOY-WEB-001.yaml', intentWith('DEPLOY-WEB-001', { "region: ['us-west', 'us-east']": "region: ['us-west']", 'max_instances: 10': 'max_instances: 4' })));
    expect((await runCli(['check', '--base', pr.base, '--head', pr.head, '--format', 'json', '--no-preview'], r.dir)).code).toBe(1);
    await r.git('merge', '-q', '--no-ff', '-m', 'admin merge', 'pr-11');

    const out = await runCli(['affected', '--base', before, '--head', 'main', '--format', 'json'], r.dir);
    expect(out.code).not.toBe(0);
    expect(out.stdout + out.stderr).toContain('apply_duplicate_id');
    expect(out.stdout + out.stderr).toContain('intents/DEPLOY-WEB-001.yaml, intents/team-b/DEPLOY-WEB-001.yaml');
  });
});

describe('route 10: intents are read as the YAML 1.2 a reviewer reads', () => {
  it('a %YAML 1.1 directive (1:20 read as 80 instances) is refused at line 1, in the check and in apply\'s selection', async () => {
    const r = await sampleRepo();
    const text = '%YAML 1.1\n---\n' + intentWith('SEXA-WEB-001', { 'max_instances: 10': 'max_instances: 1:20' });
    const pr = await branch(r, 'pr-12', async (x) => x.write('intents/SEXA-WEB-001.yaml', text));
    const out = await runCli(['check', '--base', pr.base, '--head', pr.head, '--format', 'json', '--no-preview'], r.dir);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as CheckReport;
    expect(report.intents.map((i) => [i.decision, i.diagnostics.map((d) => [d.code, d.line])])).toEqual([['invalid', [['yaml_version_not_supported', 1]]]]);
    const affected = await runCli(['affected', '--base', pr.base, '--head', pr.head, '--format', 'json'], r.dir);
    expect(affected.code).not.toBe(0);
    expect(affected.stdout + affected.stderr).toContain('yaml_version_not_supported');
  });
});

describe('route 11: a submodule at an intent path is refused as not a file', () => {
  it('the check and affected both name it intent_not_a_file at the path (no internal error)', async () => {
    const r = await sampleRepo();
    // Committed from the index alone (the working tree has no such folder: `git add -A` would drop it).
    const base = (await r.git('rev-parse', 'main')).trim();
    await r.git('checkout', '-q', '-b', 'pr-13');
    await r.git('update-index', '--add', '--cacheinfo', `160000,${base},intents/GL-WEB-001.yaml`);
    await r.git('commit', '-q', '-m', 'pr-13');
    const pr = { base, head: (await r.git('rev-parse', 'HEAD')).trim() };
    await r.git('checkout', '-q', 'main');
    expect(await r.git('ls-tree', pr.head, 'intents/GL-WEB-001.yaml')).toMatch(/^160000 commit /);
    const out = await runCli(['check', '--base', pr.base, '--head', pr.head, '--format', 'json', '--no-preview'], r.dir);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as CheckReport;
    expect(report.intents.map((i) => [i.file, i.decision, i.diagnostics.map((d) => d.code)])).toEqual([['intents/GL-WEB-001.yaml', 'invalid', ['intent_not_a_file']]]);
    const affected = await runCli(['affected', '--base', pr.base, '--head', pr.head, '--format', 'json'], r.dir);
    expect(affected.code).not.toBe(0);
    expect(affected.stdout + affected.stderr).toContain('intents/GL-WEB-001.yaml:1:1: intent_not_a_file');
    expect(affected.stdout + affected.stderr).not.toContain('internal_error');
  });
});
