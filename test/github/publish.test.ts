/**
 * `gitops publish` end to end against the GitHub stand-in, driven by a real
 * `pull_request` event payload (GITHUB_EVENT_PATH) and GitHub Actions'
 * environment. Every test ends by asserting that every request and response
 * passed OpenAPI validation.
 */
import { execFile } from 'node:child_process';
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runPublish } from '../../runner/cli/publish.ts';
import type { CommandIO } from '../../runner/cli/command.ts';
import { main } from '../../runner/cli/main.ts';
import { MemorySink } from '../../runner/core/events.ts';
import { MAX_COMMENT_BODY, type StandIn } from '../support/github-standin/index.ts';
import { INTENT_FILE, OWNER, REPO, finding, intent, pullRequestWorld, report, type PullRequestWorld } from './fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FULL = `${OWNER}/${REPO}`;

function capture(cwd: string, env: CommandIO['env']) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd, env };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

async function publish(w: PullRequestWorld, reportFile: string, env = w.env(), extra: string[] = []) {
  const c = capture(w.cwd, env);
  const sink = new MemorySink();
  const code = await runPublish(['--report', reportFile, ...extra], c.io, sink);
  return { code, out: c.out(), err: c.err(), events: sink.events };
}

const writes = (gh: StandIn) => gh.requests.filter((r) => r.method !== 'GET');

/** The observable end state on GitHub, without ids and timestamps. */
/**
 * The published state, comparable across two worlds: each world is its own
 * repository, so its head commit differs, and the comment links findings to
 * lines at that commit. The SHA is normalised, and with it the content hashes
 * (check run external id, comment marker) that cover it.
 */
function snapshot(w: PullRequestWorld) {
  const state = rawSnapshot(w);
  return JSON.parse(JSON.stringify(state).replaceAll(w.headSha, '<head-sha>').replace(/gitops:[0-9a-f]{32}/g, 'gitops:<hash>').replace(/hash=[0-9a-f]+ -->/g, 'hash=<hash> -->')) as typeof state;
}

function rawSnapshot(w: PullRequestWorld) {
  return {
    checkRuns: w.gh.state.checkRunsFor(FULL).map((c) => ({
      name: c.name,
      onPrHead: c.headSha === w.headSha,
      status: c.status,
      conclusion: c.conclusion,
      externalId: c.externalId,
      output: c.output,
      annotations: c.annotations,
    })),
    comments: w.gh.state.commentsOn(FULL, w.number).map((c) => c.body),
  };
}

let worlds: PullRequestWorld[] = [];
async function world(...args: Parameters<typeof pullRequestWorld>) {
  const w = await pullRequestWorld(...args);
  worlds.push(w);
  return w;
}
afterEach(async () => {
  for (const w of worlds) await w.gh.close();
  worlds = [];
});

describe('gitops publish on a pull request', () => {
  it('creates one check run with annotations on the intent lines and one sticky comment; exits with the verdict', async () => {
    const w = await world();
    const file = w.writeReport(report([intent([finding(1, 7), finding(2, 8, 'warned'), { ...finding(3, 1), status: 'passed' }])]));
    const r = await publish(w, file);

    expect(r.code).toBe(1); // denied: the job fails, the merge is blocked
    const runs = w.gh.state.checkRunsFor(FULL, w.headSha);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: 'gitops check (default)', status: 'completed', conclusion: 'failure', headSha: w.headSha });
    expect(runs[0]!.annotations.map((a) => [a.path, a.start_line, a.annotation_level])).toEqual([
      [INTENT_FILE, 7, 'failure'],
      [INTENT_FILE, 8, 'warning'],
    ]);
    expect(runs[0]!.output.summary).toContain('| DEPLOY-WEB-001 |');
    expect(runs[0]!.detailsUrl).toBe('https://github.example/acme/infra/actions/runs/4242');

    const comments = w.gh.state.commentsOn(FULL, w.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body.startsWith('<!-- gitops-sticky:v1 project=default command=check hash=')).toBe(true);
    expect(comments[0]!.body).toContain('DEPLOY-WEB-001');
    // Each failure links to its line in the PR's head (GITHUB_SERVER_URL, the head repository, the head commit).
    expect(comments[0]!.body).toContain(`[\`${INTENT_FILE}:7\`](https://github.example/${OWNER}/${REPO}/blob/${w.headSha}/${INTENT_FILE}#L7)`);

    // The annotations are readable back through the API too (paginated list).
    const listed = await w.octokit.paginate(w.octokit.rest.checks.listAnnotations, { owner: OWNER, repo: REPO, check_run_id: runs[0]!.id });
    expect(listed.map((a) => a.start_line)).toEqual([7, 8]);

    expect(readFileSync(w.summaryPath, 'utf8')).toContain('DEPLOY-WEB-001');
    expect(r.out).toContain('check run created');
    // Performed as the results-publisher agent: exactly one audit event.
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ actor: 'results-publisher', action: 'publish_results', outcome: 'success', trace_id: 'trace-check-test' });
    expect(r.events[0]!.evidence?.commit).toBe(w.headSha);
    expect(w.gh.violations).toEqual([]);
  });

  it('a second run updates the same comment in place, and an unchanged report writes nothing', async () => {
    const w = await world();
    await publish(w, w.writeReport(report([intent([finding(1, 7)])])));
    const first = { ...w.gh.state.commentsOn(FULL, w.number)[0]! };

    const allowed = w.writeReport(report([intent([finding(1, 7, 'warned')])]), 'report2.json');
    const second = await publish(w, allowed);
    expect(second.code).toBe(0);
    const comments = w.gh.state.commentsOn(FULL, w.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(first.id);
    expect(comments[0]!.body).not.toBe(first.body);
    expect(second.out).toContain('comment updated');
    // New results for the same commit: a new check run (GitHub shows the latest per name).
    expect(w.gh.state.checkRunsFor(FULL, w.headSha).map((c) => c.conclusion)).toEqual(['failure', 'success']);

    const before = writes(w.gh).length;
    const third = await publish(w, allowed);
    expect(third.code).toBe(0);
    expect(writes(w.gh).length).toBe(before); // neither the comment nor the check run is written again
    expect(third.out).toContain('comment unchanged');
    expect(third.out).toContain('check run unchanged');
    expect(w.gh.violations).toEqual([]);
  });

  it('sends 120 findings as 3 annotation batches (50 + 50 + 20), completing on the last', async () => {
    const w = await world();
    const results = Array.from({ length: 120 }, (_, i) => finding(i + 1, i + 1));
    await publish(w, w.writeReport(report([intent(results)])));
    const sent = w.gh.requests.filter((r) => r.operation === 'checks/create' || r.operation === 'checks/update');
    const sizes = sent.map((r) => ((r.body as { output?: { annotations?: unknown[] } }).output?.annotations ?? []).length);
    expect(sizes).toEqual([50, 50, 20]);
    expect(sent.map((r) => (r.body as { status?: string }).status)).toEqual(['in_progress', undefined, 'completed']);
    const [run] = w.gh.state.checkRunsFor(FULL, w.headSha);
    expect(run!.annotations.map((a) => a.start_line)).toEqual(results.map((r) => r.line));
    expect(run!.conclusion).toBe('failure');
    expect(w.gh.violations).toEqual([]);
  });

  it('trims a 200 KB report under 65,536 characters with a visible note', async () => {
    const w = await world();
    const long = 'x'.repeat(480);
    const results = Array.from({ length: 420 }, (_, i) => ({ ...finding(i + 1, (i % 40) + 1), message: `finding ${i}: ${long}` }));
    const big = report([intent(results)]);
    const file = w.writeReport(big);
    expect(readFileSync(join(w.cwd, file), 'utf8').length).toBeGreaterThan(200_000);
    const r = await publish(w, file);
    expect(r.code).toBe(1);
    const [c] = w.gh.state.commentsOn(FULL, w.number);
    expect(c!.body.length).toBeLessThanOrEqual(MAX_COMMENT_BODY);
    expect(c!.body).toMatch(/\*\*This comment was truncated\*\* to stay under GitHub's 65,536-character limit: [\d,]+ characters omitted/);
    expect(r.out).toContain('trimmed to the size limit');
    // The check run's text is trimmed to its own limit (the OpenAPI maxLength would flag it otherwise).
    const [run] = w.gh.state.checkRunsFor(FULL, w.headSha);
    expect(run!.output.text!.length).toBeLessThanOrEqual(65535);
    expect(run!.annotations).toHaveLength(420);
    expect(w.gh.violations).toEqual([]);
  });

  it('with 20% of requests failing (5xx and rate limits) ends in the same state as without faults, no duplicate comment', async () => {
    const steps = [report([intent([finding(1, 7), finding(2, 9)])]), report([intent(Array.from({ length: 75 }, (_, i) => finding(i + 1, i + 1)))])];
    const run = async (faults?: { rate: number; seed: number }) => {
      const w = await world(faults ? { faults } : {});
      for (const [n, r] of steps.entries()) {
        const res = await publish(w, w.writeReport(r, `r${n}.json`));
        expect(res.code).toBe(1);
      }
      return w;
    };
    const clean = await run();
    const faulty = await run({ rate: 0.2, seed: 7 });

    expect(snapshot(faulty)).toEqual(snapshot(clean));
    expect(faulty.gh.state.commentsOn(FULL, faulty.number)).toHaveLength(1);
    const injected = faulty.gh.requests.filter((r) => r.fault);
    expect(injected.length).toBeGreaterThan(0);
    expect(injected.some((r) => r.status >= 500)).toBe(true);
    expect(injected.some((r) => r.status === 403 || r.status === 429)).toBe(true);
    expect(clean.gh.violations).toEqual([]);
    expect(faulty.gh.violations).toEqual([]);
  });

  it('a write whose response is lost (502 after the fact) is reconciled, never repeated', async () => {
    const w = await world({
      faults: {
        script: [
          { operation: 'checks/create', fault: 'bad-gateway', afterProcessing: true },
          { operation: 'checks/update', fault: 'server-error', afterProcessing: true },
          { operation: 'issues/create-comment', fault: 'bad-gateway', afterProcessing: true },
        ],
      },
    });
    const results = Array.from({ length: 60 }, (_, i) => finding(i + 1, i + 1));
    const r = await publish(w, w.writeReport(report([intent(results)])));
    expect(r.code).toBe(1);
    expect(w.gh.requests.filter((q) => q.fault)).toHaveLength(3);
    expect(w.gh.state.checkRunsFor(FULL, w.headSha)).toHaveLength(1);
    expect(w.gh.state.checkRunsFor(FULL, w.headSha)[0]!.annotations).toHaveLength(60);
    expect(w.gh.state.checkRunsFor(FULL, w.headSha)[0]!.status).toBe('completed');
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(1);
    expect(w.gh.violations).toEqual([]);
  });

  it('with a read-only token (fork PR) falls back to workflow-command annotations and the job summary; the exit code still blocks', async () => {
    const w = await world({ tokens: { 'ghs_read_only': { login: 'github-actions[bot]', type: 'Bot', permission: 'read' } } });
    const r = await publish(w, w.writeReport(report([intent([finding(1, 7), finding(2, 12, 'warned')])])), w.env({ GITHUB_TOKEN: 'ghs_read_only' }));
    expect(r.code).toBe(1);
    expect(w.gh.state.checkRunsFor(FULL)).toHaveLength(0);
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(0);
    expect(r.out).toContain(`::error file=${INTENT_FILE},line=7,endLine=7,title=POL-001%3A Policy 1::finding 1 on line 7`);
    expect(r.out).toContain(`::warning file=${INTENT_FILE},line=12,endLine=12,title=POL-002%3A Policy 2::finding 2 on line 12`);
    const summary = readFileSync(w.summaryPath, 'utf8');
    expect(summary).toContain('could not write the check run');
    expect(summary).toContain('DEPLOY-WEB-001');
    expect(r.events[0]).toMatchObject({ action: 'publish_results', outcome: 'failure' });
    expect(w.gh.requests.find((q) => q.operation === 'checks/create')?.status).toBe(403);
    expect(w.gh.violations).toEqual([]);
  });

  it('works the same under a GitHub Enterprise Server API prefix (/api/v3)', async () => {
    const w = await world({ pathPrefix: '/api/v3' });
    expect(w.gh.url.endsWith('/api/v3')).toBe(true);
    const r = await publish(w, w.writeReport(report([intent([finding(1, 7, 'warned')])])));
    expect(r.code).toBe(0);
    expect(w.gh.state.checkRunsFor(FULL, w.headSha)[0]!.conclusion).toBe('success');
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(1);
    expect(w.gh.violations).toEqual([]);
  });

  it('projects and commands get their own check run and comment (marker keyed on project + command)', async () => {
    const w = await world();
    const file = w.writeReport(report([intent([finding(1, 7)])]));
    await publish(w, file, w.env(), ['--project', 'network']);
    await publish(w, file, w.env(), ['--project', 'compute']);
    await publish(w, file, w.env(), ['--project', 'compute']);
    expect(w.gh.state.checkRunsFor(FULL, w.headSha).map((c) => c.name).sort()).toEqual(['gitops check (compute)', 'gitops check (network)']);
    const bodies = w.gh.state.commentsOn(FULL, w.number).map((c) => c.body.split('\n')[0]);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toContain('project=network command=check');
    expect(bodies[1]).toContain('project=compute command=check');
    expect(w.gh.violations).toEqual([]);
  });
});

describe('gitops publish without GitHub', () => {
  it('is a dry run that prints what it would publish, exiting with the verdict', async () => {
    const w = await world();
    const file = w.writeReport(report([intent([finding(1, 7)])]));
    const before = w.gh.requests.length;
    const r = await publish(w, file, { PATH: process.env.PATH });
    expect(r.code).toBe(1);
    expect(r.out).toContain('dry run');
    expect(r.out).toContain('Would publish check run "gitops check (default)": conclusion failure');
    expect(r.out).toContain(`failure ${INTENT_FILE}:7`);
    expect(r.out).toContain('<!-- gitops-sticky:v1 project=default command=check');
    expect(w.gh.requests.length).toBe(before);
    expect(r.events).toEqual([]);
  });

  it('names the file on a bad report and exits 2 without a stack trace', async () => {
    const w = await world();
    writeFileSync(join(w.cwd, 'broken.json'), '{"version": 1, "intents": [');
    const c = capture(w.cwd, w.env());
    expect(await main(['publish', '--report', 'broken.json'], c.io)).toBe(2);
    expect(c.err()).toMatch(/^broken\.json: report_invalid: the report is not valid JSON/);
    writeFileSync(join(w.cwd, 'other.json'), '{"hello": "world"}');
    const d = capture(w.cwd, w.env());
    expect(await main(['publish', '--report', 'other.json'], d.io)).toBe(2);
    expect(d.err()).toContain('other.json: report_invalid: not a gitops check report (expected version: 1, intents[]');
    const e = capture(w.cwd, w.env());
    expect(await main(['publish'], e.io)).toBe(2);
    expect(e.err()).toContain('usage_error: gitops publish: --report <file> is required');
    expect(existsSync(w.summaryPath)).toBe(false);
  });

  it('runs through the real `gitops` binary (Node 24, tsx loader) against the stand-in', async () => {
    const w = await world();
    const file = w.writeReport(report([intent([finding(1, 7, 'warned')])]));
    const node = join(ROOT, 'node_modules/.bin/node');
    const run = promisify(execFile);
    const res = await run(node, [join(ROOT, 'runner/bin/gitops.mjs'), 'publish', '--report', file], { cwd: w.cwd, env: w.env() as NodeJS.ProcessEnv });
    expect(res.stdout).toContain('check run created');
    expect(w.gh.state.checkRunsFor(FULL, w.headSha)).toHaveLength(1);
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(1);
    expect(w.gh.violations).toEqual([]);
  });
});
