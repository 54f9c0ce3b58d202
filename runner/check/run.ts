/**
 * `runCheck`: which intents to check and against which policies, then the
 * pipeline per intent, then the report.
 *
 * Where intents come from (head side):
 *   --base B --head H   files changed from merge-base(B, H) to H (three-dot, like a PR)
 *   --all [--head H]    every intent at H, or in the working tree
 *   (neither)           uncommitted changes in the working tree (vs HEAD)
 *   files               in-memory intent files (the feedback loop's recommendations)
 * Where policies come from: the BASE — B when given, else HEAD for the
 * working-tree mode, else the same tree as the intents (--all without --base).
 * A PR cannot weaken the policies it is judged by; its policy edits are only
 * flagged for policy-owner review. After the intents, the governed files
 * (agents, IAM table, contracts, audit log) are judged once for the whole run,
 * with or without intents (governance.ts).
 */
import type { CheckReport, IntentReport } from '../model/report.ts';
import { perform, type RunContext } from '../core/context.ts';
import { GitopsError, diag, type Diagnostic } from '../core/diagnostics.ts';
import { createRunContext } from '../core/run-context.ts';
import { AGENTS_FILE } from '../core/agent-registry.ts';
import { CONTRACTS_DIR } from '../contracts/load.ts';
import { newTraceId } from '../core/events.ts';
import { INTENTS_DIR, MAX_INTENT_BYTES, idFromPath, isIntentPath } from '../intent/paths.ts';
import { symlinkRefused } from '../core/files.ts';
import { POLICIES_DIR, compilePolicies, readPolicyModules } from '../policy/load.ts';
import { withEngine, type EngineChoice } from '../policy/bundle.ts';
import { changedFiles, hasHead, mergedTree, openRepo, prefetchTops, resolveRef, treeChanges, workingChanges, type FileChange, type Repo } from '../git/repo.ts';
import { commitTree, workTree, type Tree, type TreeFile } from '../git/tree.ts';
import { STAGES } from './pipeline.ts';
import { runStages, toIntentReport } from './stages.ts';
import { type CheckEnv, type IntentSource, type Stage } from '../model/stage.ts';
import { judgeGovernance } from './governance.ts';
import { loadBaseIntent, prefetchBase } from './base.ts';
import { costDelta, totalDelta } from '../translate/cost.ts';
import { intentChanges, notAFile } from '../intent/changes.ts';

export interface CheckOptions {
  /** A directory inside the working copy (or, without git, the repository directory). */
  cwd: string;
  base?: string;
  head?: string;
  all?: boolean;
  /** Run the infrastructure preview stage (loaded only when true). */
  preview?: boolean;
  /** Check these intent files (repository-relative path + content) instead of git changes. */
  files?: Array<{ file: string; bytes: Uint8Array | string }>;
  /** Run context (agents, audit sink, trace id); built from the repository when absent. */
  ctx?: RunContext;
  /** The repository `cwd` is in, when the caller has opened it already (opened from `cwd` when absent). */
  repo?: Repo;
  /** The stage list (default STAGES); tests and extensions pass their own. */
  stages?: readonly Stage[];
  /**
   * Which engine evaluates the intent policies (default interp). `wasm` takes
   * the decision document from an OPA wasm bundle built from exactly the
   * policies used (checked; runner/policy/bundle.ts); an absolute `bundle` path.
   */
  engine?: EngineChoice;
  /** Read the policies as Rego v0 unless a policies/ `.manifest` says otherwise (OPA's `--v0-compatible`). */
  v0Compatible?: boolean;
}

interface Plan {
  root: string;
  intentTree: Tree;
  policyTree: Tree;
  /** Intent files to check, with their change kind. */
  targets: Array<{ file: string; change: IntentReport['change']; from?: string }>;
  deleted: string[];
  policyChanges: string[];
  base?: string;
  head?: string;
  /** The base tree, when the run has one (PR base, or HEAD for working-tree changes). */
  baseTree?: Tree;
  /** All paths changed (any folder), for stages that judge repository-wide changes. */
  changedFiles: string[];
  /** The changes themselves (status, rename source), for the governance judgement. */
  changes: FileChange[];
  /** Two commits compared (--base without --all): a pull request. */
  pr: boolean;
  /** Full commit ids of a pull-request comparison (report.commits). */
  commits?: { base: string; head: string };
}

function pathsOf(changes: FileChange[]): string[] {
  return [...new Set(changes.flatMap((c) => (c.from ? [c.path, c.from] : [c.path])))].sort();
}

function classify(changes: FileChange[]) {
  const policyChanges: string[] = [];
  for (const c of changes) {
    if (c.path.startsWith(POLICIES_DIR + '/') || c.from?.startsWith(POLICIES_DIR + '/')) {
      policyChanges.push(c.from && c.from !== c.path ? `${c.from} → ${c.path}` : c.path);
    }
  }
  // Which intents are checked or gone: the same reading apply and affected make (runner/intent/changes.ts).
  const { targets, deleted } = intentChanges(changes);
  return { targets: targets as Plan['targets'], deleted, policyChanges: [...new Set(policyChanges)].sort() };
}

/** The top-level folders a check reads from a commit (listed together, one git process per commit). */
const READ_TOPS = [INTENTS_DIR, POLICIES_DIR, CONTRACTS_DIR, AGENTS_FILE.split('/')[0]!];

async function planCheck(o: CheckOptions): Promise<Plan> {
  const repo: Repo | undefined = o.repo ?? (await openRepo(o.cwd));
  if (!repo) {
    if (o.base || o.head) throw new GitopsError(diag('git_not_a_repository', `${o.cwd} is not inside a git working copy; --base/--head need git`), 2);
    // No git: the directory itself, every intent (or the given files), policies from the same directory.
    const tree = workTree(o.cwd);
    const all = (await tree.list([INTENTS_DIR])).filter(isIntentPath);
    return { root: o.cwd, intentTree: tree, policyTree: tree, targets: all.map((file) => ({ file, change: 'unchanged' as const })), deleted: [], policyChanges: [], changedFiles: [], changes: [], pr: false };
  }
  const root = repo.root;
  const [baseSha, headSha] = await Promise.all([o.base ? resolveRef(repo, o.base) : undefined, o.head ? resolveRef(repo, o.head) : undefined]);
  if (baseSha) prefetchTops(repo, baseSha, READ_TOPS);
  const headTree = headSha ? commitTree(repo, headSha, o.head!) : workTree(root);
  if (headSha && (o.files || o.all)) prefetchTops(repo, headSha, READ_TOPS);
  const refs = { ...(o.base ? { base: `${o.base}@${baseSha!.slice(0, 12)}` } : {}), ...(o.head ? { head: `${o.head}@${headSha!.slice(0, 12)}` } : {}) };

  if (o.files || o.all) {
    const policyTree = baseSha ? commitTree(repo, baseSha, o.base!) : headTree;
    const all = o.files ? [] : (await headTree.list([INTENTS_DIR])).filter(isIntentPath);
    return {
      root,
      intentTree: headTree,
      policyTree,
      ...(baseSha ? { baseTree: policyTree } : {}),
      targets: all.map((file) => ({ file, change: 'unchanged' as const })),
      deleted: [],
      policyChanges: [],
      changedFiles: [],
      changes: [],
      pr: false,
      ...refs,
    };
  }
  if (baseSha) {
    const head = headSha ?? (await resolveRef(repo, 'HEAD'));
    // What merging the PR would make the base hold, not the head alone: a head that is behind
    // the base merges into a state no check saw (the base's newer edit to the same intent, or an
    // intent with the same id added there since). Judged as the base → merge diff; without a clean
    // merge (a conflict GitHub will not merge) the head, from the merge base, as before.
    const merged = await mergedTree(repo, baseSha, head);
    prefetchTops(repo, merged ?? head, READ_TOPS);
    const headLabel = o.head ?? 'HEAD';
    const tree = merged ? commitTree(repo, merged, `${headLabel} merged into ${o.base}`) : headSha ? headTree : commitTree(repo, head, 'HEAD');
    const all = merged ? await treeChanges(repo, baseSha, merged, []) : await changedFiles(repo, baseSha, head, []);
    const c = classify(all);
    const changed = pathsOf(all);
    // Contracts and agents bear on every intent: a PR changing them re-checks all intents at head.
    if (changed.some((f) => f.startsWith('contracts/') || f.startsWith('agents/'))) {
      const known = new Set(c.targets.map((t) => t.file));
      for (const file of (await tree.list([INTENTS_DIR])).filter(isIntentPath)) if (!known.has(file)) c.targets.push({ file, change: 'unchanged' });
      c.targets.sort((a, b) => a.file.localeCompare(b.file));
    }
    const baseTree = commitTree(repo, baseSha, o.base!);
    return { root, intentTree: tree, policyTree: baseTree, baseTree, ...c, changedFiles: changed, changes: all, pr: true, commits: { base: baseSha, head }, ...refs, head: refs.head ?? `HEAD@${head.slice(0, 12)}` };
  }
  if (headSha) throw new GitopsError(diag('usage_error', '--head needs --base (or --all)'), 2);
  // Working tree: uncommitted changes, judged by the committed policies.
  const headExists = await hasHead(repo);
  const all = await workingChanges(repo, [], headExists);
  const c = classify(all);
  const headCommit = headExists ? await resolveRef(repo, 'HEAD') : undefined;
  const baseTree = headCommit ? commitTree(repo, headCommit, 'HEAD') : undefined;
  return { root, intentTree: headTree, policyTree: baseTree ?? headTree, ...(baseTree ? { baseTree } : {}), ...c, changedFiles: pathsOf(all), changes: all, pr: false };
}

/** Run the pull-request check and return the report (never throws for bad intents; runner faults become report diagnostics or GitopsError exit 2). */
export async function runCheck(o: CheckOptions): Promise<CheckReport> {
  const plan = await planCheck(o);
  const ctx = o.ctx ?? createRunContext({ repoDir: plan.root, kind: 'check', traceId: newTraceId('check', plan.head ?? plan.base) });
  const report: CheckReport = {
    version: 1,
    trace_id: ctx.traceId,
    ...(plan.base ? { base: plan.base } : {}),
    ...(plan.head ? { head: plan.head } : {}),
    ...(plan.commits ? { commits: plan.commits } : {}),
    intents: [],
    deleted: plan.deleted,
    policy_changes: { files: plan.policyChanges, needs_review: plan.policyChanges.length > 0 },
    diagnostics: [],
    summary: { intents: 0, allowed: 0, denied: 0, invalid: 0, warnings: 0 },
  };

  // The intents are read (git processes) while the policies are read and compiled; awaited below.
  const intentReads = o.files ? undefined : plan.intentTree.readFiles(plan.targets.map((t) => t.file), MAX_INTENT_BYTES);
  const intentListing = plan.intentTree.list([INTENTS_DIR]);
  intentReads?.catch(() => undefined);
  intentListing.catch(() => undefined);
  const modules = await readPolicyModules(plan.policyTree, { v0: o.v0Compatible === true });
  const compiled = compilePolicies(modules, plan.policyTree.label);
  if (!compiled.ok) {
    report.diagnostics.push(...compiled.diagnostics);
    return report;
  }
  // The engine only replaces the evaluation; the policies were compiled above either way (ids, validation).
  const policies = await withEngine(compiled.value, o.engine ?? { kind: 'interp' }, modules, plan.policyTree, plan.root);
  if (!policies.ok) {
    report.diagnostics.push(...policies.diagnostics);
    return report;
  }

  let sources: IntentSource[];
  if (o.files) {
    sources = o.files.map((f) => ({ file: f.file, bytes: typeof f.bytes === 'string' ? new TextEncoder().encode(f.bytes) : f.bytes, change: 'modified' as const }));
  } else {
    // Sizes and symlinks are checked from the tree's metadata: an oversized or symlinked intent is never read.
    const files = (await intentReads)!;
    sources = plan.targets.map((t) => ({ ...intentSource(t.file, t.change, files.get(t.file)), ...(t.from ? { from: t.from } : {}) }));
  }
  const intentFiles = (await intentListing).filter(isIntentPath);
  const extra = o.files?.map((f) => f.file).filter((f) => !intentFiles.includes(f)) ?? [];
  const env: CheckEnv = {
    ctx,
    policies: policies.value,
    options: { preview: o.preview ?? false, policyTree: plan.policyTree },
    root: plan.root,
    intentFiles: [...intentFiles, ...extra],
    trees: { head: plan.intentTree, policies: plan.policyTree, ...(plan.baseTree ? { base: plan.baseTree } : {}) },
    changedFiles: plan.changedFiles,
    memo: new Map(),
  };
  if (plan.baseTree) env.loadBase = (file) => loadBaseIntent(env, file);

  prefetchBase(env, sources, plan.deleted);
  const runnerProblems: Diagnostic[] = [];
  for (const source of sources) {
    try {
      const { work, refused } = await runStages(source, env, o.stages ?? STAGES);
      runnerProblems.push(...refused);
      report.intents.push(toIntentReport(work));
    } catch (err) {
      // A stage crashed: a runner fault (exit 2), reported against the file, never a stack trace.
      if (err instanceof GitopsError) runnerProblems.push(...err.diagnostics.map((d) => ({ file: source.file, ...d })));
      else runnerProblems.push(diag('stage_failed', `checking ${source.file} failed: ${err instanceof Error ? err.message : String(err)}`, { file: source.file }));
    }
  }
  // The governed files are judged on every run, with or without intents (the
  // feedback loop's in-memory files are intents only: nothing else changed).
  if (!o.files) {
    try {
      // Performed and recorded like a stage: a PR that changes no intent still leaves its judgement in the audit log.
      const p = await perform(ctx, { agent: 'intent-orchestrator', permission: 'read:agents', action: 'verify_governance', resource: 'repository' }, async () => {
        const g = await judgeGovernance(env, plan.changes, plan.pr);
        const failed = [...new Set(g.results.filter((r) => r.status === 'failed').map((r) => r.policy))];
        return { value: g, outcome: failed.length ? 'failure' : 'success', details: { failed, files: g.files.length, needs_review: g.needs_review } };
      });
      if (p.status === 'denied') runnerProblems.push(diag('agent_permission_denied', `the governance judgement refused: ${p.reason}`));
      else report.governance = p.value;
    } catch (err) {
      if (err instanceof GitopsError) runnerProblems.push(...err.diagnostics);
      else runnerProblems.push(diag('stage_failed', `judging the governed files failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
  report.diagnostics.push(...runnerProblems);
  if (plan.baseTree) await describeDeleted(report, env);
  report.summary = summarise(report.intents);
  return report;
}

function intentSource(file: string, change: IntentReport['change'], f: TreeFile | undefined): IntentSource {
  const at = { file, line: 1, col: 1 };
  if (f?.kind === 'symlink') return { file, change, bytes: new Uint8Array(), refused: { ...symlinkRefused(file), ...at } };
  if (f?.kind === 'too_large') {
    return { file, change, bytes: new Uint8Array(), size: f.size, refused: diag('intent_too_large', `file is ${f.size} bytes; intents are limited to ${MAX_INTENT_BYTES} bytes`, at) };
  }
  // Listed as changed but no file to read: a submodule (gitlink) under intents/, never an intent.
  if (!f) return { file, change, bytes: new Uint8Array(), refused: notAFile(file) };
  return { file, change, bytes: f.bytes };
}

export function summarise(intents: IntentReport[]): CheckReport['summary'] {
  return {
    intents: intents.length,
    allowed: intents.filter((i) => i.decision === 'allow').length,
    denied: intents.filter((i) => i.decision === 'deny').length,
    invalid: intents.filter((i) => i.decision === 'invalid').length,
    warnings: intents.reduce((n, i) => n + i.results.filter((r) => r.status === 'warned').length, 0),
  };
}

/**
 * What the PR removes: each deleted intent's cost at the base (a negative
 * delta) and, with --preview, its stacks as deletes. Then the PR's total
 * cost delta over every intent.
 */
async function describeDeleted(report: CheckReport, env: CheckEnv): Promise<void> {
  const deleted: NonNullable<CheckReport['deleted_intents']> = [];
  for (const file of report.deleted) {
    const base = await loadBaseIntent(env, file);
    const entry: NonNullable<CheckReport['deleted_intents']>[number] = { id: base?.doc.id ?? idFromPath(file), file, ...(base?.cost ? { base_cost: base.cost, cost_delta: costDelta(base.cost, undefined) } : {}) };
    if (env.options.preview) {
      // Like the preview stage: one audited action of the orchestrator; Pulumi is loaded only with --preview.
      type Deleted = Awaited<ReturnType<typeof import('../infra/preview-stage.ts').previewDeleted>>;
      const done = await perform<Deleted>(env.ctx, { agent: 'intent-orchestrator', permission: 'write:plans', action: 'preview_infrastructure', resource: entry.id }, async () => {
        const r = await (await import('../infra/preview-stage.ts')).previewDeleted(env, file, base);
        return 'note' in r
          ? { value: r, outcome: 'failure' as const, details: { stage: 'preview', deleted: file, note: r.note } }
          : { value: r, details: { stage: 'preview', deleted: file, delete: r.diff.counts.delete, stacks: r.diff.stacks.deleted } };
      });
      if (done.status === 'denied') entry.notes = [`the deleted intent's stacks were not previewed: ${done.reason}`];
      else if ('note' in done.value) entry.notes = [done.value.note];
      else Object.assign(entry, { plan_diff: done.value.diff, ...(done.value.graphs.length ? { graphs: done.value.graphs } : {}) });
    }
    deleted.push(entry);
  }
  if (deleted.length) report.deleted_intents = deleted;
  const deltas = [...report.intents.flatMap((i) => (i.cost_delta ? [i.cost_delta] : [])), ...deleted.flatMap((d) => (d.cost_delta ? [d.cost_delta] : []))];
  if (deltas.length) report.cost_delta = totalDelta(deltas);
}
