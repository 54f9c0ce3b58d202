/**
 * The one way the runner runs git: `spawn('git', …)` with one allow-listed
 * environment (LC_ALL=C, no terminal prompt). Every other module drives git
 * through here (test/git/boundary.test.ts holds the line).
 */
import { spawn, spawnSync } from 'node:child_process';
import { GitopsError, diag } from '../core/diagnostics.ts';

/**
 * What git needs from the environment to find itself, its config, the
 * network and a remote's credentials; nothing else is passed (an inherited
 * EDITOR, PAGER or GIT_DIR would change what git does). Callers add the
 * variables they set themselves (identity, a private index) by name.
 */
const GIT_ENV_ALLOWED = [
  'PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_CTYPE', 'TMPDIR', 'TZ', 'XDG_CONFIG_HOME', 'SYSTEMROOT',
  'SSH_AUTH_SOCK', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_ASKPASS', 'SSH_ASKPASS',
  'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM', 'GIT_CONFIG_COUNT', 'GIT_SSL_CAINFO', 'GIT_SSL_NO_VERIFY',
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
];

export type Env = Readonly<Record<string, string | undefined>>;

/** The environment git runs with: the allow-listed variables of `env`, then `extra`, then LC_ALL=C and no prompt. */
export function gitEnvironment(env: Env = process.env, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of GIT_ENV_ALLOWED) if (typeof env[k] === 'string') out[k] = env[k]!;
  // `git -c` settings handed down through the environment (GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n): actions/checkout's credentials.
  for (const [k, v] of Object.entries(env)) if (/^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(k) && typeof v === 'string') out[k] = v;
  // LC_ALL=C: git's messages are classified by their English wording.
  return { ...out, ...extra, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
}

export interface GitOptions {
  /** Environment the allow-list is taken from (default process.env). */
  env?: Env;
  /** Variables set for this git run (identity, GIT_INDEX_FILE…). */
  extra?: Record<string, string>;
  input?: string | Buffer;
}

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
  out: Buffer;
}

function unavailable(e: Error): GitopsError {
  return new GitopsError(diag('git_unavailable', `cannot run git: ${e.message}`));
}

/** The subcommand of an argument list (past `-c k=v`, `-C dir` and other leading options). */
export function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c' || a === '-C') i++;
    else if (!a.startsWith('-')) return a;
  }
  return args[0] ?? '';
}

/** A failed git run as the runner reports it: 'git_failed' naming the subcommand and git's last lines. */
export function gitFailed(args: readonly string[], r: { stdout: string; stderr: string }): GitopsError {
  return new GitopsError(diag('git_failed', `git ${subcommand(args)} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`));
}

/** Run git to the end; a non-zero exit is returned, not thrown. Only a git that cannot start throws ('git_unavailable'). */
export function runGit(cwd: string, args: string[], opts: GitOptions = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: gitEnvironment(opts.env, opts.extra), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(unavailable(e)));
    child.on('close', (code) => {
      const buf = Buffer.concat(out);
      resolve({ code: code ?? 1, stdout: buf.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), out: buf });
    });
    child.stdin.on('error', () => {
      /* git exited before reading all input; its exit code tells */
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Run git; its stdout, or 'git_failed' naming the subcommand when it exits non-zero. */
export async function gitOk(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  const r = await runGit(cwd, args, opts);
  if (r.code !== 0) throw gitFailed(args, r);
  return r.stdout;
}

/** The synchronous form, for the few callers that cannot wait (the audit sink's emit). */
export function runGitSync(cwd: string, args: string[], opts: GitOptions = {}): GitRun {
  const r = spawnSync('git', args, { cwd, env: gitEnvironment(opts.env, opts.extra), input: opts.input ?? '', maxBuffer: 64 << 20 });
  if (r.error) throw unavailable(r.error);
  const out = r.stdout ?? Buffer.alloc(0);
  return { code: r.status ?? 1, stdout: out.toString('utf8'), stderr: (r.stderr ?? Buffer.alloc(0)).toString('utf8'), out };
}

/** Start a long-running git (cat-file --batch) with the same environment. */
export function spawnGit(cwd: string, args: string[], opts: Omit<GitOptions, 'input'> = {}) {
  return spawn('git', args, { cwd, env: gitEnvironment(opts.env, opts.extra), stdio: ['pipe', 'pipe', 'pipe'] });
}
