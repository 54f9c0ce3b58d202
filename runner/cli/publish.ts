/**
 * `gitops publish --report report.json [--project <name>]`: publishes a check
 * report (the JSON `gitops check --format json` writes) to GitHub as the
 * `results-publisher` agent — check run with annotations, sticky PR comment,
 * job summary — and exits with the report's exit code, so the workflow step
 * that runs it is the check that blocks the merge. Outside GitHub Actions it
 * is a dry run that prints what it would publish.
 *
 * `gitops publish --apply-summary apply-summary.md [--sha <merge commit>]`:
 * posts the summary of a (failed) apply on the merged pull request(s) of the
 * commit, as the same agent (see runner/github/publish-apply.ts).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, CommandIO } from './command.ts';
import { parse, usageError } from './args.ts';
import { createRunContext } from '../core/run-context.ts';
import { exitCode, type CheckReport } from '../model/report.ts';
import { GitopsError, diag, formatDiagnostic } from '../core/diagnostics.ts';
import { perform } from '../core/context.ts';
import { newTraceId, type AuditSink } from '../core/events.ts';
import { isGitHubEnvironment, readGitHubConfig, type GitHubConfig } from '../github/config.ts';
import { isFailure, parseApplySummary, renderApplyComment, type ApplySummary } from '../github/apply-summary.ts';
import { applyPublishExitCode, applyStickyKey, publishApplySummary, type ApplyPublishOutcome } from '../github/publish-apply.ts';
import { createOctokit } from '../github/client.ts';
import { headShaOf, publishReport, type PublishOutcome } from '../github/publish.ts';
import { COMMENT_MARKDOWN_BUDGET, FULL_COPY, batches, checkRunOutput, commentBody, markerKey } from '../github/render.ts';
import { renderMarkdown } from '../report/markdown.ts';

const USAGE = `Usage: gitops publish --report <file> [--project <name>] [--command <name>] [--record]
       gitops publish --apply-summary <file> [--sha <commit>] [--stack <name>] [--project <name>] [--record]

Publishes a check report (written by \`gitops check --format json --output <file>\`)
to the pull request: one check run per project with annotations at the intent
lines, one sticky comment (found by a hidden marker keyed on project + command,
updated in place, untouched when unchanged), and the job summary. When the
token cannot write (fork PRs), annotations go to the job log as workflow
commands and the job summary carries the results.

Exits with the report's exit code (0 allowed, 1 denied or invalid, 2 runner
error), whatever happened to the API calls: publishing never changes the verdict.

Without GitHub Actions' environment (GITHUB_REPOSITORY plus GITHUB_ACTIONS or
GITHUB_API_URL) it is a dry run: it prints what it would publish.

With --apply-summary, posts the markdown summary \`gitops apply --summary-file\`
wrote on the merged pull request(s) of the commit (GitHub's "pull requests
associated with a commit"): one sticky comment per project + command + stack +
the apply's base..head range, updated in place, untouched when unchanged. A
failed apply is posted; a successful one only updates an earlier comment for
the same range. Exits 0 when posted, unchanged or nothing to post (stated),
and when the token cannot write (then ::error annotations and the job summary
carry it); 2 on errors (unreadable summary, commit unknown to GitHub, API errors).

Options:
  --report <file>         the CheckReport JSON file
  --apply-summary <file>  the apply summary (gitops apply --summary-file <file>)
  --sha <commit>          the merge commit whose pull requests get the apply summary
                          (default: GITHUB_SHA)
  --stack <name>          key the apply comment on this stack too (one per matrix job)
  --project <name>        project key for the check-run name and the comment marker (default: default)
  --command <name>        command key of the comment marker (default: check, or apply)
  --record                append the publish_results audit event to audit-log/

Environment (read once, by runner/github/config.ts):
  GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_EVENT_NAME, GITHUB_EVENT_PATH,
  GITHUB_SHA, GITHUB_STEP_SUMMARY, GITHUB_RUN_ID, GITHUB_SERVER_URL
  GITOPS_GITHUB_RETRIES (3), GITOPS_GITHUB_RETRY_BASE_MS (1000), GITOPS_GITHUB_PACING (on|off)`;

/** Read and shape-check the report: a bad file is a diagnostic naming it, never a stack trace. */
export function readReport(path: string, display: string): CheckReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GitopsError(diag('report_unreadable', `cannot read the report: ${(err as Error).message}`, { file: display }));
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new GitopsError(diag('report_invalid', `the report is not valid JSON: ${(err as Error).message}`, { file: display }));
  }
  const r = data as Partial<CheckReport>;
  const missing: string[] = [];
  if (!r || typeof r !== 'object') missing.push('(a JSON object)');
  else {
    if (r.version !== 1) missing.push('version: 1');
    if (!Array.isArray(r.intents)) missing.push('intents[]');
    if (!Array.isArray(r.diagnostics)) missing.push('diagnostics[]');
    if (!Array.isArray(r.deleted)) missing.push('deleted[]');
    if (!r.policy_changes || !Array.isArray(r.policy_changes.files)) missing.push('policy_changes.files[]');
    if (!r.summary || typeof r.summary !== 'object') missing.push('summary');
    if (typeof r.trace_id !== 'string') missing.push('trace_id');
    // Optional, but when present its findings decide the verdict: it must have its shape.
    if (r.governance !== undefined && (!r.governance || !Array.isArray(r.governance.results) || !Array.isArray(r.governance.files))) missing.push('governance.results[] and governance.files[] (when governance is present)');
  }
  if (missing.length > 0) {
    throw new GitopsError(diag('report_invalid', `not a gitops check report (expected ${missing.join(', ')}); write it with \`gitops check --format json --output <file>\``, { file: display }));
  }
  return r as CheckReport;
}

/**
 * A pull request's verdict is only ever a report of ITS base and head: the
 * workflow publishes whatever file sits at --report, and a check that died
 * before writing one (out of memory, a runner error) would otherwise publish
 * a stale file — or a report.json committed to the repository, which the
 * base checkout brings along — as this pull request's result.
 */
function reportIsFor(report: CheckReport, event: { baseSha: string; headSha: string; number: number }, display: string): void {
  const c = report.commits;
  if (c?.head === event.headSha && c.base === event.baseSha) return;
  const had = c ? `base ${c.base.slice(0, 12)}, head ${c.head.slice(0, 12)}` : 'no commits (not a check between two commits)';
  throw new GitopsError(
    diag('report_not_for_this_pull_request', `the report compares ${had}, but pull request #${event.number} is base ${event.baseSha.slice(0, 12)}, head ${event.headSha.slice(0, 12)}: publish only the report \`gitops check --base <base sha> --head <head sha>\` wrote for it`, { file: display }),
    2,
  );
}

function describe(o: PublishOutcome): string {
  const cr = o.checkRun;
  const c = o.comment;
  const crText =
    cr.kind === 'created' || cr.kind === 'resumed'
      ? `check run ${cr.kind} (id ${cr.id}, ${cr.annotations} annotations in ${cr.requests} request${cr.requests === 1 ? '' : 's'})`
      : cr.kind === 'unchanged'
        ? `check run unchanged (id ${cr.id})`
        : `check run not written: ${cr.reason}`;
  const cText =
    c.kind === 'created' || c.kind === 'updated'
      ? `comment ${c.kind} (id ${c.id}${c.trimmed ? ', trimmed to the size limit' : ''})`
      : c.kind === 'unchanged'
        ? `comment unchanged (id ${c.id}, no write)`
        : `comment ${c.kind}: ${c.reason}`;
  return `gitops publish: ${crText}; ${cText}${o.annotationsPrinted ? `; ${o.annotationsPrinted} annotations printed as workflow commands` : ''}${o.summaryWritten ? '; job summary written' : ''}\n`;
}

function dryRun(report: CheckReport, project: string, command: string, markdown: string, io: CommandIO): void {
  const out = checkRunOutput(report, project, markdown);
  const comment = commentBody(markdown, { project, command });
  const requests = Math.max(1, batches(out.annotations).length);
  io.stdout(
    [
      'gitops publish: dry run — not running in GitHub Actions (GITHUB_REPOSITORY with GITHUB_ACTIONS=true or GITHUB_API_URL is not set), so nothing is sent.',
      '',
      `Would publish check run "${out.name}": conclusion ${out.conclusion}, title "${out.title}", ${out.annotations.length} annotation${out.annotations.length === 1 ? '' : 's'} in ${requests} request${requests === 1 ? '' : 's'}.`,
      ...out.annotations.map((a) => `  ${a.annotation_level.padEnd(7)} ${a.path}:${a.start_line}  ${a.title ? a.title + ': ' : ''}${a.message}`),
      '',
      `Would create or update the sticky PR comment (marker ${markerKey({ project, command }).trim()}), ${comment.body.length} characters${comment.trimmed ? ', trimmed to the limit' : ''}:`,
      '',
      comment.body,
      '',
    ].join('\n'),
  );
}

export const command: Command = {
  name: 'publish',
  summary: 'Publish a check report (check run, sticky comment, job summary) or a failed apply (comment on the merged PR) to GitHub',
  usage: USAGE,
  run: (argv, io) => runPublish(argv, io),
};

const KEY_VALUE = /^[A-Za-z0-9._/-]{1,100}$/;

/** The command, with the audit sink injectable (tests assert the `publish_results` event). */
export async function runPublish(argv: string[], io: CommandIO, sink?: AuditSink): Promise<number> {
  const { values, positionals } = parse('publish', argv, {
    report: { type: 'string' },
    'apply-summary': { type: 'string' },
    sha: { type: 'string' },
    stack: { type: 'string' },
    project: { type: 'string' },
    command: { type: 'string' },
    record: { type: 'boolean' },
  });
  if (positionals.length > 0) throw usageError('publish', `unexpected argument '${positionals[0]}'`);
  if (values.report !== undefined && values['apply-summary'] !== undefined) throw usageError('publish', 'give either --report or --apply-summary, not both');
  if (!values.report && !values['apply-summary']) throw usageError('publish', '--report <file> is required (or --apply-summary <file>)');
  const project = values.project ?? 'default';
  for (const [flag, v] of [['--project', project], ['--command', values.command], ['--stack', values.stack]] as const) {
    if (v !== undefined && !KEY_VALUE.test(v)) throw usageError('publish', `${flag} must be 1–100 characters of A-Z a-z 0-9 . _ / -, got '${v}'`);
  }
  // Without --record the event stays in memory: a local publish must not dirty the working copy.
  const auditSink = sink ?? (values.record ? (await import('../audit/index.ts')).openAuditSink(io.cwd) : undefined);
  if (values['apply-summary'] !== undefined) {
    const applyArgs = { file: values['apply-summary'], project, command: values.command ?? 'apply', ...(values.sha !== undefined ? { sha: values.sha } : {}), ...(values.stack !== undefined ? { stack: values.stack } : {}) };
    return publishApply(applyArgs, io, auditSink);
  }
  if (values.sha !== undefined || values.stack !== undefined) throw usageError('publish', '--sha and --stack go with --apply-summary');
  const commandKey = values.command ?? 'check';
  sink = auditSink;

  const report = readReport(resolve(io.cwd, values.report!), values.report!);
  const verdict = exitCode(report);

  if (!isGitHubEnvironment(io.env)) {
    dryRun(report, project, commandKey, renderMarkdown(report, { limit: COMMENT_MARKDOWN_BUDGET }), io);
    return verdict;
  }
  const cfg = readGitHubConfig(io.env);
  if (!cfg.ok) {
    for (const d of cfg.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    return 2;
  }
  const config = cfg.value;
  if (config.event.kind === 'pull_request') reportIsFor(report, config.event, values.report!);
  // Findings link to their line in the PR's head: the head repository (a fork's, for fork PRs) at the head commit.
  const linkSha = headShaOf(config, report);
  const links = linkSha && /^[0-9a-f]{40}$/.test(linkSha)
    ? { server: config.serverUrl, repository: config.event.kind === 'pull_request' && config.event.headRepository ? config.event.headRepository : `${config.repository.owner}/${config.repository.repo}`, sha: linkSha }
    : undefined;
  const fullMarkdown = renderMarkdown(report, links ? { links } : {});
  const markdown = renderMarkdown(report, { ...(links ? { links } : {}), limit: COMMENT_MARKDOWN_BUDGET });
  const octokit = config.token
    ? createOctokit({ apiUrl: config.apiUrl, token: config.token, tuning: config.tuning, log: { warn: (m) => io.stderr(`gitops publish: ${m}\n`) } })
    : undefined;
  const ctx = createRunContext({
    repoDir: io.cwd,
    ...(sink ? { sink } : {}),
    kind: 'check',
    traceId: report.trace_id,
    human: (config.event.kind === 'pull_request' ? config.event.author : undefined) || config.actor || 'github-actions',
    ...(headShaOf(config, report) ? { commit: headShaOf(config, report)! } : {}),
  });
  const where = config.event.kind === 'pull_request' ? `#${config.event.number}` : `@${headShaOf(config, report) ?? 'unknown'}`;
  const done = await perform(
    ctx,
    {
      agent: 'results-publisher',
      permission: 'write:checks',
      action: 'publish_results',
      resource: `github:${config.repository.owner}/${config.repository.repo}${where}/${project}`,
    },
    async () => {
      const outcome = await publishReport({
        octokit,
        config,
        report,
        project,
        command: commandKey,
        markdown,
        fullMarkdown,
        sinks: {
          log: (line) => (io.command ?? io.stdout)(line + '\n'), // workflow commands of our own (escaped by render.ts)
          ...(config.stepSummaryPath ? { appendSummary: (md: string) => appendFileSync(config.stepSummaryPath!, md) } : {}),
        },
      });
      const apiWritten = outcome.checkRun.kind !== 'forbidden' && outcome.checkRun.kind !== 'failed';
      return {
        value: outcome,
        // Published through the fallback only: recorded as a failure of the publish, with the reason.
        outcome: apiWritten ? 'success' : 'failure',
        details: { check_run: outcome.checkRun.kind, comment: outcome.comment.kind, annotations_printed: outcome.annotationsPrinted, verdict },
      };
    },
  );
  if (done.status === 'denied') {
    io.stderr(`gitops publish: agent_action_refused: ${done.reason}\n`);
    return 2;
  }
  io.stdout(describe(done.value));
  return verdict;
}

// ---------------------------------------------------------------------------
// --apply-summary: the apply's outcome on the merged pull request

interface ApplyArgs {
  file: string;
  project: string;
  command: string;
  sha?: string;
  stack?: string;
}

/** Read and parse the summary file: a bad file is a diagnostic naming it (exit 2), never a stack trace. */
export function readApplySummary(path: string, display: string): ApplySummary {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GitopsError(diag('apply_summary_unreadable', `cannot read the apply summary: ${(err as Error).message}`, { file: display }));
  }
  const parsed = parseApplySummary(text, display);
  if (!parsed.ok) throw new GitopsError(parsed.diagnostics);
  return parsed.value;
}

function describeApply(o: ApplyPublishOutcome): string {
  const at = `commit ${o.sha}`;
  if (o.lookup.kind === 'forbidden') return `gitops publish: could not look up the pull requests of ${at} (${o.lookup.reason}); the summary went to the job log and job summary\n`;
  if (o.lookup.kind === 'failed') return `gitops publish: apply_publish_failed: ${o.lookup.reason}\n`;
  if (o.lookup.merged.length === 0) {
    const open = o.lookup.open.length ? ` (open: ${o.lookup.open.map((n) => `#${n}`).join(', ')}; the summary goes on merged ones only)` : '';
    return `gitops publish: no ${o.lookup.open.length ? 'merged ' : ''}pull request for ${o.sha}${open}; nothing to post\n`;
  }
  const parts = o.comments.map(({ number, comment: c }) =>
    c.kind === 'created' || c.kind === 'updated'
      ? `#${number}: comment ${c.kind} (id ${c.id}${c.trimmed ? ', trimmed to the size limit' : ''})`
      : c.kind === 'unchanged'
        ? `#${number}: comment unchanged (id ${c.id}, no write)`
        : `#${number}: comment ${c.kind}: ${c.reason}`,
  );
  return `gitops publish: apply summary for ${at}: ${parts.join('; ')}${o.annotationsPrinted ? `; ${o.annotationsPrinted} ::error annotations printed` : ''}${o.summaryWritten ? '; job summary written' : ''}\n`;
}

const SHA = /^[0-9a-f]{7,40}$/i;

async function publishApply(args: ApplyArgs, io: CommandIO, sink: AuditSink | undefined): Promise<number> {
  const summary = readApplySummary(resolve(io.cwd, args.file), args.file);
  if (args.sha !== undefined && !SHA.test(args.sha)) throw usageError('publish', `--sha must be a commit SHA (7–40 hex digits), got '${args.sha}'`);

  if (!isGitHubEnvironment(io.env)) {
    const sha = args.sha ?? io.env.GITHUB_SHA ?? '<GITHUB_SHA>';
    const key = applyStickyKey(summary, { ...args, sha });
    const comment = commentBody(renderApplyComment(summary, { sha, ...(args.stack ? { stack: args.stack } : {}) }), key, undefined, FULL_COPY.apply);
    io.stdout(
      [
        'gitops publish: dry run — not running in GitHub Actions (GITHUB_REPOSITORY with GITHUB_ACTIONS=true or GITHUB_API_URL is not set), so nothing is sent.',
        '',
        `Would look up the pull requests of commit ${sha} and, on each merged one, ${isFailure(summary) ? 'create or update' : 'update (never create: the apply did not fail)'} the sticky comment (marker ${markerKey(key).trim()}), ${comment.body.length} characters${comment.trimmed ? ', trimmed to the limit' : ''}:`,
        '',
        comment.body,
        '',
      ].join('\n'),
    );
    return 0;
  }
  const cfg = readGitHubConfig(io.env);
  if (!cfg.ok) {
    for (const d of cfg.diagnostics) io.stderr(formatDiagnostic(d) + '\n');
    return 2;
  }
  const config: GitHubConfig = cfg.value;
  const sha = args.sha ?? config.sha;
  if (!sha) {
    io.stderr(formatDiagnostic(diag('apply_publish_no_commit', 'no commit to find the merged pull request by: pass --sha <merge commit> or set GITHUB_SHA')) + '\n');
    return 2;
  }
  if (!SHA.test(sha)) {
    io.stderr(formatDiagnostic(diag('github_env_invalid', `GITHUB_SHA must be a commit SHA, got '${sha}'`)) + '\n');
    return 2;
  }
  const octokit = config.token
    ? createOctokit({ apiUrl: config.apiUrl, token: config.token, tuning: config.tuning, log: { warn: (m) => io.stderr(`gitops publish: ${m}\n`) } })
    : undefined;
  const key = applyStickyKey(summary, { ...args, sha });
  const ctx = createRunContext({
    repoDir: io.cwd,
    ...(sink ? { sink } : {}),
    kind: 'apply',
    // The event joins the apply's trace when the summary names it.
    traceId: summary.trace && /^[A-Za-z0-9._-]{1,200}$/.test(summary.trace) ? summary.trace : newTraceId('apply', sha),
    human: config.actor || 'github-actions',
    commit: sha,
  });
  const done = await perform(
    ctx,
    {
      agent: 'results-publisher',
      permission: 'write:pr_comments',
      action: 'publish_results',
      resource: `github:${config.repository.owner}/${config.repository.repo}@${key.range}${args.stack ? `/${args.stack}` : ''}`,
    },
    async () => {
      const outcome = await publishApplySummary({
        octokit,
        config,
        summary,
        sha,
        project: args.project,
        command: args.command,
        ...(args.stack ? { stack: args.stack } : {}),
        sinks: {
          log: (line) => (io.command ?? io.stdout)(line + '\n'), // workflow commands of our own (escaped by render.ts)
          ...(config.stepSummaryPath ? { appendSummary: (md: string) => appendFileSync(config.stepSummaryPath!, md) } : {}),
        },
      });
      const posted = outcome.lookup.kind === 'found' && outcome.comments.every((c) => c.comment.kind !== 'forbidden' && c.comment.kind !== 'failed');
      return {
        value: outcome,
        // Only the fallback (or nothing) reached people: recorded as a failure of the publish, with the reason.
        outcome: posted ? 'success' : 'failure',
        details: {
          apply_status: summary.status,
          lookup: outcome.lookup.kind,
          pull_requests: outcome.lookup.kind === 'found' ? outcome.lookup.merged : [],
          comments: outcome.comments.map((c) => ({ number: c.number, comment: c.comment.kind })),
          annotations_printed: outcome.annotationsPrinted,
        },
      };
    },
  );
  if (done.status === 'denied') {
    io.stderr(`gitops publish: agent_action_refused: ${done.reason}\n`);
    return 2;
  }
  const code = applyPublishExitCode(done.value);
  (code === 0 ? io.stdout : io.stderr)(describeApply(done.value));
  for (const c of done.value.comments) if (c.comment.kind === 'failed') io.stderr(`gitops publish: apply_publish_failed: #${c.number}: ${c.comment.reason}\n`);
  return code;
}
