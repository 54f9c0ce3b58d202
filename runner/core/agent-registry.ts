/**
 * The agent registry (docs/agents.md): `agents/agents.yaml`, loaded and
 * validated (JSON Schema, unique ids, file:line errors) into an
 * AgentDirectory, which `perform()` consults before every action.
 *
 * Wildcard permissions (`execute:*`, `*`) are syntactically accepted here on
 * purpose: the agent policies (policies/agents/, AGENT-WILDCARD-001) deny
 * them with a policy finding the PR author can read, and `hasPermission`
 * never treats them as granting anything.
 */
import type { ErrorObject } from 'ajv';
import type { Agent, AgentDirectory } from './context.ts';
import { type Diagnostic, type Result, diag, fail, ok } from './diagnostics.ts';
import { parseYaml, type PathSeg, type Position } from './yaml.ts';
import { schemaErrorPath, shownPath } from './schema-errors.ts';

export const AGENTS_FILE = 'agents/agents.yaml';

import { AGENTS_SCHEMA, PERMISSION_RE } from './agent-registry.schema.ts';
// Compiled at build time (ajv standalone; scripts/validators.ts): no schema compilation at start-up.
import validate from '../generated/agents.validator.js';

export { AGENTS_SCHEMA, PERMISSION_RE };



export interface AgentRegistry extends AgentDirectory {
  file: string;
  agents: readonly Agent[];
  /** Position of a path in agents.yaml, e.g. `['agents', 2, 'permissions', 1]`. */
  locate(path: readonly PathSeg[]): Position;
  /** Index of an agent in the file (for paths), -1 when absent. */
  indexOf(agentId: string): number;
}

function dotted(path: readonly PathSeg[]): string {
  return shownPath(path, '');
}

/** ajv's pattern messages print the regex; say what is expected instead. */
function explain(e: ErrorObject, path: PathSeg[]): string {
  const field = path[path.length - 1];
  if (e.keyword === 'additionalProperties') return `has unknown field '${String((e.params as { additionalProperty: string }).additionalProperty)}'`;
  // `version: 1.0` is a YAML number: say so rather than "must be string".
  if (e.keyword === 'type' && field === 'version') return "must be a semantic version string like 1.0.0 (YAML reads 1.0 as a number: write '1.0.0')";
  if (e.keyword === 'pattern') {
    if (path.includes('permissions')) return `is not a permission: write verb:resource, verb one of read, write, execute (e.g. read:metrics)`;
    if (field === 'version') return 'must be a semantic version like 1.0.0';
    return 'must be lower-case letters, digits and dashes, starting with a letter';
  }
  return e.message ?? e.keyword;
}

export function parseAgentRegistry(text: string, file = AGENTS_FILE): Result<AgentRegistry> {
  const read = parseYaml(text, { file, code: 'agents_parse_error', maxAliasCount: 100 });
  if (!read.ok) return read;
  const { data, locate } = read.value;
  if (!validate(data)) {
    const problems: Diagnostic[] = (validate.errors ?? []).map((e) => {
      const { path, at: where } = schemaErrorPath(e);
      return diag('agents_schema_error', `${dotted(path) || '(root)'} ${explain(e, path)}`, { file, ...locate(where), path: dotted(path) });
    });
    return fail(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  }
  const agents = (data as { agents: Agent[] }).agents;
  const problems: Diagnostic[] = [];
  const byId = new Map<string, Agent>();
  const index = new Map<string, number>();
  agents.forEach((a, i) => {
    const first = index.get(a.agent_id);
    if (first !== undefined) {
      problems.push(diag('agents_duplicate_id', `agent id ${a.agent_id} is already defined at line ${locate(['agents', first]).line}`, { file, ...locate(['agents', i, 'agent_id']), path: `agents[${i}].agent_id` }));
      return;
    }
    byId.set(a.agent_id, a);
    index.set(a.agent_id, i);
  });
  if (problems.length) return fail(problems);
  return ok({
    file,
    agents,
    get: (id) => byId.get(id),
    list: () => agents,
    locate,
    indexOf: (id) => index.get(id) ?? -1,
  });
}
