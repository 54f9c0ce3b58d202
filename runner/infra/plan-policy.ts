/**
 * Plan policies: Rego (policies/plan/*.rego, package `gitops.plan.<name>`)
 * evaluated on each stack's resource plan with the runner's Rego engine
 * (runner/rego/api.ts). A `deny` finding denies the intent in the PR check.
 *
 * Policy input, one per stack: `{intent, stack, region, zones, triggers,
 * resources: [{urn, type, name, id, arn, step, inputs, documents}]}` where
 * `documents` holds the JSON-string inputs (IAM policies, trust policies,
 * event patterns) already parsed, so policies need no JSON builtins.
 */
import { diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import { EvalError, prepare, type ModuleSource, type PreparedPolicy } from '../rego/api.ts';
import type { Tree } from '../git/tree.ts';
import type { IntentPlan, PlanFinding, PlanPolicyInfo, StackPlan } from '../model/plan.ts';
import { readPolicyFiles } from '../policyset/load.ts';

export const PLAN_POLICY_DIR = 'policies/plan';
const PACKAGE_ROOT = ['gitops', 'plan'];

/** Inputs that carry a JSON document as a string, by resource type. */
const JSON_INPUTS: Record<string, string[]> = {
  'aws:iam/role:Role': ['assumeRolePolicy'],
  'aws:iam/rolePolicy:RolePolicy': ['policy'],
  'aws:cloudwatch/eventRule:EventRule': ['eventPattern'],
  'aws:ssm/document:Document': ['content'],
};

export function planPolicyInput(stack: StackPlan): Record<string, unknown> {
  return {
    intent: stack.intentId,
    stack: stack.stack,
    region: stack.region,
    zones: stack.zones,
    triggers: stack.triggers,
    resources: stack.resources.map((r) => {
      const documents: Record<string, unknown> = {};
      for (const key of JSON_INPUTS[r.type] ?? []) {
        const text = r.inputs[key];
        if (typeof text !== 'string') continue;
        try {
          documents[key] = JSON.parse(text);
        } catch {
          // Left out: a policy on it then sees an undefined document and denies.
        }
      }
      return { ...r, documents };
    }),
  };
}

/** The plan policy files of a tree (test files excluded), sorted: policies are data, so the folder is listed, not a registry. */
export function readPlanPolicyModules(tree: Tree): Promise<ModuleSource[]> {
  return readPolicyFiles(tree, { dir: PLAN_POLICY_DIR });
}

export interface PlanPolicyOutcome {
  policies: PlanPolicyInfo[];
  findings: PlanFinding[];
  /** Any deny finding. */
  denied: boolean;
}

export interface PreparedPlanPolicies {
  policies: PlanPolicyInfo[];
  evaluate(plan: IntentPlan): Result<PlanPolicyOutcome>;
}

function infoOf(prepared: PreparedPolicy): PlanPolicyInfo[] {
  const byPackage = new Map<string, PlanPolicyInfo>();
  for (const r of prepared.rules()) {
    if (r.package.slice(0, 2).join('.') !== PACKAGE_ROOT.join('.') || r.package.length !== 3) continue;
    const name = r.package[2]!;
    if (!byPackage.has(name)) byPackage.set(name, { id: name, package: r.package.join('.'), title: name, severity: 'deny' });
  }
  for (const a of prepared.annotations()) {
    if (a.scope !== 'package' || a.package.slice(0, 2).join('.') !== PACKAGE_ROOT.join('.')) continue;
    const info = byPackage.get(a.package[2] ?? '');
    if (!info) continue;
    const custom = a.custom ?? {};
    if (typeof custom.id === 'string') info.id = custom.id;
    if (a.title) info.title = a.title;
    if (custom.severity === 'warn') info.severity = 'warn';
    if (typeof custom.passed === 'string') info.passed = custom.passed;
  }
  return [...byPackage.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** Compile the plan policies once; evaluate many plans. */
export function preparePlanPolicies(modules: ModuleSource[]): Result<PreparedPlanPolicies> {
  if (modules.length === 0) return ok({ policies: [], evaluate: () => ok({ policies: [], findings: [], denied: false }) });
  const r = prepare(modules, { strictBuiltinErrors: true });
  if (!r.ok) return r;
  const prepared = r.value;
  const policies = infoOf(prepared);
  return ok({
    policies,
    evaluate(plan) {
      const findings: PlanFinding[] = [];
      const problems: Diagnostic[] = [];
      for (const stack of plan.stacks) {
        let doc: unknown;
        try {
          doc = prepared.evalRef(PACKAGE_ROOT, { input: planPolicyInput(stack) });
        } catch (err) {
          if (err instanceof EvalError) problems.push(err.diagnostic);
          else problems.push(diag('plan_policy_error', `stack ${stack.stack}: ${err instanceof Error ? err.message : String(err)}`));
          continue;
        }
        const packages = (doc ?? {}) as Record<string, { deny?: unknown; warn?: unknown }>;
        for (const info of policies) {
          const pkg = packages[info.package.split('.')[2]!] ?? {};
          for (const [severity, list] of [['deny', pkg.deny], ['warn', pkg.warn]] as const) {
            for (const item of Array.isArray(list) ? list : []) {
              const f = typeof item === 'string' ? { msg: item } : (item as { msg?: unknown; resource?: unknown });
              findings.push({
                policy: info.id,
                title: info.title,
                // A `warn` rule never denies, whatever the package's severity says.
                severity: severity === 'warn' ? 'warn' : info.severity,
                stack: stack.stack,
                resource: typeof f.resource === 'string' ? f.resource : stack.stack,
                message: String(f.msg ?? JSON.stringify(item)),
              });
            }
          }
        }
      }
      if (problems.length) return fail(problems);
      return ok({ policies, findings, denied: findings.some((f) => f.severity === 'deny') });
    },
  });
}
