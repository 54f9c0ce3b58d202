/**
 * What the agents' IAM roles in a stack are built from: the agent registry
 * and the IAM table of a tree (the head for the plan, the base for the diff's
 * base side, the merge commit for apply).
 */
import type { Agent } from '../core/context.ts';
import { diag, fail, ok, type Result } from '../core/diagnostics.ts';
import type { Tree } from '../git/tree.ts';
import { AGENTS_FILE } from '../core/agent-registry.ts';
import { IAM_TABLE_FILE, parseIamTable, type IamTable } from '../core/iam-table.ts';
import { decodeRepoText } from '../core/text.ts';
import { parseYaml } from '../core/yaml.ts';

export type AgentsInput = { registry: Agent[]; iamTable: IamTable };

/** The agent registry and IAM table of a tree: what the agents' roles are built from. */
export async function agentsOf(tree: Tree): Promise<Result<AgentsInput>> {
  const blobs = await tree.read([AGENTS_FILE, IAM_TABLE_FILE]);
  const registry = blobs.get(AGENTS_FILE);
  const table = blobs.get(IAM_TABLE_FILE);
  if (!table) return fail(diag('infra_no_iam_table', `${IAM_TABLE_FILE} is missing in ${tree.label}: the agents' IAM roles are built from it`, { file: IAM_TABLE_FILE }));
  const parsed = parseIamTable(decodeRepoText(table, IAM_TABLE_FILE));
  if (!parsed.ok) return parsed;
  let doc: { agents?: Agent[] } | null = null;
  if (registry) {
    const read = parseYaml(decodeRepoText(registry, AGENTS_FILE), { file: AGENTS_FILE, code: 'agents_parse_error', maxAliasCount: 100 });
    if (!read.ok) return read;
    doc = read.value.data as { agents?: Agent[] } | null;
  }
  return ok({ registry: doc?.agents ?? [], iamTable: parsed.value });
}

