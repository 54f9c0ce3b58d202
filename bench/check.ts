/**
 * `npm run bench` (gitops bench check): wall time of `gitops check` for 1, 100
 * and 1,000 changed intents on a generated temporary git repository (a copy
 * of this repository's governed content plus a branch adding N intents).
 *
 * Measured two ways: the real command as a process (`gitops check --base main
 * --head bench-N`, what CI runs: includes Node start-up, the tsx loader and
 * policy compilation) and runCheck() in-process (the check itself). Measures
 * and prints; never asserts.
 */
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCheck } from '../runner/check/run.ts';
import { MemorySink } from '../runner/core/events.ts';
import { createRunContext } from '../runner/cli/context.ts';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SIZES = [1, 100, 1000];

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

function timeProcess(args: string[], cwd: string): Promise<{ ms: number; code: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'runner/bin/gitops.mjs'), ...args], { cwd, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code: code ?? -1 }));
  });
}

export async function run(argv: string[], out: (t: string) => void): Promise<void> {
  const sizes = argv.length ? argv.map(Number).filter((n) => n > 0) : SIZES;
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
    out('intents   process (gitops check)   in-process runCheck   per intent (in-process)   decisions\n');
    for (const n of sizes) {
      const proc = await timeProcess(['check', '--base', 'main', '--head', `bench-${n}`, '--format', 'json', '--output', join(dir, `report-${n}.json`)], dir);
      const ctx = createRunContext({ repoDir: dir, kind: 'check', sink: new MemorySink() });
      const started = performance.now();
      const report = await runCheck({ cwd: dir, base: 'main', head: `bench-${n}`, ctx });
      const ms = performance.now() - started;
      const s = report.summary;
      out(
        `${String(n).padStart(7)}   ${(proc.ms / 1000).toFixed(2).padStart(10)} s (exit ${proc.code})   ${(ms / 1000).toFixed(2).padStart(12)} s   ${(ms / n).toFixed(2).padStart(14)} ms   ${s.allowed} allow / ${s.denied} deny / ${s.invalid} invalid\n`,
      );
    }
    out('\nTarget: 1,000 changed intents in under 5 s. The in-process figure reuses the compiled policies of the previous size (as the feedback loop does).\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
