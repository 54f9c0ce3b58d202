/**
 * Real git fixtures for the audit tests: temporary directories, a bare
 * "remote" with a main branch, clones of it, and the CLI driven through
 * main() with captured output.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../runner/cli/main.ts';
import type { AgentDirectory, RunContext } from '../../runner/core/context.ts';
import type { AuditSink } from '../../runner/core/events.ts';

const made: string[] = [];

export function tempDir(prefix = 'audit-'): string {
  const d = mkdtempSync(join(tmpdir(), `gitops-${prefix}`));
  made.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A bare repository with one commit on main, as a GitHub repository would be. */
export function makeRemote(): string {
  const root = tempDir('remote-');
  const bare = join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const seed = join(root, 'seed');
  git(root, 'init', '-q', '-b', 'main', seed);
  writeFileSync(join(seed, 'README.md'), '# governed repo\n');
  git(seed, 'add', 'README.md');
  git(seed, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init');
  git(seed, 'remote', 'add', 'origin', bare);
  git(seed, 'push', '-q', 'origin', 'main');
  return bare;
}

export function cloneOf(bare: string, name = 'clone'): string {
  const dir = join(tempDir('clone-'), name);
  git(tmpdir(), 'clone', '-q', bare, dir);
  return dir;
}

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd, env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

export const AGENTS_YAML = readFileSync(join(import.meta.dirname, '../../agents/agents.yaml'), 'utf8');

/** Every agent of the repository's registry (agents/agents.yaml), read as the CLI reads it. */
export async function repoAgents(): Promise<AgentDirectory> {
  const { loadAgentRegistry } = await import('../../runner/core/run-context.ts');
  return loadAgentRegistry(join(import.meta.dirname, '../..'));
}

export function ctxWith(sink: AuditSink, agents: AgentDirectory, traceId: string, extra: Partial<RunContext> = {}): RunContext {
  return { traceId, audit: sink, agents, human: 'user@example.com', now: () => new Date(), ...extra };
}
