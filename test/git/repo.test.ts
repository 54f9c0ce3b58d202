import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changedFiles, listTree, openRepo, prefetchTops, readTreeFiles, resolveRef, workingChanges, type Repo } from '../../runner/git/repo.ts';
import { commitTree, workTree } from '../../runner/git/tree.ts';
import { tempRepo } from '../check/helpers.ts';
import { GitopsError } from '../../runner/core/diagnostics.ts';

describe('git layer', () => {
  it('lists PR changes from the merge base (three-dot): additions, modifications, renames, deletions', async () => {
    const r = await tempRepo({ sample: false });
    try {
      await r.write('intents/A-001.yaml', 'a: 1\n'.repeat(20));
      await r.write('intents/B-001.yaml', 'b: 1\n');
      await r.write('intents/C-001.yaml', 'c: 1\n');
      await r.commitAll('base');
      await r.git('checkout', '-q', '-b', 'pr');
      await r.write('intents/sub/A-001.yaml', 'a: 1\n'.repeat(20)); // renamed
      await r.remove('intents/A-001.yaml');
      await r.write('intents/B-001.yaml', 'b: 2\n'); // modified
      await r.remove('intents/C-001.yaml'); // deleted
      await r.write('intents/D-001.yaml', 'd: 1\n'); // added
      await r.commitAll('pr');
      // A commit on main after the branch point is not the PR's change.
      await r.git('checkout', '-q', 'main');
      await r.write('intents/E-001.yaml', 'e: 1\n');
      await r.commitAll('main moves on');
      const repo = (await openRepo(r.dir))!;
      const changes = await changedFiles(repo, 'main', 'pr', ['intents']);
      expect(changes.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        { status: 'modified', path: 'intents/B-001.yaml' },
        { status: 'deleted', path: 'intents/C-001.yaml' },
        { status: 'added', path: 'intents/D-001.yaml' },
        { status: 'renamed', path: 'intents/sub/A-001.yaml', from: 'intents/A-001.yaml' },
      ]);
      const head = await resolveRef(repo, 'pr');
      const blobs = await readTreeFiles(repo, head, ['intents/B-001.yaml', 'intents/C-001.yaml', 'intents/D-001.yaml'], 1024);
      expect([...blobs.keys()].sort()).toEqual(['intents/B-001.yaml', 'intents/D-001.yaml']);
      expect(blobs.get('intents/B-001.yaml')).toEqual({ kind: 'file', bytes: new TextEncoder().encode('b: 2\n') });
      expect(await commitTree(repo, head, 'pr').list(['intents'])).toEqual(['intents/B-001.yaml', 'intents/D-001.yaml', 'intents/sub/A-001.yaml']);
    } finally {
      await r.cleanup();
    }
  });

  it('reads working-tree changes, untracked files included, and lists the working tree', async () => {
    const r = await tempRepo({ sample: false });
    try {
      await r.write('intents/A-001.yaml', 'a: 1\n');
      await r.commitAll('base');
      await r.write('intents/A-001.yaml', 'a: 2\n');
      await r.write('intents/N-001.yaml', 'n: 1\n');
      const repo = (await openRepo(r.dir))!;
      expect(await workingChanges(repo, ['intents'], true)).toEqual([
        { status: 'modified', path: 'intents/A-001.yaml' },
        { status: 'added', path: 'intents/N-001.yaml' },
      ]);
      const wt = workTree(r.dir);
      expect(await wt.list(['intents'])).toEqual(['intents/A-001.yaml', 'intents/N-001.yaml']);
      expect((await wt.read(['intents/N-001.yaml', '../etc/passwd'])).size).toBe(1);
    } finally {
      await r.cleanup();
    }
  });

  it('the working tree refuses a symlink anywhere on the path (lstat per component) and never opens its target', async () => {
    const r = await tempRepo({ sample: false });
    const outside = await mkdtemp(join(tmpdir(), 'gitops-outside-'));
    try {
      await writeFile(join(outside, 'A-001.yaml'), 'secret: 1\n');
      await r.write('intents/OK-001.yaml', 'ok: 1\n');
      await symlink(outside, join(r.dir, 'intents/linked'));
      await symlink(join(outside, 'A-001.yaml'), join(r.dir, 'intents/L-001.yaml'));
      const wt = workTree(r.dir);
      const files = await wt.readFiles(['intents/OK-001.yaml', 'intents/L-001.yaml', 'intents/linked/A-001.yaml', 'intents/NONE.yaml'], 1024);
      expect(Object.fromEntries([...files].map(([k, v]) => [k, v.kind]))).toEqual({ 'intents/OK-001.yaml': 'file', 'intents/L-001.yaml': 'symlink', 'intents/linked/A-001.yaml': 'symlink' });
      expect(await wt.list(['intents'])).toEqual(['intents/L-001.yaml', 'intents/OK-001.yaml', 'intents/linked']);
      await expect(wt.read(['intents/linked/A-001.yaml'])).rejects.toMatchObject({ exitCode: 2, diagnostics: [{ code: 'file_symlink', file: 'intents/linked/A-001.yaml' }] });
      const big = await wt.readFiles(['intents/OK-001.yaml'], 3);
      expect(big.get('intents/OK-001.yaml')).toEqual({ kind: 'too_large', size: 6 });
    } finally {
      await r.cleanup();
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('an unknown or option-like ref is a GitopsError with exit 2', async () => {
    const r = await tempRepo({ sample: false });
    try {
      await r.commitAll('empty');
      const repo = (await openRepo(r.dir))!;
      await expect(resolveRef(repo, 'nope')).rejects.toBeInstanceOf(GitopsError);
      await expect(resolveRef(repo, '--output=/tmp/x')).rejects.toMatchObject({ exitCode: 2 });
      expect(await openRepo('/')).toBeUndefined();
    } finally {
      await r.cleanup();
    }
  });

  it('prefetchTops lists several top-level folders in one git process; later listings spawn none, a failed one is asked again', async () => {
    const r = await tempRepo({ sample: false });
    try {
      await r.write('intents/A-001.yaml', 'a: 1\n');
      await r.write('intents/sub/B-001.yaml', 'b: 1\n');
      await r.write('policies/p.rego', 'package p\n');
      await r.write('intentsx/not-a-top.yaml', 'x: 1\n'); // a sibling whose name starts like a top
      await r.write('README.md', 'r\n');
      await r.commitAll('base');
      const opened = (await openRepo(r.dir))!;
      const calls: string[][] = [];
      const repo: Repo = { root: opened.root, git: { raw: (args) => (calls.push(args), opened.git.raw(args)) } };
      const sha = await resolveRef(opened, 'main');
      prefetchTops(repo, sha, ['intents', 'policies', 'agents']);
      expect(await listTree(repo, sha, ['intents'])).toEqual(['intents/A-001.yaml', 'intents/sub/B-001.yaml']);
      expect(await listTree(repo, sha, ['intents/sub'])).toEqual(['intents/sub/B-001.yaml']);
      expect(await listTree(repo, sha, ['policies'])).toEqual(['policies/p.rego']);
      expect(await listTree(repo, sha, ['agents'])).toEqual([]); // absent at the commit: listed as empty, not asked again
      expect(calls.filter((a) => a.includes('ls-tree'))).toHaveLength(1);
      prefetchTops(repo, sha, ['intents', 'policies']); // all known: no git at all
      expect(calls).toHaveLength(1);
      expect(await listTree(repo, sha, ['intentsx'])).toEqual(['intentsx/not-a-top.yaml']); // not prefetched: its own listing
      expect(calls).toHaveLength(2);

      const missing = '0'.repeat(40);
      prefetchTops(repo, missing, ['intents']);
      await expect(listTree(repo, missing, ['intents'])).rejects.toMatchObject({ diagnostics: [expect.objectContaining({ code: 'git_failed' })] });
      await expect(listTree(repo, missing, ['intents'])).rejects.toThrow(/ls-tree/);
      expect(calls).toHaveLength(4); // the failure was not remembered
    } finally {
      await r.cleanup();
    }
  });
});
