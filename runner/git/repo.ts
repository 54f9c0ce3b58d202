/**
 * The git working copy the check runs on (git processes through
 * ./process.ts, one `git cat-file --batch` process for bulk blob reads
 * through ./objects.ts: spawning git once per file would dominate the
 * check's time at 1,000 intents).
 */
import { existsSync } from 'node:fs';
import { gitOk } from './process.ts';
import { GitopsError, diag } from '../core/diagnostics.ts';
import { objectReader } from './objects.ts';

/** Runs git in the repository: stdout, or a 'git_failed' error when git exits non-zero. */
export interface RepoGit {
  raw(args: string[]): Promise<string>;
}

export interface Repo {
  root: string;
  git: RepoGit;
}

function gitAt(dir: string): RepoGit {
  return { raw: (args) => gitOk(dir, args) };
}

/** The repository containing `dir`, or undefined when `dir` is not in a git working copy. */
export async function openRepo(dir: string): Promise<Repo | undefined> {
  if (!existsSync(dir)) throw new GitopsError(diag('repo_not_found', `no such directory: ${dir}`), 2);
  try {
    const root = (await gitAt(dir).raw(['rev-parse', '--show-toplevel'])).trim();
    return { root, git: gitAt(root) };
  } catch {
    return undefined;
  }
}

/** Full SHA of a ref; an unknown ref is a runner error (exit 2) naming it. */
export async function resolveRef(repo: Repo, ref: string): Promise<string> {
  if (ref.startsWith('-')) throw new GitopsError(diag('git_unknown_ref', `'${ref}' is not a git ref`), 2);
  // A range (`main..pr`, `a...b`) names two commits; rev-parse would print both and git would fail later.
  if (ref.includes('..')) throw new GitopsError(diag('git_unknown_ref', `'${ref}' is a range, not a git ref: give each end on its own (--base main --head pr)`), 2);
  let out: string;
  try {
    out = (await repo.git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])).trim();
  } catch {
    return unknown(ref);
  }
  // Exactly one object id, or the ref is not one commit.
  return /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(out) ? out : unknown(ref);
}

/** Is the repository a shallow clone (history cut off at some depth)? */
async function isShallow(repo: Repo): Promise<boolean> {
  try {
    return (await repo.git.raw(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  } catch {
    return false;
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

/**
 * Every entry of a commit's tree under one top-level folder (`git ls-tree -r
 * -l`: mode, type, object id, size), once per repository, commit and folder.
 * A commit's tree never changes, and the check asks for the same folders at
 * the same commits from several stages (the intents, agents, IAM table,
 * contracts and policies, listed and then read): one git process each
 * instead of one per question.
 */
const listings = new WeakMap<Repo, Map<string, Promise<Map<string, TreeEntry>>>>();

function listingsOf(repo: Repo): Map<string, Promise<Map<string, TreeEntry>>> {
  let byKey = listings.get(repo);
  if (!byKey) listings.set(repo, (byKey = new Map()));
  return byKey;
}

/** `git ls-tree -r -l -z <commit> -- <tops…>`, entries grouped by top-level folder (every top present, maybe empty). */
async function lsTree(repo: Repo, commit: string, tops: readonly string[]): Promise<Map<string, Map<string, TreeEntry>>> {
  const out = await repo.git.raw(['--literal-pathspecs', 'ls-tree', '-r', '-l', '-z', commit, '--', ...tops]);
  const byTop = new Map(tops.map((t) => [t, new Map<string, TreeEntry>()]));
  for (const rec of out.split('\0')) {
    const tab = rec.indexOf('\t');
    if (tab < 0) continue;
    const path = rec.slice(tab + 1);
    const [mode, type, oid, size] = rec.slice(0, tab).trim().split(/\s+/);
    byTop.get(path.split('/')[0]!)?.set(path, { mode: mode!, type: type!, oid: oid!, size: size === '-' ? 0 : Number(size) });
  }
  return byTop;
}

/** Remembers one listing per top; a failed listing is not remembered (the caller reports it, a later call asks git again). */
function remember(repo: Repo, commit: string, tops: readonly string[], listing: Promise<Map<string, Map<string, TreeEntry>>>): void {
  const byKey = listingsOf(repo);
  for (const top of tops) {
    const key = `${commit}\0${top}`;
    const p = listing.then((byTop) => byTop.get(top)!);
    p.catch(() => byKey.delete(key));
    byKey.set(key, p);
  }
}

function topEntries(repo: Repo, commit: string, top: string): Promise<Map<string, TreeEntry>> {
  const key = `${commit}\0${top}`;
  if (!listingsOf(repo).has(key)) remember(repo, commit, [top], lsTree(repo, commit, [top]));
  return listingsOf(repo).get(key)!;
}

/**
 * Lists several top-level folders of a commit in one git process, for the
 * stages that will ask for them one by one: the check knows up front which
 * folders it reads at the base and at the merge (each git process costs the
 * runner a fork of itself). Folders already listed are not asked again.
 */
export function prefetchTops(repo: Repo, commit: string, tops: readonly string[]): void {
  const missing = [...new Set(tops)].filter((t) => !listingsOf(repo).has(`${commit}\0${t}`));
  if (missing.length) remember(repo, commit, missing, lsTree(repo, commit, missing));
}

/** Paths (files) of a commit's tree under the given folders. */
export async function listTree(repo: Repo, commit: string, dirs: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const dir of dirs) {
    const d = dir.replace(/\/+$/, '');
    for (const path of (await topEntries(repo, commit, d.split('/')[0]!)).keys()) {
      if (path === d || path.startsWith(d + '/')) out.add(path);
    }
  }
  return [...out].sort();
}

/** A file as a tree holds it: a regular file's bytes, or why it was not read. */
export type TreeFile = { kind: 'file'; bytes: Uint8Array } | { kind: 'symlink' } | { kind: 'too_large'; size: number };

interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  size: number;
}

/**
 * Mode, object id and size of each path at a commit, from the listing of the
 * paths' top-level folders (the paths themselves could be thousands of
 * arguments). Sizes come from here so a blob is never read before its size check.
 */
async function treeEntries(repo: Repo, commit: string, paths: string[]): Promise<Map<string, TreeEntry>> {
  const tops = [...new Set(paths.map((p) => p.split('/')[0]!))].sort();
  const listed = await Promise.all(tops.map((t) => topEntries(repo, commit, t)));
  const entries = new Map<string, TreeEntry>();
  for (const path of paths) {
    const e = listed[tops.indexOf(path.split('/')[0]!)]!.get(path);
    if (e) entries.set(path, e);
  }
  return entries;
}

/**
 * Blob contents by object id, through one `git cat-file --batch` per
 * repository that is kept between the reads of a run: the check reads at
 * several commits from several stages, and each new git process costs ~5 ms
 * of the main thread. Parsed as the output streams (no second copy of
 * everything read).
 */
function catBlobs(repo: Repo, oids: string[]): Promise<Map<string, Uint8Array>> {
  if (oids.length === 0) return Promise.resolve(new Map());
  return objectReader(repo.root).blobs([...new Set(oids)]);
}

/**
 * Read files of a commit: path → bytes, or why not. A symlink (mode 120000)
 * is reported as such, never as the target path it stores; a blob over
 * `maxBytes` is reported with its size and not read. Missing paths (and
 * submodules) are absent from the map.
 */
export async function readTreeFiles(repo: Repo, commit: string, paths: string[], maxBytes: number): Promise<Map<string, TreeFile>> {
  const result = new Map<string, TreeFile>();
  if (paths.length === 0) return result;
  const entries = await treeEntries(repo, commit, paths);
  const toRead: string[] = [];
  for (const [path, e] of entries) {
    if (e.mode === '120000') result.set(path, { kind: 'symlink' });
    else if (e.type !== 'blob') continue;
    else if (e.size > maxBytes) result.set(path, { kind: 'too_large', size: e.size });
    else toRead.push(path);
  }
  const blobs = await catBlobs(repo, toRead.map((p) => entries.get(p)!.oid));
  for (const path of toRead) {
    const bytes = blobs.get(entries.get(path)!.oid);
    if (bytes) result.set(path, { kind: 'file', bytes });
  }
  return result;
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
  let from = '';
  try {
    from = (await repo.git.raw(['merge-base', base, head])).trim();
  } catch {
    /* no merge base: below */
  }
  if (!from) {
    // In a shallow clone the merge base may simply not have been fetched: comparing the tips would
    // count every commit that landed on the base since the branch point as the PR's own change.
    if (await isShallow(repo)) {
      throw new GitopsError(
        diag('git_shallow_history', `the history is too shallow: no merge base of ${base.slice(0, 12)} and ${head.slice(0, 12)} in this shallow clone; fetch the full history (actions/checkout fetch-depth: 0, or git fetch --unshallow)`),
        2,
      );
    }
    from = base; // Unrelated histories: compare the trees directly.
  }
  const out = await repo.git.raw(['diff', '--name-status', '-z', '-M', '--no-ext-diff', from, head, '--', ...dirs]);
  return parseNameStatus(out);
}

/**
 * The tree merging `head` into `base` produces (`git merge-tree --write-tree`,
 * git 2.38 or later): what the merge commit of a pull request holds. Undefined
 * when the merge conflicts (GitHub does not merge until the branch is updated,
 * and updating it re-runs the check) or git cannot merge the two (unrelated
 * histories, no merge base in a shallow clone, an older git).
 */
export async function mergedTree(repo: Repo, base: string, head: string): Promise<string | undefined> {
  let out: string;
  try {
    out = (await repo.git.raw(['merge-tree', '--write-tree', '--no-messages', base, head])).trim();
  } catch {
    return undefined;
  }
  // A clean merge prints the tree id alone; a conflicted one lists the conflicted files after it.
  return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(out) ? out : undefined;
}

/** Files changed from one tree (or commit) to another, renames detected. */
export async function treeChanges(repo: Repo, from: string, to: string, dirs: string[]): Promise<FileChange[]> {
  return parseNameStatus(await repo.git.raw(['diff', '--name-status', '-z', '-M', '--no-ext-diff', from, to, '--', ...dirs]));
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

