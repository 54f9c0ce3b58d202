/**
 * Agent permissions → least-privilege IAM policy documents, from the table
 * in agents/iam-permissions.yaml (one row per permission). The table is
 * validated on load: IAM actions are never wildcards, resources are the
 * symbolic stack resources, and a `*` resource carries its reason.
 *
 * The infrastructure stage creates one IAM role per agent per stack with
 * `iamPolicyFor(agent, table, {stack, resources})`, resources mapping the
 * symbolic names to the stack's ARNs; `iamStatementsFor` gives the symbolic
 * statements when the ARNs are only known inside the Pulumi program.
 */
import type { Agent } from './context.ts';
import { type Diagnostic, type Result, diag, fail, ok } from './diagnostics.ts';
import { parseYaml, type PathSeg, type Position } from './yaml.ts';
import { schemaErrorPath, shownPath } from './schema-errors.ts';

export const IAM_TABLE_FILE = 'agents/iam-permissions.yaml';
import { RESOURCE_REFS } from './iam-table.schema.ts';

export { RESOURCE_REFS };
export type ResourceRef = (typeof RESOURCE_REFS)[number];

export interface IamStatementSpec {
  sid: string;
  actions: string[];
  resources: ResourceRef[];
  condition?: Record<string, Record<string, string | string[]>>;
  wildcard_reason?: string;
}

export interface IamRow {
  permission: string;
  scope: 'aws' | 'repository';
  statements: IamStatementSpec[];
}

export interface IamTable {
  file: string;
  rows: ReadonlyMap<string, IamRow>;
  locate(path: readonly PathSeg[]): Position;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

// Compiled at build time (ajv standalone; scripts/validators.ts): no schema compilation at start-up.
import validate from '../generated/iam-table.validator.js';



export function parseIamTable(text: string, file = IAM_TABLE_FILE): Result<IamTable> {
  const read = parseYaml(text, { file, code: 'iam_table_parse_error', maxAliasCount: 100 });
  if (!read.ok) return read;
  const { data, locate } = read.value;
  if (!validate(data)) {
    return fail(
      (validate.errors ?? []).map((e) => {
        const { path, at, key } = schemaErrorPath(e);
        const name = e.keyword === 'propertyNames' ? key : undefined;
        return diag('iam_table_invalid', `${shownPath(path, '(root)')}${name ? ` key '${name}'` : ''} ${e.message ?? e.keyword}`, { file, ...locate(at), path: shownPath(path, '') });
      }),
    );
  }
  const problems: Diagnostic[] = [];
  const rows = new Map<string, IamRow>();
  const sids = new Map<string, string>();
  for (const [permission, row] of Object.entries((data as { permissions: Record<string, Omit<IamRow, 'permission'>> }).permissions)) {
    row.statements.forEach((s, i) => {
      const at = { file, ...locate(['permissions', permission, 'statements', i]) };
      if (row.scope === 'repository') problems.push(diag('iam_table_invalid', `${permission} has scope repository but lists IAM statements`, at));
      if (s.resources.includes('*') && !s.wildcard_reason) problems.push(diag('iam_table_invalid', `statement ${s.sid} of ${permission} uses resource '*' without a wildcard_reason (only for actions with no resource-level permissions)`, at));
      const other = sids.get(s.sid);
      if (other) problems.push(diag('iam_table_invalid', `statement id ${s.sid} is used by ${other} too (Sids are unique within a policy)`, at));
      sids.set(s.sid, permission);
    });
    if (row.scope === 'aws' && row.statements.length === 0) {
      problems.push(diag('iam_table_invalid', `${permission} has scope aws but no statements`, { file, ...locate(['permissions', permission]) }));
    }
    rows.set(permission, { permission, scope: row.scope, statements: row.statements });
  }
  if (problems.length) return fail(problems);
  return ok({ file, rows, locate });
}

/** The symbolic statements of an agent's permissions, in permission order; unknown permissions are errors. */
export function iamStatementsFor(agent: Agent, table: IamTable): Result<IamStatementSpec[]> {
  const unknown = agent.permissions.filter((p) => !table.rows.has(p));
  if (unknown.length) {
    return fail(unknown.map((p) => diag('iam_unknown_permission', `agent ${agent.agent_id} holds '${p}', which has no row in ${table.file}`, { file: table.file })));
  }
  return ok(agent.permissions.flatMap((p) => table.rows.get(p)!.statements));
}

export interface IamScope {
  /** Stack name, substituted for `${stack}` in conditions. */
  stack: string;
  /** Symbolic resource → ARN in this stack. */
  resources: Partial<Record<Exclude<ResourceRef, '*'>, string>>;
}

/**
 * The agent's IAM policy document in one stack. A statement whose resource
 * the stack does not have (no runbook when no trigger restarts the service)
 * is left out rather than widened. An agent with no AWS permissions gets an
 * empty Statement list: create no role for it (AWS rejects empty policies).
 */
export function iamPolicyFor(agent: Agent, table: IamTable, scope: IamScope): Result<PolicyDocument> {
  const specs = iamStatementsFor(agent, table);
  if (!specs.ok) return specs;
  const Statement: PolicyStatement[] = [];
  for (const s of specs.value) {
    const arns = s.resources.map((r) => (r === '*' ? '*' : scope.resources[r]));
    if (arns.some((a) => a === undefined)) continue;
    const st: PolicyStatement = { Sid: s.sid, Effect: 'Allow', Action: [...s.actions], Resource: arns.length === 1 ? arns[0]! : (arns as string[]) };
    if (s.condition) st.Condition = JSON.parse(JSON.stringify(s.condition).replaceAll('${stack}', scope.stack)) as PolicyStatement['Condition'];
    Statement.push(st);
  }
  return ok({ Version: '2012-10-17', Statement });
}
