/**
 * Which stacks a merge affects: the one selection `gitops apply` and
 * `gitops affected` share. A stack is `<intent id>-<region>`; an intent
 * deploys one stack per region its translation lists.
 *
 * Between two refs:
 * - an intent added, modified or renamed → its stacks at head are updated;
 *   regions it no longer lists (or the old id of a rename) → destroyed;
 * - an intent deleted → its stacks at base are destroyed;
 * - the program itself (runner/infra/), the agent registry or the agents' IAM
 *   table changed → every
 *   intent's stacks at head are updated (their resources may differ).
 * No Pulumi here: this module is loaded by `gitops affected` too.
 */
import { diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import { changedFiles, openRepo, resolveRef } from '../git/repo.ts';
import { commitTree, workTree, type Tree } from '../git/tree.ts';
import { loadIntent } from '../intent/load.ts';
import { INTENTS_DIR, idFromPath, isIntentPath } from '../intent/paths.ts';
import { intentChanges, notAFile } from '../intent/changes.ts';
import { translate } from '../translate/registry.ts';
import { AGENTS_FILE } from '../core/agent-registry.ts';
import { IAM_TABLE_FILE } from '../core/iam-table.ts';
import { agentsOf, type AgentsInput } from '../infra/agents-input.ts';
import { stackSpecs } from '../infra/spec.ts';
import type { StackSpec } from '../model/plan.ts';
import type { StackChange, StackTarget } from '../model/apply.ts';

/** Paths whose change affects every stack: the program and what its roles are built from. */
export const PROGRAM_PATHS = ['runner/infra/', AGENTS_FILE, IAM_TABLE_FILE];

export type Selection = { base: string; head: string } | { intent: string } | { all: true };

interface Loaded {
  specs: StackSpec[];
}

/** Intent file → its stack specs (load, translate, validate); problems carry file:line. */
export function specsOf(file: string, bytes: Uint8Array | undefined, agents: AgentsInput): Result<Loaded> {
  if (!bytes) return fail(notAFile(file));
  const doc = loadIntent(file, bytes);
  if (!doc.ok) return doc;
  const t = translate(doc.value);
  if (!t.ok) return t;
  const specs = stackSpecs({ intentId: doc.value.id, actions: t.value.actions, agents, file, regions: t.value.deploy_regions });
  if (!specs.ok) {
    const at = doc.value.locate(['intent', 'type']);
    return fail(specs.diagnostics.map((d) => ({ ...d, file, line: d.line ?? at.line, col: d.col ?? at.col })));
  }
  return ok({ specs: specs.value });
}

async function readTree(tree: Tree, files: string[]): Promise<Map<string, Uint8Array>> {
  return tree.read(files);
}

const byStack = (a: { stack: string; kind: string }, b: { stack: string; kind: string }) => (a.kind === b.kind ? a.stack.localeCompare(b.stack) : a.kind === 'up' ? -1 : 1);

/**
 * The stacks to apply, ups first then destroys, each group sorted by stack
 * name (a deterministic order: the audit trail of two runs compares line by line).
 */
export async function selectStacks(dir: string, sel: Selection): Promise<Result<StackTarget[]>> {
  const problems: Diagnostic[] = [];
  const targets: StackTarget[] = [];
  const addUps = (file: string, loaded: Result<Loaded>, change: StackChange) => {
    if (!loaded.ok) return void problems.push(...loaded.diagnostics);
    for (const spec of loaded.value.specs) {
      if (targets.some((t) => t.stack === spec.stack)) continue;
      targets.push({ kind: 'up', stack: spec.stack, intentId: spec.intentId, region: spec.region, file, change, spec });
    }
  };

  if ('base' in sel) {
    const repo = await openRepo(dir);
    if (!repo) return fail(diag('git_not_a_repo', `${dir} is not a git working copy; --base/--head need one`));
    const [base, head] = [await resolveRef(repo, sel.base), await resolveRef(repo, sel.head)];
    const baseTree = commitTree(repo, base, sel.base);
    const headTree = commitTree(repo, head, sel.head);
    const [baseAgentsR, headAgentsR] = [await agentsOf(baseTree), await agentsOf(headTree)];
    if (!headAgentsR.ok) return headAgentsR;
    const headAgents = headAgentsR.value;
    // A base without the table (older history) cannot name its stacks' roles, but its stacks are still known by intent and region.
    const baseAgents = baseAgentsR.ok ? baseAgentsR.value : headAgents;
    const changes = await changedFiles(repo, base, head, [INTENTS_DIR, ...PROGRAM_PATHS]);
    // The same reading of the changes as `gitops check` (runner/intent/changes.ts): what it judged is what is applied.
    const { targets: ups, deleted } = intentChanges(changes);
    const gone: Array<{ file: string; change: StackChange }> = [
      ...deleted.map((file) => ({ file, change: 'removed' as const })),
      ...ups.flatMap((t) => (t.change === 'modified' ? [t.file] : t.change === 'renamed' && t.from ? [t.from] : [])).map((file) => ({ file, change: 'region_removed' as const })),
    ];
    const [headBlobs, baseBlobs] = [await readTree(headTree, ups.map((t) => t.file)), await readTree(baseTree, gone.map((g) => g.file))];
    for (const t of ups) addUps(t.file, specsOf(t.file, headBlobs.get(t.file), headAgents), t.change);
    // What existed at base and is gone at head: destroyed (behind --destroy-removed in apply).
    for (const g of gone) {
      if (!baseBlobs.has(g.file)) continue;
      const before = specsOf(g.file, baseBlobs.get(g.file), baseAgents);
      // A base that no longer loads (e.g. schema changed since) still has stacks named by file id and regions unknown: report it.
      if (!before.ok) {
        problems.push(...before.diagnostics.map((d) => ({ ...d, message: `at ${sel.base}: ${d.message} (cannot tell which stacks to destroy)` })));
        continue;
      }
      for (const spec of before.value.specs) {
        if (targets.some((t) => t.stack === spec.stack)) continue;
        targets.push({ kind: 'destroy', stack: spec.stack, intentId: spec.intentId, region: spec.region, file: g.file, change: g.change });
      }
    }
    if (changes.some((c) => PROGRAM_PATHS.some((p) => c.path.startsWith(p)))) {
      const all = (await headTree.list([INTENTS_DIR])).filter(isIntentPath);
      const blobs = await readTree(headTree, all);
      for (const f of all) addUps(f, specsOf(f, blobs.get(f), headAgents), 'program');
    }
    problems.push(...(await duplicateIds(headTree, new Set(targets.filter((t) => t.kind === 'up').map((t) => idFromPath(t.file))))));
  } else {
    const tree = workTree(dir);
    const agentsR = await agentsOf(tree);
    if (!agentsR.ok) return agentsR;
    const agents = agentsR.value;
    const all = (await tree.list([INTENTS_DIR])).filter(isIntentPath);
    const files = 'intent' in sel ? all.filter((f) => idFromPath(f) === sel.intent) : all;
    if ('intent' in sel && files.length === 0) return fail(diag('apply_unknown_intent', `no intent ${sel.intent} under ${INTENTS_DIR}/ (expected ${INTENTS_DIR}/${sel.intent}.yaml)`));
    const blobs = await tree.read(files);
    for (const f of files) addUps(f, specsOf(f, blobs.get(f), agents), 'selected');
    problems.push(...(await duplicateIds(tree, new Set(files.map(idFromPath)))));
  }
  if (problems.length) return fail(problems);
  return ok(targets.sort(byStack));
}

/**
 * Two intent files with one id would deploy the same stacks, the first file
 * read winning silently: refuse instead. The check denies it on every pull
 * request (intent_duplicate_id, judged on the merge); this is for a state that
 * reached the branch anyway (a base that moved after the check, an admin merge).
 */
async function duplicateIds(tree: Tree, ids: ReadonlySet<string>): Promise<Diagnostic[]> {
  const byId = new Map<string, string[]>();
  for (const f of (await tree.list([INTENTS_DIR])).filter(isIntentPath)) {
    const id = idFromPath(f);
    if (ids.has(id)) byId.set(id, [...(byId.get(id) ?? []), f]);
  }
  return [...byId].filter(([, files]) => files.length > 1).map(([id, files]) =>
    diag('apply_duplicate_id', `intent id ${id} is claimed by ${files.join(', ')}: which one to deploy is not decided; keep one (the check denies this as intent_duplicate_id)`, { file: files[1]!, line: 1, col: 1 }),
  );
}
