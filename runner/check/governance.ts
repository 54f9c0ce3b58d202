/**
 * The repository-wide half of the check: the governed files themselves,
 * judged on every run whether or not an intent changed. Without it a pull
 * request that changes agents/, the IAM table or contracts/ and deletes (or
 * never touches) every intent would get "No intent changes to check", exit 0.
 *
 *   - the agent registry and IAM table at head, by the agent policies of the
 *     base (runner/agents/stage.ts `agentsOfRun`: AGENT-* incl. IAM escalation);
 *   - the contract set at head against the base (runner/contracts/stage.ts
 *     `contractsOfRun`), plus: a contract removed while an intent at the base
 *     requires it is denied even when the PR deletes those intents and the
 *     requirements with it (CONTRACT-REMOVED-001);
 *   - the audit log: only the runner writes audit-log/, so a pull request that
 *     adds, edits, renames or deletes anything there is denied
 *     (AUDIT-LOG-001, code `audit_log_modified`);
 *   - the files that decide how everything is judged (the workflows, the
 *     runner's code and dependencies, policies, agents, contracts) are listed
 *     for owner review (CODEOWNERS; docs/github.md).
 *
 * The results land in `report.governance` (every format renders them) and a
 * failed one denies the PR (`exitCode`).
 */
import type { GovernanceReport, PolicyResult } from '../model/report.ts';
import type { CheckEnv } from '../model/stage.ts';
import type { FileChange } from '../git/repo.ts';
import { agentsOfRun } from '../agents/stage.ts';
import { contractsOfRun } from '../contracts/stage.ts';
import { CONTRACT_RULES } from '../contracts/changes.ts';
import { loadIntent } from '../intent/load.ts';
import { INTENTS_DIR, isIntentPath } from '../intent/paths.ts';

/** Where only the runner writes (docs/audit.md). */
export const AUDIT_LOG_DIR = 'audit-log';

/**
 * Paths whose change alters how every later pull request is judged: they need
 * review by their owners (the repository's .github/CODEOWNERS covers exactly
 * these; test/check/governance.test.ts holds them together). The judge is
 * more than runner/: the action every check runs (action.yml and its
 * committed bundle under dist/), the build that makes that bundle (scripts/,
 * tsconfig.json), what npm installs and from where (package.json, the lock,
 * .npmrc), and who reviews (CODEOWNERS, which GitHub also reads at the root
 * and under docs/).
 */
export const GOVERNED_PATHS: readonly string[] = [
  '.github/',
  'CODEOWNERS',
  'docs/CODEOWNERS',
  'action.yml',
  'dist/',
  'runner/',
  'scripts/',
  'tsconfig.json',
  'package.json',
  'package-lock.json',
  '.npmrc',
  'policies/',
  'agents/',
  'contracts/',
];

export function isGoverned(path: string): boolean {
  return GOVERNED_PATHS.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));
}

/** Governed files a change touches, a rename as `old → new`, sorted. */
export function governedFiles(changes: readonly FileChange[]): string[] {
  const out = new Set<string>();
  for (const c of changes) {
    if (!isGoverned(c.path) && !(c.from && isGoverned(c.from))) continue;
    out.add(c.from && c.from !== c.path ? `${c.from} → ${c.path}` : c.path);
  }
  return [...out].sort();
}

const AUDIT_ID = 'AUDIT-LOG-001';
const AUDIT_TITLE = 'Only the runner writes the audit log';

/** AUDIT-LOG-001: one failure per audit-log/ file the pull request touches. */
export function auditLogResults(changes: readonly FileChange[]): PolicyResult[] {
  const inLog = (p?: string) => !!p && p.startsWith(AUDIT_LOG_DIR + '/');
  const touched = changes.filter((c) => inLog(c.path) || inLog(c.from));
  if (!touched.length) return [{ policy: AUDIT_ID, title: AUDIT_TITLE, status: 'passed', severity: 'deny', message: 'The pull request does not touch audit-log/', file: AUDIT_LOG_DIR, line: 1 }];
  return touched.map((c) => {
    const what = c.status === 'renamed' && c.from ? `renamed from ${c.from}` : c.status;
    return {
      policy: AUDIT_ID,
      title: AUDIT_TITLE,
      status: 'failed' as const,
      severity: 'deny' as const,
      message: `audit_log_modified: ${c.path} is ${what} by the pull request; only the runner writes ${AUDIT_LOG_DIR}/ (its records are committed by the check and apply workflows): drop this change`,
      file: inLog(c.path) ? c.path : c.from!,
      line: 1,
    };
  });
}

/** Intent types at a tree (intents that do not load are left out: they required nothing anyone could rely on). */
async function intentTypes(env: CheckEnv, side: 'base'): Promise<Map<string, string[]>> {
  const tree = env.trees?.[side];
  const byType = new Map<string, string[]>();
  if (!tree) return byType;
  const files = (await tree.list([INTENTS_DIR])).filter(isIntentPath);
  const blobs = await tree.read(files);
  for (const f of files) {
    const r = loadIntent(f, blobs.get(f) ?? new Uint8Array());
    if (!r.ok) continue;
    byType.set(r.value.type, [...(byType.get(r.value.type) ?? []), r.value.id]);
  }
  return byType;
}

async function contractResults(env: CheckEnv): Promise<PolicyResult[]> {
  const run = await contractsOfRun(env);
  const results: PolicyResult[] = [];
  for (const d of run.head.diagnostics) {
    results.push({ policy: 'CONTRACT-VERIFY-001', title: 'Required interface contracts verified', status: 'failed', severity: 'deny', message: `${d.code}: ${d.message}`, file: d.file ?? 'contracts/', line: d.line ?? 1, ...(d.path ? { path: d.path } : {}) });
  }
  for (const f of run.changes?.findings ?? []) {
    results.push({ policy: f.rule, title: CONTRACT_RULES[f.rule], status: f.severity === 'deny' ? 'failed' : 'warned', severity: f.severity, message: f.message, file: f.file, line: f.line, ...(f.path ? { path: f.path } : {}) });
  }
  // The head's requirements say who still needs a removed contract; a PR that
  // deletes the requirements (or the intents) with the contract empties that
  // list. The base's intents and requirements are what is deployed: removing
  // a contract they rely on is its own, reviewed change, after the intents are gone.
  const removed = (run.changes?.changes ?? []).filter((c) => c.status === 'removed' && c.base);
  if (removed.length && run.base) {
    const types = await intentTypes(env, 'base');
    const reported = new Set((run.changes?.findings ?? []).filter((f) => f.rule === 'CONTRACT-REMOVED-001').map((f) => f.contract));
    for (const c of removed) {
      const id = c.base!.id;
      if (reported.has(id)) continue;
      for (const [type, reqs] of run.base.requirements) {
        const ids = types.get(type);
        if (!ids?.length || !reqs.some((r) => r.contract === id)) continue;
        results.push({
          policy: 'CONTRACT-REMOVED-001',
          title: CONTRACT_RULES['CONTRACT-REMOVED-001'],
          status: 'failed',
          severity: 'deny',
          message: `contract_removed_in_use: ${id} is removed (${c.base!.file}) but intent type ${type} requires it at the base (${ids.join(', ')}): remove the intents first, the contract in a later pull request`,
          file: c.base!.file,
          line: 1,
        });
      }
    }
  }
  if (!results.some((r) => r.status === 'failed')) {
    results.unshift({ policy: 'CONTRACT-SET-001', title: 'The contract set loads and its changes are compatible', status: 'passed', severity: 'deny', message: `${run.head.contracts.size} contracts load; no incompatible change`, file: 'contracts/requirements.yaml', line: 1 });
  }
  return results;
}

/**
 * Judge the governed files of a run. `changes` is the PR's file list (empty
 * without a diff); `pr` says the run compares two commits (--base), where the
 * audit-log rule applies — a local check with --record appends to audit-log/
 * itself, so the working tree is not held to it.
 */
export async function judgeGovernance(env: CheckEnv, changes: readonly FileChange[], pr: boolean): Promise<GovernanceReport> {
  const agents = await agentsOfRun(env);
  const results: PolicyResult[] = [...agents.results, ...(await contractResults(env)), ...(pr ? auditLogResults(changes) : [])];
  const files = governedFiles(changes);
  return { files, needs_review: files.length > 0, results };
}
