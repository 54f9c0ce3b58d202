/**
 * Response bodies in GitHub's shapes, built from the stand-in's state. Every
 * object here is validated against the OpenAPI description on its way out, so
 * a missing required field shows up as a recorded violation, not as a client
 * that happens to work.
 */
import type { StoredCheckRun, StoredComment, StoredIssue, StoredLabel, StoredRepo, StoredUser } from './state.ts';

export interface Urls {
  /** REST base, e.g. http://127.0.0.1:PORT */
  api: string;
  /** Web base for html_url fields (same server; GitHub uses github.com). */
  web: string;
}

const EPOCH = '2024-01-01T00:00:00Z';

export function user(u: StoredUser, urls: Urls) {
  // Bot logins contain brackets (`github-actions[bot]`): URLs carry them percent-encoded, as GitHub's do.
  const login = encodeURIComponent(u.login);
  const api = `${urls.api}/users/${login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: `U_${u.id}`,
    avatar_url: `${urls.web}/avatars/${login}`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    site_admin: false,
  };
}

/** The `repository` schema (PR head/base); `fullRepository` adds the fields `repos/get` returns. */
export function repository(r: StoredRepo, urls: Urls) {
  const api = `${urls.api}/repos/${r.owner}/${r.name}`;
  const t = (suffix: string) => `${api}/${suffix}`;
  return {
    id: r.id,
    node_id: `R_${r.id}`,
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    owner: user(r.ownerUser, urls),
    private: r.private,
    html_url: `${urls.web}/${r.owner}/${r.name}`,
    description: null,
    fork: false,
    url: api,
    archive_url: t('{archive_format}{/ref}'),
    assignees_url: t('assignees{/user}'),
    blobs_url: t('git/blobs{/sha}'),
    branches_url: t('branches{/branch}'),
    collaborators_url: t('collaborators{/collaborator}'),
    comments_url: t('comments{/number}'),
    commits_url: t('commits{/sha}'),
    compare_url: t('compare/{base}...{head}'),
    contents_url: t('contents/{+path}'),
    contributors_url: t('contributors'),
    deployments_url: t('deployments'),
    downloads_url: t('downloads'),
    events_url: t('events'),
    forks_url: t('forks'),
    git_commits_url: t('git/commits{/sha}'),
    git_refs_url: t('git/refs{/sha}'),
    git_tags_url: t('git/tags{/sha}'),
    git_url: `git://127.0.0.1/${r.owner}/${r.name}.git`,
    issue_comment_url: t('issues/comments{/number}'),
    issue_events_url: t('issues/events{/number}'),
    issues_url: t('issues{/number}'),
    keys_url: t('keys{/key_id}'),
    labels_url: t('labels{/name}'),
    languages_url: t('languages'),
    merges_url: t('merges'),
    milestones_url: t('milestones{/number}'),
    notifications_url: t('notifications{?since,all,participating}'),
    pulls_url: t('pulls{/number}'),
    releases_url: t('releases{/id}'),
    ssh_url: `git@127.0.0.1:${r.owner}/${r.name}.git`,
    stargazers_url: t('stargazers'),
    statuses_url: t('statuses/{sha}'),
    subscribers_url: t('subscribers'),
    subscription_url: t('subscription'),
    tags_url: t('tags'),
    teams_url: t('teams'),
    trees_url: t('git/trees{/sha}'),
    // The real clone URL of the stand-in's repository: a bare git repo on disk.
    clone_url: `file://${r.path}`,
    mirror_url: null,
    hooks_url: t('hooks'),
    svn_url: `${urls.web}/${r.owner}/${r.name}`,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: r.defaultBranch,
    open_issues_count: 0,
    open_issues: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: r.private ? 'private' : 'public',
    pushed_at: EPOCH,
    created_at: EPOCH,
    updated_at: EPOCH,
    license: null,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: true,
  };
}

export function fullRepository(r: StoredRepo, urls: Urls, openIssues: number) {
  return {
    ...repository(r, urls),
    open_issues_count: openIssues,
    open_issues: openIssues,
    network_count: 0,
    subscribers_count: 0,
    permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
  };
}

const APP_ID = 15368; // GitHub Actions' app id on github.com

export function app(urls: Urls, owner: StoredUser) {
  return {
    id: APP_ID,
    slug: 'github-actions',
    node_id: 'A_github_actions',
    owner: user(owner, urls),
    name: 'GitHub Actions',
    description: 'Automate your workflow from idea to production',
    external_url: `${urls.web}/features/actions`,
    html_url: `${urls.web}/apps/github-actions`,
    created_at: EPOCH,
    updated_at: EPOCH,
    permissions: { checks: 'write', issues: 'write', pull_requests: 'write', contents: 'write', metadata: 'read' },
    events: ['check_run', 'pull_request', 'push'],
  };
}

export function checkRun(c: StoredCheckRun, r: StoredRepo, urls: Urls, pulls: ReturnType<typeof pullRequestMinimal>[]) {
  const api = `${urls.api}/repos/${r.owner}/${r.name}/check-runs/${c.id}`;
  return {
    id: c.id,
    head_sha: c.headSha,
    node_id: `CR_${c.id}`,
    external_id: c.externalId ?? '',
    url: api,
    html_url: `${urls.web}/${r.owner}/${r.name}/runs/${c.id}`,
    details_url: c.detailsUrl ?? `${urls.web}/${r.owner}/${r.name}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.startedAt,
    completed_at: c.completedAt,
    output: {
      title: c.output.title,
      summary: c.output.summary,
      text: c.output.text,
      annotations_count: c.annotations.length,
      annotations_url: `${api}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.checkSuiteId },
    app: app(urls, r.ownerUser),
    pull_requests: pulls,
  };
}

export function annotation(a: StoredCheckRun['annotations'][number], r: StoredRepo, urls: Urls, headSha: string) {
  return {
    path: a.path,
    blob_href: `${urls.web}/${r.owner}/${r.name}/blob/${headSha}/${a.path}`,
    start_line: a.start_line,
    end_line: a.end_line,
    start_column: a.start_column ?? null,
    end_column: a.end_column ?? null,
    annotation_level: a.annotation_level,
    title: a.title ?? null,
    message: a.message,
    raw_details: a.raw_details ?? null,
  };
}

export function comment(c: StoredComment, r: StoredRepo, urls: Urls) {
  const api = `${urls.api}/repos/${r.owner}/${r.name}`;
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${api}/issues/comments/${c.id}`,
    html_url: `${urls.web}/${r.owner}/${r.name}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    body: c.body,
    user: user(c.user, urls),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${api}/issues/${c.issueNumber}`,
    author_association: 'CONTRIBUTOR',
  };
}

export function label(l: StoredLabel, r: StoredRepo, urls: Urls) {
  return {
    id: l.id,
    node_id: `LA_${l.id}`,
    url: `${urls.api}/repos/${r.owner}/${r.name}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: false,
  };
}

export function issue(i: StoredIssue, r: StoredRepo, urls: Urls, labels: StoredLabel[], commentCount: number) {
  const api = `${urls.api}/repos/${r.owner}/${r.name}`;
  return {
    id: i.id,
    node_id: `I_${i.id}`,
    url: `${api}/issues/${i.number}`,
    repository_url: api,
    labels_url: `${api}/issues/${i.number}/labels{/name}`,
    comments_url: `${api}/issues/${i.number}/comments`,
    events_url: `${api}/issues/${i.number}/events`,
    html_url: `${urls.web}/${r.owner}/${r.name}/${i.pull ? 'pull' : 'issues'}/${i.number}`,
    number: i.number,
    state: i.state,
    state_reason: null,
    title: i.title,
    body: i.body,
    user: user(i.user, urls),
    labels: labels.map((l) => label(l, r, urls)),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    comments: commentCount,
    ...(i.pull
      ? {
          pull_request: {
            url: `${api}/pulls/${i.number}`,
            html_url: `${urls.web}/${r.owner}/${r.name}/pull/${i.number}`,
            diff_url: `${urls.web}/${r.owner}/${r.name}/pull/${i.number}.diff`,
            patch_url: `${urls.web}/${r.owner}/${r.name}/pull/${i.number}.patch`,
            merged_at: i.pull.mergedAt,
          },
        }
      : {}),
    closed_at: i.closedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    author_association: 'CONTRIBUTOR',
  };
}

export interface ResolvedPull {
  headSha: string;
  baseSha: string;
}

function branchEnd(r: StoredRepo, urls: Urls, ref: string, sha: string) {
  return { label: `${r.owner}:${ref}`, ref, sha, repo: repository(r, urls), user: user(r.ownerUser, urls) };
}

export function pullRequestMinimal(i: StoredIssue, r: StoredRepo, urls: Urls, shas: ResolvedPull) {
  const repo = { id: r.id, url: `${urls.api}/repos/${r.owner}/${r.name}`, name: r.name };
  return {
    id: i.id,
    number: i.number,
    url: `${urls.api}/repos/${r.owner}/${r.name}/pulls/${i.number}`,
    head: { ref: i.pull!.head, sha: shas.headSha, repo },
    base: { ref: i.pull!.base, sha: shas.baseSha, repo },
  };
}

/** `pull-request-simple` (pulls/list) when `full` is false, `pull-request` (get/create/update) when true. */
export function pullRequest(i: StoredIssue, r: StoredRepo, urls: Urls, labels: StoredLabel[], shas: ResolvedPull, full: boolean, commentCount: number) {
  const p = i.pull!;
  const api = `${urls.api}/repos/${r.owner}/${r.name}`;
  const href = (h: string) => ({ href: h });
  const simple = {
    url: `${api}/pulls/${i.number}`,
    id: i.id,
    node_id: `PR_${i.id}`,
    html_url: `${urls.web}/${r.owner}/${r.name}/pull/${i.number}`,
    diff_url: `${urls.web}/${r.owner}/${r.name}/pull/${i.number}.diff`,
    patch_url: `${urls.web}/${r.owner}/${r.name}/pull/${i.number}.patch`,
    issue_url: `${api}/issues/${i.number}`,
    commits_url: `${api}/pulls/${i.number}/commits`,
    review_comments_url: `${api}/pulls/${i.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${i.number}/comments`,
    statuses_url: `${api}/statuses/${shas.headSha}`,
    number: i.number,
    state: i.state,
    locked: false,
    title: i.title,
    user: user(i.user, urls),
    body: i.body,
    labels: labels.map((l) => label(l, r, urls)),
    milestone: null,
    active_lock_reason: null,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    closed_at: i.closedAt,
    merged_at: p.mergedAt,
    merge_commit_sha: p.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branchEnd(r, urls, p.head, shas.headSha),
    base: branchEnd(r, urls, p.base, shas.baseSha),
    _links: {
      self: href(`${api}/pulls/${i.number}`),
      html: href(`${urls.web}/${r.owner}/${r.name}/pull/${i.number}`),
      issue: href(`${api}/issues/${i.number}`),
      comments: href(`${api}/issues/${i.number}/comments`),
      review_comments: href(`${api}/pulls/${i.number}/comments`),
      review_comment: href(`${api}/pulls/comments{/number}`),
      commits: href(`${api}/pulls/${i.number}/commits`),
      statuses: href(`${api}/statuses/${shas.headSha}`),
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    draft: p.draft,
  };
  if (!full) return simple;
  return {
    ...simple,
    merged: p.mergedAt !== null,
    mergeable: i.state === 'open' ? true : null,
    rebaseable: null,
    mergeable_state: i.state === 'open' ? 'clean' : 'unknown',
    merged_by: p.mergedBy ? user(p.mergedBy, urls) : null,
    comments: commentCount,
    review_comments: 0,
    maintainer_can_modify: p.maintainerCanModify,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

export function gitRef(r: StoredRepo, urls: Urls, ref: string, sha: string) {
  const api = `${urls.api}/repos/${r.owner}/${r.name}`;
  return {
    ref,
    node_id: `REF_${Buffer.from(ref).toString('base64url')}`,
    url: `${api}/git/${ref}`,
    object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
  };
}
