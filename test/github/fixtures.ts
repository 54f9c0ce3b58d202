/**
 * Hand-built CheckReports (the check stage is tested on its own; the GitHub
 * edge is a pure consumer of this type) and a GitHub Actions environment
 * pointing at the stand-in, driven by a real `pull_request` event payload.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CheckReport, IntentReport, PolicyResult } from '../../runner/model/report.ts';
import { createOctokit, type GitHubClient } from '../../runner/github/client.ts';
import { startStandIn, seedRepository, type StandIn, type StandInOptions } from '../support/github-standin/index.ts';

export const INTENT_FILE = 'intents/DEPLOY-WEB-001.yaml';
export const INTENT_YAML = [
  'apiVersion: gitops/v1',
  'kind: deployment',
  'metadata:',
  '  id: DEPLOY-WEB-001',
  '  description: web tier',
  'spec:',
  '  authentication: none',
  '  encryption: false',
  '  budget: 100',
  '',
].join('\n');

/** A finding on `line` of the intent file. */
export function finding(n: number, line: number, status: PolicyResult['status'] = 'failed'): PolicyResult {
  return {
    policy: `POL-${String(n).padStart(3, '0')}`,
    title: `Policy ${n}`,
    status,
    severity: status === 'warned' ? 'warn' : 'deny',
    message: `finding ${n} on line ${line}`,
    file: INTENT_FILE,
    line,
  };
}

export function intent(results: PolicyResult[], over: Partial<IntentReport> = {}): IntentReport {
  const failed = results.some((r) => r.status === 'failed');
  return {
    id: 'DEPLOY-WEB-001',
    file: INTENT_FILE,
    type: 'deployment',
    description: 'web tier',
    change: 'modified',
    decision: failed ? 'deny' : 'allow',
    results,
    actions: [{ action: 'create_load_balancer', config: { scheme: 'internet-facing' } }],
    diagnostics: [],
    ...over,
  };
}

export function report(intents: IntentReport[], over: Partial<CheckReport> = {}): CheckReport {
  return {
    version: 1,
    trace_id: 'trace-check-test',
    intents,
    deleted: [],
    policy_changes: { files: [], needs_review: false },
    diagnostics: [],
    summary: {
      intents: intents.length,
      allowed: intents.filter((i) => i.decision === 'allow').length,
      denied: intents.filter((i) => i.decision === 'deny').length,
      invalid: intents.filter((i) => i.decision === 'invalid').length,
      warnings: intents.flatMap((i) => i.results).filter((r) => r.status === 'warned').length,
    },
    ...over,
  };
}

export const OWNER = 'acme';
export const REPO = 'infra';

export interface PullRequestWorld {
  gh: StandIn;
  octokit: GitHubClient;
  number: number;
  baseSha: string;
  headSha: string;
  /** Working directory of the CLI: agents/agents.yaml and the report. */
  cwd: string;
  eventPath: string;
  summaryPath: string;
  env(over?: Record<string, string | undefined>): Record<string, string | undefined>;
  writeReport(r: CheckReport, name?: string): string;
}

/**
 * A stand-in with a real repository (base on main, head on a branch), a PR
 * opened through the API, and the `pull_request` event payload GitHub would
 * write to GITHUB_EVENT_PATH (built from the stand-in's own PR and repository
 * objects, which are validated against the OpenAPI description).
 */
export async function pullRequestWorld(opts: Partial<StandInOptions> = {}): Promise<PullRequestWorld> {
  const gh = await startStandIn({ repos: [{ owner: OWNER, name: REPO }], ...opts });
  const seeded = await seedRepository(gh.state.repo(`${OWNER}/${REPO}`).path);
  const baseSha = await seeded.commit('main', { [INTENT_FILE]: INTENT_YAML.replace('budget: 100', 'budget: 50') });
  const headSha = await seeded.commit('change-web', { [INTENT_FILE]: INTENT_YAML });
  const octokit = createOctokit({ apiUrl: gh.url, token: 'setup-token', tuning: { retryBaseMs: 1, pacing: false } });
  const pr = await octokit.rest.pulls.create({ owner: OWNER, repo: REPO, head: 'change-web', base: 'main', title: 'Change the web tier', body: 'budget 50 → 100' });
  const repo = await octokit.rest.repos.get({ owner: OWNER, repo: REPO });
  const cwd = mkdtempSync(join(tmpdir(), 'gitops-publish-'));
  mkdirSync(join(cwd, 'agents'));
  copyFileSync(resolve(import.meta.dirname, '../../agents/agents.yaml'), join(cwd, 'agents/agents.yaml'));
  const eventPath = join(cwd, 'event.json');
  writeFileSync(
    eventPath,
    JSON.stringify({ action: 'opened', number: pr.data.number, pull_request: pr.data, repository: repo.data, sender: pr.data.user }, null, 2),
  );
  const summaryPath = join(cwd, 'step-summary.md');
  return {
    gh,
    octokit,
    number: pr.data.number,
    baseSha,
    headSha,
    cwd,
    eventPath,
    summaryPath,
    env: (over = {}) => ({
      PATH: process.env.PATH,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_TOKEN: 'ghs_actions_token',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: headSha,
      GITHUB_RUN_ID: '4242',
      GITHUB_ACTOR: 'octocat',
      GITHUB_STEP_SUMMARY: summaryPath,
      // Fast retries and no write pacing against the local stand-in (no timing asserts anywhere).
      GITOPS_GITHUB_RETRY_BASE_MS: '1',
      GITOPS_GITHUB_PACING: 'off',
      ...over,
    }),
    writeReport(r, name = 'report.json') {
      // A report of this pull request's commits (what `gitops check --base <base> --head <head>` records); publish refuses any other.
      writeFileSync(join(cwd, name), JSON.stringify({ commits: { base: baseSha, head: headSha }, ...r }, null, 2));
      return name;
    },
  };
}
