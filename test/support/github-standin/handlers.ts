/**
 * One handler per served operation (explicit registry keyed by GitHub's
 * operationId; `satisfies Record<OperationId, Handler>` makes the compiler
 * check every operation of the subset is handled). Behaviour follows GitHub's
 * documented semantics where tests can observe it: annotations append on
 * update, a PR needs an existing head branch, one open PR per head, comment
 * bodies ≤ 65,536 characters, pagination with `Link` headers.
 */
import type { OperationId } from './operations.ts';
import { git, nowIso, type StandInState, type StoredAnnotation, type StoredCheckRun, type StoredIssue, type StoredRepo, type StoredUser } from './state.ts';
import * as R from './resources.ts';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Ctx {
  state: StandInState;
  repo: StoredRepo;
  params: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  actor: StoredUser;
  urls: R.Urls;
  requestUrl: URL;
}

type Handler = (ctx: Ctx) => Promise<Reply> | Reply;

/** GitHub's limit on issue and PR comment bodies (not in the OpenAPI description). */
export const MAX_COMMENT_BODY = 65536;

const DOCS = 'https://docs.github.com/rest';
const notFound = (): Reply => ({ status: 404, body: { message: 'Not Found', documentation_url: DOCS } });
function invalid(resource: string, field: string, code: string, message?: string): Reply {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      documentation_url: DOCS,
      errors: [{ resource, field, code, ...(message ? { message } : {}) }],
    },
  };
}

/** Slice a list per `per_page`/`page` and add GitHub's `Link` header (first/prev/next/last). */
function paginate<T>(ctx: Ctx, items: T[]): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(ctx.query.per_page ?? 30) || 30, 1), 100);
  const page = Math.max(Number(ctx.query.page ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p: number) => {
    const u = new URL(ctx.requestUrl);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(p));
    return u.toString();
  };
  const rels: string[] = [];
  if (page < last) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`);
  return { page: items.slice((page - 1) * perPage, page * perPage), headers: rels.length ? { link: rels.join(', ') } : {} };
}

function findIssue(ctx: Ctx, n: number): StoredIssue | undefined {
  return ctx.state.issues.find((i) => i.repo === ctx.repo.fullName && i.number === n);
}

function labelsOfIssue(ctx: Ctx, i: StoredIssue) {
  return i.labels.map((name) => ctx.state.label(ctx.repo.fullName, name));
}

function commentCount(ctx: Ctx, i: StoredIssue): number {
  return ctx.state.comments.filter((c) => c.repo === ctx.repo.fullName && c.issueNumber === i.number).length;
}

/** Open PRs follow their branches; closed ones keep the SHAs they had. */
async function refreshShas(ctx: Ctx, i: StoredIssue): Promise<R.ResolvedPull> {
  const p = i.pull!;
  if (i.state === 'open') {
    p.headSha = (await git.resolve(ctx.repo.path, `refs/heads/${p.head}`)) ?? p.headSha;
    p.baseSha = (await git.resolve(ctx.repo.path, `refs/heads/${p.base}`)) ?? p.baseSha;
  }
  return { headSha: p.headSha, baseSha: p.baseSha };
}

async function pullBody(ctx: Ctx, i: StoredIssue, full: boolean) {
  return R.pullRequest(i, ctx.repo, ctx.urls, labelsOfIssue(ctx, i), await refreshShas(ctx, i), full, commentCount(ctx, i));
}

async function checkRunBody(ctx: Ctx, c: StoredCheckRun) {
  // `pull_requests`: open PRs of this repository whose head is the check run's commit.
  const prs: ReturnType<typeof R.pullRequestMinimal>[] = [];
  for (const i of ctx.state.pulls(ctx.repo.fullName)) {
    if (i.state !== 'open') continue;
    const shas = await refreshShas(ctx, i);
    if (shas.headSha === c.headSha) prs.push(R.pullRequestMinimal(i, ctx.repo, ctx.urls, shas));
  }
  return R.checkRun(c, ctx.repo, ctx.urls, prs);
}

function applyCheckRunFields(c: StoredCheckRun, b: Record<string, unknown>) {
  if (typeof b.name === 'string') c.name = b.name;
  if (typeof b.details_url === 'string') c.detailsUrl = b.details_url;
  if (typeof b.external_id === 'string') c.externalId = b.external_id;
  if (typeof b.started_at === 'string') c.startedAt = b.started_at;
  if (typeof b.status === 'string') c.status = b.status as StoredCheckRun['status'];
  if (typeof b.conclusion === 'string') {
    // "Providing conclusion will automatically set the status parameter to completed."
    c.conclusion = b.conclusion as StoredCheckRun['conclusion'];
    c.status = 'completed';
  }
  if (typeof b.completed_at === 'string') c.completedAt = b.completed_at;
  if (c.status === 'completed' && !c.completedAt) c.completedAt = nowIso();
  const out = b.output as { title?: string; summary?: string; text?: string; annotations?: StoredAnnotation[] } | undefined;
  if (out) {
    if (out.title !== undefined) c.output.title = out.title;
    if (out.summary !== undefined) c.output.summary = out.summary;
    if (out.text !== undefined) c.output.text = out.text;
    // "Each time you update the check run, annotations are appended."
    for (const a of out.annotations ?? []) c.annotations.push({ ...a });
  }
}

/** A check run that completes without a conclusion is rejected by GitHub. */
function checkRunConclusionProblem(c: StoredCheckRun): Reply | undefined {
  if (c.status === 'completed' && !c.conclusion) return invalid('CheckRun', 'conclusion', 'missing_field', 'conclusion is required when status is completed');
  return undefined;
}

function commentTooLong(body: unknown): Reply | undefined {
  if (typeof body === 'string' && body.length > MAX_COMMENT_BODY) {
    return invalid('IssueComment', 'body', 'custom', `Body is too long (maximum is ${MAX_COMMENT_BODY} characters)`);
  }
  return undefined;
}

function labelNames(raw: unknown): string[] | undefined {
  // issues/add-labels and issues/create accept strings or {name} objects, or `{labels: [...]}`.
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' && Array.isArray((raw as { labels?: unknown }).labels) ? (raw as { labels: unknown[] }).labels : undefined;
  if (!list) return undefined;
  return list.map((l) => (typeof l === 'string' ? l : String((l as { name?: unknown }).name ?? ''))).filter(Boolean);
}

function sortAndFilterIssues(ctx: Ctx, items: StoredIssue[]): StoredIssue[] {
  const state = ctx.query.state ?? 'open';
  let out = items.filter((i) => state === 'all' || i.state === state);
  const dir = ctx.query.direction ?? 'desc';
  const key = ctx.query.sort === 'updated' ? 'updatedAt' : 'createdAt';
  out = [...out].sort((a, b) => (a[key] === b[key] ? a.number - b.number : a[key] < b[key] ? -1 : 1));
  if (dir === 'desc') out.reverse();
  return out;
}

async function openPullFromHead(ctx: Ctx, head: string, except?: number): Promise<StoredIssue | undefined> {
  return ctx.state.pulls(ctx.repo.fullName).find((i) => i.state === 'open' && i.pull!.head === head && i.number !== except);
}

function parseHead(ctx: Ctx, head: string): string | undefined {
  // `owner:branch` (cross-repository form) or a bare branch of this repository.
  const m = /^([^:]+):(.+)$/.exec(head);
  if (!m) return head;
  return m[1]!.toLowerCase() === ctx.repo.owner.toLowerCase() ? m[2]! : undefined;
}

export const HANDLERS = {
  'repos/get': (ctx) => ({
    status: 200,
    body: R.fullRepository(ctx.repo, ctx.urls, ctx.state.issues.filter((i) => i.repo === ctx.repo.fullName && i.state === 'open').length),
  }),

  'repos/list-pull-requests-associated-with-commit': async (ctx) => {
    const p = ctx.repo.path;
    const named = ctx.params.commit_sha!;
    // A SHA (full or abbreviated) or, as the docs allow, a branch name.
    const sha = ((await git.commitExists(p, named)) ? await git.run(p, ['rev-parse', `${named}^{commit}`]) : undefined) ?? (await git.resolve(p, `refs/heads/${named}`));
    if (!sha) {
      if (!(await git.resolve(p, `refs/heads/${ctx.repo.defaultBranch}`))) return { status: 409, body: { message: 'Git Repository is empty.', documentation_url: DOCS } };
      return { status: 422, body: { message: `No commit found for SHA: ${named}`, documentation_url: DOCS } };
    }
    const defaultTip = await git.resolve(p, `refs/heads/${ctx.repo.defaultBranch}`);
    const onDefault = defaultTip !== undefined && (await git.isAncestor(p, sha, defaultTip));
    const associated: StoredIssue[] = [];
    for (const i of ctx.state.pulls(ctx.repo.fullName)) {
      const merged = i.pull!.mergedAt !== null;
      // "Lists the merged pull request that introduced the commit"; off the default branch, open ones too.
      if (!merged && (onDefault || i.state !== 'open')) continue;
      const { headSha, baseSha } = await refreshShas(ctx, i);
      const introduced = merged && i.pull!.mergeCommitSha === sha;
      // The PR's own commits, from the real history: reachable from its head, not from its base.
      const own = !introduced && (await git.isAncestor(p, sha, headSha)) && !(await git.isAncestor(p, sha, baseSha));
      if (introduced || own) associated.push(i);
    }
    associated.sort((a, b) => a.number - b.number);
    const { page, headers } = paginate(ctx, associated);
    const body = [];
    for (const i of page) body.push(await pullBody(ctx, i, false));
    return { status: 200, body, headers };
  },

  'checks/create': async (ctx) => {
    const b = ctx.body!;
    const headSha = String(b.head_sha);
    if (!(await git.commitExists(ctx.repo.path, headSha))) return invalid('CheckRun', 'head_sha', 'invalid', `No commit found for SHA: ${headSha}`);
    const c: StoredCheckRun = {
      id: ctx.state.nextId(),
      repo: ctx.repo.fullName,
      headSha: (await git.run(ctx.repo.path, ['rev-parse', `${headSha}^{commit}`])),
      name: String(b.name),
      status: 'queued',
      conclusion: null,
      startedAt: nowIso(),
      completedAt: null,
      externalId: null,
      detailsUrl: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      checkSuiteId: 1,
      createdBy: ctx.actor.login,
    };
    applyCheckRunFields(c, b);
    const problem = checkRunConclusionProblem(c);
    if (problem) return problem;
    ctx.state.checkRuns.push(c);
    return { status: 201, body: await checkRunBody(ctx, c) };
  },

  'checks/update': async (ctx) => {
    const c = ctx.state.checkRuns.find((x) => x.repo === ctx.repo.fullName && x.id === Number(ctx.params.check_run_id));
    if (!c) return notFound();
    const before = structuredClone(c);
    applyCheckRunFields(c, ctx.body ?? {});
    const problem = checkRunConclusionProblem(c);
    if (problem) {
      Object.assign(c, before);
      return problem;
    }
    return { status: 200, body: await checkRunBody(ctx, c) };
  },

  'checks/get': async (ctx) => {
    const c = ctx.state.checkRuns.find((x) => x.repo === ctx.repo.fullName && x.id === Number(ctx.params.check_run_id));
    return c ? { status: 200, body: await checkRunBody(ctx, c) } : notFound();
  },

  'checks/list-for-ref': async (ctx) => {
    const ref = ctx.params.ref!;
    const sha = (await git.resolve(ctx.repo.path, ref)) ?? (await git.resolve(ctx.repo.path, `refs/heads/${ref}`));
    if (!sha) return { status: 422, body: { message: `No commit found for SHA: ${ref}`, documentation_url: DOCS } };
    let runs = ctx.state.checkRuns.filter((c) => c.repo === ctx.repo.fullName && c.headSha === sha);
    if (ctx.query.check_name) runs = runs.filter((c) => c.name === ctx.query.check_name);
    if (ctx.query.status) runs = runs.filter((c) => c.status === ctx.query.status);
    if ((ctx.query.filter ?? 'latest') === 'latest') {
      const latest = new Map<string, StoredCheckRun>();
      for (const c of runs) if ((latest.get(c.name)?.id ?? -1) < c.id) latest.set(c.name, c);
      runs = [...latest.values()];
    }
    runs = [...runs].sort((a, b) => b.id - a.id);
    const { page, headers } = paginate(ctx, runs);
    const check_runs = [];
    for (const c of page) check_runs.push(await checkRunBody(ctx, c));
    return { status: 200, body: { total_count: runs.length, check_runs }, headers };
  },

  'checks/list-annotations': (ctx) => {
    const c = ctx.state.checkRuns.find((x) => x.repo === ctx.repo.fullName && x.id === Number(ctx.params.check_run_id));
    if (!c) return notFound();
    const { page, headers } = paginate(ctx, c.annotations);
    return { status: 200, body: page.map((a) => R.annotation(a, ctx.repo, ctx.urls, c.headSha)), headers };
  },

  'issues/list-comments': (ctx) => {
    const i = findIssue(ctx, Number(ctx.params.issue_number));
    if (!i) return notFound();
    let list = ctx.state.commentsOn(ctx.repo.fullName, i.number);
    if (ctx.query.since) list = list.filter((c) => c.updatedAt >= ctx.query.since!);
    const { page, headers } = paginate(ctx, list);
    return { status: 200, body: page.map((c) => R.comment(c, ctx.repo, ctx.urls)), headers };
  },

  'issues/create-comment': (ctx) => {
    const i = findIssue(ctx, Number(ctx.params.issue_number));
    if (!i) return notFound();
    const tooLong = commentTooLong(ctx.body!.body);
    if (tooLong) return tooLong;
    const now = nowIso();
    const c = { id: ctx.state.nextId(), repo: ctx.repo.fullName, issueNumber: i.number, body: String(ctx.body!.body), user: ctx.actor, createdAt: now, updatedAt: now };
    ctx.state.comments.push(c);
    i.updatedAt = now;
    return { status: 201, body: R.comment(c, ctx.repo, ctx.urls), headers: { location: `${ctx.urls.api}/repos/${ctx.repo.fullName}/issues/comments/${c.id}` } };
  },

  'issues/update-comment': (ctx) => {
    const c = ctx.state.comments.find((x) => x.repo === ctx.repo.fullName && x.id === Number(ctx.params.comment_id));
    if (!c) return { status: 422, body: { message: 'Validation Failed', documentation_url: DOCS, errors: [{ resource: 'IssueComment', code: 'missing', field: 'id' }] } };
    const tooLong = commentTooLong(ctx.body!.body);
    if (tooLong) return tooLong;
    c.body = String(ctx.body!.body);
    c.updatedAt = nowIso();
    return { status: 200, body: R.comment(c, ctx.repo, ctx.urls) };
  },

  'issues/get-comment': (ctx) => {
    const c = ctx.state.comments.find((x) => x.repo === ctx.repo.fullName && x.id === Number(ctx.params.comment_id));
    return c ? { status: 200, body: R.comment(c, ctx.repo, ctx.urls) } : notFound();
  },

  'issues/create': (ctx) => {
    const b = ctx.body!;
    const now = nowIso();
    const i: StoredIssue = {
      id: ctx.state.nextId(),
      repo: ctx.repo.fullName,
      number: ctx.state.nextNumber(ctx.repo.fullName),
      title: String(b.title),
      body: typeof b.body === 'string' ? b.body : null,
      state: 'open',
      labels: [...new Set(labelNames(b.labels) ?? [])],
      user: ctx.actor,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    const tooLong = typeof i.body === 'string' && i.body.length > MAX_COMMENT_BODY ? invalid('Issue', 'body', 'custom', `body is too long (maximum is ${MAX_COMMENT_BODY} characters)`) : undefined;
    if (tooLong) return tooLong;
    ctx.state.issues.push(i);
    return { status: 201, body: R.issue(i, ctx.repo, ctx.urls, labelsOfIssue(ctx, i), 0), headers: { location: `${ctx.urls.api}/repos/${ctx.repo.fullName}/issues/${i.number}` } };
  },

  'issues/get': (ctx) => {
    const i = findIssue(ctx, Number(ctx.params.issue_number));
    return i ? { status: 200, body: R.issue(i, ctx.repo, ctx.urls, labelsOfIssue(ctx, i), commentCount(ctx, i)) } : notFound();
  },

  'issues/list-for-repo': (ctx) => {
    // GitHub's issues list includes pull requests (they carry `pull_request`).
    let items = ctx.state.issues.filter((i) => i.repo === ctx.repo.fullName);
    if (ctx.query.labels) {
      const want = ctx.query.labels.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      items = items.filter((i) => want.every((w) => i.labels.some((l) => l.toLowerCase() === w)));
    }
    if (ctx.query.creator) items = items.filter((i) => i.user.login === ctx.query.creator);
    if (ctx.query.since) items = items.filter((i) => i.updatedAt >= ctx.query.since!);
    const { page, headers } = paginate(ctx, sortAndFilterIssues(ctx, items));
    return { status: 200, body: page.map((i) => R.issue(i, ctx.repo, ctx.urls, labelsOfIssue(ctx, i), commentCount(ctx, i))), headers };
  },

  'issues/update': async (ctx) => {
    const i = findIssue(ctx, Number(ctx.params.issue_number));
    if (!i) return notFound();
    const b = ctx.body ?? {};
    if (typeof b.title === 'string') i.title = b.title;
    if (b.body === null || typeof b.body === 'string') i.body = b.body as string | null;
    const names = labelNames(b.labels);
    if (names) i.labels = [...new Set(names)];
    if (b.state === 'open' || b.state === 'closed') setState(i, b.state);
    i.updatedAt = nowIso();
    return { status: 200, body: R.issue(i, ctx.repo, ctx.urls, labelsOfIssue(ctx, i), commentCount(ctx, i)) };
  },

  'issues/add-labels': (ctx) => {
    const i = findIssue(ctx, Number(ctx.params.issue_number));
    if (!i) return notFound();
    const names = labelNames(ctx.body) ?? [];
    for (const n of names) if (!i.labels.some((l) => l.toLowerCase() === n.toLowerCase())) i.labels.push(n);
    i.updatedAt = nowIso();
    return { status: 200, body: labelsOfIssue(ctx, i).map((l) => R.label(l, ctx.repo, ctx.urls)) };
  },

  'pulls/list': async (ctx) => {
    let items = ctx.state.pulls(ctx.repo.fullName);
    if (ctx.query.head) {
      const head = parseHead(ctx, ctx.query.head);
      items = head === undefined ? [] : items.filter((i) => i.pull!.head === head);
    }
    if (ctx.query.base) items = items.filter((i) => i.pull!.base === ctx.query.base);
    const { page, headers } = paginate(ctx, sortAndFilterIssues(ctx, items));
    const body = [];
    for (const i of page) body.push(await pullBody(ctx, i, false));
    return { status: 200, body, headers };
  },

  'pulls/create': async (ctx) => {
    const b = ctx.body!;
    const head = parseHead(ctx, String(b.head));
    const base = String(b.base);
    if (head === undefined) return invalid('PullRequest', 'head', 'invalid');
    const headSha = await git.resolve(ctx.repo.path, `refs/heads/${head}`);
    if (!headSha) return invalid('PullRequest', 'head', 'invalid');
    const baseSha = await git.resolve(ctx.repo.path, `refs/heads/${base}`);
    if (!baseSha) return invalid('PullRequest', 'base', 'invalid');
    const existing = await openPullFromHead(ctx, head);
    if (existing) return invalid('PullRequest', 'head', 'custom', `A pull request already exists for ${ctx.repo.owner}:${head}.`);
    if (await git.isAncestor(ctx.repo.path, headSha, baseSha)) return invalid('PullRequest', 'head', 'custom', `No commits between ${base} and ${head}`);
    const bodyText = typeof b.body === 'string' ? b.body : null;
    if (bodyText && bodyText.length > MAX_COMMENT_BODY) return invalid('PullRequest', 'body', 'custom', `body is too long (maximum is ${MAX_COMMENT_BODY} characters)`);
    const now = nowIso();
    const i: StoredIssue = {
      id: ctx.state.nextId(),
      repo: ctx.repo.fullName,
      number: ctx.state.nextNumber(ctx.repo.fullName),
      title: String(b.title ?? head),
      body: bodyText,
      state: 'open',
      labels: [],
      user: ctx.actor,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      pull: { head, base, headSha, baseSha, draft: b.draft === true, maintainerCanModify: b.maintainer_can_modify !== false, mergedAt: null, mergeCommitSha: null, mergedBy: null },
    };
    ctx.state.issues.push(i);
    return { status: 201, body: await pullBody(ctx, i, true), headers: { location: `${ctx.urls.api}/repos/${ctx.repo.fullName}/pulls/${i.number}` } };
  },

  'pulls/get': async (ctx) => {
    const i = findIssue(ctx, Number(ctx.params.pull_number));
    return i?.pull ? { status: 200, body: await pullBody(ctx, i, true) } : notFound();
  },

  'pulls/update': async (ctx) => {
    const i = findIssue(ctx, Number(ctx.params.pull_number));
    if (!i?.pull) return notFound();
    const b = ctx.body ?? {};
    if (typeof b.base === 'string') {
      if (!(await git.resolve(ctx.repo.path, `refs/heads/${b.base}`))) return invalid('PullRequest', 'base', 'invalid');
    }
    if (b.state === 'open' && i.state === 'closed') {
      if (i.pull.mergedAt) return invalid('PullRequest', 'state', 'custom', 'Cannot reopen a merged pull request');
      if (await openPullFromHead(ctx, i.pull.head, i.number)) return invalid('PullRequest', 'state', 'custom', `A pull request already exists for ${ctx.repo.owner}:${i.pull.head}.`);
    }
    if (typeof b.body === 'string' && b.body.length > MAX_COMMENT_BODY) return invalid('PullRequest', 'body', 'custom', `body is too long (maximum is ${MAX_COMMENT_BODY} characters)`);
    await refreshShas(ctx, i);
    if (typeof b.title === 'string') i.title = b.title;
    if (typeof b.body === 'string') i.body = b.body;
    if (typeof b.base === 'string') i.pull.base = b.base;
    if (typeof b.maintainer_can_modify === 'boolean') i.pull.maintainerCanModify = b.maintainer_can_modify;
    if (b.state === 'open' || b.state === 'closed') setState(i, b.state);
    i.updatedAt = nowIso();
    return { status: 200, body: await pullBody(ctx, i, true) };
  },

  'pulls/merge': async (ctx) => {
    const i = findIssue(ctx, Number(ctx.params.pull_number));
    if (!i?.pull) return notFound();
    if (i.state !== 'open') return { status: 405, body: { message: 'Pull Request is not mergeable', documentation_url: DOCS } };
    const b = ctx.body ?? {};
    const { headSha, baseSha } = await refreshShas(ctx, i);
    if (typeof b.sha === 'string' && b.sha !== headSha) return { status: 409, body: { message: 'Head branch was modified. Review and try the merge again.', documentation_url: DOCS } };
    const method = (b.merge_method as string | undefined) ?? 'merge';
    if (method === 'rebase') return { status: 405, body: { message: 'Rebase merges are not served by the stand-in', documentation_url: DOCS } };
    const p = ctx.repo.path;
    let tree: string;
    try {
      // merge-tree --write-tree merges without a worktree (git ≥ 2.38): fine for a bare repo.
      tree = (await git.run(p, ['merge-tree', '--write-tree', baseSha, headSha])).split('\n')[0]!;
    } catch {
      return { status: 405, body: { message: 'Pull Request is not mergeable', documentation_url: DOCS } };
    }
    const title = typeof b.commit_title === 'string' ? b.commit_title : method === 'squash' ? `${i.title} (#${i.number})` : `Merge pull request #${i.number} from ${ctx.repo.owner}/${i.pull.head}`;
    const message = typeof b.commit_message === 'string' ? `${title}\n\n${b.commit_message}` : title;
    const parents = method === 'squash' ? ['-p', baseSha] : ['-p', baseSha, '-p', headSha];
    const who = { GIT_AUTHOR_NAME: ctx.actor.login, GIT_AUTHOR_EMAIL: `${ctx.actor.id}+${ctx.actor.login}@users.noreply.github.com`, GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' };
    const sha = await git.run(p, ['commit-tree', tree, ...parents, '-m', message], who);
    // Compare-and-swap on the base ref: a concurrent push makes this fail rather than lose it.
    try {
      await git.run(p, ['update-ref', `refs/heads/${i.pull.base}`, sha, baseSha]);
    } catch {
      return { status: 409, body: { message: 'Base branch was modified. Review and try the merge again.', documentation_url: DOCS } };
    }
    const now = nowIso();
    i.pull.mergedAt = now;
    i.pull.mergeCommitSha = sha;
    i.pull.mergedBy = ctx.actor;
    i.pull.baseSha = baseSha;
    i.pull.headSha = headSha;
    i.state = 'closed';
    i.closedAt = now;
    i.updatedAt = now;
    return { status: 200, body: { sha, merged: true, message: 'Pull Request successfully merged' } };
  },

  'git/get-ref': async (ctx) => {
    const ref = ctx.params.ref!;
    const sha = await git.resolve(ctx.repo.path, `refs/${ref}`);
    return sha ? { status: 200, body: R.gitRef(ctx.repo, ctx.urls, `refs/${ref}`, sha) } : notFound();
  },

  'git/create-ref': async (ctx) => {
    const ref = String(ctx.body!.ref);
    const sha = String(ctx.body!.sha);
    if (!/^refs\/[^/]+\/.+/.test(ref)) return { status: 422, body: { message: "Reference name must start with 'refs/' and have at least two slashes.", documentation_url: DOCS } };
    if (await git.resolve(ctx.repo.path, ref)) return { status: 422, body: { message: 'Reference already exists', documentation_url: DOCS } };
    if (!(await git.commitExists(ctx.repo.path, sha))) return { status: 422, body: { message: 'Object does not exist', documentation_url: DOCS } };
    await git.run(ctx.repo.path, ['update-ref', ref, sha, '']);
    return { status: 201, body: R.gitRef(ctx.repo, ctx.urls, ref, sha), headers: { location: `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/${ref}` } };
  },

  'git/update-ref': async (ctx) => {
    const ref = `refs/${ctx.params.ref!}`;
    const sha = String(ctx.body!.sha);
    const current = await git.resolve(ctx.repo.path, ref);
    if (!current) return { status: 422, body: { message: 'Reference does not exist', documentation_url: DOCS } };
    if (!(await git.commitExists(ctx.repo.path, sha))) return { status: 422, body: { message: 'Object does not exist', documentation_url: DOCS } };
    if (ctx.body!.force !== true && !(await git.isAncestor(ctx.repo.path, current, sha))) {
      return { status: 422, body: { message: 'Update is not a fast forward', documentation_url: DOCS } };
    }
    await git.run(ctx.repo.path, ['update-ref', ref, sha, current]);
    return { status: 200, body: R.gitRef(ctx.repo, ctx.urls, ref, sha) };
  },
} satisfies Record<OperationId, Handler>;

function setState(i: StoredIssue, state: 'open' | 'closed') {
  if (i.state === state) return;
  i.state = state;
  i.closedAt = state === 'closed' ? nowIso() : null;
}
