/**
 * `gitops feedback`: collect metrics, analyse them against each intent's
 * targets, and open or update one recommendation PR per intent
 * (docs/feedback.md) — or, with --dry-run, write the branch and body locally only.
 */
import type { Command } from './command.ts';
import { parse, usageError } from './args.ts';
import { createRunContext } from '../core/run-context.ts';
import { MemorySink, newTraceId } from '../core/events.ts';
import { GitopsError, diag } from '../core/diagnostics.ts';
import { openAuditSink, readAuditLog } from '../audit/store.ts';
import { createOctokit } from '../github/client.ts';
import { readGitHubConfig } from '../github/config.ts';
import { checkBranch, checkEvaluator } from '../feedback/evaluate.ts';
import { fetchBase, resolveCommit } from '../feedback/branch.ts';
import { FEEDBACK_FORMATS } from '../feedback/render.ts';
import { feedbackExitCode, runFeedback, type Publish } from '../feedback/run.ts';
import { createSource, isSourceId, loadSourcesConfig, METRIC_SOURCES, SOURCES_FILE } from '../feedback/sources/registry.ts';
import { parseDuration } from '../feedback/period.ts';
import { RULES } from '../feedback/rules.ts';
import type { AuditRecord } from '../feedback/types.ts';

const USAGE = `Usage: gitops feedback [options]

Collects metrics for each intent, compares them with its targets,
and proposes recommendations. Recommendations that edit the intent
become one PR per intent on branch gitops/recommendations/<intent-id>
(idempotent: the same recommendation changes nothing); the others become an
issue. Every recommended intent must pass gitops check first.

Options:
  --dry-run               Write the branch and the PR body locally; open nothing
  --format <f>            ${Object.keys(FEEDBACK_FORMATS).join(' | ')} (default text); json uses the analysis document's field names
  --intent <id>           Only this intent (repeatable)
  --source <s>            ${Object.keys(METRIC_SOURCES).join(' | ')} (default: ${SOURCES_FILE}, else file)
  --prometheus-url <url>  Prometheus base URL (with --source prometheus)
  --metrics-config <f>    Metric source configuration (default ${SOURCES_FILE})
  --period <d>            Window, e.g. 7d, 24h (default: the configuration's, 7d)
  --until <time>          End of the window, ISO 8601 (default: the file's last row, or now)
  --base <ref>            Commit the branch is built on in a dry run (default HEAD)
  --remote <name>         Git remote to push the branch to (default origin)
  --base-branch <name>    The PR's base branch (default main)

Without --dry-run it needs GITHUB_REPOSITORY and a token (GITHUB_TOKEN, or a
GitHub App token so the PR's own checks run); GITHUB_API_URL for GHES.
CloudWatch takes credentials from the AWS SDK's default chain (env, AWS_PROFILE incl.
SSO, web identity/OIDC, ECS/EC2 metadata); AWS_ENDPOINT_URL_CLOUDWATCH overrides the endpoint.

Rules: ${Object.values(RULES).map((r) => r.id).join(', ')} (docs/feedback.md).
Exit: 0 done, 1 an intent could not be analysed (missing metrics, invalid intent), 2 usage or runner error.
`;

function parseUntil(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw usageError('feedback', `--until '${s}' is not an ISO 8601 time`);
  return Math.floor(ms / 1000);
}

export const command: Command = {
  name: 'feedback',
  summary: 'Collect metrics, analyse, and open or update recommendation PRs',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parse('feedback', argv, {
      'dry-run': { type: 'boolean' },
      format: { type: 'string', default: 'text' },
      intent: { type: 'string', multiple: true },
      source: { type: 'string' },
      'prometheus-url': { type: 'string' },
      'metrics-config': { type: 'string' },
      period: { type: 'string' },
      until: { type: 'string' },
      base: { type: 'string' },
      remote: { type: 'string', default: 'origin' },
      'base-branch': { type: 'string', default: 'main' },
    }, false);
    const format = values.format!;
    if (!(format in FEEDBACK_FORMATS)) throw usageError('feedback', `--format must be one of ${Object.keys(FEEDBACK_FORMATS).join(', ')}`);
    const repoDir = io.cwd;
    const cfg = loadSourcesConfig(repoDir, values['metrics-config'] ?? SOURCES_FILE);
    if (values.source !== undefined) {
      if (!isSourceId(values.source)) throw usageError('feedback', `--source must be one of ${Object.keys(METRIC_SOURCES).join(', ')}`);
      cfg.source = values.source;
    }
    if (values['prometheus-url']) cfg.prometheus = { ...cfg.prometheus, url: values['prometheus-url'] };
    const period = values.period ?? cfg.period;
    if (parseDuration(period) === null) throw usageError('feedback', `--period '${period}' is not a duration like 7d`);
    const source = createSource(cfg, { repoDir });

    const dryRun = values['dry-run'] === true;
    // A dry run records nothing: its events stay in memory.
    const sink = dryRun ? new MemorySink() : openAuditSink(repoDir);
    const ctx = createRunContext({ repoDir, kind: 'feedback', sink, traceId: newTraceId('feedback') });
    const draftCtx = createRunContext({ repoDir, kind: 'check', sink: new MemorySink(), traceId: ctx.traceId, agents: ctx.agents });
    const audit = readAuditLog(repoDir) as unknown as AuditRecord[];

    let publish: Publish;
    if (dryRun) {
      const base = await resolveCommit(repoDir, values.base ?? 'HEAD', io.env);
      if (!base) throw new GitopsError(diag('git_unknown_ref', `--base ${values.base ?? 'HEAD'} is not a commit in ${repoDir}`));
      publish = { kind: 'dry-run', base };
    } else {
      if (values.base) throw usageError('feedback', '--base is for --dry-run; a real run builds on <remote>/<base-branch>');
      const gcfg = readGitHubConfig(io.env);
      if (!gcfg.ok) throw new GitopsError(gcfg.diagnostics);
      if (!gcfg.value.token) throw new GitopsError(diag('github_token_missing', 'opening recommendation PRs needs GITHUB_TOKEN (or a GitHub App token); use --dry-run to only write the branch locally'));
      const gh = createOctokit({ apiUrl: gcfg.value.apiUrl, token: gcfg.value.token, tuning: gcfg.value.tuning });
      const base = await fetchBase(repoDir, values.remote!, values['base-branch']!, io.env);
      publish = { kind: 'github', gh, repo: gcfg.value.repository, remote: values.remote!, baseBranch: values['base-branch']!, base };
    }

    const until = parseUntil(values.until);
    const run = await runFeedback({
      repoDir,
      ctx,
      source,
      services: cfg.services,
      period,
      ...(until !== undefined ? { until } : {}),
      ...(values.intent ? { intents: values.intent } : {}),
      audit,
      evaluate: checkEvaluator(repoDir, draftCtx, publish.base),
      checkBranch: (base, head) => checkBranch(repoDir, ctx, base, head),
      publish,
      env: io.env,
    });
    io.stdout(FEEDBACK_FORMATS[format as keyof typeof FEEDBACK_FORMATS](run));
    return feedbackExitCode(run);
  },
};

