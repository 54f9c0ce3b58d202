/**
 * A tree of files to read intents and policies from: a commit, or the
 * working directory. The check reads policies from one tree (the base) and
 * intents from another (the head), so both sides speak this interface.
 */
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { GitopsError, diag } from '../core/diagnostics.ts';
import { inspectRepoPath, readNoFollow, symlinkRefused } from '../core/files.ts';
import { listTree, readTreeFiles, type Repo, type TreeFile } from './repo.ts';

export type { TreeFile } from './repo.ts';

/**
 * Ceiling for a runner file read through `Tree.read` (policies, contracts,
 * registries): checked from the tree's metadata before reading, so a pull
 * request cannot make the runner hold a 100 MB blob. Intents have their own,
 * much smaller limit (runner/intent/paths.ts).
 */
export const MAX_REPO_FILE_BYTES = 8 * 1024 * 1024;

export interface Tree {
  /** `abc1234 (main)` or `working tree`, for messages. */
  label: string;
  /** Commit SHA, when the tree is a commit. */
  commit?: string;
  /** Repository-relative file paths under the given folders. */
  list(dirs: string[]): Promise<string[]>;
  /**
   * Contents of the given paths; absent paths are missing from the map. A
   * symlink or a file over MAX_REPO_FILE_BYTES stops the run (GitopsError,
   * exit 2, naming the file): these are the runner's own inputs.
   */
  read(paths: string[]): Promise<Map<string, Uint8Array>>;
  /** Each path's bytes, or why it was not read (symlink, over `maxBytes`: not read at all). Absent paths are missing. */
  readFiles(paths: string[], maxBytes: number): Promise<Map<string, TreeFile>>;
}

/** `read` in terms of `readFiles`: refusals become runner errors. */
async function readStrict(tree: Pick<Tree, 'readFiles'>, paths: string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const [path, f] of await tree.readFiles(paths, MAX_REPO_FILE_BYTES)) {
    if (f.kind === 'symlink') throw new GitopsError(symlinkRefused(path), 2);
    if (f.kind === 'too_large') throw new GitopsError(diag('file_too_large', `${path} is ${f.size} bytes; repository files the runner reads are limited to ${MAX_REPO_FILE_BYTES} bytes`, { file: path }), 2);
    out.set(path, f.bytes);
  }
  return out;
}

export function commitTree(repo: Repo, commit: string, ref: string): Tree {
  // A commit's tree never changes: several stages list the same folders, and each listing is a git process.
  const listings = new Map<string, Promise<string[]>>();
  return {
    label: `${ref} (${commit.slice(0, 7)})`,
    commit,
    list(dirs) {
      const key = dirs.join('\0');
      let p = listings.get(key);
      if (!p) listings.set(key, (p = listTree(repo, commit, dirs)));
      return p.then((l) => [...l]);
    },
    readFiles: (paths, maxBytes) => readTreeFiles(repo, commit, paths, maxBytes),
    read(paths) {
      return readStrict(this, paths);
    },
  };
}

async function walk(root: string, dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(join(root, dir), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name === '.git' || e.name === 'node_modules') continue;
      await walk(root, rel, out);
    } else if (e.isFile() || e.isSymbolicLink()) out.push(rel); // a symlink is listed so that reading it is refused, not skipped in silence
  }
}

export function workTree(root: string): Tree {
  return {
    label: 'working tree',
    async list(dirs) {
      const out: string[] = [];
      for (const d of dirs) await walk(root, d, out);
      return out.map((p) => p.split(sep).join('/')).sort();
    },
    async readFiles(paths, maxBytes) {
      const m = new Map<string, TreeFile>();
      await Promise.all(
        paths.map(async (p) => {
          // lstat on every path component: a symlink is refused and its target never opened (runner/core/files.ts).
          const k = await inspectRepoPath(root, p);
          if (k.kind === 'symlink') m.set(p, { kind: 'symlink' });
          else if (k.kind !== 'file') return;
          else if (k.size > maxBytes) m.set(p, { kind: 'too_large', size: k.size });
          else {
            try {
              m.set(p, { kind: 'file', bytes: new Uint8Array(await readNoFollow(join(root, p))) });
            } catch {
              /* vanished since the lstat */
            }
          }
        }),
      );
      return m;
    },
    read(paths) {
      return readStrict(this, paths);
    },
  };
}
