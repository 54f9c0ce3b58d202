/**
 * The stand-in itself: GitHub's rules the OpenAPI description does not
 * express, its validation catching a bad request, real git behind PRs and
 * refs, and fault injection. (It is test infrastructure other areas' tests
 * rely on, so its behaviour is tested like product code.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOctokit } from '../../runner/github/client.ts';
import { git } from '../support/github-standin/state.ts';
import { MAX_COMMENT_BODY, OPERATION_IDS, seedRepository, startStandIn, type StandIn, type StandInOptions } from '../support/github-standin/index.ts';

const o = { owner: 'acme', repo: 'infra' };
let open: StandIn[] = [];
afterEach(async () => {
  for (const g of open) await g.close();
  open = [];
});

async function setup(opts: Partial<StandInOptions> = {}, token = 'tok') {
  const gh = await startStandIn({ repos: [{ owner: 'acme', name: 'infra' }], ...opts });
  open.push(gh);
  const seeded = await seedRepository(gh.state.repo('acme/infra').path);
  const base = await seeded.commit('main', { 'README.md': 'hello\n' });
  const head = await seeded.commit('feature', { 'intents/a.yaml': 'a: 1\n' });
  const octokit = createOctokit({ apiUrl: gh.url, token, tuning: { retryBaseMs: 1, pacing: false } });
  return { gh, seeded, base, head, octokit };
}
const status = async (p: Promise<unknown>) => p.then(() => 200, (e: { status?: number }) => e.status);

describe('GitHub stand-in', () => {
  it('records the description it is held to', async () => {
    const { gh } = await setup();
    expect(gh.description.source).toBe('@octokit/openapi/generated/api.github.com.json');
    expect(gh.description.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(gh.description.operations).toEqual([...OPERATION_IDS]);
  });

  it('pull requests: head branch must exist, one open PR per head (422), real SHAs that follow the branch', async () => {
    const { gh, octokit, seeded, base, head } = await setup();
    expect(await status(octokit.rest.pulls.create({ ...o, head: 'nope', base: 'main', title: 't' }))).toBe(422);
    const pr = await octokit.rest.pulls.create({ ...o, head: 'feature', base: 'main', title: 't' });
    expect([pr.data.base.sha, pr.data.head.sha]).toEqual([base, head]);
    expect(await status(octokit.rest.pulls.create({ ...o, head: 'acme:feature', base: 'main', title: 'again' }))).toBe(422);
    const next = await seeded.commit('feature', { 'intents/a.yaml': 'a: 2\n' });
    expect((await octokit.rest.pulls.get({ ...o, pull_number: pr.data.number })).data.head.sha).toBe(next);
    // Closed, a new PR from the same head is allowed; reopening the old one is then refused.
    await octokit.rest.pulls.update({ ...o, pull_number: pr.data.number, state: 'closed' });
    const pr2 = await octokit.rest.pulls.create({ ...o, head: 'feature', base: 'main', title: 'second' });
    expect(await status(octokit.rest.pulls.update({ ...o, pull_number: pr.data.number, state: 'open' }))).toBe(422);
    // Merging writes a real merge commit onto main in the bare repository.
    const merged = await octokit.rest.pulls.merge({ ...o, pull_number: pr2.data.number });
    expect(await git.resolve(gh.state.repo('acme/infra').path, 'refs/heads/main')).toBe(merged.data.sha);
    expect(await git.isAncestor(gh.state.repo('acme/infra').path, next, merged.data.sha)).toBe(true);
    const list = await octokit.rest.pulls.list({ ...o, state: 'all', head: 'acme:feature' });
    expect(list.data.map((p) => p.state)).toEqual(['closed', 'closed']);
    expect(gh.violations).toEqual([]);
  });

  it('pull requests of a commit: the merged PR for its merge commit and its own commits, open PRs off the default branch, real history', async () => {
    const { gh, octokit, seeded, base, head } = await setup();
    const pr = await octokit.rest.pulls.create({ ...o, head: 'feature', base: 'main', title: 't' });
    const merged = await octokit.rest.pulls.merge({ ...o, pull_number: pr.data.number });
    const numbers = async (commit_sha: string) =>
      (await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, { ...o, commit_sha, per_page: 100 })).map((p) => [p.number, p.state, p.merged_at !== null]);
    expect(await numbers(merged.data.sha)).toEqual([[pr.data.number, 'closed', true]]);
    expect(await numbers(merged.data.sha.slice(0, 10))).toEqual([[pr.data.number, 'closed', true]]);
    expect(await numbers(head)).toEqual([[pr.data.number, 'closed', true]]);
    // The root commit on main came through no pull request.
    expect(await numbers(base)).toEqual([]);
    // An open PR's commit (not on the default branch) lists the open PR; a branch name works too.
    const next = await seeded.commit('feature2', { 'intents/b.yaml': 'b: 1\n' });
    const pr2 = await octokit.rest.pulls.create({ ...o, head: 'feature2', base: 'main', title: 'two' });
    expect(await numbers(next)).toEqual([[pr2.data.number, 'open', false]]);
    expect(await numbers('feature2')).toEqual([[pr2.data.number, 'open', false]]);
    expect(await status(octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...o, commit_sha: 'f'.repeat(40) }))).toBe(422);
    expect(gh.violations).toEqual([]);
  });

  it('comment bodies: 65,536 characters accepted, 65,537 refused with 422', async () => {
    const { gh, octokit } = await setup();
    const pr = await octokit.rest.pulls.create({ ...o, head: 'feature', base: 'main', title: 't' });
    const ok = await octokit.rest.issues.createComment({ ...o, issue_number: pr.data.number, body: 'x'.repeat(MAX_COMMENT_BODY) });
    expect(ok.status).toBe(201);
    expect(await status(octokit.rest.issues.createComment({ ...o, issue_number: pr.data.number, body: 'x'.repeat(MAX_COMMENT_BODY + 1) }))).toBe(422);
    expect(await status(octokit.rest.issues.updateComment({ ...o, comment_id: ok.data.id, body: 'y'.repeat(MAX_COMMENT_BODY + 1) }))).toBe(422);
    expect(gh.violations).toEqual([]);
  });

  it('paginates with per_page/page and Link headers (first/prev/next/last)', async () => {
    const { gh, octokit } = await setup();
    const issue = await octokit.rest.issues.create({ ...o, title: 'i' });
    for (let i = 0; i < 7; i++) await octokit.rest.issues.createComment({ ...o, issue_number: issue.data.number, body: `c${i}` });
    const page2 = await octokit.rest.issues.listComments({ ...o, issue_number: issue.data.number, per_page: 3, page: 2 });
    expect(page2.data.map((c) => c.body)).toEqual(['c3', 'c4', 'c5']);
    const link = page2.headers.link!;
    expect(link).toContain('per_page=3&page=3>; rel="next"');
    expect(link).toContain('per_page=3&page=3>; rel="last"');
    expect(link).toContain('per_page=3&page=1>; rel="first"');
    expect(link).toContain('per_page=3&page=1>; rel="prev"');
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...o, issue_number: issue.data.number, per_page: 2 });
    expect(all.map((c) => c.body)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(gh.violations).toEqual([]);
  });

  it('validates requests against the description: a bad body is a recorded violation and a 422', async () => {
    const { gh, octokit, head } = await setup();
    const bad = octokit.request('POST /repos/{owner}/{repo}/check-runs', {
      ...o,
      name: 'x',
      head_sha: head,
      output: { title: 't', summary: 's', annotations: [{ path: 'a', start_line: 1, end_line: 1, annotation_level: 'error' as 'failure', message: 'm' }] },
    });
    expect(await status(bad)).toBe(422);
    expect(gh.violations).toHaveLength(1);
    expect(gh.violations[0]).toMatchObject({ operation: 'checks/create', where: 'request.body' });
    expect(gh.violations[0]!.errors.join('\n')).toContain('/output/annotations/0/annotation_level must be equal to one of the allowed values');
    const unknown = octokit.request('GET /repos/{owner}/{repo}/pulls', { ...o, colour: 'blue' });
    expect(await status(unknown)).toBe(422);
    expect(gh.violations[1]!.errors).toEqual(["unknown query parameter 'colour'"]);
    const unserved = octokit.request('GET /repos/{owner}/{repo}/releases', o);
    expect(await status(unserved)).toBe(404);
    expect(gh.violations[2]).toMatchObject({ where: 'route' });
  });

  it('tokens: read-only tokens get 403 on writes, no token gets 401', async () => {
    const { octokit: ro } = await setup({ tokens: { ro: { login: 'reader', permission: 'read' } } }, 'ro');
    expect(await status(ro.rest.repos.get(o))).toBe(200);
    expect(await status(ro.rest.issues.create({ ...o, title: 'x' }))).toBe(403);
    const gh = open[0]!;
    const anon = createOctokit({ apiUrl: gh.url, token: undefined, tuning: { retryBaseMs: 1, pacing: false } });
    expect(await status(anon.rest.issues.create({ ...o, title: 'x' }))).toBe(401);
  });

  it('git refs: create needs an existing object, update must fast-forward unless forced', async () => {
    const { gh, octokit, base, head } = await setup();
    expect(await status(octokit.rest.git.createRef({ ...o, ref: 'refs/heads/x', sha: '0'.repeat(40) }))).toBe(422);
    const created = await octokit.rest.git.createRef({ ...o, ref: 'refs/heads/x', sha: head });
    expect(created.data.object.sha).toBe(head);
    expect(await status(octokit.rest.git.createRef({ ...o, ref: 'refs/heads/x', sha: head }))).toBe(422);
    expect(await status(octokit.rest.git.updateRef({ ...o, ref: 'heads/x', sha: base }))).toBe(422);
    await octokit.rest.git.updateRef({ ...o, ref: 'heads/x', sha: base, force: true });
    expect((await octokit.rest.git.getRef({ ...o, ref: 'heads/x' })).data.object.sha).toBe(base);
    expect(await status(octokit.rest.git.getRef({ ...o, ref: 'heads/none' }))).toBe(404);
    expect(gh.violations).toEqual([]);
  });

  it('labels and issues: labels are created on add, issues filter by label', async () => {
    const { gh, octokit } = await setup();
    const a = await octokit.rest.issues.create({ ...o, title: 'a', labels: ['gitops'] });
    await octokit.rest.issues.create({ ...o, title: 'b' });
    const labels = await octokit.rest.issues.addLabels({ ...o, issue_number: a.data.number, labels: ['recommendation'] });
    expect(labels.data.map((l) => l.name)).toEqual(['gitops', 'recommendation']);
    const filtered = await octokit.rest.issues.listForRepo({ ...o, labels: 'recommendation' });
    expect(filtered.data.map((i) => i.title)).toEqual(['a']);
    await octokit.rest.issues.update({ ...o, issue_number: a.data.number, state: 'closed' });
    expect((await octokit.rest.issues.listForRepo(o)).data.map((i) => i.title)).toEqual(['b']);
    expect(gh.violations).toEqual([]);
  });

  it('faults by script: rate limits carry retry-after and are waited out; 5xx retried; 422 is not retried', async () => {
    const { gh, octokit } = await setup({
      faults: {
        script: [
          { operation: 'repos/get', fault: 'secondary-rate-limit' },
          { operation: 'repos/get', fault: 'too-many-requests', nth: 2 },
          { operation: 'repos/get', fault: 'unavailable', nth: 3 },
          { operation: 'issues/create', fault: 'validation-failed' },
        ],
      },
    });
    expect((await octokit.rest.repos.get(o)).status).toBe(200);
    const gets = gh.requests.filter((r) => r.operation === 'repos/get');
    expect(gets.map((r) => [r.status, r.fault])).toEqual([
      [403, 'secondary-rate-limit'],
      [429, 'too-many-requests'],
      [503, 'unavailable'],
      [200, undefined],
    ]);
    expect(await status(octokit.rest.issues.create({ ...o, title: 'x' }))).toBe(422);
    expect(gh.requests.filter((r) => r.operation === 'issues/create')).toHaveLength(1);
    expect(gh.violations).toEqual([]);
  });

  it('faults by rate are reproducible from the seed', async () => {
    const run = async () => {
      const { gh, octokit } = await setup();
      gh.setFaults({ rate: 0.3, seed: 42 });
      for (let i = 0; i < 10; i++) await octokit.rest.repos.get(o);
      return gh.requests.filter((r) => r.operation === 'repos/get').map((r) => r.fault ?? 'ok');
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(a.some((f) => f !== 'ok')).toBe(true);
  });
});
