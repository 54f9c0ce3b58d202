/**
 * The intent policies of a tree (the PR's BASE during a check, so a PR cannot
 * weaken the policies it is judged by): the intent family over the generic
 * loader in runner/policyset/load.ts.
 *
 * Which files: every `.rego` under policies/ except unit tests (`*_test.rego`)
 * and the folders of other policy families, which are evaluated by their own
 * stages on other inputs (agents registry, infrastructure plan).
 * Which rules: packages under `gitops.policies.*`; each needs a package-scope
 * `# METADATA` block with `custom.id` (and title, severity).
 */
import { diag, type Result } from '../core/diagnostics.ts';
import type { ModuleSource } from '../rego/api.ts';
import type { PolicySet } from '../model/policy.ts';
import type { Tree } from '../git/tree.ts';
import { POLICIES_DIR, compilePolicySet, isPolicyFileIn, readPolicyFiles, type PolicyFamily } from '../policyset/load.ts';

export { POLICIES_DIR };
/** Sub-folders holding other policy families (not evaluated against intents). */
export const OTHER_POLICY_FAMILIES = ['policies/agents/', 'policies/plan/'];
/** Intent policies are the packages under this path (without `data`). */
export const INTENT_POLICY_ROOT = ['gitops', 'policies'];

export function isIntentPolicyFile(path: string): boolean {
  return isPolicyFileIn(POLICIES_DIR, path) && !OTHER_POLICY_FAMILIES.some((d) => path.startsWith(d));
}

/**
 * The intent policy modules of a tree, each with its Rego syntax: v1, or v0
 * with `v0` (`--v0-compatible`) or when a `.manifest` in policies/ (or a
 * folder below) says so (runner/policyset/manifest.ts). A malformed manifest
 * is a runner error (exit 2) naming it.
 */
export function readPolicyModules(tree: Tree, opts: { v0?: boolean } = {}): Promise<ModuleSource[]> {
  return readPolicyFiles(tree, { dir: POLICIES_DIR, include: isIntentPolicyFile }, opts);
}

const INTENT_FAMILY: PolicyFamily = {
  root: INTENT_POLICY_ROOT,
  none: (source) => diag('policy_none', `no intent policies found under ${POLICIES_DIR}/ in ${source}`),
};

export function compilePolicies(modules: ModuleSource[], source: string): Result<PolicySet> {
  return compilePolicySet(modules, source, INTENT_FAMILY);
}
