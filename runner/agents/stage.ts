/**
 * The `agents` stage of the check (docs/agents.md, "The check"), performed as
 * intent-orchestrator with read:agents (`verify_agents` event).
 *
 * Once per run (memoised): the head registry (agents/agents.yaml) is loaded
 * and validated, and judged by the agent policies read from the BASE tree
 * (AGENT-WILDCARD-001, AGENT-AUDIT-001, AGENT-IAM-001 deny; AGENT-REVIEW-001
 * flags a permission change for the owner), with the base registry for the
 * comparison. Per intent: the agents its actions put to work (assign.ts),
 * reported in `agents`, each required to hold what its job needs
 * (AGENT-ASSIGN-001).
 */
import type { AgentSummary, PolicyResult } from '../model/report.ts';
import type { CheckEnv, IntentWork, Stage, StageOutput } from '../model/stage.ts';
import type { Tree } from '../git/tree.ts';
import { workTree } from '../git/tree.ts';
import { canonicalJSON } from '../core/hash.ts';
import { assignAgents } from '../model/agent-assignment.ts';
import { IAM_TABLE_FILE, parseIamTable, type IamTable } from '../core/iam-table.ts';
import { agentPolicyInput, compileAgentPolicies, evaluateAgentPolicies, readAgentPolicyModules } from './policy.ts';
import { AGENTS_FILE, parseAgentRegistry, type AgentRegistry } from '../core/agent-registry.ts';
import { decodeRepoText } from '../core/text.ts';
import { diag, fail, type Result } from '../core/diagnostics.ts';

export interface AgentsOfRun {
  registry?: AgentRegistry;
  /** Registry-wide results (schema errors, agent policies) shown on every intent. */
  results: PolicyResult[];
  needs_review: boolean;
}

const MEMO_KEY = 'agents:run';
const REGISTRY_ID = 'AGENT-REGISTRY-001';
const REGISTRY_TITLE = 'Agent registry and IAM table are valid';

async function iamTableOf(tree: Tree): Promise<{ table?: IamTable; results: PolicyResult[] }> {
  const bytes = (await tree.read([IAM_TABLE_FILE])).get(IAM_TABLE_FILE);
  if (!bytes) return { results: [] };
  const r = parseIamTable(decodeRepoText(bytes, IAM_TABLE_FILE));
  if (r.ok) return { table: r.value, results: [] };
  return { results: r.diagnostics.map((d) => ({ policy: REGISTRY_ID, title: REGISTRY_TITLE, status: 'failed', severity: 'deny', message: `${d.code}: ${d.message}`, file: d.file ?? IAM_TABLE_FILE, line: d.line ?? 1 })) };
}

export async function agentsOfRun(env: CheckEnv): Promise<AgentsOfRun> {
  const hit = env.memo.get(MEMO_KEY) as Promise<AgentsOfRun> | undefined;
  if (hit) return hit;
  const p = (async (): Promise<AgentsOfRun> => {
    const headTree = env.trees?.head ?? workTree(env.root);
    // The policy tree: the base (a PR cannot relax the rules); without a base, the same tree.
    const policyTree = env.trees?.policies ?? env.trees?.base ?? headTree;
    // Every read starts at once (each is a git process); each is awaited where it was read one
    // after the other before, so what fails first and what a failed registry skips are unchanged.
    const started = {
      base: env.trees?.base ? loadAgentRegistryAt(env.trees.base) : undefined,
      iam: iamTableOf(headTree),
      baseIam: env.trees?.base ? iamTableOf(env.trees.base) : undefined,
      modules: readAgentPolicyModules(policyTree),
    };
    for (const p of Object.values(started)) p?.catch(() => undefined);
    const head = await loadAgentRegistryAt(headTree);
    if (!head.ok) {
      return {
        results: head.diagnostics.map((d) => ({ policy: REGISTRY_ID, title: REGISTRY_TITLE, status: 'failed', severity: 'deny', message: `${d.code}: ${d.message}`, file: d.file ?? AGENTS_FILE, line: d.line ?? 1, ...(d.path ? { path: d.path } : {}) })),
        needs_review: true,
      };
    }
    const base = await started.base;
    const iam = await started.iam;
    const baseIam = await started.baseIam;
    const compiled = compileAgentPolicies(await started.modules, policyTree.label);
    const results: PolicyResult[] = [...iam.results];
    if (!compiled.ok) {
      // Fail closed: agents are never accepted because their policies could not be compiled.
      for (const d of compiled.diagnostics) results.push({ policy: REGISTRY_ID, title: REGISTRY_TITLE, status: 'failed', severity: 'deny', message: `agent policies: ${d.code}: ${d.message}`, file: d.file ?? AGENTS_FILE, line: d.line ?? 1 });
    } else {
      results.push(...evaluateAgentPolicies(compiled.value, agentPolicyInput(head.value, base?.ok ? base.value : undefined, iam.table), head.value, iam.table));
    }
    if (iam.table && baseIam?.table) results.push(...iamChanges(baseIam.table, iam.table));
    return { registry: head.value, results, needs_review: results.some((r) => (r.policy === 'AGENT-REVIEW-001' || r.policy === IAM_REVIEW_ID) && r.status === 'warned') };
  })();
  env.memo.set(MEMO_KEY, p);
  return p;
}

const IAM_REVIEW_ID = 'AGENT-IAM-002';
const IAM_REVIEW_TITLE = 'IAM mapping changes are reviewed';

/**
 * A changed row of the IAM table changes what every agent holding that
 * permission may do in AWS, without touching agents.yaml: flag it for review
 * like a permission change (warn; AGENT-IAM-001 and the plan policies judge the result).
 */
export function iamChanges(base: IamTable, head: IamTable): PolicyResult[] {
  const out: PolicyResult[] = [];
  const warn = (message: string, line: number): PolicyResult => ({ policy: IAM_REVIEW_ID, title: IAM_REVIEW_TITLE, status: 'warned', severity: 'warn', message, file: head.file, line });
  for (const [perm, row] of head.rows) {
    const before = base.rows.get(perm);
    const line = head.locate(['permissions', perm]).line;
    if (!before) out.push(warn(`IAM mapping for ${perm} added (${row.statements.flatMap((s) => s.actions).join(', ') || 'no AWS actions'}): needs review`, line));
    else if (canonicalJSON(before) !== canonicalJSON(row)) {
      const was = new Set(before.statements.flatMap((s) => s.actions));
      const now = new Set(row.statements.flatMap((s) => s.actions));
      const added = [...now].filter((a) => !was.has(a));
      const removed = [...was].filter((a) => !now.has(a));
      out.push(warn(`IAM mapping for ${perm} changed (actions added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'}; or resources/conditions changed): needs review`, line));
    }
  }
  for (const perm of base.rows.keys()) if (!head.rows.has(perm)) out.push(warn(`IAM mapping for ${perm} removed: needs review`, head.locate(['permissions']).line));
  return out;
}

const ASSIGN_ID = 'AGENT-ASSIGN-001';
const ASSIGN_TITLE = 'The intent’s agents hold what their jobs need';

export async function runAgentsStage(w: IntentWork, env: CheckEnv): Promise<StageOutput> {
  const run = await agentsOfRun(env);
  const results: PolicyResult[] = [...run.results];
  let agents: AgentSummary[] = [];
  if (run.registry) {
    const reg = run.registry;
    const doc = w.doc!;
    const a = assignAgents(w.translation!.actions, reg);
    agents = a.agents;
    const problems: PolicyResult[] = [];
    for (const s of a.assignments) {
      if (s.status === 'no_agent') {
        problems.push({ policy: ASSIGN_ID, title: ASSIGN_TITLE, status: 'failed', severity: 'deny', message: `${s.action} needs an agent of type ${s.role.type} holding ${s.role.needs.join(', ')}; the registry has none`, file: reg.file, line: reg.locate(['agents']).line });
      } else if (s.status === 'missing_permissions') {
        const i = reg.indexOf(s.agent.agent_id);
        problems.push({ policy: ASSIGN_ID, title: ASSIGN_TITLE, status: 'failed', severity: 'deny', message: `${s.action} for ${doc.id} is done by ${s.agent.agent_id}, which lacks ${s.missing.join(', ')}`, file: reg.file, line: reg.locate(['agents', i, 'permissions']).line, path: `agents[${i}].permissions` });
      }
    }
    results.push(...(problems.length ? problems : [{ policy: ASSIGN_ID, title: ASSIGN_TITLE, status: 'passed' as const, severity: 'deny' as const, message: agents.length ? `Agents assigned: ${agents.map((x) => x.agent_id).join(', ')}` : 'No agents needed', file: doc.file, line: doc.locate(['intent', 'type']).line }]));
  }
  const failed = results.filter((r) => r.status === 'failed');
  return {
    patch: { agents, results: [...w.results, ...results] },
    outcome: failed.length ? 'failure' : 'success',
    details: { agents: agents.map((x) => x.agent_id), failed: [...new Set(failed.map((r) => r.policy))], needs_review: run.needs_review },
  };
}

export const agentsStage: Stage = {
  name: 'agents',
  audit: { agent: 'intent-orchestrator', permission: 'read:agents', action: 'verify_agents' },
  run: runAgentsStage,
};

/** The registry as at a tree (the base, to act with; the head, to judge the PR's changes). */
async function loadAgentRegistryAt(tree: Tree, file = AGENTS_FILE): Promise<Result<AgentRegistry>> {
  const blobs = await tree.read([file]);
  const bytes = blobs.get(file);
  if (!bytes) return fail(diag('agents_missing', `no agent registry at ${file} in ${tree.label}`, { file }));
  return parseAgentRegistry(decodeRepoText(bytes, file), file);
}
