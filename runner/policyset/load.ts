/**
 * Loading and compiling a family of Rego policies from a tree — the intent
 * policies (runner/policy/load.ts), the agent policies
 * (runner/agents/policy.ts) and the plan policies (runner/infra/plan-policy.ts)
 * are all read here. During a check the tree is the PR's BASE, so a PR cannot
 * weaken the policies it is judged by.
 *
 * Which files: every `.rego` under the family's folder except unit tests
 * (`*_test.rego`) and what the family's `include` leaves out; each with its
 * Rego syntax from the `.manifest` above it (runner/policyset/manifest.ts).
 * Which rules (compilePolicySet): packages under the family's root; each
 * needs a package-scope `# METADATA` block with `custom.id` (and title,
 * severity). Problems are diagnostics with codes and file:line.
 */
import { GitopsError, diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import { MANIFEST, withRegoVersions } from './manifest.ts';
import { digestOf } from '../core/hash.ts';
import { prepare, type ModuleSource } from '../rego/api.ts';
import type { PolicyMeta, PolicySet } from '../model/policy.ts';
import type { Tree } from '../git/tree.ts';
import { customBuiltins } from '../rego/builtins/registry.ts';
import { decodeRepoText } from '../core/text.ts';

/** The folder every policy family lives under (the intent policies at its top, the other families in sub-folders). */
export const POLICIES_DIR = 'policies';

export interface PolicyFiles {
  /** The folder listed (`policies`, `policies/agents`, …). */
  dir: string;
  /** Which listed `.rego` files (tests already left out) belong to the family; all when absent. */
  include?: (path: string) => boolean;
}

export function isPolicyFileIn(dir: string, path: string): boolean {
  return path.startsWith(dir + '/') && path.endsWith('.rego') && !path.endsWith('_test.rego');
}

/**
 * The policy modules of a family in a tree, sorted, each with its Rego
 * syntax: v1, or v0 with `v0` (`--v0-compatible`) or when a `.manifest` in
 * the folder (or one below it) says so. A malformed manifest is a runner
 * error (exit 2) naming it.
 */
export async function readPolicyFiles(tree: Tree, family: PolicyFiles, opts: { v0?: boolean } = {}): Promise<ModuleSource[]> {
  const listed = await tree.list([family.dir]);
  const files = listed.filter((f) => isPolicyFileIn(family.dir, f) && (family.include ? family.include(f) : true)).sort();
  const blobs = await tree.read(files);
  const modules = files.filter((f) => blobs.has(f)).map((file) => ({ file, text: decodeRepoText(blobs.get(file)!, file) }));
  const manifests = new Set(listed.filter((f) => f.endsWith('/' + MANIFEST)));
  const r = await withRegoVersions(
    modules,
    async (path) => {
      if (!manifests.has(path)) return undefined;
      const b = (await tree.read([path])).get(path);
      return b === undefined ? undefined : decodeRepoText(b, path);
    },
    opts,
  );
  if (!r.ok) throw new GitopsError(r.diagnostics, 2);
  return r.value;
}

export interface PolicyFamily {
  /** The packages of the family are under this path (without `data`). */
  root: readonly string[];
  /** The diagnostic when there is no policy at all. */
  none: (source: string) => Diagnostic;
}

// Compiling is the expensive part; the feedback loop re-checks many intents against the same policies.
const cache = new Map<string, Result<PolicySet>>();

/** Compile a family's modules into a PolicySet: each package under `root` with its METADATA (id, title, severity). */
export function compilePolicySet(modules: ModuleSource[], source: string, family: PolicyFamily): Result<PolicySet> {
  // A v0 module is another program than the same text read as v1; v1 modules keep the digest they always had.
  const digest = digestOf(modules.map((m) => (m.regoVersion === 0 ? [m.file, m.text, 0] : [m.file, m.text])));
  // Custom builtins in force (`--builtins`) are part of what compiles: never share such a compile.
  if (customBuiltins().size > 0) return compileUncached(modules, source, digest, family);
  const key = `${family.root.join('.')}\n${digest}`;
  const hit = cache.get(key);
  if (hit) return hit.ok ? ok({ ...hit.value, source }) : hit;
  const r = compileUncached(modules, source, digest, family);
  cache.set(key, r);
  return r;
}

function compileUncached(modules: ModuleSource[], source: string, digest: string, family: PolicyFamily): Result<PolicySet> {
  if (modules.length === 0) return fail(family.none(source));
  const r = prepare(modules, { strictBuiltinErrors: false });
  if (!r.ok) return r;
  const prepared = r.value;
  const problems: Diagnostic[] = [];
  const policies: PolicyMeta[] = [];
  const root = family.root.join('.');
  const annotated = new Set<string>();
  for (const a of prepared.annotations()) {
    if (a.scope !== 'package') continue;
    const pkg = a.package.join('.');
    if (!pkg.startsWith(root + '.')) continue;
    annotated.add(pkg);
    const custom = a.custom ?? {};
    const id = custom.id;
    const severity = custom.severity ?? 'deny';
    const at = { file: a.file, line: a.line, col: 1 };
    if (typeof id !== 'string' || !/^[A-Z]+(-[A-Z0-9]+)+$/.test(id)) {
      problems.push(diag('policy_bad_metadata', `package ${pkg}: METADATA custom.id must be a policy id like SEC-AUTH-001`, at));
      continue;
    }
    if (severity !== 'deny' && severity !== 'warn') {
      problems.push(diag('policy_bad_metadata', `package ${pkg}: METADATA custom.severity must be deny or warn, not ${JSON.stringify(severity)}`, at));
      continue;
    }
    if (policies.some((p) => p.id === id)) {
      problems.push(diag('policy_duplicate_id', `policy id ${id} is declared by two packages (${pkg} and ${policies.find((p) => p.id === id)!.pkg.join('.')})`, at));
      continue;
    }
    policies.push({
      id,
      title: a.title ?? id,
      severity,
      passed: typeof custom.passed === 'string' ? custom.passed : (a.title ?? 'passed'),
      ...(a.description ? { description: a.description } : {}),
      pkg: a.package.slice(family.root.length),
      file: a.file,
      line: a.line,
    });
  }
  // A package with deny/warn rules but no metadata would be evaluated without an id: refuse it.
  for (const rule of prepared.rules()) {
    const pkg = rule.package.join('.');
    if (!pkg.startsWith(root + '.') || annotated.has(pkg) || (rule.name !== 'deny' && rule.name !== 'warn')) continue;
    annotated.add(pkg);
    problems.push(diag('policy_missing_metadata', `package ${pkg} has ${rule.name} rules but no package-scope # METADATA block with custom.id`, { file: rule.file, line: rule.line, col: 1 }));
  }
  if (problems.length) return fail(problems);
  policies.sort((a, b) => a.id.localeCompare(b.id));
  return ok({ prepared, policies, digest, files: modules.map((m) => m.file), source });
}
