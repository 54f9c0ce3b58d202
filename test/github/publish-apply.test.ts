/**
 * `gitops publish --apply-summary` end to end against the GitHub stand-in:
 * a real bare repository, a pull request opened and merged through the API
 * (so its merge commit is a real commit on main), and the summary written by
 * the apply stage's own renderer (renderApplyMarkdown), as
 * `gitops apply --summary-file` writes it. Every test ends by asserting that
 * every request and response passed OpenAPI validation.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { runPublish } from '../../runner/cli/publish.ts';
import type { CommandIO } from '../../runner/cli/command.ts';
import { main } from '../../runner/cli/main.ts';
import { MemorySink } from '../../runner/core/events.ts';
import { markerValue } from '../../runner/core/escape.ts';
import { renderApplyMarkdown } from '../../runner/report/apply.ts';
import { type ApplyReport, type StackRecord } from '../../runner/model/apply.ts';
import { MAX_COMMENT_BODY, seedRepository, type StandIn } from '../support/github-standin/index.ts';
import { OWNER, REPO, pullRequestWorld, type PullRequestWorld } from './fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FULL = `${OWNER}/${REPO}`;
const STACK = 'DEPLOY-WEB-001-eu-west-1';

interface MergedWorld extends PullRequestWorld {
  /** main before the merge: the apply range's base. */
  before: string;
  /** The merge commit GitHub wrote (GITHUB_SHA of the push run). */
  mergeSha: string;
  summary(r: ApplyReport, name?: string): string;
  pushEnv(over?: Record<string, string | undefined>): Record<string, string | undefined>;
}

let worlds: PullRequestWorld[] = [];
afterEach(async () => {
  for (const w of worlds) await w.gh.close();
  worlds = [];
});

/** A PR opened and merged through the API; the environment of the apply workflow's push run. */
async function mergedWorld(...args: Parameters<typeof pullRequestWorld>): Promise<MergedWorld> {
  const w = await pullRequestWorld(...args);
  worlds.push(w);
  const merged = await w.octokit.rest.pulls.merge({ owner: OWNER, repo: REPO, pull_number: w.number });
  const mergeSha = merged.data.sha;
  const pushEvent = join(w.cwd, 'push-event.json');
  writeFileSync(pushEvent, JSON.stringify({ ref: 'refs/heads/main', before: w.baseSha, after: mergeSha, pusher: { name: 'octocat' } }));
  return {
    ...w,
    before: w.baseSha,
    mergeSha,
    summary(r, name = 'apply-summary.md') {
      writeFileSync(join(w.cwd, name), renderApplyMarkdown(r));
      return name;
    },
    pushEnv: (over = {}) => w.env({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: pushEvent, GITHUB_SHA: mergeSha, ...over }),
  };
}

function stack(status: StackRecord['status'], error?: string, name = STACK): StackRecord {
  return {
    stack: name,
    intent: 'DEPLOY-WEB-001',
    region: 'eu-west-1',
    file: 'intents/DEPLOY-WEB-001.yaml',
    kind: 'up',
    change: 'modified',
    status,
    ...(status === 'failed' ? { reason: 'step provision_infrastructure failed' } : {}),
    steps: [
      { step: 'provision_infrastructure', status: status === 'failed' ? 'failed' : 'succeeded', duration_ms: 1200, resources: 9, ...(error ? { error } : { changes: { create: 9 } }) },
      ...(status === 'failed' ? [{ step: 'deploy_application' as const, status: 'skipped' as const, duration_ms: 0, resources: 2 }] : []),
    ],
    duration_ms: 1200,
  };
}

function applyReport(w: MergedWorld, stacks: StackRecord[], over: Partial<ApplyReport> = {}): ApplyReport {
  const failed = stacks.filter((s) => s.status === 'failed').length;
  return {
    version: 1,
    trace_id: 'trace-apply-test',
    engine: 'automation',
    base: w.before,
    head: w.mergeSha,
    status: failed ? 'failed' : 'succeeded',
    diagnostics: [],
    stacks,
    summary: { stacks: stacks.length, succeeded: stacks.length - failed, failed, skipped: 0 },
    duration_ms: 1200,
    ...over,
  };
}

function capture(cwd: string, env: CommandIO['env']) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), cwd, env };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

async function publish(w: MergedWorld, file: string, env = w.pushEnv(), extra: string[] = []) {
  const c = capture(w.cwd, env);
  const sink = new MemorySink();
  const code = await runPublish(['--apply-summary', file, ...extra], c.io, sink);
  return { code, out: c.out(), err: c.err(), events: sink.events };
}

const writes = (gh: StandIn) => gh.requests.filter((r) => r.method !== 'GET');
const EVIL = 'creating aws:lb:LoadBalancer: AccessDenied <img src=x onerror=alert(1)> ping @platform-admins see https://evil.example | x';

describe('gitops publish --apply-summary on the merged pull request', () => {
  it('posts a failed apply once on the PR whose merge commit it is, escaped, as the results-publisher agent', async () => {
    const w = await mergedWorld();
    const r = await publish(w, w.summary(applyReport(w, [stack('failed', EVIL)])));

    expect(r.code).toBe(0);
    expect(r.out).toContain(`apply summary for commit ${w.mergeSha}: #${w.number}: comment created`);
    const comments = w.gh.state.commentsOn(FULL, w.number);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.split('\n')[0]).toMatch(
      new RegExp(`^<!-- gitops-sticky:v1 project=default command=apply range=${w.before}\\.\\.${w.mergeSha} hash=[0-9a-f]{32} -->$`),
    );
    expect(body).toContain('❌ **Apply failed** — engine `automation`, trace `trace-apply-test`');
    expect(body).toContain(`Range \`${w.before.slice(0, 12)}..${w.mergeSha.slice(0, 12)}\`, merge commit \`${w.mergeSha.slice(0, 12)}\``);
    expect(body).toContain('[workflow run](https://github.example/acme/infra/actions/runs/4242)');
    expect(body).toContain(`| \`${STACK}\` | provision\\_infrastructure | failed | 1.2 s |`);
    // The error text reaches the PR escaped: no tag, no mention, no autolink, no extra table cell.
    expect(body).not.toContain('<img');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('@&#8203;platform-admins');
    expect(body).toContain('https:&#47;&#47;evil.example \\| x');
    expect(body.length).toBeLessThan(MAX_COMMENT_BODY);

    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      actor: 'results-publisher',
      action: 'publish_results',
      outcome: 'success',
      trace_id: 'trace-apply-test', // joins the apply's trace
      resource: `github:${FULL}@${w.before}..${w.mergeSha}`,
    });
    expect(r.events[0]!.evidence?.commit).toBe(w.mergeSha);
    expect(r.events[0]!.details).toMatchObject({ apply_status: 'failed', lookup: 'found', pull_requests: [w.number], comments: [{ number: w.number, comment: 'created' }] });
    // Only the lookup, the comment listing and one create.
    expect(w.gh.requests.map((q) => q.operation)).toEqual(
      expect.arrayContaining(['repos/list-pull-requests-associated-with-commit', 'issues/list-comments', 'issues/create-comment']),
    );
    expect(w.gh.violations).toEqual([]);
  });

  it('a second run with the same summary writes nothing; a changed summary updates the same comment', async () => {
    const w = await mergedWorld();
    const file = w.summary(applyReport(w, [stack('failed', 'quota exceeded')]));
    await publish(w, file);
    const first = { ...w.gh.state.commentsOn(FULL, w.number)[0]! };

    const before = writes(w.gh).length;
    const again = await publish(w, file);
    expect(again.code).toBe(0);
    expect(writes(w.gh).length).toBe(before);
    expect(again.out).toContain(`#${w.number}: comment unchanged (id ${first.id}, no write)`);

    const changed = w.summary(applyReport(w, [stack('failed', 'quota exceeded in eu-west-1 (retry 2)')]), 'apply-summary-2.md');
    const third = await publish(w, changed);
    expect(third.code).toBe(0);
    expect(third.out).toContain(`#${w.number}: comment updated (id ${first.id})`);
    const comments = w.gh.state.commentsOn(FULL, w.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.id).toBe(first.id);
    expect(comments[0]!.body).toContain('quota exceeded in eu-west-1 (retry 2)');
    expect(w.gh.requests.filter((q) => q.operation === 'issues/create-comment')).toHaveLength(1);
    expect(w.gh.requests.filter((q) => q.operation === 'issues/update-comment')).toHaveLength(1);
    expect(w.gh.violations).toEqual([]);
  });

  it('under faults (a 5xx on the lookup, a create whose response is lost) ends with exactly one comment', async () => {
    const w = await mergedWorld({
      faults: {
        script: [
          { operation: 'repos/list-pull-requests-associated-with-commit', fault: 'unavailable' },
          { operation: 'issues/list-comments', fault: 'secondary-rate-limit' },
          { operation: 'issues/create-comment', fault: 'bad-gateway', afterProcessing: true },
        ],
      },
    });
    const r = await publish(w, w.summary(applyReport(w, [stack('failed', 'boom')])));
    expect(r.code).toBe(0);
    expect(w.gh.requests.filter((q) => q.fault).map((q) => q.status)).toEqual([503, 403, 502]);
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(1);
    expect(w.gh.requests.filter((q) => q.operation === 'issues/create-comment')).toHaveLength(1);
    expect(w.gh.violations).toEqual([]);
  });

  it('a commit with no pull request: exit 0, says so, writes nothing', async () => {
    const w = await mergedWorld();
    // A direct push to main, not through a PR.
    const seeded = await seedRepository(w.gh.state.repo(FULL).path);
    await (await import('../support/github-standin/state.ts')).git.run(seeded.workdir, ['pull', '--quiet', 'origin', 'main']);
    const direct = await seeded.commit('main', { 'README.md': 'hotfix\n' }, 'direct push');
    const before = writes(w.gh).length;
    const r = await publish(w, w.summary(applyReport(w, [stack('failed', 'boom')], { head: direct })), w.pushEnv({ GITHUB_SHA: direct }));
    expect(r.code).toBe(0);
    expect(r.out).toContain(`no pull request for ${direct}; nothing to post`);
    expect(writes(w.gh).length).toBe(before);
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(0);
    expect(w.gh.violations).toEqual([]);
  });

  it('with a read-only token falls back to ::error annotations and the job summary, exit 0', async () => {
    const w = await mergedWorld({ tokens: { ghs_read_only: { login: 'github-actions[bot]', type: 'Bot', permission: 'read' } } });
    const r = await publish(w, w.summary(applyReport(w, [stack('failed', 'AccessDenied: not authorized')])), w.pushEnv({ GITHUB_TOKEN: 'ghs_read_only' }));
    expect(r.code).toBe(0);
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(0);
    expect(w.gh.requests.find((q) => q.operation === 'issues/create-comment')?.status).toBe(403);
    expect(r.out).toContain('::warning title=gitops publish::apply summary not posted on the merged pull request (#');
    expect(r.out).toContain(
      `::error title=gitops apply failed%3A ${STACK}::step provision_infrastructure failed: AccessDenied: not authorized (${w.before}..${w.mergeSha})`,
    );
    expect(r.out).toContain('1 ::error annotations printed; job summary written');
    const summary = readFileSync(w.summaryPath, 'utf8');
    expect(summary).toContain('could not be posted on the merged pull request');
    expect(summary).toContain('❌ **Apply failed**');
    expect(r.events[0]).toMatchObject({ action: 'publish_results', outcome: 'failure' });
    expect(w.gh.violations).toEqual([]);
  });

  it('without a token: the same fallback, no request at all', async () => {
    const w = await mergedWorld();
    const before = w.gh.requests.length;
    const r = await publish(w, w.summary(applyReport(w, [stack('failed', 'boom')])), w.pushEnv({ GITHUB_TOKEN: undefined }));
    expect(r.code).toBe(0);
    expect(w.gh.requests.length).toBe(before);
    expect(r.out).toContain('could not look up the pull requests');
    expect(r.out).toContain(`::error title=gitops apply failed%3A ${STACK}::`);
    expect(readFileSync(w.summaryPath, 'utf8')).toContain('no token');
    expect(w.gh.violations).toEqual([]);
  });

  it('one comment per stack (matrix jobs); a success only updates an earlier failure comment, never opens one', async () => {
    const w = await mergedWorld();
    const other = 'DEPLOY-WEB-001-us-east-1';
    await publish(w, w.summary(applyReport(w, [stack('failed', 'boom')]), 'a.md'), w.pushEnv(), ['--stack', STACK]);
    await publish(w, w.summary(applyReport(w, [stack('failed', 'bang', other)]), 'b.md'), w.pushEnv(), ['--stack', other]);
    let comments = w.gh.state.commentsOn(FULL, w.number);
    expect(comments.map((c) => c.body.split('\n')[0]!.replace(/ hash=.*/, ''))).toEqual([
      // Values are percent-encoded in the marker (`--` could close the HTML comment).
      `<!-- gitops-sticky:v1 project=default command=apply stack=${markerValue(STACK)} range=${w.before}..${w.mergeSha}`,
      `<!-- gitops-sticky:v1 project=default command=apply stack=${markerValue(other)} range=${w.before}..${w.mergeSha}`,
    ]);

    // A re-run of the first stack's job succeeded: its comment says so now.
    const fixed = await publish(w, w.summary(applyReport(w, [stack('succeeded')]), 'c.md'), w.pushEnv(), ['--stack', STACK]);
    expect(fixed.code).toBe(0);
    comments = w.gh.state.commentsOn(FULL, w.number);
    expect(comments).toHaveLength(2);
    expect(comments[0]!.body).toContain('✅ **Apply succeeded**');
    expect(comments[1]!.body).toContain('❌ **Apply failed**');

    // A success for a stack that never failed: nothing to post.
    const third = 'DEPLOY-API-001-eu-west-1';
    const quiet = await publish(w, w.summary(applyReport(w, [stack('succeeded', undefined, third)]), 'd.md'), w.pushEnv(), ['--stack', third]);
    expect(quiet.code).toBe(0);
    expect(quiet.out).toContain('comment skipped: no earlier comment to update');
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(2);
    expect(w.gh.violations).toEqual([]);
  });

  it('a preflight failure (nothing changed) is posted with its diagnostics', async () => {
    const w = await mergedWorld();
    const r = await publish(
      w,
      w.summary(
        applyReport(w, [], {
          status: 'preflight_failed',
          diagnostics: [{ code: 'apply_pulumi_cli_missing', message: 'the pulumi CLI is not installed\ninstall it with: curl -fsSL https://get.pulumi.com | sh' }],
          summary: { stacks: 0, succeeded: 0, failed: 0, skipped: 0 },
        }),
      ),
    );
    expect(r.code).toBe(0);
    const [c] = w.gh.state.commentsOn(FULL, w.number);
    expect(c!.body).toContain('⛔ **Apply could not start** (nothing was changed)');
    // The two-line message stays one escaped list item.
    expect(c!.body).toContain('- `apply_pulumi_cli_missing`: the pulumi CLI is not installed install it with: curl -fsSL https:&#47;&#47;get.pulumi.com \\| sh');
    expect(w.gh.violations).toEqual([]);
  });

  it('trims a huge summary under 65,536 characters with a note pointing at the job summary', async () => {
    const w = await mergedWorld();
    const stacks = Array.from({ length: 120 }, (_, i) => stack('failed', `error ${i}: ${'y'.repeat(900)}`, `STACK-${i}-eu-west-1`));
    const file = w.summary(applyReport(w, stacks));
    expect(readFileSync(join(w.cwd, file), 'utf8').length).toBeGreaterThan(100_000);
    const r = await publish(w, file);
    expect(r.code).toBe(0);
    expect(r.out).toContain('trimmed to the size limit');
    const [c] = w.gh.state.commentsOn(FULL, w.number);
    expect(c!.body.length).toBeLessThanOrEqual(MAX_COMMENT_BODY);
    expect(c!.body).toMatch(/\*\*This comment was truncated\*\* to stay under GitHub's 65,536-character limit: [\d,]+ characters omitted\. The full report is in the apply job's summary\./);
    expect(w.gh.violations).toEqual([]);
  });

  it('errors exit 2 with a clear message: unknown commit, bad or missing summary, no commit', async () => {
    const w = await mergedWorld();
    const file = w.summary(applyReport(w, [stack('failed', 'boom')]));
    const unknown = 'f'.repeat(40);
    const r = await publish(w, file, w.pushEnv(), ['--sha', unknown]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`apply_publish_failed: commit ${unknown} is not in ${FULL} (422`);
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(0);

    writeFileSync(join(w.cwd, 'report.json'), '{"version": 1}');
    const bad = capture(w.cwd, w.pushEnv());
    expect(await main(['publish', '--apply-summary', 'report.json'], bad.io)).toBe(2);
    expect(bad.err()).toMatch(/^report\.json:1: apply_summary_invalid: not an apply summary/);

    const missing = capture(w.cwd, w.pushEnv());
    expect(await main(['publish', '--apply-summary', 'nope.md'], missing.io)).toBe(2);
    expect(missing.err()).toMatch(/^nope\.md: apply_summary_unreadable: cannot read the apply summary/);

    const noSha = capture(w.cwd, w.pushEnv({ GITHUB_SHA: undefined }));
    expect(await main(['publish', '--apply-summary', file], noSha.io)).toBe(2);
    expect(noSha.err()).toContain('apply_publish_no_commit: no commit to find the merged pull request by: pass --sha <merge commit> or set GITHUB_SHA');

    const both = capture(w.cwd, w.pushEnv());
    expect(await main(['publish', '--apply-summary', file, '--report', 'report.json'], both.io)).toBe(2);
    expect(both.err()).toContain('give either --report or --apply-summary, not both');
    const badSha = capture(w.cwd, w.pushEnv());
    expect(await main(['publish', '--apply-summary', file, '--sha', 'main'], badSha.io)).toBe(2);
    expect(badSha.err()).toContain("--sha must be a commit SHA (7–40 hex digits), got 'main'");
    expect(w.gh.violations).toEqual([]);
  });

  it('--record appends the publish_results event to audit-log/ of the working copy', async () => {
    const w = await mergedWorld();
    const c = capture(w.cwd, w.pushEnv());
    const code = await runPublish(['--apply-summary', w.summary(applyReport(w, [stack('failed', 'boom')])), '--record'], c.io);
    expect(code).toBe(0);
    const dir = join(w.cwd, 'audit-log');
    expect(existsSync(dir)).toBe(true);
    const text = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
      .join('\n');
    expect(text).toContain('"action":"publish_results"');
    expect(text).toContain('"actor":"results-publisher"');
    expect(w.gh.violations).toEqual([]);
  });
});

describe('gitops publish --apply-summary without GitHub', () => {
  it('is a dry run printing the comment it would post', async () => {
    const w = await mergedWorld();
    const file = w.summary(applyReport(w, [stack('failed', 'boom')]));
    const before = w.gh.requests.length;
    const c = capture(w.cwd, { PATH: process.env.PATH });
    expect(await runPublish(['--apply-summary', file, '--sha', w.mergeSha], c.io, new MemorySink())).toBe(0);
    expect(c.out()).toContain('dry run');
    expect(c.out()).toContain(`Would look up the pull requests of commit ${w.mergeSha} and, on each merged one, create or update the sticky comment (marker <!-- gitops-sticky:v1 project=default command=apply range=${w.before}..${w.mergeSha}),`);
    expect(c.out()).toContain('❌ **Apply failed**');
    expect(w.gh.requests.length).toBe(before);
  });

  it('runs through the real `gitops` binary against the stand-in', async () => {
    const w = await mergedWorld();
    const file = w.summary(applyReport(w, [stack('failed', 'boom')]));
    const run = promisify(execFile);
    const res = await run(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'runner/bin/gitops.mjs'), 'publish', '--apply-summary', file], {
      cwd: w.cwd,
      env: w.pushEnv() as NodeJS.ProcessEnv,
    });
    expect(res.stdout).toContain(`#${w.number}: comment created`);
    expect(w.gh.state.commentsOn(FULL, w.number)).toHaveLength(1);
    expect(w.gh.violations).toEqual([]);
  });
});
