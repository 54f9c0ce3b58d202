/**
 * `npm run bench` (gitops bench check): wall time of `gitops check` for 1, 100
 * and 1,000 changed intents on a generated temporary git repository (a copy
 * of this repository's governed content plus a branch adding N intents).
 *
 * Measured two ways: the real command as a process — the compiled package bin
 * (dist/cli/gitops.js, built by `npm run bench` first), what an installed
 * `gitops` or the action runs: Node start-up, module loading, policy
 * compilation — and runCheck() in-process (the check itself). The start-up
 * ratio compares the fastest of several one-intent checks with the fastest of
 * as many bare `node -e 0`. Measures and prints; never asserts.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCheck } from '../runner/check/run.ts';
import { MemorySink } from '../runner/core/events.ts';
import { createRunContext } from '../runner/core/run-context.ts';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SIZES = [1, 100, 1000];
const BIN = join(ROOT, 'dist/cli/gitops.js');
/** Runs of the start-up comparison; the fastest of each counts (load on the machine only adds). */
const STARTUP_RUNS = 7;

function intent(n: number): string {
  const id = `BENCH-${String(n).padStart(4, '0')}`;
  const min = 2 + (n % 3);
  return `intent:
  id: '${id}'
  type: 'deployment'
  description: 'generated web service ${n}'
  requirements:
    availability: '99.9%'
    performance:
      latency_p95: '<${100 + (n % 50)}ms'
      throughput: '>${500 + n} req/s'
    scalability:
      min_instances: ${min}
      max_instances: ${min + 5}
  constraints:
    budget: '$${300 + (n % 400)}/month'
    region: ['${n % 2 ? 'us-west' : 'us-east'}', 'eu-west']
`;
}

function timeProcess(args: string[], cwd: string, argv0: string[] = [BIN]): Promise<{ ms: number; code: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...argv0, ...args], { cwd, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code: code ?? -1 }));
  });
}

async function fastest(runs: number, f: () => Promise<{ ms: number }>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, (await f()).ms);
  return best;
}

export async function run(argv: string[], out: (t: string) => void): Promise<void> {
  const sizes = argv.length ? argv.map(Number).filter((n) => n > 0) : SIZES;
  if (!existsSync(BIN)) {
    out(`bench check: ${BIN} is missing: build the package bin first (npm run bench does: node scripts/build.ts cli)\n`);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'gitops-bench-'));
  const git = (...a: string[]) => exec('git', a, { cwd: dir, maxBuffer: 256 << 20 });
  try {
    await git('init', '-q', '-b', 'main');
    await git('config', 'user.email', 'bench@example.com');
    await git('config', 'user.name', 'bench');
    for (const d of ['intents', 'policies', 'agents', 'contracts']) await cp(join(ROOT, d), join(dir, d), { recursive: true });
    await git('add', '-A');
    await git('commit', '-q', '-m', 'base');
    for (const n of sizes) {
      await git('checkout', '-q', '-B', `bench-${n}`, 'main');
      for (let i = 1; i <= n; i++) {
        const file = join(dir, 'intents', 'bench', `BENCH-${String(i).padStart(4, '0')}.yaml`);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, intent(i));
      }
      await git('add', '-A');
      await git('commit', '-q', '-m', `bench ${n}`);
      await git('checkout', '-q', 'main');
    }

    out(`gitops check: wall time by number of changed intents (${process.version}, ${new Date().toISOString().slice(0, 10)})\n\n`);
    if (sizes.includes(1)) {
      const bare = await fastest(STARTUP_RUNS, () => timeProcess([], dir, ['-e', '0']));
      const one = await fastest(STARTUP_RUNS, () => timeProcess(['check', '--base', 'main', '--head', 'bench-1', '--no-preview'], dir));
      out(`start-up: node -e 0 ${bare.toFixed(0)} ms; gitops check --no-preview (1 intent) ${one.toFixed(0)} ms = ${(one / bare).toFixed(1)}× node -e 0 (fastest of ${STARTUP_RUNS}; target ≤ 10×)\n`);
      const pr = await fastest(3, () => timeProcess(['check', '--base', 'main', '--head', 'bench-1'], dir));
      out(`         the pull-request path (plan preview under Pulumi's mock runtime, 1 intent) ${pr.toFixed(0)} ms = ${(pr / bare).toFixed(1)}× (fastest of 3)\n\n`);
    }
    // The target is the check's own work: the intents' verdicts and the governed files (--no-preview).
    // The pull-request path also previews each changed intent's stack to judge its plan (PLAN-*):
    // one Pulumi program run per intent, measured for the smaller sizes.
    out('intents   process (check --no-preview)   process (PR path, plan preview)   in-process runCheck   per intent (in-process)   decisions\n');
    for (const n of sizes) {
      const proc = await timeProcess(['check', '--base', 'main', '--head', `bench-${n}`, '--no-preview', '--format', 'json', '--output', join(dir, `report-${n}.json`)], dir);
      const withPlan = n <= 100 ? await timeProcess(['check', '--base', 'main', '--head', `bench-${n}`, '--format', 'json', '--output', join(dir, `report-plan-${n}.json`)], dir) : undefined;
      const ctx = createRunContext({ repoDir: dir, kind: 'check', sink: new MemorySink() });
      const started = performance.now();
      const report = await runCheck({ cwd: dir, base: 'main', head: `bench-${n}`, ctx });
      const ms = performance.now() - started;
      const s = report.summary;
      out(
        `${String(n).padStart(7)}   ${(proc.ms / 1000).toFixed(2).padStart(16)} s (exit ${proc.code})   ${withPlan ? `${(withPlan.ms / 1000).toFixed(2).padStart(19)} s (exit ${withPlan.code})` : '    (not run: ~0.13 s/intent)'}   ${(ms / 1000).toFixed(2).padStart(12)} s   ${(ms / n).toFixed(2).padStart(14)} ms   ${s.allowed} allow / ${s.denied} deny / ${s.invalid} invalid\n`,
      );
    }
    out('\nTarget: 1,000 changed intents in ≤ 1.5 s (process, --no-preview). The in-process figure (no preview) reuses the compiled policies of the previous size (as the feedback loop does).\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
