/**
 * The `contracts` stage of the check (docs/contracts.md, "What the check does"), performed as
 * intent-orchestrator with read:contracts (`verify_contracts` event).
 *
 * Per intent: every contract its type requires is present in a compatible
 * version and the translated actions validate against it (verify.ts); the
 * self-healing triggers parse against the monitoring contract, a bad one
 * reported at its line in the intent file. Once per run (memoised): the
 * contract set is loaded at head (what the merge will contain: the producer
 * and consumers of the head must agree) and, when the check has a base,
 * compared with the base's (changes.ts), so a breaking change without a
 * major bump, or a major bump without its consumers, denies every intent
 * the check covers.
 */
import type { PolicyResult } from '../model/report.ts';
import type { CheckEnv, IntentWork, Stage, StageOutput } from '../model/stage.ts';
import { workTree } from '../git/tree.ts';
import { CONTRACT_RULES, compareContractSets, type ContractChangeReport } from './changes.ts';
import { loadContractsFromTree, type LoadedContracts } from './load.ts';
import { verifyIntentContracts } from './verify.ts';

export interface ContractsOfRun {
  head: LoadedContracts;
  base?: LoadedContracts;
  changes?: ContractChangeReport;
}

const MEMO_KEY = 'contracts:run';

export async function contractsOfRun(env: CheckEnv): Promise<ContractsOfRun> {
  const hit = env.memo.get(MEMO_KEY) as Promise<ContractsOfRun> | undefined;
  if (hit) return hit;
  const p = (async () => {
    // Head and base are read at once (each listing and read is a git process).
    const headP = loadContractsFromTree(env.trees?.head ?? workTree(env.root));
    const baseP = env.trees?.base ? loadContractsFromTree(env.trees.base) : undefined;
    baseP?.catch(() => undefined); // awaited below, after the head (whose failure comes first)
    const head = await headP;
    if (!baseP) return { head };
    const base = await baseP;
    // An empty list with a base means "no diff was taken" (--all --base): the contracts differ, so something changed.
    const changedFiles = env.changedFiles?.length ? env.changedFiles : undefined;
    return { head, base, changes: compareContractSets(base, head, changedFiles ? { changedFiles } : {}) };
  })();
  env.memo.set(MEMO_KEY, p);
  return p;
}

const VERIFY_ID = 'CONTRACT-VERIFY-001';
const VERIFY_TITLE = 'Required interface contracts verified';

export async function runContractsStage(w: IntentWork, env: CheckEnv): Promise<StageOutput> {
  const doc = w.doc!;
  const actions = w.translation!.actions;
  const run = await contractsOfRun(env);
  const typeAt = { file: doc.file, line: doc.locate(['intent', 'type']).line, path: 'intent.type' };

  const out = verifyIntentContracts({
    intentType: doc.type,
    actions,
    contracts: run.head,
    // Triggers the intent writes are reported at their line; the translator's
    // defaults resolve to the nearest written ancestor (self_healing, or intent).
    triggerLocation: (i) => {
      const path = ['intent', 'self_healing', 'triggers', i, 'condition'];
      return { file: doc.file, ...doc.locate(path), path: `intent.self_healing.triggers[${i}].condition` };
    },
  });

  const results: PolicyResult[] = [];
  const bad = out.results.filter((r) => r.status !== 'verified');
  if (bad.length === 0) {
    const list = out.results.map((r) => `${r.contract} ${r.version}`).join(', ');
    results.push({ policy: VERIFY_ID, title: VERIFY_TITLE, status: 'passed', severity: 'deny', message: list ? `Contracts verified: ${list}` : `Intent type ${doc.type} requires no contracts`, ...typeAt });
  }
  for (const r of bad) {
    results.push({ policy: VERIFY_ID, title: VERIFY_TITLE, status: 'failed', severity: 'deny', message: `${r.contract} ${r.status}: ${r.message ?? ''}`.trim(), ...typeAt });
  }
  // A contract file that does not load is missing from the set: say why, at its line.
  for (const d of run.head.diagnostics) {
    results.push({ policy: VERIFY_ID, title: VERIFY_TITLE, status: 'failed', severity: 'deny', message: `${d.code}: ${d.message}`, file: d.file ?? 'contracts/', line: d.line ?? 1, ...(d.path ? { path: d.path } : {}) });
  }
  for (const f of run.changes?.findings ?? []) {
    results.push({
      policy: f.rule,
      title: CONTRACT_RULES[f.rule],
      status: f.severity === 'deny' ? 'failed' : 'warned',
      severity: f.severity,
      message: f.message,
      file: f.file,
      line: f.line,
      ...(f.path ? { path: f.path } : {}),
    });
  }
  const failed = results.some((r) => r.status === 'failed');
  return {
    patch: {
      contracts: out.results,
      results: [...w.results, ...results],
      ...(out.diagnostics.length ? { diagnostics: out.diagnostics } : {}),
    },
    outcome: failed || out.diagnostics.length ? 'failure' : 'success',
    details: {
      contracts: out.results.map((r) => ({ contract: r.contract, status: r.status, version: r.version })),
      ...(run.changes ? { contract_changes: run.changes.changes.filter((c) => c.status !== 'unchanged').map((c) => ({ family: c.family, status: c.status, bump: c.bump })) } : {}),
    },
  };
}

export const contractsStage: Stage = {
  name: 'contracts',
  audit: { agent: 'intent-orchestrator', permission: 'read:contracts', action: 'verify_contracts' },
  run: runContractsStage,
};
