/**
 * The OPA-wasm engine for the intent policies: the decision document
 * `data.gitops.policies` comes from a bundle built by `opa build -t wasm`
 * (its /policy.wasm, loaded through runner/rego/wasm/adapter.ts) instead of
 * the in-process interpreter. The policies are still compiled in-process
 * (compilePolicies): that validates them and gives the METADATA ids, titles
 * and severities that turn the document into results, so both engines feed
 * the same mapping (evaluatePolicies) and return the same decision shape.
 *
 * Safety: a bundle is only trusted for the policies it was built from
 * (verifyBundleSources in runner/policyset/bundle.ts, with the bundle reading
 * and `opa build` every family shares): every intent policy the check uses
 * must be in it with identical text, and every .rego in it must be one of
 * the policy tree's files.
 *
 * The bundle's data.json is NOT loaded: the in-process path evaluates the
 * policies with no base data, and both paths must see the same documents.
 */
import { diag, fail, ok, type Result } from '../core/diagnostics.ts';
import type { ModuleSource } from '../rego/api.ts';
import { loadWasmPolicy } from '../rego/wasm/adapter.ts';
import type { Tree } from '../git/tree.ts';
import { INTENT_POLICY_ROOT, POLICIES_DIR } from './load.ts';
import { type PolicySet } from '../model/policy.ts';
import { buildWithOpa, readAllPolicySources, readPolicyBundle, shownPath, sortFindings, verifyBundleSources, type EngineChoice, type PolicyBundle } from '../policyset/bundle.ts';

export type { EngineChoice } from '../policyset/bundle.ts';

/** The OPA entrypoint the bundle must export (`data.gitops.policies`). */
export const ENTRYPOINT = INTENT_POLICY_ROOT.join('/');

/** The policy set, evaluated through the bundle's policy.wasm (after the source check). */
export async function wasmPolicySet(set: PolicySet, bundle: PolicyBundle, used: readonly ModuleSource[], allowed: readonly ModuleSource[]): Promise<Result<PolicySet>> {
  const verified = verifyBundleSources(bundle, used, allowed, set.source);
  if (!verified.ok) return verified;
  const loaded = await loadWasmPolicy(bundle.wasm);
  if (!loaded.ok) return fail(loaded.diagnostics.map((d) => ({ ...d, file: bundle.path, message: `the policy bundle ${bundle.path}: ${d.message}` })));
  const policy = loaded.value;
  if (!policy.entrypoints.includes(ENTRYPOINT)) {
    const has = policy.entrypoints.length ? policy.entrypoints.join(', ') : 'none';
    return fail(diag('bundle_missing_entrypoint', `the policy bundle ${bundle.path} has no entrypoint ${ENTRYPOINT} (has: ${has}); build it with \`opa build -t wasm -e ${ENTRYPOINT} ${POLICIES_DIR}/\``, { file: bundle.path }));
  }
  const out: PolicySet = {
    ...set,
    source: `${set.source}, wasm bundle ${bundle.path}`,
    evaluate: (input) => sortFindings(policy.evaluate(ENTRYPOINT, input), set),
  };
  return ok(out);
}

/**
 * Apply the chosen engine to a compiled policy set. `interp` returns it as
 * is; `wasm` reads (or builds) the bundle, checks its sources against `used`
 * (the intent policies compiled into `set`) and `tree`'s .rego files, and
 * returns the set with its `evaluate` backed by the bundle.
 */
export async function withEngine(set: PolicySet, engine: EngineChoice, used: readonly ModuleSource[], tree: Tree, root: string): Promise<Result<PolicySet>> {
  if (engine.kind === 'interp') return ok(set);
  const bundle = engine.bundle ? await readPolicyBundle(engine.bundle, shownPath(engine.bundle, root), ENTRYPOINT) : await buildWithOpa(used, ENTRYPOINT);
  if (!bundle.ok) return bundle;
  return wasmPolicySet(set, bundle.value, used, await readAllPolicySources(tree));
}
