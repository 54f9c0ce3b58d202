/**
 * Test support for end-to-end checks: a REAL temporary git repository holding
 * a copy of this repository's governed content (intents, policies, agents,
 * contracts), and the CLI driven in-process (main() with captured IO) or as a
 * real process (runner/bin/gitops.mjs under Node 24).
 */
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { main } from '../../runner/cli/main.ts';

const exec = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const NODE = join(REPO_ROOT, 'node_modules/.bin/node');
export const GITOPS = join(REPO_ROOT, 'runner/bin/gitops.mjs');
/** The governed content of the sample repository. */
export const SAMPLE_DIRS = ['intents', 'policies', 'agents', 'contracts', 'metrics'];

export interface TempRepo {
  dir: string;
  git(...args: string[]): Promise<string>;
  write(path: string, content: string | Uint8Array): Promise<void>;
  remove(path: string): Promise<void>;
  commitAll(message: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function tempRepo(opts: { sample?: boolean } = {}): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'gitops-check-'));
  const git = async (...args: string[]) => (await exec('git', args, { cwd: dir, maxBuffer: 64 << 20 })).stdout;
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'test@example.com');
  await git('config', 'user.name', 'Test');
  await git('config', 'commit.gpgsign', 'false');
  const repo: TempRepo = {
    dir,
    git,
    async write(path, content) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    },
    async remove(path) {
      await rm(join(dir, path), { recursive: true, force: true });
    },
    async commitAll(message) {
      await git('add', '-A');
      await git('commit', '-q', '--allow-empty', '-m', message);
      return (await git('rev-parse', 'HEAD')).trim();
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  if (opts.sample !== false) {
    for (const d of SAMPLE_DIRS) await cp(join(REPO_ROOT, d), join(dir, d), { recursive: true });
    await repo.commitAll('sample');
  }
  return repo;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI in-process, as `npx gitops` would run it, with captured output. */
export async function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: { USER: 'tester', ...env } });
  return { code, stdout, stderr };
}

/** The CLI as a real process (Node 24, tsx loader): for exit codes, stack-trace and module-loading checks. */
export function spawnCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliResult> {
  return spawnProcess(NODE, [GITOPS, ...args], cwd, env);
}

/** Any command as a real process, its output collected (GITOPS_DEBUG cleared: no stack traces). */
export function spawnProcess(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, GITOPS_DEBUG: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export const SEED_INTENT = `# The sample intent, a highly available web service.
intent:
  id: 'DEPLOY-WEB-001'
  type: 'deployment'
  description: '部署高可用性 Web 服務，保證 99.9% 可用性'

  requirements:
    availability: '99.9%'
    performance:
      latency_p95: '<100ms'
      throughput: '>1000 req/s'
    scalability:
      min_instances: 3
      max_instances: 10

  constraints:
    budget: '$500/month'
    region: ['us-west', 'us-east']
`;

/** The seed intent with another id and lines replaced: `intentWith('X-1', { "budget: '$500/month'": "budget: '$50/month'" })`. */
export function intentWith(id: string, replace: Record<string, string> = {}, append = ''): string {
  let t = SEED_INTENT.replace("id: 'DEPLOY-WEB-001'", `id: '${id}'`);
  for (const [from, to] of Object.entries(replace)) {
    if (!t.includes(from)) throw new Error(`intentWith: '${from}' not in the seed intent`);
    t = t.replace(from, to);
  }
  return t + append;
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`lineOf: '${needle}' not found`);
  return i + 1;
}
