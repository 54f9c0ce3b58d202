/**
 * Publishing a CheckReport to GitHub: one check run per project (with its
 * annotations in batches of 50) and one sticky PR comment per project +
 * command, plus the job summary. Every write is idempotent:
 *
 * - the check run carries the content hash in `external_id`; a re-publish of
 *   the same results for the same commit finds it and writes nothing, and an
 *   interrupted one resumes from the annotation count GitHub already has;
 * - the comment is found by its hidden marker and updated in place, and not
 *   touched at all when the hash in the marker is unchanged.
 *
 * Non-idempotent writes (POST create, PATCH appending annotations) are sent
 * without plugin-retry: a 5xx may hide a write that happened, so on an
 * ambiguous failure we re-read GitHub's state and continue from there instead
 * of blindly repeating the write (which would duplicate the comment or the
 * annotations). Rate limits (403/429 secondary limits) are still waited out
 * by plugin-throttling: GitHub rejects those before doing anything.
 */
import type { CheckReport } from '../model/report.ts';
import type { GitHubClient } from './client.ts';
import type { ClientTuning, GitHubConfig, RepoRef } from './config.ts';
import { LIMITS, batches, checkRunOutput, commentBody, jobSummary, readMarker, workflowCommands, type CheckRunOutput, type StickyKey } from './render.ts';

interface CheckRunWrite {
  id: number;
  /** API writes made (create + updates); annotation batches = this for a fresh run. */
  requests: number;
  annotations: number;
}
export type CheckRunOutcome =
  | ({ kind: 'created' } & CheckRunWrite)
  | ({ kind: 'resumed' } & CheckRunWrite)
  | { kind: 'unchanged'; id: number }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'failed'; reason: string };

export type CommentOutcome =
  | { kind: 'created'; id: number; trimmed: boolean }
  | { kind: 'updated'; id: number; trimmed: boolean }
  | { kind: 'unchanged'; id: number }
  | { kind: 'skipped'; reason: string }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'failed'; reason: string };

export interface PublishOutcome {
  checkRun: CheckRunOutcome;
  comment: CommentOutcome;
  /** Workflow-command annotations printed (fallback when the check run could not be written). */
  annotationsPrinted: number;
  summaryWritten: boolean;
}

/** Where a publish writes outside the API; the CLI binds them to stdout and GITHUB_STEP_SUMMARY. */
export interface PublishSinks {
  /** One line to the job log (workflow commands are recognised there). */
  log(line: string): void;
  /** Append to the job summary; absent when GITHUB_STEP_SUMMARY is not set. */
  appendSummary?(markdown: string): void;
}

export interface PublishInput {
  octokit: GitHubClient | undefined;
  config: GitHubConfig;
  report: CheckReport;
  project: string;
  /** The rendered report (renderMarkdown from runner/report/markdown.ts). */
  markdown: string;
  /** The report rendered without the comment's size budget, for the job summary (default: `markdown`). */
  fullMarkdown?: string;
  sinks: PublishSinks;
  command?: string;
}

interface HttpError {
  status?: number;
  message?: string;
}
export const statusOf = (err: unknown): number | undefined => (err as HttpError)?.status;
/** A failure after which we cannot know whether the write happened. */
const ambiguous = (err: unknown) => {
  const s = statusOf(err);
  return s === undefined || s >= 500;
};
export const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
/** The token may not write (fork PR, missing `checks: write` / `pull-requests: write`). */
export const forbidden = (err: unknown) => statusOf(err) === 403 || statusOf(err) === 404 || statusOf(err) === 401;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retry `attempt` after ambiguous failures, reconciling with GitHub's state first. */
async function reconciled<T>(tuning: ClientTuning, attempt: () => Promise<T>, reconcile: () => Promise<T | undefined>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!ambiguous(err) || n >= tuning.retries) throw err;
      await sleep(tuning.retryBaseMs * (n + 1) ** 2);
      const found = await reconcile();
      if (found !== undefined) return found;
    }
  }
}

const NO_RETRY = { request: { retries: 0 } } as const;

export function headShaOf(config: GitHubConfig, report: CheckReport): string | undefined {
  if (config.event.kind === 'pull_request') return config.event.headSha;
  if (config.event.kind === 'push') return config.event.after;
  return report.head ?? config.sha;
}

/**
 * Create (or find, or resume) the check run for `desired` on `headSha`.
 * The first request carries the first 50 annotations; each further batch is
 * an update; the last request completes the run with its conclusion.
 */
export async function publishCheckRun(octokit: GitHubClient, repo: RepoRef, headSha: string, desired: CheckRunOutput, tuning: ClientTuning, detailsUrl?: string): Promise<CheckRunOutcome> {
  const externalId = `gitops:${desired.hash}`;
  const chunks = batches(desired.annotations);
  const total = desired.annotations.length;
  const output = (annotations: CheckRunOutput['annotations']) => ({ title: desired.title, summary: desired.summary, text: desired.text, annotations });

  const find = async () => {
    const runs = await octokit.paginate(octokit.rest.checks.listForRef, { ...repo, ref: headSha, check_name: desired.name, filter: 'all', per_page: 100 });
    return runs.find((r) => r.external_id === externalId);
  };

  const existing = await find();
  if (existing && existing.status === 'completed' && existing.output.annotations_count >= total) return { kind: 'unchanged', id: existing.id };

  let requests = 0;
  let sent: number;
  let id: number;
  let kind: 'created' | 'resumed';
  const result = (): CheckRunOutcome => (kind === 'created' ? { kind, id, requests, annotations: sent } : { kind, id, requests, annotations: sent });
  if (existing) {
    // An earlier publish of the same results was interrupted: continue it.
    id = existing.id;
    sent = existing.output.annotations_count;
    kind = 'resumed';
  } else {
    const completes = chunks.length <= 1;
    const created = await reconciled(
      tuning,
      async () => {
        requests++;
        const res = await octokit.rest.checks.create({
          ...repo,
          name: desired.name,
          head_sha: headSha,
          external_id: externalId,
          ...(detailsUrl ? { details_url: detailsUrl } : {}),
          ...(completes ? { status: 'completed' as const, conclusion: desired.conclusion } : { status: 'in_progress' as const }),
          output: output(chunks[0] ?? []),
          ...NO_RETRY,
        });
        return { id: res.data.id, count: res.data.output.annotations_count };
      },
      async () => {
        const r = await find();
        return r ? { id: r.id, count: r.output.annotations_count } : undefined;
      },
    );
    id = created.id;
    sent = created.count;
    kind = 'created';
    if (completes) return result();
  }

  // Append the remaining annotations from where GitHub's count says we are;
  // the request carrying the last batch completes the run. Bounded: each
  // round either advances `sent` or is the final one.
  for (let round = 0; round <= chunks.length; round++) {
    const batch = desired.annotations.slice(sent, sent + LIMITS.annotationsPerRequest);
    const target = sent + batch.length;
    const last = target >= total;
    const after = await reconciled(
      tuning,
      async () => {
        requests++;
        const res = await octokit.rest.checks.update({
          ...repo,
          check_run_id: id,
          ...(last ? { status: 'completed' as const, conclusion: desired.conclusion } : {}),
          output: output(batch),
          ...NO_RETRY,
        });
        return { count: res.data.output.annotations_count, completed: res.data.status === 'completed' };
      },
      async () => {
        const r = await octokit.rest.checks.get({ ...repo, check_run_id: id });
        // The lost update landed iff the count already includes this batch (and, for the last one, the run completed).
        const landed = r.data.output.annotations_count >= target && (!last || r.data.status === 'completed');
        return landed ? { count: r.data.output.annotations_count, completed: r.data.status === 'completed' } : undefined;
      },
    );
    sent = after.count;
    if (last && after.completed) return result();
  }
  throw new Error(`check run ${id}: annotations did not advance (${sent} of ${total} sent)`);
}

export interface UpsertOptions {
  /** When false, only an existing comment is updated (a success after an earlier failure); none → skipped. Default true. */
  create?: boolean;
  /** Where the untrimmed text is, for the truncation note (render.ts FULL_COPY). */
  fullCopy?: string;
}

/** Find our sticky comment, then create it, update it, or leave it (hash unchanged). */
export async function upsertStickyComment(
  octokit: GitHubClient,
  repo: RepoRef,
  issueNumber: number,
  key: StickyKey,
  markdown: string,
  tuning: ClientTuning,
  options: UpsertOptions = {},
): Promise<CommentOutcome> {
  const desired = commentBody(markdown, key, undefined, options.fullCopy);
  const find = async () => {
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issueNumber, per_page: 100 });
    // The oldest marked comment is THE sticky one (comments list oldest first).
    for (const c of all) {
      const m = readMarker(c.body, key);
      if (m) return { id: c.id, hash: m.hash };
    }
    return undefined;
  };
  const found = await find();
  if (found) {
    if (found.hash === desired.hash) return { kind: 'unchanged', id: found.id };
    // Updating with the same body twice is harmless, so plugin-retry may retry this one.
    await octokit.rest.issues.updateComment({ ...repo, comment_id: found.id, body: desired.body });
    return { kind: 'updated', id: found.id, trimmed: desired.trimmed };
  }
  if (options.create === false) return { kind: 'skipped', reason: 'no earlier comment to update' };
  let createdNow = true;
  const id = await reconciled(
    tuning,
    async () => (await octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body: desired.body, ...NO_RETRY })).data.id,
    async () => {
      const again = await find();
      if (!again) return undefined;
      createdNow = again.hash === desired.hash;
      if (!createdNow) await octokit.rest.issues.updateComment({ ...repo, comment_id: again.id, body: desired.body });
      return again.id;
    },
  );
  return createdNow ? { kind: 'created', id, trimmed: desired.trimmed } : { kind: 'updated', id, trimmed: desired.trimmed };
}

/**
 * Publish one report. The API parts are best effort: whatever GitHub refuses
 * (read-only token on a fork PR, exhausted retries) falls back to
 * workflow-command annotations in the log, and the job summary is always
 * written. Publishing never changes the verdict: the caller's exit code is
 * `exitCode(report)`.
 */
export async function publishReport(input: PublishInput): Promise<PublishOutcome> {
  const { octokit, config, report, project, markdown, sinks } = input;
  const key: StickyKey = { project, command: input.command ?? 'check' };
  const repo = config.repository;
  const desired = checkRunOutput(report, project, markdown);
  const headSha = headShaOf(config, report);

  let checkRun: CheckRunOutcome;
  if (!octokit) checkRun = { kind: 'forbidden', reason: 'no token (GITHUB_TOKEN is not set)' };
  else if (!headSha) checkRun = { kind: 'failed', reason: 'no head commit: neither the event, the report nor GITHUB_SHA names one' };
  else {
    try {
      checkRun = await publishCheckRun(octokit, repo, headSha, desired, config.tuning, config.runUrl);
    } catch (err) {
      checkRun = forbidden(err) ? { kind: 'forbidden', reason: `${statusOf(err)}: ${messageOf(err)}` } : { kind: 'failed', reason: messageOf(err) };
    }
  }

  let comment: CommentOutcome;
  if (config.event.kind !== 'pull_request') comment = { kind: 'skipped', reason: `not a pull request (event ${config.event.name || 'unknown'})` };
  else if (!octokit) comment = { kind: 'forbidden', reason: 'no token (GITHUB_TOKEN is not set)' };
  else {
    try {
      comment = await upsertStickyComment(octokit, repo, config.event.number, key, markdown, config.tuning);
    } catch (err) {
      comment = forbidden(err) ? { kind: 'forbidden', reason: `${statusOf(err)}: ${messageOf(err)}` } : { kind: 'failed', reason: messageOf(err) };
    }
  }

  let annotationsPrinted = 0;
  const checkRunWritten = checkRun.kind === 'created' || checkRun.kind === 'resumed' || checkRun.kind === 'unchanged';
  if (checkRun.kind === 'forbidden' || checkRun.kind === 'failed') {
    // The fallback: Actions turns these log lines into annotations on the PR, no token needed.
    sinks.log(`::warning title=gitops publish::check run not written (${checkRun.reason}); annotations go to the job log instead`);
    for (const line of workflowCommands(desired.annotations)) sinks.log(line);
    annotationsPrinted = desired.annotations.length;
  }
  if (comment.kind === 'forbidden' || comment.kind === 'failed') {
    sinks.log(`::warning title=gitops publish::PR comment not written (${comment.reason}); the results are in the job summary`);
  }

  let summaryWritten = false;
  if (sinks.appendSummary) {
    const note = checkRunWritten && (comment.kind === 'created' || comment.kind === 'updated' || comment.kind === 'unchanged' || comment.kind === 'skipped')
      ? undefined
      : 'The token could not write the check run or the PR comment (a fork PR has a read-only token): these results are the published copy.';
    sinks.appendSummary(jobSummary(input.fullMarkdown ?? markdown, note));
    summaryWritten = true;
  }
  return { checkRun, comment, annotationsPrinted, summaryWritten };
}
