/**
 * The git working copy the check runs on (simple-git for the porcelain,
 * one `git cat-file --batch` process for bulk blob reads: spawning git once
 * per file would dominate the check's time at 1,000 intents).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { simpleGit, type SimpleGit } from 'simple-git';
import { GitopsError, diag } from '../core/diagnostics.ts';

export interface Repo {
  root: string;
  git: SimpleGit;
}

/** The repository containing `dir`, or undefined when `dir` is not in a git working copy. */
export async function openRepo(dir: string): Promise<Repo | undefined> {
  if (!existsSync(dir)) throw new GitopsError(diag('repo_not_found', `no such directory: ${dir}`), 2);
  const git = simpleGit({ baseDir: dir });
  try {
    const root = (await git.revparse(['--show-toplevel'])).trim();
    return { root, git: simpleGit({ baseDir: root }) };
  } catch {
    return undefined;
  }
}

/** Full SHA of a ref; an unknown ref is a runner error (exit 2) naming it. */
export async function resolveRef(repo: Repo, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new GitopsError(diag('git_unknown_ref', `'${ref}' is not a git ref`), 2);
  try {
    return (await repo.git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim() || unknown(ref);
  } catch {
    return unknown(ref);
  }
}

function unknown(ref: string): never {
  throw new GitopsError(diag('git_unknown_ref', `unknown git ref '${ref}' (fetch it first, e.g. git fetch origin ${ref})`), 2);
}

/** Does the repository have at least one commit? */
export async function hasHead(repo: Repo): Promise<boolean> {
  try {
    await repo.git.raw(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
    return true;
  } catch {
    return false;
  }
}

/** Paths (files) of a commit's tree under the given top-level folders. */
export async function listTree(repo: Repo, commit: string, dirs: string[]): Promise<string[]> {
  const out = await repo.git.raw(['ls-tree', '-r', '-z', '--name-only', commit, '--', ...dirs]);
  return out.split('\0').filter(Boolean);
}

/**
 * Read many blobs at once: `commit:path` → bytes, through one
 * `git cat-file --batch`. Missing paths are absent from the map.
 */
export function readBlobs(repo: Repo, commit: string, paths: string[]): Promise<Map<string, Uint8Array>> {
  const result = new Map<string, Uint8Array>();
  if (paths.length === 0) return Promise.resolve(result);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: repo.root, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new GitopsError(diag('git_error', `git cat-file failed: ${stderr.trim()}`), 2));
      const buf = Buffer.concat(chunks);
      let pos = 0;
      for (const path of paths) {
        const nl = buf.indexOf(0x0a, pos);
        if (nl < 0) break;
        const header = buf.subarray(pos, nl).toString();
        pos = nl + 1;
        if (header.endsWith(' missing') || header.endsWith(' ambiguous')) continue;
        const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
        if (!m) return reject(new GitopsError(diag('git_error', `unexpected git cat-file output: ${header}`), 2));
        const size = Number(m[2]);
        if (m[1] === 'blob') result.set(path, new Uint8Array(buf.subarray(pos, pos + size)));
        pos += size + 1; // content + trailing newline
      }
      resolve(result);
    });
    // Paths with a newline cannot be asked for on the batch protocol; they are reported missing.
    child.stdin.end(paths.map((p) => (p.includes('\n') ? 'invalid-path-with-newline' : `${commit}:${p}`)).join('\n') + '\n');
  });
}

export type ChangeStatus = 'added' | 'modified' | 'renamed' | 'deleted';

export interface FileChange {
  status: ChangeStatus;
  path: string;
  /** Previous path of a rename. */
  from?: string;
}

function parseNameStatus(out: string): FileChange[] {
  const parts = out.split('\0');
  const changes: FileChange[] = [];
  for (let i = 0; i < parts.length; ) {
    const code = parts[i++];
    if (!code) continue;
    const kind = code[0];
    if (kind === 'R' || kind === 'C') {
      const from = parts[i++]!;
      const to = parts[i++]!;
      changes.push(kind === 'R' ? { status: 'renamed', path: to, from } : { status: 'added', path: to });
    } else {
      const path = parts[i++]!;
      if (kind === 'A') changes.push({ status: 'added', path });
      else if (kind === 'D') changes.push({ status: 'deleted', path });
      else changes.push({ status: 'modified', path }); // M, T (type change), U
    }
  }
  return changes;
}

/**
 * Files changed by a pull request: from the merge base of base and head to
 * head (GitHub's three-dot diff), so commits that landed on the base branch
 * after the PR branched are not counted as the PR's changes. Renames detected.
 */
export async function changedFiles(repo: Repo, base: string, head: string, dirs: string[]): Promise<FileChange[]> {
  let from = base;
  try {
    from = (await repo.git.raw(['merge-base', base, head])).trim() || base;
  } catch {
    // Unrelated histories: compare the trees directly.
  }
  const out = await repo.git.raw(['diff', '--name-status', '-z', '-M', '--no-ext-diff', from, head, '--', ...dirs]);
  return parseNameStatus(out);
}

/** Uncommitted changes (staged, unstaged, untracked) relative to HEAD. */
export async function workingChanges(repo: Repo, dirs: string[], headExists: boolean): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  if (headExists) {
    changes.push(...parseNameStatus(await repo.git.raw(['diff', '--name-status', '-z', '-M', '--no-ext-diff', 'HEAD', '--', ...dirs])));
  }
  const untracked = await repo.git.raw(['ls-files', '-z', '--others', '--exclude-standard', '--', ...dirs]);
  for (const path of untracked.split('\0').filter(Boolean)) changes.push({ status: 'added', path });
  if (!headExists) {
    const staged = await repo.git.raw(['ls-files', '-z', '--cached', '--', ...dirs]);
    for (const path of staged.split('\0').filter(Boolean)) changes.push({ status: 'added', path });
  }
  return changes;
}

/**
 * The environment to hand simple-git: an allow-list. simple-git refuses to
 * run when the environment holds variables that can run programs (EDITOR,
 * PAGER, GIT_ASKPASS, GIT_SSH_COMMAND, … — npm itself sets EDITOR for every
 * script) or GIT_* variables it was not told about (CI runners set
 * GIT_SSL_CAINFO). Git needs only these to find itself, its config and the
 * network; callers add and allow by name the GIT_* variables they set.
 */
const GIT_ENV_ALLOWED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TMPDIR', 'TZ', 'XDG_CONFIG_HOME', 'SSH_AUTH_SOCK', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

export function gitEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of GIT_ENV_ALLOWED) if (typeof env[k] === 'string') out[k] = env[k]!;
  return out;
}
