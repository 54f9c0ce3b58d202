import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action, CheckReport } from '../../runner/model/report.ts';
import { main } from '../../runner/cli/main.ts';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The repository's own contracts/ files, as a path → text map (tests mutate copies). */
export function repoContractFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(join(REPO, 'contracts'))) out[`contracts/${f}`] = readFileSync(join(REPO, 'contracts', f), 'utf8');
  return out;
}

export const SEED_TRIGGERS = [
  { condition: "health_status == 'failed'", action: 'restart_instance' },
  { condition: 'error_rate > 5%', action: 'restart_service' },
  { condition: 'latency_p95 > 200ms', action: 'scale_out' },
];

/** The sample intent's translation, with the self-healing triggers the translator adds by default. */
export function seedActions(): Action[] {
  return [
    { action: 'create_load_balancer', config: { type: 'application', scheme: 'internet-facing' } },
    { action: 'deploy_instances', config: { count: 3, instance_type: 't3.medium', availability_zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] } },
    { action: 'configure_auto_scaling', config: { min: 3, max: 10, target_cpu: 70 } },
    { action: 'setup_health_checks', config: { interval: 30, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3 } },
    {
      action: 'enable_self_healing',
      config: { recovery_policy: { strategy: 'restart', max_attempts: 3, timeout_seconds: 60 }, triggers: structuredClone(SEED_TRIGGERS) },
    },
  ];
}

// ---------------------------------------------------------------------------
// Real temporary git repositories holding a copy of this repository's governed
// files (intents, policies, contracts, agents), for end-to-end checks.


export interface TempRepo {
  dir: string;
  git(...args: string[]): string;
  read(path: string): string;
  write(path: string, text: string): void;
  remove(path: string): void;
  /** Commit everything on a new branch (from main) after `change` ran. */
  branch(name: string, change: () => void): void;
  cleanup(): void;
}

export function makeRepo(): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-contracts-'));
  for (const d of ['intents', 'policies', 'contracts', 'agents']) cpSync(join(REPO, d), join(dir, d), { recursive: true });
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=dev@example.com', '-c', 'user.name=Dev', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'governed repository');
  const repo: TempRepo = {
    dir,
    git,
    read: (p) => readFileSync(join(dir, p), 'utf8'),
    write: (p, text) => {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    },
    remove: (p) => rmSync(join(dir, p)),
    branch(name, change) {
      git('checkout', '-q', '-b', name, 'main');
      change();
      git('add', '-A');
      git('commit', '-q', '-m', name);
      git('checkout', '-q', 'main');
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return repo;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function gitops(dir: string, ...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir, env: {} });
  return { code, stdout, stderr };
}

export async function checkJson(dir: string, ...argv: string[]): Promise<{ code: number; report: CheckReport; stderr: string }> {
  const r = await gitops(dir, 'check', ...argv, '--format', 'json');
  let report: CheckReport;
  try {
    report = JSON.parse(r.stdout) as CheckReport;
  } catch {
    throw new Error(`check did not print JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}
