/**
 * The few git operations the commit-back needs, run as real `git` processes.
 *
 * The audit commit is built with plumbing (a private index file, write-tree,
 * commit-tree) on top of the REMOTE branch's tip, never from the working
 * copy's HEAD: a pull-request check runs on a detached merge commit, and
 * pushing that to the default branch would publish the PR. The working copy's
 * index, HEAD and branches are never touched.
 */
import { symlinkRefused } from '../core/files.ts';
import { decodeRepoText } from '../core/text.ts';
import { gitOk, runGit } from '../git/process.ts';
import { objectReader } from '../git/objects.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitopsError, diag } from '../core/diagnostics.ts';
export { gitOk, runGit, type GitRun } from '../git/process.ts';
import { LOG_DIR, HEAD_FILE, isDayFile, type LogFile } from './layout.ts';

const gitDirs = new Map<string, string>();

async function gitDir(repoDir: string): Promise<string> {
  let d = gitDirs.get(repoDir);
  if (!d) {
    d = (await gitOk(repoDir, ['rev-parse', '--absolute-git-dir'])).trim();
    gitDirs.set(repoDir, d);
  }
  return d;
}

/**
 * Fetch the branch's tip; its commit, or null when the remote has no such
 * branch yet. Only FETCH_HEAD is written, no ref: a run killed mid-fetch
 * would otherwise leave a stale `refs/remotes/…lock` that makes every later
 * fetch in that working copy fail. The commit id is read from FETCH_HEAD
 * rather than with another git process: every process between fetch and
 * push widens the window in which a concurrent runner can move the branch.
 */
export async function fetchTip(repoDir: string, remote: string, branch: string): Promise<string | null> {
  const r = await runGit(repoDir, ['fetch', '--no-tags', '--quiet', '--no-auto-gc', '--no-write-commit-graph', remote, `refs/heads/${branch}`]);
  if (r.code !== 0) {
    if (/couldn't find remote ref/i.test(r.stderr)) return null;
    throw new GitopsError(diag('audit_fetch_failed', `git fetch ${remote} ${branch} failed: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`));
  }
  const head = readFileSync(join(await gitDir(repoDir), 'FETCH_HEAD'), 'utf8');
  const m = /^([0-9a-f]{40,64})\t/m.exec(head);
  if (!m) throw new GitopsError(diag('audit_fetch_failed', `git fetch ${remote} ${branch} wrote no commit to FETCH_HEAD`));
  return m[1]!;
}

/** Entries of a raw tree object: "<mode> <name>\0<binary oid>" each. */
function treeEntries(bytes: Uint8Array, oidBytes: number): Array<{ mode: string; name: string; oid: string }> {
  const content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<{ mode: string; name: string; oid: string }> = [];
  let off = 0;
  while (off < content.length) {
    const sp = content.indexOf(0x20, off);
    const nul = content.indexOf(0x00, sp);
    out.push({ mode: content.subarray(off, sp).toString(), name: content.subarray(sp + 1, nul).toString('utf8'), oid: content.subarray(nul + 1, nul + 1 + oidBytes).toString('hex') });
    off = nul + 1 + oidBytes;
  }
  return out;
}

/** Last-seen blob per repository and path: finished days' files never change, so they are read once. */
const blobCache = new Map<string, { oid: string; text: string }>();

/** The audit log as stored in a commit (day files and HEAD.json). */
export async function readLogAtRef(repoDir: string, rev: string): Promise<{ files: LogFile[]; anchorText?: string }> {
  // The one cat-file process answers the commit, then the tree, then the blobs that tree names.
  const cat = objectReader(repoDir);
  const commit = await cat.get(`${rev}^{commit}`);
  if (!commit) throw new GitopsError(diag('audit_ref_unreadable', `no commit ${rev}`));
  const tree = await cat.get(`${commit.oid}:${LOG_DIR}`);
  if (!tree) return { files: [] };
  if (tree.type !== 'tree') throw new GitopsError(diag('audit_ref_unreadable', `${LOG_DIR} is not a directory at ${rev}`));
  const listed = treeEntries(tree.content, tree.oid.length / 2)
    .map((e) => ({ oid: e.oid, mode: e.mode, path: `${LOG_DIR}/${e.name}` }))
    .filter((e) => isDayFile(e.path) || e.path === HEAD_FILE);
  const files: LogFile[] = [];
  let anchorText: string | undefined;
  for (const e of listed) {
    // A symlink's blob is its target path, not a log: refused like a symlink in the working tree.
    if (e.mode === '120000') throw new GitopsError(symlinkRefused(e.path), 2);
    const key = `${repoDir}\0${e.path}`;
    let text = blobCache.get(key)?.oid === e.oid ? blobCache.get(key)!.text : undefined;
    if (text === undefined) {
      const blob = await cat.get(e.oid);
      if (!blob) throw new GitopsError(diag('audit_ref_unreadable', `cannot read ${e.path} at ${rev}`));
      text = decodeRepoText(blob.content, e.path);
      blobCache.set(key, { oid: e.oid, text });
    }
    if (e.path === HEAD_FILE) anchorText = text;
    else files.push({ path: e.path, text });
  }
  return anchorText === undefined ? { files } : { files, anchorText };
}

export interface Identity {
  name: string;
  email: string;
}

/**
 * fast-import must name a ref; one per process, so a stale lock left by a
 * killed run never blocks the next one. Removed by `dropWorkRef` after a push.
 */
const WORK_REF = `refs/gitops-audit/build-${process.pid}`;

export async function dropWorkRef(repoDir: string): Promise<void> {
  await runGit(repoDir, ['update-ref', '-d', WORK_REF]);
}

/**
 * A commit on top of `parent` (or a root commit) whose tree is parent's with
 * `changes` written. One `git fast-import` process does what hash-object,
 * read-tree, update-index, write-tree and commit-tree would do in five.
 */
export async function commitOnTop(repoDir: string, parent: string | null, changes: Map<string, string>, message: string, who: Identity, when: Date = new Date()): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-audit-'));
  const marks = join(dir, 'marks');
  try {
    const stamp = `${Math.floor(when.getTime() / 1000)} +0000`;
    const parts: Buffer[] = [];
    const put = (t: string) => parts.push(Buffer.from(t, 'utf8'));
    const data = (t: string) => {
      const b = Buffer.from(t, 'utf8');
      put(`data ${b.length}\n`);
      parts.push(b);
      put('\n');
    };
    put(`feature done\ncommit ${WORK_REF}\nmark :1\n`);
    put(`author ${who.name} <${who.email}> ${stamp}\ncommitter ${who.name} <${who.email}> ${stamp}\n`);
    data(message);
    if (parent) put(`from ${parent}\n`);
    for (const [path, text] of changes) {
      put(`M 100644 inline ${path}\n`);
      data(text);
    }
    put('done\n');
    await gitOk(repoDir, ['-c', 'gc.auto=0', 'fast-import', '--quiet', '--force', `--export-marks=${marks}`], { input: Buffer.concat(parts) });
    const m = /^:1 ([0-9a-f]{40,64})$/m.exec(readFileSync(marks, 'utf8'));
    if (!m) throw new GitopsError(diag('git_failed', 'git fast-import did not report the audit commit'));
    return m[1]!;
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
