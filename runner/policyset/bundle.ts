/**
 * OPA wasm bundles for any policy family: reading a bundle.tar.gz (its
 * policy.wasm and .rego sources), checking that it was built from exactly the
 * policies in use, building one with `opa build`, and putting the wasm's
 * partial sets in the interpreter's order. runner/policy/bundle.ts applies
 * them to the intent policies (`--engine wasm`).
 *
 * Safety: a bundle is only trusted for the policies it was built from. Every
 * policy in use must be in the bundle's .rego sources with identical text,
 * and every .rego in the bundle must be one of the policy tree's files — an
 * extra module could add to a package (e.g. an element of a set a rule tests
 * with `not`) and silently weaken a policy. Sources are compared by content
 * digest, not path: `opa build` stores each file under the path it was given
 * (`policies/x.rego`, `/tmp/…/x.rego`, …).
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { diag, fail, ok, type Result } from '../core/diagnostics.ts';
import { sha256 } from '../core/hash.ts';
import type { ModuleSource } from '../rego/api.ts';
import { buildBundleWithOpa, readTarGz } from '../rego/wasm/adapter.ts';
import { compare, fromJS } from '../rego/value.ts';
import type { Tree } from '../git/tree.ts';
import { POLICIES_DIR } from './load.ts';
import { type PolicySet } from '../model/policy.ts';
import { decodeRepoText } from '../core/text.ts';

/** The `--engine` choice: which evaluator produces the decision document (the in-process interpreter or an OPA wasm bundle). */
export type EngineChoice =
  | { kind: 'interp' }
  /** `bundle`: path of a bundle.tar.gz; absent → build one with `opa` from PATH. */
  | { kind: 'wasm'; bundle?: string };

export interface PolicyBundle {
  /** The path as shown in messages. */
  path: string;
  wasm: Uint8Array;
  /** Path inside the bundle → source text, for every `.rego` file. */
  rego: Map<string, string>;
}

/** Read a bundle.tar.gz: its policy.wasm and .rego sources. Any read problem is a `bundle_error` naming the path. */
export async function readPolicyBundle(file: string, shown: string, entrypoint: string): Promise<Result<PolicyBundle>> {
  let files: Map<string, Uint8Array>;
  try {
    files = readTarGz(await readFile(file));
  } catch (e) {
    // ENOENT, a file that is not gzip ("incorrect header check"), a truncated archive.
    return fail(diag('bundle_error', `cannot read the policy bundle ${shown}: ${e instanceof Error ? e.message : String(e)}`, { file: shown }));
  }
  const wasm = files.get('policy.wasm');
  if (!wasm) return fail(diag('bundle_error', `the policy bundle ${shown} has no /policy.wasm (build it with \`opa build -t wasm -e ${entrypoint} ${POLICIES_DIR}/\`)`, { file: shown }));
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const rego = new Map<string, string>();
  for (const [path, body] of files) if (path.endsWith('.rego')) rego.set(path, decoder.decode(body));
  return ok({ path: shown, wasm, rego });
}

/** Every `.rego` file under policies/ of a tree (tests and other families too: `opa build policies/` bundles them all). */
export async function readAllPolicySources(tree: Tree): Promise<ModuleSource[]> {
  const files = (await tree.list([POLICIES_DIR])).filter((f) => f.endsWith('.rego')).sort();
  const blobs = await tree.read(files);
  return files.filter((f) => blobs.has(f)).map((file) => ({ file, text: decodeRepoText(blobs.get(file)!, file) }));
}

const digest = (text: string) => sha256(text);

/**
 * The bundle was built from exactly these policies: each `used` module is in
 * the bundle byte for byte, and each bundle .rego is one of `allowed` (the
 * policy tree's .rego files). The first problem is a `bundle_policy_mismatch`.
 */
export function verifyBundleSources(bundle: PolicyBundle, used: readonly ModuleSource[], allowed: readonly ModuleSource[], source: string): Result<void> {
  const inBundle = new Map<string, string>();
  for (const [path, text] of bundle.rego) inBundle.set(digest(text), path);
  const why = `the bundle ${bundle.path} was not built from the policies at ${source} (rebuild it from them, or drop --bundle)`;
  for (const m of [...used].sort((a, b) => a.file.localeCompare(b.file))) {
    if (inBundle.has(digest(m.text))) continue;
    // Same path (opa build keeps the given path, possibly under a prefix): the text differs; otherwise it is missing.
    const samePath = [...bundle.rego.keys()].find((p) => p === m.file || p.endsWith('/' + m.file));
    const what = samePath ? `differs from the bundle's ${samePath}` : 'is missing from the bundle';
    return fail(diag('bundle_policy_mismatch', `${m.file} ${what}: ${why}`, { file: m.file }));
  }
  const known = new Set(allowed.map((m) => digest(m.text)));
  for (const [path, text] of [...bundle.rego].sort(([a], [b]) => a.localeCompare(b))) {
    if (known.has(digest(text))) continue;
    return fail(diag('bundle_policy_mismatch', `the bundle's ${path} is not one of the .rego files under ${POLICIES_DIR}/ at ${source}: ${why}`, { file: bundle.path }));
  }
  return ok(undefined);
}

/**
 * Partial sets (deny, warn) come out of OPA's wasm as JSON arrays in the
 * module's own order; the interpreter returns them sorted in OPA's value
 * order. Sort them the same way so both engines give results in one order.
 */
export function sortFindings(doc: unknown, set: PolicySet): unknown {
  if (!doc || typeof doc !== 'object') return doc;
  for (const p of set.policies) {
    let node: unknown = doc;
    for (const k of p.pkg) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
    if (!node || typeof node !== 'object') continue;
    const rec = node as Record<string, unknown>;
    for (const key of ['deny', 'warn']) {
      const list = rec[key];
      if (!Array.isArray(list)) continue;
      const keyed = list.map((v) => ({ v, k: fromJS(v) }));
      keyed.sort((a, b) => compare(a.k, b.k));
      rec[key] = keyed.map((x) => x.v);
    }
  }
  return doc;
}

/**
 * `--engine wasm` without `--bundle`: write the policies the check uses to a
 * temporary directory and run `opa build` on its policies/ folder with
 * `entrypoint` (needs `opa` on PATH). The bundle
 * therefore holds exactly those sources and passes the source check.
 */
export async function buildWithOpa(used: readonly ModuleSource[], entrypoint: string): Promise<Result<PolicyBundle>> {
  const dir = await mkdtemp(join(tmpdir(), 'gitops-opa-build-'));
  try {
    for (const m of used) {
      await mkdir(dirname(join(dir, m.file)), { recursive: true });
      await writeFile(join(dir, m.file), m.text);
    }
    const out = join(dir, 'bundle.tar.gz');
    const built = buildBundleWithOpa(join(dir, POLICIES_DIR), [entrypoint], out);
    if (!built.ok) {
      return fail(built.diagnostics.map((d) =>
        d.code === 'opa_not_found'
          ? diag('opa_not_found', `--engine wasm without --bundle builds the bundle with \`opa build\`, but opa is not on PATH: pass --bundle <bundle.tar.gz> (built with \`opa build -t wasm -e ${entrypoint} ${POLICIES_DIR}/\`) or use --engine interp`)
          : d,
      ));
    }
    return await readPolicyBundle(out, 'opa-build-output.tar.gz', entrypoint);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A path for messages: repository-relative when inside the repository, else as resolved. */
export function shownPath(file: string, root: string): string {
  const rel = relative(root, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
