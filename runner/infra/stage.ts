/**
 * The `preview` stage of the PR check (runner/check/pipeline.ts), run only
 * with `gitops check --preview`. The pipeline imports this module inside the
 * stage's `run`, so a check without --preview never loads Pulumi.
 *
 * It previews the intent's stacks under the mock runtime, evaluates the plan
 * policies (a `deny` finding denies the intent like an intent policy does),
 * recomputes the cost from the plan, and fills `report.intents[].plan`.
 * It runs after the intent policies, and appends its results to theirs.
 */
import type { PolicyResult } from '../check/types.ts';
import type { CheckEnv, IntentWork, StageOutput } from '../check/pipeline.ts';
import { workTree } from '../git/tree.ts';
import { assessPlan } from './preview.ts';
import { preparePlanPolicies, readPlanPolicyModules, type PreparedPlanPolicies } from './plan-policy.ts';
import { diag, fail, type Result } from '../core/diagnostics.ts';
import { IAM_TABLE_FILE, parseIamTable, type IamTable } from '../agents/iam.ts';
import { decodeRepoText } from '../core/text.ts';

const MEMO_KEY = 'infra.plan_policies';
const IAM_MEMO_KEY = 'infra.iam_table';

/**
 * Plan policies come from the tree every policy family is read from (the
 * PR's base), so a PR cannot weaken the policies it is judged by; without
 * one, from the working tree.
 */
async function planPolicies(env: CheckEnv): Promise<Result<PreparedPlanPolicies>> {
  const cached = env.memo.get(MEMO_KEY) as Result<PreparedPlanPolicies> | undefined;
  if (cached) return cached;
  const tree = env.trees?.policies ?? env.trees?.base ?? workTree(env.root);
  const r = preparePlanPolicies(await readPlanPolicyModules(tree));
  env.memo.set(MEMO_KEY, r);
  return r;
}

/** The agents' IAM table, from the tree the intents come from (like the agent registry). */
async function iamTable(env: CheckEnv): Promise<Result<IamTable>> {
  const cached = env.memo.get(IAM_MEMO_KEY) as Result<IamTable> | undefined;
  if (cached) return cached;
  const tree = env.trees?.head ?? workTree(env.root);
  const bytes = (await tree.read([IAM_TABLE_FILE])).get(IAM_TABLE_FILE);
  const r: Result<IamTable> = bytes ? parseIamTable(decodeRepoText(bytes, IAM_TABLE_FILE)) : fail(diag('infra_no_iam_table', `${IAM_TABLE_FILE} is missing: the agents' IAM roles are built from it`, { file: IAM_TABLE_FILE }));
  env.memo.set(IAM_MEMO_KEY, r);
  return r;
}

export async function previewStage(w: IntentWork, env: CheckEnv): Promise<StageOutput> {
  const policies = await planPolicies(env);
  if (!policies.ok) return { patch: { diagnostics: policies.diagnostics }, outcome: 'failure' };
  const table = await iamTable(env);
  if (!table.ok) return { patch: { diagnostics: table.diagnostics }, outcome: 'failure' };
  const t = w.translation!;
  const r = await assessPlan({ intentId: w.id, actions: t.actions, agents: { registry: env.ctx.agents.list(), iamTable: table.value }, file: w.source.file, regions: t.deploy_regions }, policies.value);
  if (!r.ok) {
    // Program problems point at the intent's type: the translation of this type could not be built.
    const at = w.doc ? w.doc.locate(['intent', 'type']) : { line: 1, col: 1 };
    return { patch: { diagnostics: r.diagnostics.map((d) => ({ ...d, file: w.source.file, line: d.line ?? at.line, col: d.col ?? at.col })) }, outcome: 'failure' };
  }
  const { plan, policy, details } = r.value;
  const where = w.doc ? w.doc.locate(['intent', 'id']) : { line: 1, col: 1 };
  const results: PolicyResult[] = [];
  for (const p of policy.policies) {
    const found = policy.findings.filter((f) => f.policy === p.id);
    if (!found.length) {
      results.push({ policy: p.id, title: p.title, status: 'passed', severity: p.severity, message: p.passed ?? p.title, file: w.source.file, line: where.line });
      continue;
    }
    for (const f of found) {
      results.push({ policy: f.policy, title: f.title, status: f.severity === 'deny' ? 'failed' : 'warned', severity: f.severity, message: `${f.stack}: ${f.message}`, file: w.source.file, line: where.line });
    }
  }
  return {
    patch: { results: [...w.results, ...results], plan: { resources: plan.resources, by_type: plan.by_type, details } },
    outcome: policy.denied ? 'failure' : 'success',
    details: { resources: plan.resources, stacks: plan.stacks.map((s) => s.stack), duration_ms: plan.duration_ms, denied_by: [...new Set(policy.findings.filter((f) => f.severity === 'deny').map((f) => f.policy))] },
  };
}
