/**
 * The agent policies (policies/agents/*.rego, packages
 * `gitops.policies.agents_*`) evaluated over the agent registry:
 *
 *   input = { agents: <head registry>, base_agents: <base registry, when there
 *             is one>, iam_permissions: <permissions agents/iam-permissions.yaml maps>,
 *             iam_table: <its rows: permission → {scope, statements}> }
 *
 * Findings name a path in agents.yaml (`["agents", 2, "permissions", 1]`) and
 * become PolicyResults at that line; a finding with `"file":
 * "agents/iam-permissions.yaml"` names a path in the IAM table instead
 * (`["permissions", "read:metrics", "statements", 0, "actions", 2]`). The policies are read from the BASE
 * tree during a check (as the intent policies are), so a PR cannot relax the
 * rules it is judged by; the registry judged is the head's.
 */
import type { PolicyResult } from '../model/report.ts';
import type { Agent } from '../core/context.ts';
import { type Result, diag, fail } from '../core/diagnostics.ts';
import type { Tree } from '../git/tree.ts';
import { compilePolicySet, isPolicyFileIn, readPolicyFiles, type PolicyFamily } from '../policyset/load.ts';
import { type PolicySet } from '../model/policy.ts';
import { EvalError, type ModuleSource } from '../rego/api.ts';
import type { IamTable } from '../core/iam-table.ts';
import type { AgentRegistry } from '../core/agent-registry.ts';
import { fieldPath } from '../core/yaml.ts';

export const AGENT_POLICIES_DIR = 'policies/agents';
const ROOT = ['gitops', 'policies'];

export interface AgentPolicyInput {
  agents: Agent[];
  base_agents?: Agent[];
  iam_permissions: string[];
  /** The IAM table's rows (the statements a permission grants), for the escalation rule (AGENT-IAM-003). */
  iam_table?: Record<string, { scope: string; statements: unknown[] }>;
}

export function isAgentPolicyFile(path: string): boolean {
  return isPolicyFileIn(AGENT_POLICIES_DIR, path);
}

/** The agent policy modules of a tree, sorted, each with its Rego syntax from the `.manifest` above it. */
export function readAgentPolicyModules(tree: Tree): Promise<ModuleSource[]> {
  return readPolicyFiles(tree, { dir: AGENT_POLICIES_DIR });
}

const AGENT_FAMILY: PolicyFamily = {
  root: ROOT,
  none: (source) => diag('agent_policy_none', `no agent policies under ${AGENT_POLICIES_DIR}/ in ${source}`),
};

export function compileAgentPolicies(modules: ModuleSource[], source: string): Result<PolicySet> {
  const r = compilePolicySet(modules, source, AGENT_FAMILY);
  if (!r.ok) return r;
  const stray = r.value.policies.find((p) => !p.pkg[0]?.startsWith('agents_'));
  if (stray) {
    return fail(diag('agent_policy_package', `package gitops.policies.${stray.pkg.join('.')} in ${stray.file} is not an agent policy: name it gitops.policies.agents_<name>`, { file: stray.file, line: stray.line, col: 1 }));
  }
  return r;
}

export function agentPolicyInput(head: AgentRegistry, base: AgentRegistry | undefined, iam: IamTable | undefined): AgentPolicyInput {
  const plain = (a: Agent): Agent => ({ ...a, permissions: [...a.permissions] });
  return {
    agents: head.agents.map(plain),
    ...(base ? { base_agents: base.agents.map(plain) } : {}),
    iam_permissions: iam ? [...iam.rows.keys()] : [],
    ...(iam ? { iam_table: Object.fromEntries([...iam.rows].map(([perm, row]) => [perm, { scope: row.scope, statements: structuredClone(row.statements) }])) } : {}),
  };
}

function findings(v: unknown): Array<{ msg: string; path?: Array<string | number>; file?: string }> {
  if (!Array.isArray(v)) return [];
  return v.map((raw) => {
    const o = (raw && typeof raw === 'object' ? raw : { msg: String(raw) }) as Record<string, unknown>;
    const msg = typeof o.msg === 'string' ? o.msg : JSON.stringify(raw);
    const path = Array.isArray(o.path) && o.path.every((p) => typeof p === 'string' || typeof p === 'number') ? (o.path as Array<string | number>) : undefined;
    const file = typeof o.file === 'string' ? o.file : undefined;
    return { msg, ...(path ? { path } : {}), ...(file ? { file } : {}) };
  });
}

/** One `passed` result per policy without findings, one result per finding otherwise (conftest semantics). */
export function evaluateAgentPolicies(set: PolicySet, input: AgentPolicyInput, registry: AgentRegistry, iam?: IamTable): PolicyResult[] {
  const at = (path?: Array<string | number>, file?: string) =>
    iam && file === iam.file
      ? { file: iam.file, line: iam.locate(path ?? ['permissions']).line, ...(path ? { path: fieldPath(path) } : {}) }
      : { file: registry.file, line: registry.locate(path ?? ['agents']).line, ...(path ? { path: fieldPath(path) } : {}) };
  let tree: unknown;
  try {
    tree = set.prepared.evalRef(ROOT, { input });
  } catch (err) {
    // Fail closed: an agent registry is never accepted because its policies could not run.
    const message = err instanceof EvalError ? `${err.diagnostic.file ?? ''}:${err.diagnostic.line ?? ''}: ${err.message}` : String(err);
    return set.policies.map((p) => ({ policy: p.id, title: p.title, status: 'failed' as const, severity: 'deny' as const, message: `agent policy evaluation error: ${message}`, ...at() }));
  }
  const results: PolicyResult[] = [];
  for (const p of set.policies) {
    let doc = tree as Record<string, unknown> | undefined;
    for (const seg of p.pkg) doc = doc && typeof doc === 'object' ? (doc[seg] as Record<string, unknown> | undefined) : undefined;
    const denies = findings(doc?.deny);
    const warns = findings(doc?.warn);
    if (denies.length === 0 && warns.length === 0) {
      results.push({ policy: p.id, title: p.title, status: 'passed', severity: p.severity, message: p.passed, ...at() });
      continue;
    }
    for (const f of denies) results.push({ policy: p.id, title: p.title, status: 'failed', severity: 'deny', message: f.msg, ...at(f.path, f.file) });
    for (const f of warns) results.push({ policy: p.id, title: p.title, status: 'warned', severity: 'warn', message: f.msg, ...at(f.path, f.file) });
  }
  return results;
}
