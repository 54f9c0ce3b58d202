/**
 * `gitops demo`: the main job on the embedded defaults, end to end, no
 * network. A scratch clone of this repository, branches that change intents
 * the way pull requests would, and the check's verdict on each.
 *
 * Structured as an explicit list of steps (DEMO_STEPS) so later stages of the
 * product (preview, audit, feedback) add their step here.
 */
import { gitOk } from '../git/process.ts';
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, CommandIO } from './command.ts';
import { parse } from './args.ts';
import { createRunContext } from '../core/run-context.ts';
import { GitopsError, diag } from '../core/diagnostics.ts';
import { MemorySink } from '../core/events.ts';
import { exitCode, type CheckReport } from '../model/report.ts';
import { runCheck } from '../check/run.ts';
import { openAuditSink } from '../audit/index.ts';
import { renderText } from '../report/text.ts';

/** The runner's own checkout: the repository the demo clones. */
export const SOURCE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOVERNED = ['intents', 'policies', 'agents', 'contracts', 'metrics'];

export interface DemoState {
  /** The repository the demo clones (default: the runner's own checkout). */
  source: string;
  /** Scratch clone the demo works in. */
  dir: string;
  /** The base branch every demo branch starts from. */
  base: string;
  io: CommandIO;
  reports: Map<string, CheckReport>;
  /** Expectations that did not hold (the demo's exit code is 1 when any). */
  surprises: string[];
  /** Extra paths to remove at the end (the bare remote). */
  cleanup: string[];
  /** Trace ids of the recorded checks, for `gitops audit show --trace`. */
  traces: string[];
  /** When the demo started (ms): the replayed sample ends just before it. */
  started: number;
}

/** Sample files whose ISO timestamps the demo replays as the last seven days (metrics and the platform's recoveries). */
const SAMPLE_TIMED_FILES = ['metrics/sample/DEPLOY-WEB-001.csv', 'metrics/sample/recoveries.json'];
const ISO_UTC = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z\b/g;
const HOUR = 3_600_000;

/**
 * Whole hours that move the sample's last timestamp to the last full hour
 * before `now`: the hourly rows stay on the hour, and the report's window
 * (seven days up to now) holds both the sample and what the demo just did.
 */
export function replayShift(lastSample: number, now: number): number {
  return Math.floor(now / HOUR) * HOUR - Math.ceil(lastSample / HOUR) * HOUR;
}

/** Every ISO 8601 UTC timestamp in `text`, moved by `shiftMs` (same format: milliseconds when it had them). */
export function shiftTimestamps(text: string, shiftMs: number): string {
  return text.replace(ISO_UTC, (t) => {
    const iso = new Date(Date.parse(t) + shiftMs).toISOString();
    return t.includes('.') ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
  });
}

export interface DemoStep {
  name: string;
  run(state: DemoState): Promise<void>;
}

async function git(state: Pick<DemoState, 'dir'>, ...args: string[]): Promise<string> {
  return gitOk(state.dir, args);
}

async function write(state: DemoState, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(state.dir, path)), { recursive: true });
  await writeFile(join(state.dir, path), text);
}

/** A branch from the base with some files written (string) or deleted (null), committed. */
async function makeBranch(state: DemoState, name: string, files: Record<string, string | null>, message: string): Promise<void> {
  await git(state, 'checkout', '-q', '-B', name, state.base);
  for (const [path, text] of Object.entries(files)) {
    if (text === null) await git(state, 'rm', '-q', path);
    else await write(state, path, text);
  }
  // Only the branch's own files: the working copy also holds audit records the demo appends.
  const written = Object.entries(files).filter(([, t]) => t !== null).map(([p]) => p);
  if (written.length) await git(state, 'add', '--', ...written);
  await git(state, 'commit', '-q', '-m', message);
  await git(state, 'checkout', '-q', state.base);
}

/** Check a branch against the base and print the verdict; record a surprise when the decision is not the expected one. */
function checkStep(name: string, branch: string, expect: { exit: 0 | 1; deniedBy?: string[] }, opts: { preview?: boolean; record?: boolean } = {}): DemoStep {
  return {
    name,
    async run(state) {
      const commit = (await git(state, 'rev-parse', branch)).trim();
      // --record: the check's events go to the scratch clone's audit-log/ (as on GitHub), else stay in memory.
      const sink = opts.record ? openAuditSink(state.dir) : new MemorySink();
      const ctx = createRunContext({ repoDir: state.dir, kind: 'check', sink, human: 'user@example.com', commit });
      const report = await runCheck({ cwd: state.dir, base: state.base, head: branch, ctx, ...(opts.preview ? { preview: true } : {}) });
      state.reports.set(branch, report);
      if (opts.record) state.traces.push(report.trace_id);
      state.io.stdout(`$ gitops check --base ${state.base} --head ${branch}${opts.preview ? ' --preview' : ''}${opts.record ? ' --record' : ''}\n`);
      state.io.stdout(renderText(report).replace(/^/gm, '  ') + '\n');
      const code = exitCode(report);
      if (code !== expect.exit) state.surprises.push(`${branch}: expected exit ${expect.exit}, got ${code}`);
      for (const p of expect.deniedBy ?? []) {
        if (!report.intents.some((i) => i.results.some((r) => r.policy === p && r.status === 'failed'))) state.surprises.push(`${branch}: expected a denial by ${p}`);
      }
    },
  };
}

/**
 * Run a gitops subcommand in-process on the scratch clone, as a user would
 * type it there; a surprise when its exit code is not the expected one.
 */
function cliStep(name: string, argv: string[], expectExit = 0): DemoStep {
  return {
    name,
    async run(state) {
      state.io.stdout(`$ gitops ${argv.join(' ')}\n`);
      const indent = (t: string) => t.replace(/^(?=.)/gm, '  ');
      const { main } = await import('./main.ts');
      const code = await main(argv, { ...state.io, cwd: state.dir, stdout: (t) => state.io.stdout(indent(t)), stderr: (t) => state.io.stdout(indent(t)) });
      if (code !== expectExit) state.surprises.push(`gitops ${argv.join(' ')}: expected exit ${expectExit}, got ${code}`);
    },
  };
}

const API_INTENT = `# A second service, written quickly: plain HTTP, a tight budget.
intent:
  id: 'DEPLOY-API-002'
  type: 'deployment'
  description: 'Internal API, cheap and quick'

  requirements:
    availability: '99.9%'
    scalability:
      min_instances: 2
      max_instances: 4

  constraints:
    budget: '$60/month'
    region: ['us-east']

  security:
    protocol: http
`;

export const DEMO_STEPS: DemoStep[] = [
  {
    name: 'Scratch clone of this repository',
    async run(state) {
      try {
        await gitOk(process.cwd(), ['-C', state.source, 'rev-parse', '--verify', '-q', 'HEAD']);
        await gitOk(process.cwd(), ['clone', '-q', '--no-hardlinks', state.source, state.dir]);
        state.io.stdout(`cloned ${state.source} into ${state.dir}\n`);
      } catch {
        // Not a git checkout (e.g. an unpacked package): start a repository from its governed files.
        await gitOk(process.cwd(), ['init', '-q', state.dir]);
        for (const d of GOVERNED) await cp(join(state.source, d), join(state.dir, d), { recursive: true }).catch(() => undefined);
        state.io.stdout(`${state.source} is not a git checkout: started a repository in ${state.dir} from its ${GOVERNED.join(', ')}\n`);
      }
      await git(state, 'config', 'user.email', 'demo@example.invalid');
      await git(state, 'config', 'user.name', 'gitops demo');
      await git(state, 'config', 'commit.gpgsign', 'false');
      await git(state, 'checkout', '-q', '-B', state.base);
      await git(state, 'add', '-A');
      await git(state, 'commit', '-q', '--allow-empty', '-m', 'demo base');
    },
  },
  {
    name: 'The sample metrics and recoveries, replayed as the seven days up to now (timestamps shifted, values unchanged), so feedback and the report cover this run',
    async run(state) {
      const files = (await Promise.all(SAMPLE_TIMED_FILES.map(async (f) => ({ f, text: await readFile(join(state.dir, f), 'utf8').catch(() => undefined) })))).filter(
        (x): x is { f: string; text: string } => x.text !== undefined,
      );
      const last = Math.max(...files.flatMap(({ text }) => [...text.matchAll(ISO_UTC)].map((m) => Date.parse(m[0]))));
      if (!Number.isFinite(last)) return void state.io.stdout('no sample metrics: nothing to replay\n');
      const shift = replayShift(last, state.started);
      for (const { f, text } of files) await write(state, f, shiftTimestamps(text, shift));
      await git(state, 'add', '--', ...files.map((x) => x.f));
      await git(state, 'commit', '-q', '--allow-empty', '-m', 'demo: replay the sample metrics as the last seven days');
      state.io.stdout(`${files.map((x) => x.f).join(', ')}: shifted by ${Math.round(shift / 86_400_000)} days; the last sample is now ${new Date(last + shift).toISOString()}\n`);
    },
  },
  {
    name: 'Branch demo/scale-web: the sample intent DEPLOY-WEB-001 gets room for peak load (max_instances 10 → 12)',
    async run(state) {
      const file = 'intents/DEPLOY-WEB-001.yaml';
      const text = await readFile(join(state.dir, file), 'utf8').catch(() => {
        throw new GitopsError(diag('demo_missing_seed', `${file} is missing from the repository`), 2);
      });
      await makeBranch(state, 'demo/scale-web', { [file]: text.replace('max_instances: 10', 'max_instances: 12') }, 'Scale DEPLOY-WEB-001 to 12 instances at peak');
    },
  },
  checkStep('Check demo/scale-web with the infrastructure preview, recording the audit trail (expected: allowed)', 'demo/scale-web', { exit: 0 }, { preview: true, record: true }),
  {
    name: 'Branch demo/cheap-api: a new intent DEPLOY-API-002 over plain HTTP on a $60/month budget',
    run: (state) => makeBranch(state, 'demo/cheap-api', { 'intents/DEPLOY-API-002.yaml': API_INTENT }, 'Add DEPLOY-API-002'),
  },
  checkStep('Check demo/cheap-api (expected: denied by SEC-ENC-001, SEC-AUTH-001, COMP-BUDGET-001)', 'demo/cheap-api', {
    exit: 1,
    deniedBy: ['SEC-ENC-001', 'SEC-AUTH-001', 'COMP-BUDGET-001'],
  }),
  {
    name: 'Branch demo/sneaky: cuts the sample intent’s budget to $100/month AND deletes the budget policy',
    async run(state) {
      const file = 'intents/DEPLOY-WEB-001.yaml';
      const text = await readFile(join(state.dir, file), 'utf8');
      await makeBranch(
        state,
        'demo/sneaky',
        { [file]: text.replace("budget: '$500/month'", "budget: '$100/month'"), 'policies/compliance/comp_budget_001.rego': null },
        'Cut budget and drop the budget policy',
      );
    },
  },
  checkStep('Check demo/sneaky (expected: still denied by COMP-BUDGET-001, policies taken from the base; policy change flagged)', 'demo/sneaky', {
    exit: 1,
    deniedBy: ['COMP-BUDGET-001'],
  }),
  {
    name: 'Merge demo/scale-web into main (its check passed)',
    async run(state) {
      await git(state, 'merge', '-q', '--no-ff', '-m', 'Merge demo/scale-web', 'demo/scale-web');
      state.io.stdout(`merged: ${(await git(state, 'log', '--oneline', '-1')).trim()}\n`);
    },
  },
  cliStep('Apply on merge, with the mock engine (the Pulumi program under the mock runtime, every step, no cloud), recorded in the audit log as engine mock', [
    'apply',
    '--engine',
    'mock',
    '--record',
    '--base',
    'main~1',
    '--head',
    'main',
  ]),
  cliStep('Apply on merge for real: without the pulumi CLI and AWS credentials it refuses before changing anything (expected: exit 2)', ['apply', '--base', 'main~1', '--head', 'main'], 2),
  cliStep('The platform reports its recoveries (restarts, scale-outs); they join the audit log as the self-healing agent', ['audit', 'ingest-recoveries', 'metrics/sample/recoveries.json']),
  {
    name: 'The audit trail of the recorded pull-request check',
    run: (state) => cliStep('', ['audit', 'show', '--trace', state.traces[0] ?? 'none']).run(state),
  },
  cliStep('Verify the audit chain', ['audit', 'verify']),
  {
    name: 'A bare remote for the scratch clone (stands in for GitHub)',
    async run(state) {
      const remote = `${state.dir}.remote.git`;
      await gitOk(process.cwd(), ['clone', '-q', '--bare', state.dir, remote]);
      await git(state, 'remote', 'remove', 'origin').catch(() => '');
      await git(state, 'remote', 'add', 'origin', remote);
      await git(state, 'fetch', '-q', 'origin');
      state.cleanup.push(remote);
      state.io.stdout(`origin → ${remote}\n`);
    },
  },
  cliStep('Commit the audit records back to the repository (bot identity, [skip ci])', ['audit', 'push', '--remote', 'origin', '--branch', 'main']),
  cliStep('Verify the audit chain as committed on the remote', ['audit', 'verify', '--ref', 'origin/main']),
  cliStep('Feedback on the sample metrics: analysis, recommendations, the recommendation branch and its diff (dry run: nothing opened)', ['feedback', '--dry-run']),
  {
    // Until now: the window holds this run's checks, applies and recoveries as well as the replayed metrics.
    name: 'Governance report (success metrics) over the seven days up to now',
    run: (state) => cliStep('', ['report', '--until', new Date().toISOString()]).run(state),
  },
];

export const command: Command = {
  name: 'demo',
  summary: 'The main job on the embedded defaults, end to end, no GitHub or cloud',
  usage: `Usage: gitops demo [--keep] [--source <repo>]

The main job on the embedded defaults, end to end, on a scratch clone of this
repository, with no network, no GitHub and no cloud:

  1. pull-request checks: a branch changing the sample intent (allowed, with the
     infrastructure preview, its audit trail recorded), a branch adding an
     intent that breaks policies (denied, naming the policies and lines), and a
     branch that also deletes a policy to let itself through (still denied: the
     policies come from the base);
  2. merge and apply: the mock engine runs every apply step; the real engine
     refuses without the pulumi CLI and credentials, changing nothing;
  3. audit: platform recoveries ingested, the check's audit trail shown, the chain
     verified, the records committed back to a bare remote and verified there;
  4. feedback: the analysis and its recommendations from the sample
     metrics, the recommendation branch and its diff (dry run), and the
     governance report.

Exit 0 when every verdict and step is as expected, 1 otherwise.

  --keep            keep the scratch clone (its path is printed)
  --source <repo>   the repository to clone (default: this runner's checkout)`,
  async run(argv, io) {
    const { values } = parse('demo', argv, { keep: { type: 'boolean' }, source: { type: 'string' } }, false);
    const dir = await mkdtemp(join(tmpdir(), 'gitops-demo-'));
    await rm(dir, { recursive: true, force: true }); // git clone wants to create it
    const state: DemoState = { source: values.source ? resolve(io.cwd, values.source) : SOURCE_ROOT, dir, base: 'main', io, reports: new Map(), surprises: [], cleanup: [], traces: [], started: Date.now() };
    try {
      let n = 0;
      for (const step of DEMO_STEPS) {
        io.stdout(`\n== ${++n}. ${step.name}\n`);
        await step.run(state);
      }
      io.stdout('\n== Verdicts\n');
      for (const [branch, r] of state.reports) {
        io.stdout(`  ${branch.padEnd(18)} ${r.intents.map((i) => `${i.id}: ${i.decision}`).join(', ') || 'nothing to check'}${r.policy_changes.needs_review ? ' (policy change flagged for review)' : ''}\n`);
      }
      if (state.surprises.length) {
        for (const s of state.surprises) io.stderr(`demo: unexpected: ${s}\n`);
        return 1;
      }
      io.stdout('\nAll verdicts as expected.\n');
      return 0;
    } finally {
      if (values.keep) io.stdout(`scratch clone kept at ${dir}\n`);
      else for (const d of [dir, ...state.cleanup]) await rm(d, { recursive: true, force: true });
    }
  },
};
