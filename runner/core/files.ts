/**
 * Reading repository files from the working tree without following symlinks.
 * A pull request can add `intents/X.yaml → /etc/passwd` (or a symlinked
 * folder); following it would read — and echo in errors — a file outside the
 * repository. Every component of the path is lstat'ed, a symlink anywhere is
 * refused with `file_symlink` naming the repository path, and its target is
 * never opened. Git mode refuses symlink blobs (mode 120000) the same way
 * (runner/git/repo.ts).
 */
import { closeSync, constants, lstatSync, openSync, readFileSync } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { GitopsError, diag, type Diagnostic } from './diagnostics.ts';
import { decodeRepoText } from './text.ts';

export function symlinkRefused(file: string): Diagnostic {
  return diag('file_symlink', `${file} is a symbolic link; repository files must be regular files (the link is not followed)`, { file });
}

function outside(root: string, rel: string): boolean {
  const r = relative(root, join(root, rel));
  return r === '' || r.startsWith('..') || isAbsolute(r);
}

/** What is at `rel` under `root`: a regular file (with its size), a symlink somewhere on the path, something else, or nothing. */
export type FileKind = { kind: 'file'; size: number } | { kind: 'symlink' } | { kind: 'other' } | { kind: 'missing' };

export async function inspectRepoPath(root: string, rel: string): Promise<FileKind> {
  if (outside(root, rel)) return { kind: 'missing' };
  const parts = rel.split('/');
  let abs = root;
  for (let i = 0; i < parts.length; i++) {
    abs = join(abs, parts[i]!);
    let st;
    try {
      st = await lstat(abs);
    } catch {
      return { kind: 'missing' };
    }
    if (st.isSymbolicLink()) return { kind: 'symlink' };
    if (i === parts.length - 1) return st.isFile() ? { kind: 'file', size: st.size } : { kind: 'other' };
    if (!st.isDirectory()) return { kind: 'missing' };
  }
  return { kind: 'missing' };
}

export function inspectRepoPathSync(root: string, rel: string): FileKind {
  if (outside(root, rel)) return { kind: 'missing' };
  const parts = rel.split('/');
  let abs = root;
  for (let i = 0; i < parts.length; i++) {
    abs = join(abs, parts[i]!);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return { kind: 'missing' };
    if (st.isSymbolicLink()) return { kind: 'symlink' };
    if (i === parts.length - 1) return st.isFile() ? { kind: 'file', size: st.size } : { kind: 'other' };
    if (!st.isDirectory()) return { kind: 'missing' };
  }
  return { kind: 'missing' };
}

function notReadable(rel: string, kind: FileKind): never {
  if (kind.kind === 'symlink') throw new GitopsError(symlinkRefused(rel), 2);
  const err = new Error(kind.kind === 'missing' ? `ENOENT: no such file: ${rel}` : `${rel} is not a regular file`) as NodeJS.ErrnoException;
  err.code = kind.kind === 'missing' ? 'ENOENT' : 'EISDIR';
  throw err;
}

/**
 * Bytes of a repository file (repository-relative `rel`). A symlink on the
 * path throws GitopsError `file_symlink` (exit 2); a missing file throws an
 * ENOENT error like readFileSync, so callers keep their "absent" handling.
 */
export function readRepoFileSync(root: string, rel: string): Buffer {
  const k = inspectRepoPathSync(root, rel);
  if (k.kind !== 'file') notReadable(rel, k);
  // O_NOFOLLOW as well: a link swapped in after the lstat is still not followed.
  const fd = openSync(join(root, rel), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Strict UTF-8 text of a repository file (see readRepoFileSync; not UTF-8 → `file_not_utf8`, exit 2). */
export function readRepoTextSync(root: string, rel: string): string {
  return decodeRepoText(readRepoFileSync(root, rel), rel);
}

export async function readRepoFile(root: string, rel: string): Promise<Buffer> {
  const k = await inspectRepoPath(root, rel);
  if (k.kind !== 'file') notReadable(rel, k);
  return readNoFollow(join(root, rel));
}

/** Read a file whose last component must not be a symlink (O_NOFOLLOW). */
export async function readNoFollow(abs: string): Promise<Buffer> {
  const fh = await open(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

export async function readRepoText(root: string, rel: string): Promise<string> {
  return decodeRepoText(await readRepoFile(root, rel), rel);
}
