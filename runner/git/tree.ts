/**
 * A tree of files to read intents and policies from: a commit, or the
 * working directory. The check reads policies from one tree (the base) and
 * intents from another (the head), so both sides speak this interface.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { listTree, readBlobs, type Repo } from './repo.ts';

export interface Tree {
  /** `abc1234 (main)` or `working tree`, for messages. */
  label: string;
  /** Commit SHA, when the tree is a commit. */
  commit?: string;
  /** Repository-relative file paths under the given folders. */
  list(dirs: string[]): Promise<string[]>;
  /** Contents of the given paths; absent paths are missing from the map. */
  read(paths: string[]): Promise<Map<string, Uint8Array>>;
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
    read: (paths) => readBlobs(repo, commit, paths),
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
    } else if (e.isFile()) out.push(rel);
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
    async read(paths) {
      const m = new Map<string, Uint8Array>();
      await Promise.all(
        paths.map(async (p) => {
          const abs = join(root, p);
          // Never read outside the root (paths come from git or from our own walk, but be strict).
          if (relative(root, abs).startsWith('..')) return;
          try {
            if ((await stat(abs)).isFile()) m.set(p, new Uint8Array(await readFile(abs)));
          } catch {
            /* missing */
          }
        }),
      );
      return m;
    },
  };
}
