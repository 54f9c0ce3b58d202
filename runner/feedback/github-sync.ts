/**
 * Open or update the recommendation PR / issue on GitHub, idempotently
 * (Renovate's update/pr): find the existing one by branch (PR) or marker
 * (issue), compare the marker's content hash, and call the API only for what
 * changed. Results are a discriminated union with the reason.
 *
 *   same hash, open          → unchanged (no commit, no push, no API write)
 *   new hash, open           → updated (push the new commit, edit body/title)
 *   same hash, closed unmerged → declined: not reopened until the evidence changes
 *   same hash, merged        → merged (nothing to do; the merge is audited once)
 *   otherwise                → created
 */
import type { GitHubClient } from '../github/client.ts';
import type { RepoRef } from '../github/config.ts';
import { FEEDBACK_LABEL, parseMarker, type Marker, type PrContent } from './pr.ts';

export type PrSync =
  | { status: 'created'; number: number; url: string }
  | { status: 'updated'; number: number; url: string }
  | { status: 'unchanged'; number: number; url: string }
  | { status: 'declined'; number: number; url: string }
  | { status: 'merged'; number: number; url: string; merge_commit: string | null; marker: Marker | null };

export type IssueSync =
  | { status: 'created'; number: number; url: string }
  | { status: 'updated'; number: number; url: string }
  | { status: 'unchanged'; number: number; url: string }
  | { status: 'declined'; number: number; url: string };

interface PullSummary {
  number: number;
  state: string;
  body: string | null;
  html_url: string;
  merged_at: string | null;
  merge_commit_sha: string | null;
  labels: Array<{ name?: string }>;
}

export interface PrTarget {
  repo: RepoRef;
  branch: string;
  base: string;
  content: PrContent;
  /** Push the branch (called only when a commit must reach GitHub). */
  push(): Promise<void>;
}

async function addMissingLabels(gh: GitHubClient, repo: RepoRef, number: number, have: Array<{ name?: string }>, want: string[]): Promise<void> {
  const missing = want.filter((l) => !have.some((h) => h.name?.toLowerCase() === l.toLowerCase()));
  if (missing.length > 0) await gh.rest.issues.addLabels({ ...repo, issue_number: number, labels: missing });
}

export async function syncPullRequest(gh: GitHubClient, t: PrTarget): Promise<PrSync> {
  const pulls = (await gh.paginate(gh.rest.pulls.list, { ...t.repo, head: `${t.repo.owner}:${t.branch}`, state: 'all', per_page: 100 })) as PullSummary[];
  const mine = pulls.filter((p) => parseMarker(p.body)?.kind === 'pr').sort((a, b) => b.number - a.number);
  const open = mine.find((p) => p.state === 'open');
  if (open) {
    if (parseMarker(open.body)?.hash === t.content.hash) return { status: 'unchanged', number: open.number, url: open.html_url };
    await t.push();
    await gh.rest.pulls.update({ ...t.repo, pull_number: open.number, title: t.content.title, body: t.content.body });
    await addMissingLabels(gh, t.repo, open.number, open.labels, t.content.labels);
    return { status: 'updated', number: open.number, url: open.html_url };
  }
  const last = mine[0];
  if (last && parseMarker(last.body)?.hash === t.content.hash) {
    if (last.merged_at) return { status: 'merged', number: last.number, url: last.html_url, merge_commit: last.merge_commit_sha, marker: parseMarker(last.body) };
    return { status: 'declined', number: last.number, url: last.html_url };
  }
  await t.push();
  const created = await gh.rest.pulls.create({ ...t.repo, head: t.branch, base: t.base, title: t.content.title, body: t.content.body, maintainer_can_modify: true });
  await gh.rest.issues.addLabels({ ...t.repo, issue_number: created.data.number, labels: t.content.labels });
  return { status: 'created', number: created.data.number, url: created.data.html_url };
}

/** The latest merged recommendation PR of a branch, whatever its hash (for auditing merges). */
export async function findMergedPulls(gh: GitHubClient, repo: RepoRef, branch: string): Promise<Array<{ number: number; url: string; merge_commit: string | null; marker: Marker | null; merged_at: string }>> {
  const pulls = (await gh.paginate(gh.rest.pulls.list, { ...repo, head: `${repo.owner}:${branch}`, state: 'closed', per_page: 100 })) as PullSummary[];
  return pulls
    .filter((p) => p.merged_at && parseMarker(p.body)?.kind === 'pr')
    .map((p) => ({ number: p.number, url: p.html_url, merge_commit: p.merge_commit_sha, marker: parseMarker(p.body), merged_at: p.merged_at! }));
}

interface IssueSummary {
  number: number;
  state: string;
  body?: string | null;
  html_url: string;
  pull_request?: unknown;
}

export async function syncIssue(gh: GitHubClient, repo: RepoRef, intentId: string, content: PrContent): Promise<IssueSync> {
  const issues = (await gh.paginate(gh.rest.issues.listForRepo, { ...repo, labels: FEEDBACK_LABEL, state: 'all', per_page: 100 })) as IssueSummary[];
  const mine = issues
    .filter((i) => !i.pull_request)
    .filter((i) => {
      const m = parseMarker(i.body);
      return m?.kind === 'issue' && m.intent === intentId;
    })
    .sort((a, b) => b.number - a.number);
  const open = mine.find((i) => i.state === 'open');
  if (open) {
    if (parseMarker(open.body)?.hash === content.hash) return { status: 'unchanged', number: open.number, url: open.html_url };
    await gh.rest.issues.update({ ...repo, issue_number: open.number, title: content.title, body: content.body });
    return { status: 'updated', number: open.number, url: open.html_url };
  }
  const last = mine[0];
  if (last && parseMarker(last.body)?.hash === content.hash) return { status: 'declined', number: last.number, url: last.html_url };
  const created = await gh.rest.issues.create({ ...repo, title: content.title, body: content.body, labels: content.labels });
  return { status: 'created', number: created.data.number, url: created.data.html_url };
}
