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
import type { PolicyResult } from '../model/report.ts';
import { basePathOf, type BaseIntent, type CheckEnv, type IntentWork, type StageOutput } from '../model/stage.ts';
import { workTree } from '../git/tree.ts';
import { assessPlan, previewStack } from './preview.ts';
import { diffPlans } from './diff.ts';
import { stackGraph } from './graph.ts';
import { type StackGraph } from '../model/plan.ts';
import { stackSpecs } from './spec.ts';
import { agentsOf, type AgentsInput } from './agents-input.ts';
import type { PlanDiff, StackPlan, StackSpec } from '../model/plan.ts';
import { preparePlanPolicies, readPlanPolicyModules, type PreparedPlanPolicies } from './plan-policy.ts';
import { diag, fail, type Result } from '../core/diagnostics.ts';
import { IAM_TABLE_FILE, parseIamTable, type IamTable } from '../core/iam-table.ts';
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

export async function previewIntent(w: IntentWork, env: CheckEnv): Promise<StageOutput> {
  const policies = await planPolicies(env);
  if (!policies.ok) return { patch: { diagnostics: policies.diagnostics }, outcome: 'failure' };
  const table = await iamTable(env);
  if (!table.ok) return { patch: { diagnostics: table.diagnostics }, outcome: 'failure' };
  const t = w.translation!;
  const specs = stackSpecs({ intentId: w.id, actions: t.actions, agents: { registry: env.ctx.agents.list(), iamTable: table.value }, file: w.source.file, regions: t.deploy_regions });
  const r = specs.ok ? await assessPlan({ intentId: w.id, file: w.source.file, specs: specs.value }, policies.value) : specs;
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
  const compared = env.trees?.base ? await diffWithBase(w, env, specs.ok ? specs.value : [], plan.stacks) : undefined;
  const graphs = compared ? changedGraphs(compared.diff, compared.base, plan.stacks) : [];
  return {
    patch: {
      results: [...w.results, ...results],
      plan: { resources: plan.resources, by_type: plan.by_type, details, ...(graphs.length ? { graphs } : {}) },
      ...(compared ? { plan_diff: compared.diff } : {}),
    },
    outcome: policy.denied ? 'failure' : 'success',
    details: { resources: plan.resources, stacks: plan.stacks.map((s) => s.stack), duration_ms: plan.duration_ms, ...(compared ? { base_previews: compared.previews } : {}), denied_by: [...new Set(policy.findings.filter((f) => f.severity === 'deny').map((f) => f.policy))] },
  };
}

const BASE_AGENTS_KEY = 'infra.base_agents';

/** The agent registry and IAM table at the base: the base's agent roles are built from them, as its apply built them. */
async function baseAgents(env: CheckEnv): Promise<Result<AgentsInput>> {
  const cached = env.memo.get(BASE_AGENTS_KEY) as Result<AgentsInput> | undefined;
  if (cached) return cached;
  const r = await agentsOf(env.trees!.base!);
  env.memo.set(BASE_AGENTS_KEY, r);
  return r;
}

const specKey = (s: StackSpec) => JSON.stringify(s);

/**
 * The base's stacks of an intent, previewed under the mock runtime. A base
 * stack whose spec equals the head's (same region, nothing changed for it)
 * reuses the head's plan instead of running the program again: the second
 * preview costs only what the PR changed. Previews are memoised by spec
 * across the run (deleted intents share the memo).
 */
export async function basePlans(env: CheckEnv, specs: readonly StackSpec[], head: ReadonlyMap<string, { spec: StackSpec; plan: StackPlan }>): Promise<{ plans: StackPlan[]; previews: number }> {
  const plans: StackPlan[] = [];
  let previews = 0;
  for (const spec of specs) {
    const same = head.get(spec.stack);
    if (same && specKey(same.spec) === specKey(spec)) {
      plans.push(same.plan);
      continue;
    }
    const key = `infra.base_plan:${specKey(spec)}`;
    let plan = env.memo.get(key) as StackPlan | undefined;
    if (!plan) {
      plan = await previewStack(spec);
      previews++;
      env.memo.set(key, plan);
    }
    plans.push(plan);
  }
  return { plans, previews };
}

/** The base's specs of an intent file, or why there are none (the note stays on the diff; the head is still judged). */
async function baseSpecs(env: CheckEnv, file: string, base: BaseIntent | undefined): Promise<{ specs: StackSpec[] } | { note: string }> {
  if (!base) return { note: `${file} does not load at the base; the diff treats the intent as new` };
  const agents = await baseAgents(env);
  if (!agents.ok) return { note: `the base's agents cannot be read (${agents.diagnostics[0]!.message}); the diff treats the intent as new` };
  const t = base.translation;
  const specs = stackSpecs({ intentId: base.doc.id, actions: t.actions, agents: agents.value, file, regions: t.deploy_regions });
  return specs.ok ? { specs: specs.value } : { note: `the intent's stacks at the base cannot be built (${specs.diagnostics[0]!.message}); the diff treats the intent as new` };
}

async function diffWithBase(w: IntentWork, env: CheckEnv, specs: readonly StackSpec[], stacks: readonly StackPlan[]): Promise<{ diff: PlanDiff; base?: StackPlan[]; previews: number }> {
  const basePath = basePathOf(w.source);
  if (!basePath) return { diff: diffPlans(undefined, stacks), previews: 0 };
  const found = await baseSpecs(env, basePath, w.base);
  if ('note' in found) {
    const diff = diffPlans(undefined, stacks);
    return { diff: { ...diff, notes: [...diff.notes, found.note] }, previews: 0 };
  }
  const head = new Map(stacks.map((p) => [p.stack, { spec: specs.find((s) => s.stack === p.stack)!, plan: p }]));
  try {
    const base = await basePlans(env, found.specs, head);
    return { diff: diffPlans(base.plans, stacks), base: base.plans, previews: base.previews };
  } catch (err) {
    const diff = diffPlans(undefined, stacks);
    return { diff: { ...diff, notes: [...diff.notes, `the base's program failed under the mock runtime (${err instanceof Error ? err.message : String(err)}); the diff treats the intent as new`] }, previews: 0 };
  }
}

/** One graph per stack the PR changes (created, changed or deleted). */
export function changedGraphs(diff: PlanDiff, base: readonly StackPlan[] | undefined, head: readonly StackPlan[] | undefined): StackGraph[] {
  const want = [...diff.stacks.created, ...diff.stacks.changed, ...diff.stacks.deleted].sort();
  return want.map((name) => stackGraph(head?.find((s) => s.stack === name), base?.find((s) => s.stack === name), diff));
}

/**
 * A deleted intent's stacks at the base, all deletes: what merging the PR
 * removes (destroyed by `gitops apply --destroy-removed`).
 */
export async function previewDeleted(env: CheckEnv, file: string, base: BaseIntent | undefined): Promise<{ diff: PlanDiff; graphs: StackGraph[] } | { note: string }> {
  const found = await baseSpecs(env, file, base);
  if ('note' in found) return found;
  try {
    const base = await basePlans(env, found.specs, new Map());
    const diff = diffPlans(base.plans, undefined);
    return { diff, graphs: changedGraphs(diff, base.plans, undefined) };
  } catch (err) {
    return { note: `the base's program failed under the mock runtime (${err instanceof Error ? err.message : String(err)})` };
  }
}
