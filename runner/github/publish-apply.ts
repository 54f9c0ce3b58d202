/**
 * Posting the apply summary on the merged pull request(s) of a commit.
 *
 * The pull requests come from GitHub (`GET /repos/{o}/{r}/commits/{sha}/pulls`:
 * for a commit on the default branch, the merged PR that introduced it). On
 * each merged one, one sticky comment per project + command + stack + range:
 * found by its hidden marker, updated in place, untouched when the content
 * hash is unchanged, created at most once (the reconciling create of
 * publish.ts). A summary that reports success only updates an existing
 * comment (a re-run that fixed the range), never opens a new one.
 *
 * When the token cannot read or write (read-only token, no token), the
 * failure still surfaces: `::error` workflow commands in the job log and the
 * comment's text in the job summary.
 */
import type { GitHubClient } from './client.ts';
import type { GitHubConfig, RepoRef } from './config.ts';
import { forbidden, messageOf, statusOf, upsertStickyComment, type CommentOutcome, type PublishSinks } from './publish.ts';
import { FULL_COPY, jobSummary, workflowCommand, type StickyKey } from './render.ts';
import { failureMessages, isFailure, rangeOf, renderApplyComment, type ApplySummary } from './apply-summary.ts';

export type PullLookup =
  | { kind: 'found'; merged: number[]; open: number[] }
  | { kind: 'forbidden'; reason: string }
  | { kind: 'failed'; reason: string };

export interface ApplyPublishOutcome {
  sha: string;
  key: StickyKey;
  lookup: PullLookup;
  comments: Array<{ number: number; comment: CommentOutcome }>;
  /** `::error` annotations printed because the comment could not be written. */
  annotationsPrinted: number;
  summaryWritten: boolean;
}

/**
 * The exit-code rule, on the result: 2 when GitHub answered with an error
 * that is not a permission problem (the lookup or a comment failed); 0 when
 * posted, unchanged, nothing to post, or published through the read-only
 * fallback (the apply job itself already fails; this step only reports).
 */
export function applyPublishExitCode(o: ApplyPublishOutcome): 0 | 2 {
  if (o.lookup.kind === 'failed') return 2;
  return o.comments.some((c) => c.comment.kind === 'failed') ? 2 : 0;
}

/** The sticky key: `range` is the apply's base..head, or `@<sha>` for an apply without a range. */
export function applyStickyKey(summary: ApplySummary, o: { project: string; command: string; sha: string; stack?: string }): StickyKey {
  return { project: o.project, command: o.command, ...(o.stack ? { stack: o.stack } : {}), range: rangeOf(summary) ?? `@${o.sha}` };
}

export async function lookupPulls(octokit: GitHubClient, repo: RepoRef, sha: string): Promise<PullLookup> {
  try {
    const prs = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, { ...repo, commit_sha: sha, per_page: 100 });
    return {
      kind: 'found',
      merged: prs.filter((p) => p.merged_at).map((p) => p.number),
      open: prs.filter((p) => !p.merged_at && p.state === 'open').map((p) => p.number),
    };
  } catch (err) {
    if (forbidden(err)) return { kind: 'forbidden', reason: `${statusOf(err)}: ${messageOf(err)}` };
    if (statusOf(err) === 422) return { kind: 'failed', reason: `commit ${sha} is not in ${repo.owner}/${repo.repo} (422: ${messageOf(err)})` };
    return { kind: 'failed', reason: `listing the pull requests of ${sha} failed: ${statusOf(err) ?? 'no response'}: ${messageOf(err)}` };
  }
}

export interface ApplyPublishInput {
  octokit: GitHubClient | undefined;
  config: GitHubConfig;
  summary: ApplySummary;
  /** The merge commit whose pull requests get the comment. */
  sha: string;
  project: string;
  command: string;
  stack?: string;
  sinks: PublishSinks;
}

export async function publishApplySummary(input: ApplyPublishInput): Promise<ApplyPublishOutcome> {
  const { octokit, config, summary, sha, sinks } = input;
  const repo = config.repository;
  const key = applyStickyKey(summary, input);
  const markdown = renderApplyComment(summary, { sha, ...(config.runUrl ? { runUrl: config.runUrl } : {}), ...(input.stack ? { stack: input.stack } : {}) });

  const lookup: PullLookup = octokit ? await lookupPulls(octokit, repo, sha) : { kind: 'forbidden', reason: 'no token (GITHUB_TOKEN is not set)' };
  const comments: ApplyPublishOutcome['comments'] = [];
  if (lookup.kind === 'found') {
    for (const number of lookup.merged) {
      let comment: CommentOutcome;
      try {
        comment = await upsertStickyComment(octokit!, repo, number, key, markdown, config.tuning, { create: isFailure(summary), fullCopy: FULL_COPY.apply });
      } catch (err) {
        comment = forbidden(err) ? { kind: 'forbidden', reason: `${statusOf(err)}: ${messageOf(err)}` } : { kind: 'failed', reason: messageOf(err) };
      }
      comments.push({ number, comment });
    }
  }

  const missed = comments.filter((c) => c.comment.kind === 'forbidden' || c.comment.kind === 'failed');
  let annotationsPrinted = 0;
  let summaryWritten = false;
  if (lookup.kind !== 'found' || missed.length > 0) {
    const why =
      lookup.kind !== 'found'
        ? lookup.reason
        : missed.map((c) => `#${c.number}: ${(c.comment as { reason: string }).reason}`).join('; ');
    sinks.log(workflowCommand('warning', { title: 'gitops publish' }, `apply summary not posted on the merged pull request (${why}); it is in the job summary`));
    // Actions turns these log lines into annotations on the run, no token needed.
    if (isFailure(summary)) {
      for (const m of failureMessages(summary)) {
        sinks.log(workflowCommand('error', { title: m.title }, m.message));
        annotationsPrinted++;
      }
    }
    if (sinks.appendSummary) {
      sinks.appendSummary(jobSummary(markdown, `The apply summary could not be posted on the merged pull request (${why}): this is the published copy.`));
      summaryWritten = true;
    }
  }
  return { sha, key, lookup, comments, annotationsPrinted, summaryWritten };
}
