/**
 * The GitHub Actions edge: every environment variable and the event payload
 * are read HERE, once, into a typed `GitHubConfig` (pulumi/actions'
 * `src/config.ts`). Nothing else in the runner reads `process.env`; commands
 * receive the environment through `CommandIO.env` and pass it to
 * `readGitHubConfig`.
 */
import { readFileSync } from 'node:fs';
import { diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface RepoRef {
  owner: string;
  repo: string;
}

/** What the run is about, from `GITHUB_EVENT_NAME` + the payload at `GITHUB_EVENT_PATH`. */
export type GitHubEvent =
  | {
      kind: 'pull_request';
      /** pull_request, pull_request_target, … (the raw event name). */
      name: string;
      number: number;
      baseSha: string;
      headSha: string;
      baseRef: string;
      headRef: string;
      /** `owner/repo` the head branch lives in; differs from the base repository for fork PRs. */
      headRepository: string;
      isFork: boolean;
      author: string;
    }
  | { kind: 'push'; name: string; ref: string; before: string; after: string; pusher: string }
  | { kind: 'other'; name: string };

/**
 * Client tuning. Production uses the plugins' defaults (GitHub asks for at
 * least a second between writes); tests shrink the delays so a run with
 * injected faults stays fast without any timing assertion.
 */
export interface ClientTuning {
  /** Retries per request for 5xx / network errors (plugin-retry) and rate limits (plugin-throttling). */
  retries: number;
  /** Multiplier for retry delays, in ms per "second" the plugins compute (1000 in production). */
  retryBaseMs: number;
  /** Pace writes (1 s) and notification-triggering writes (3 s) as GitHub recommends. */
  pacing: boolean;
}

export const DEFAULT_TUNING: ClientTuning = { retries: 3, retryBaseMs: 1000, pacing: true };

export interface GitHubConfig {
  /** REST base URL: `GITHUB_API_URL` (GitHub Enterprise Server sets it to https://host/api/v3). */
  apiUrl: string;
  /** Web base URL (`GITHUB_SERVER_URL`), for links. */
  serverUrl: string;
  /** `GITHUB_TOKEN` (or `GH_TOKEN`); absent → publish falls back to annotations + job summary. */
  token: string | undefined;
  repository: RepoRef;
  event: GitHubEvent;
  /** Commit the workflow runs on (`GITHUB_SHA`). */
  sha: string | undefined;
  /** `GITHUB_STEP_SUMMARY`: the file the job summary is appended to. */
  stepSummaryPath: string | undefined;
  actor: string | undefined;
  /** Link to the workflow run, when the run id is known. */
  runUrl: string | undefined;
  tuning: ClientTuning;
}

/** True when the environment looks like a GitHub Actions job (or a test that pretends to be one). */
export function isGitHubEnvironment(env: Env): boolean {
  return Boolean(env.GITHUB_REPOSITORY) && (env.GITHUB_ACTIONS === 'true' || Boolean(env.GITHUB_API_URL));
}

type ReadFile = (path: string) => string;

/**
 * Read the GitHub configuration. Problems are diagnostics with stable codes
 * (`github_env_missing`, `github_env_invalid`, `github_event_unreadable`,
 * `github_event_invalid`), never exceptions.
 */
export function readGitHubConfig(env: Env, readFile: ReadFile = (p) => readFileSync(p, 'utf8')): Result<GitHubConfig> {
  const problems: Diagnostic[] = [];
  const repository = parseRepository(env.GITHUB_REPOSITORY, problems);
  const apiUrl = parseUrl('GITHUB_API_URL', env.GITHUB_API_URL ?? 'https://api.github.com', problems);
  const serverUrl = parseUrl('GITHUB_SERVER_URL', env.GITHUB_SERVER_URL ?? 'https://github.com', problems);
  const tuning = parseTuning(env, problems);
  const event = readEvent(env, readFile, problems);
  if (problems.length > 0 || !repository || !apiUrl || !serverUrl || !event) return fail(problems);
  const token = nonEmpty(env.GITHUB_TOKEN) ?? nonEmpty(env.GH_TOKEN);
  const runUrl = env.GITHUB_RUN_ID ? `${serverUrl}/${repository.owner}/${repository.repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  return ok({
    apiUrl,
    serverUrl,
    token,
    repository,
    event,
    sha: nonEmpty(env.GITHUB_SHA),
    stepSummaryPath: nonEmpty(env.GITHUB_STEP_SUMMARY),
    actor: nonEmpty(env.GITHUB_ACTOR),
    runUrl,
    tuning,
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v : undefined;
}

function parseRepository(value: string | undefined, problems: Diagnostic[]): RepoRef | undefined {
  if (!value) {
    problems.push(diag('github_env_missing', 'GITHUB_REPOSITORY is not set (expected owner/repo, as GitHub Actions sets it)'));
    return undefined;
  }
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value);
  if (!m) {
    problems.push(diag('github_env_invalid', `GITHUB_REPOSITORY must be owner/repo, got '${value}'`));
    return undefined;
  }
  return { owner: m[1]!, repo: m[2]! };
}

function parseUrl(name: string, value: string, problems: Diagnostic[]): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
    // Octokit appends paths to baseUrl; a trailing slash would double it.
    return value.replace(/\/+$/, '');
  } catch {
    problems.push(diag('github_env_invalid', `${name} must be an http(s) URL, got '${value}'`));
    return undefined;
  }
}

function parseTuning(env: Env, problems: Diagnostic[]): ClientTuning {
  const t = { ...DEFAULT_TUNING };
  const int = (name: string, min: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      problems.push(diag('github_env_invalid', `${name} must be an integer ≥ ${min}, got '${raw}'`));
      return undefined;
    }
    return n;
  };
  t.retries = int('GITOPS_GITHUB_RETRIES', 0) ?? t.retries;
  t.retryBaseMs = int('GITOPS_GITHUB_RETRY_BASE_MS', 0) ?? t.retryBaseMs;
  const pacing = env.GITOPS_GITHUB_PACING;
  if (pacing !== undefined && pacing !== '') {
    if (pacing === 'on' || pacing === 'off') t.pacing = pacing === 'on';
    else problems.push(diag('github_env_invalid', `GITOPS_GITHUB_PACING must be on or off, got '${pacing}'`));
  }
  return t;
}

interface PayloadShape {
  number?: unknown;
  pull_request?: {
    number?: unknown;
    user?: { login?: unknown };
    base?: { sha?: unknown; ref?: unknown; repo?: { full_name?: unknown } };
    head?: { sha?: unknown; ref?: unknown; repo?: { full_name?: unknown } | null };
  };
  ref?: unknown;
  before?: unknown;
  after?: unknown;
  pusher?: { name?: unknown };
  sender?: { login?: unknown };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function readEvent(env: Env, readFile: ReadFile, problems: Diagnostic[]): GitHubEvent | undefined {
  const name = env.GITHUB_EVENT_NAME ?? '';
  const path = nonEmpty(env.GITHUB_EVENT_PATH);
  if (!path) return { kind: 'other', name };
  let payload: PayloadShape;
  try {
    payload = JSON.parse(readFile(path)) as PayloadShape;
  } catch (err) {
    const why = err instanceof SyntaxError ? `not valid JSON: ${err.message}` : (err as Error).message;
    problems.push(diag('github_event_unreadable', `cannot read the event payload (GITHUB_EVENT_PATH): ${why}`, { file: path }));
    return undefined;
  }
  if (payload === null || typeof payload !== 'object') {
    problems.push(diag('github_event_invalid', 'the event payload is not a JSON object', { file: path }));
    return undefined;
  }
  const pr = payload.pull_request;
  if (pr && typeof pr === 'object') {
    const number = typeof pr.number === 'number' ? pr.number : typeof payload.number === 'number' ? payload.number : undefined;
    const baseSha = str(pr.base?.sha);
    const headSha = str(pr.head?.sha);
    const missing = [
      number === undefined ? 'pull_request.number' : '',
      baseSha ? '' : 'pull_request.base.sha',
      headSha ? '' : 'pull_request.head.sha',
    ].filter(Boolean);
    if (missing.length > 0 || number === undefined || !baseSha || !headSha) {
      problems.push(diag('github_event_invalid', `the ${name || 'pull_request'} payload lacks ${missing.join(', ')}`, { file: path }));
      return undefined;
    }
    const baseRepo = str(pr.base?.repo?.full_name) ?? '';
    // A deleted fork has head.repo null: treat it as a fork (never trust it).
    const headRepo = str(pr.head?.repo?.full_name) ?? '';
    return {
      kind: 'pull_request',
      name: name || 'pull_request',
      number,
      baseSha,
      headSha,
      baseRef: str(pr.base?.ref) ?? '',
      headRef: str(pr.head?.ref) ?? '',
      headRepository: headRepo,
      isFork: headRepo === '' || headRepo.toLowerCase() !== baseRepo.toLowerCase(),
      author: str(pr.user?.login) ?? '',
    };
  }
  if (name === 'push') {
    const ref = str(payload.ref);
    const after = str(payload.after);
    if (!ref || !after) {
      problems.push(diag('github_event_invalid', 'the push payload lacks ref or after', { file: path }));
      return undefined;
    }
    return { kind: 'push', name, ref, before: str(payload.before) ?? '', after, pusher: str(payload.pusher?.name) ?? str(payload.sender?.login) ?? '' };
  }
  return { kind: 'other', name };
}
