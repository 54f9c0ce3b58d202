/** readGitHubConfig: the one place the GitHub Actions environment and event payload are read. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TUNING, isGitHubEnvironment, readGitHubConfig } from '../../runner/github/config.ts';

const PR_PAYLOAD = {
  action: 'synchronize',
  number: 7,
  pull_request: {
    number: 7,
    user: { login: 'alice' },
    base: { sha: 'b'.repeat(40), ref: 'main', repo: { full_name: 'acme/infra' } },
    head: { sha: 'h'.repeat(40), ref: 'feature', repo: { full_name: 'acme/infra' } },
  },
};
const files = (map: Record<string, unknown>) => (p: string) => {
  if (!(p in map)) throw new Error(`ENOENT: no such file, open '${p}'`);
  const v = map[p];
  return typeof v === 'string' ? v : JSON.stringify(v);
};
const ENV = { GITHUB_REPOSITORY: 'acme/infra', GITHUB_ACTIONS: 'true', GITHUB_TOKEN: 't0ken', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: '/e.json' };

describe('readGitHubConfig', () => {
  it('reads token, repository, API URL and the pull_request payload (number, base, head)', () => {
    const r = readGitHubConfig({ ...ENV, GITHUB_STEP_SUMMARY: '/s.md', GITHUB_RUN_ID: '99' }, files({ '/e.json': PR_PAYLOAD }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      apiUrl: 'https://api.github.com',
      token: 't0ken',
      repository: { owner: 'acme', repo: 'infra' },
      stepSummaryPath: '/s.md',
      runUrl: 'https://github.com/acme/infra/actions/runs/99',
      tuning: DEFAULT_TUNING,
      event: { kind: 'pull_request', number: 7, baseSha: 'b'.repeat(40), headSha: 'h'.repeat(40), baseRef: 'main', headRef: 'feature', isFork: false, author: 'alice' },
    });
  });

  it('takes the API base URL from GITHUB_API_URL (GitHub Enterprise Server) without a trailing slash', () => {
    const r = readGitHubConfig({ ...ENV, GITHUB_API_URL: 'https://ghe.example.com/api/v3/', GITHUB_SERVER_URL: 'https://ghe.example.com' }, files({ '/e.json': PR_PAYLOAD }));
    expect(r.ok && r.value.apiUrl).toBe('https://ghe.example.com/api/v3');
  });

  it('marks fork PRs (head repository differs, or was deleted)', () => {
    const fork = structuredClone(PR_PAYLOAD);
    fork.pull_request.head.repo = { full_name: 'mallory/infra' };
    const r = readGitHubConfig(ENV, files({ '/e.json': fork }));
    expect(r.ok && r.value.event.kind === 'pull_request' && r.value.event.isFork).toBe(true);
    const gone = structuredClone(PR_PAYLOAD) as unknown as { pull_request: { head: { repo: null } } };
    gone.pull_request.head.repo = null;
    const g = readGitHubConfig(ENV, files({ '/e.json': gone }));
    expect(g.ok && g.value.event.kind === 'pull_request' && g.value.event.isFork).toBe(true);
  });

  it('reads push events (ref, before, after)', () => {
    const r = readGitHubConfig({ ...ENV, GITHUB_EVENT_NAME: 'push' }, files({ '/e.json': { ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'c'.repeat(40), pusher: { name: 'bob' } } }));
    expect(r.ok && r.value.event).toEqual({ kind: 'push', name: 'push', ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'c'.repeat(40), pusher: 'bob' });
  });

  it('has no token when none is set (publish then falls back), and GH_TOKEN works too', () => {
    const none = readGitHubConfig({ ...ENV, GITHUB_TOKEN: undefined }, files({ '/e.json': PR_PAYLOAD }));
    expect(none.ok && none.value.token).toBeUndefined();
    const gh = readGitHubConfig({ ...ENV, GITHUB_TOKEN: '', GH_TOKEN: 'other' }, files({ '/e.json': PR_PAYLOAD }));
    expect(gh.ok && gh.value.token).toBe('other');
  });

  it('reads the client tuning (retries, delay base, pacing)', () => {
    const r = readGitHubConfig({ ...ENV, GITOPS_GITHUB_RETRIES: '5', GITOPS_GITHUB_RETRY_BASE_MS: '1', GITOPS_GITHUB_PACING: 'off' }, files({ '/e.json': PR_PAYLOAD }));
    expect(r.ok && r.value.tuning).toEqual({ retries: 5, retryBaseMs: 1, pacing: false });
  });

  it('reports every problem as a diagnostic with a stable code, naming the payload file', () => {
    const r = readGitHubConfig(
      { GITHUB_REPOSITORY: 'not a repo', GITHUB_API_URL: 'ftp://x', GITOPS_GITHUB_RETRIES: '-1', GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: '/e.json' },
      files({ '/e.json': '{"pull_request": ' }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((d) => d.code)).toEqual(['github_env_invalid', 'github_env_invalid', 'github_env_invalid', 'github_event_unreadable']);
    expect(r.diagnostics[3]!.file).toBe('/e.json');
    const missing = readGitHubConfig({ GITHUB_EVENT_PATH: '/none.json' }, files({}));
    expect(!missing.ok && missing.diagnostics.map((d) => d.code)).toEqual(['github_env_missing', 'github_event_unreadable']);
    const partial = readGitHubConfig(ENV, files({ '/e.json': { pull_request: { number: 3, base: {}, head: { sha: 'x' } } } }));
    expect(!partial.ok && partial.diagnostics[0]!.message).toBe('the pull_request payload lacks pull_request.base.sha');
  });

  it('isGitHubEnvironment: GITHUB_REPOSITORY plus GITHUB_ACTIONS=true or GITHUB_API_URL', () => {
    expect(isGitHubEnvironment({})).toBe(false);
    expect(isGitHubEnvironment({ GITHUB_REPOSITORY: 'a/b' })).toBe(false);
    expect(isGitHubEnvironment({ GITHUB_REPOSITORY: 'a/b', GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(isGitHubEnvironment({ GITHUB_REPOSITORY: 'a/b', GITHUB_API_URL: 'http://127.0.0.1:1' })).toBe(true);
  });
});
