/**
 * The few git operations the commit-back needs, run as real `git` processes.
 *
 * The audit commit is built with plumbing (a private index file, write-tree,
 * commit-tree) on top of the REMOTE branch's tip, never from the working
 * copy's HEAD: a pull-request check runs on a detached merge commit, and
 * pushing that to the default branch would publish the PR. The working copy's
 * index, HEAD and branches are never touched.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitopsError, diag } from '../core/diagnostics.ts';
import { LOG_DIR, HEAD_FILE, isDayFile, type LogFile } from './layout.ts';

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
  out: Buffer;
}

export function runGit(cwd: string, args: string[], opts: { env?: Record<string, string>; input?: string | Buffer } = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      // LC_ALL=C: push/fetch messages are classified by their English wording.
      env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitopsError(diag('git_unavailable', `cannot run git: ${e.message}`))));
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

export async function gitOk(cwd: string, args: string[], opts: { env?: Record<string, string>; input?: string | Buffer } = {}): Promise<string> {
  const r = await runGit(cwd, args, opts);
  if (r.code !== 0) {
    throw new GitopsError(diag('git_failed', `git ${args[0]} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`));
  }
  return r.stdout;
}

/** Fetch the branch into the remote-tracking ref; its commit, or null when the remote has no such branch yet. */
export async function fetchTip(repoDir: string, remote: string, branch: string): Promise<string | null> {
  const ref = `refs/remotes/${remote}/${branch}`;
  const r = await runGit(repoDir, ['fetch', '--no-tags', '--quiet', remote, `+refs/heads/${branch}:${ref}`]);
  if (r.code !== 0) {
    if (/couldn't find remote ref/i.test(r.stderr)) return null;
    throw new GitopsError(diag('audit_fetch_failed', `git fetch ${remote} ${branch} failed: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`));
  }
  return (await gitOk(repoDir, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
}

/** The audit log as stored in a commit (day files and HEAD.json). */
export async function readLogAtRef(repoDir: string, rev: string): Promise<{ files: LogFile[]; anchorText?: string }> {
  const ls = await runGit(repoDir, ['ls-tree', '-z', '--name-only', rev, '--', `${LOG_DIR}/`]);
  if (ls.code !== 0) throw new GitopsError(diag('audit_ref_unreadable', `cannot read ${LOG_DIR}/ at ${rev}: ${ls.stderr.trim()}`));
  const paths = ls.stdout.split('\0').filter((p) => isDayFile(p) || p === HEAD_FILE);
  if (paths.length === 0) return { files: [] };
  const cat = await runGit(repoDir, ['cat-file', '--batch'], { input: paths.map((p) => `${rev}:${p}\n`).join('') });
  if (cat.code !== 0) throw new GitopsError(diag('audit_ref_unreadable', `git cat-file failed at ${rev}: ${cat.stderr.trim()}`));
  // --batch output: "<oid> blob <size>\n<size bytes>\n" per object, in input order.
  const texts: string[] = [];
  let off = 0;
  for (const p of paths) {
    const nl = cat.out.indexOf(0x0a, off);
    const header = cat.out.subarray(off, nl).toString('utf8');
    const size = Number(header.split(' ')[2]);
    if (!Number.isFinite(size)) throw new GitopsError(diag('audit_ref_unreadable', `cannot read ${p} at ${rev}: ${header}`));
    texts.push(cat.out.subarray(nl + 1, nl + 1 + size).toString('utf8'));
    off = nl + 1 + size + 1;
  }
  const files: LogFile[] = [];
  let anchorText: string | undefined;
  paths.forEach((p, i) => {
    if (p === HEAD_FILE) anchorText = texts[i];
    else files.push({ path: p, text: texts[i]! });
  });
  return anchorText === undefined ? { files } : { files, anchorText };
}

export interface Identity {
  name: string;
  email: string;
}

/** A commit on top of `parent` (or a root commit) whose tree is parent's with `changes` written. */
export async function commitOnTop(repoDir: string, parent: string | null, changes: Map<string, string>, message: string, who: Identity): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-audit-index-'));
  const env = { GIT_INDEX_FILE: join(dir, 'index') };
  try {
    if (parent) await gitOk(repoDir, ['read-tree', parent], { env });
    const lines: string[] = [];
    for (const [path, text] of changes) {
      const oid = (await gitOk(repoDir, ['hash-object', '-w', '--no-filters', '--stdin'], { input: text })).trim();
      lines.push(`100644 ${oid}\t${path}`);
    }
    await gitOk(repoDir, ['update-index', '--add', '--index-info'], { env, input: lines.join('\n') + '\n' });
    const tree = (await gitOk(repoDir, ['write-tree'], { env })).trim();
    const ident = { GIT_AUTHOR_NAME: who.name, GIT_AUTHOR_EMAIL: who.email, GIT_COMMITTER_NAME: who.name, GIT_COMMITTER_EMAIL: who.email };
    return (await gitOk(repoDir, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], { env: ident, input: message })).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type PushOutcome = { kind: 'ok' } | { kind: 'conflict'; message: string } | { kind: 'denied'; message: string } | { kind: 'error'; message: string };

/**
 * Push `commit` to the branch, without force. Classifies the refusal: a
 * concurrent writer (non-fast-forward, lost ref lock) is retried by the
 * caller; a refusal by the server (read-only token, protected branch, hook)
 * is not.
 */
export async function pushCommit(repoDir: string, remote: string, branch: string, commit: string): Promise<PushOutcome> {
  const r = await runGit(repoDir, ['push', '--porcelain', '--no-verify', remote, `${commit}:refs/heads/${branch}`]);
  if (r.code === 0) return { kind: 'ok' };
  const text = `${r.stdout}\n${r.stderr}`;
  const brief = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== 'Done' && !l.startsWith('To '))
    .slice(0, 4)
    .join(' | ');
  if (/\[rejected\].*\((fetch first|non-fast-forward|stale info)\)/.test(text)) return { kind: 'conflict', message: brief };
  if (/\[remote rejected\].*(cannot lock ref|failed to update ref|failed to lock|incorrect old value|reference already exists)/.test(text)) {
    return { kind: 'conflict', message: brief };
  }
  if (/\[remote rejected\]|permission|denied|403|read-only|protected branch/i.test(text)) return { kind: 'denied', message: brief };
  return { kind: 'error', message: brief };
}
