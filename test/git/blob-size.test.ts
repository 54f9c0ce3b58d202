/**
 * A blob is never read before its size check: sizes and modes come from
 * `git ls-tree -l`, and `git cat-file --batch` is asked only for blobs under
 * the limit that are not symlinks. Asserted on the mechanism (what the batch
 * process is asked for), not on timing or memory.
 */
import { describe, expect, it, vi } from 'vitest';

/** Each request written to the `git cat-file --batch` processes the code under test spawns. */
const batchRequests: string[] = [];
let batchProcesses = 0;

vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  return {
    ...real,
    spawn: ((cmd: string, args: readonly string[], opts: object) => {
      const child = real.spawn(cmd, args, opts);
      if (cmd === 'git' && args[0] === 'cat-file' && args[1] === '--batch') {
        batchProcesses++;
        // The reader is kept between reads: each request is one write of the object ids.
        const write = child.stdin!.write.bind(child.stdin);
        child.stdin!.write = ((chunk: string, ...rest: never[]) => {
          batchRequests.push(chunk);
          return write(chunk, ...rest);
        }) as typeof child.stdin.write;
      }
      return child;
    }) as typeof real.spawn,
  };
});

const { openRepo, readTreeFiles, resolveRef } = await import('../../runner/git/repo.ts');
const { commitTree } = await import('../../runner/git/tree.ts');
const { tempRepo } = await import('../check/helpers.ts');

describe('reading blobs: size and mode first', () => {
  it('an oversized blob and a symlink are reported from the tree metadata; only the small regular file is read', async () => {
    const r = await tempRepo({ sample: false });
    try {
      await r.write('intents/SMALL-001.yaml', 'small: 1\n');
      await r.write('intents/BIG-001.yaml', 'x'.repeat(200_000));
      const { symlink } = await import('node:fs/promises');
      await symlink('/etc/passwd', `${r.dir}/intents/LINK-001.yaml`);
      await r.commitAll('files');
      const repo = (await openRepo(r.dir))!;
      const head = await resolveRef(repo, 'HEAD');
      const oids = Object.fromEntries(
        (await r.git('ls-tree', '-r', head, '--', 'intents')).trim().split('\n').map((l) => [l.split('\t')[1]!, l.split(/\s+/)[2]!]),
      );
      batchRequests.length = 0;
      const files = await readTreeFiles(repo, head, ['intents/SMALL-001.yaml', 'intents/BIG-001.yaml', 'intents/LINK-001.yaml', 'intents/NONE-001.yaml'], 65536);
      expect(files.get('intents/BIG-001.yaml')).toEqual({ kind: 'too_large', size: 200_000 });
      expect(files.get('intents/LINK-001.yaml')).toEqual({ kind: 'symlink' });
      expect(files.get('intents/SMALL-001.yaml')).toEqual({ kind: 'file', bytes: new TextEncoder().encode('small: 1\n') });
      expect(files.has('intents/NONE-001.yaml')).toBe(false);
      // The batch process was asked for the small blob only.
      expect(batchRequests).toEqual([`${oids['intents/SMALL-001.yaml']}\n`]);

      // Tree.read (policies, contracts, registries) refuses both as runner errors naming the file, still without reading them.
      batchRequests.length = 0;
      const tree = commitTree(repo, head, 'HEAD');
      await expect(tree.read(['intents/LINK-001.yaml'])).rejects.toMatchObject({ exitCode: 2, diagnostics: [{ code: 'file_symlink', file: 'intents/LINK-001.yaml' }] });
      await expect(tree.read(['intents/BIG-001.yaml'])).resolves.toBeInstanceOf(Map); // 200 kB is under the 8 MiB runner-file limit
      const big = await tree.readFiles(['intents/BIG-001.yaml'], 1000);
      expect(big.get('intents/BIG-001.yaml')).toEqual({ kind: 'too_large', size: 200_000 });
      expect(batchRequests.every((req) => !req.includes(oids['intents/LINK-001.yaml']!))).toBe(true);
    } finally {
      await r.cleanup();
    }
  });

  it('one batch process serves every read of a repository: reads at two commits, one after the other and at once', async () => {
    const r = await tempRepo({ sample: false });
    try {
      await r.write('intents/A-001.yaml', 'a: 1\n');
      await r.commitAll('a');
      await r.write('intents/A-001.yaml', 'a: 2\n');
      await r.write('policies/p.rego', 'package p\n');
      await r.commitAll('b');
      const repo = (await openRepo(r.dir))!;
      const [first, second] = [await resolveRef(repo, 'HEAD~1'), await resolveRef(repo, 'HEAD')];
      batchProcesses = 0;
      const text = (m: Map<string, { kind: string; bytes?: Uint8Array }>, p: string) => new TextDecoder().decode(m.get(p)!.bytes);
      expect(text(await readTreeFiles(repo, first, ['intents/A-001.yaml'], 1000), 'intents/A-001.yaml')).toBe('a: 1\n');
      expect(text(await readTreeFiles(repo, second, ['intents/A-001.yaml'], 1000), 'intents/A-001.yaml')).toBe('a: 2\n');
      const [x, y] = await Promise.all([readTreeFiles(repo, second, ['policies/p.rego'], 1000), readTreeFiles(repo, first, ['intents/A-001.yaml', 'intents/NONE.yaml'], 1000)]);
      expect(text(x, 'policies/p.rego')).toBe('package p\n');
      expect(text(y, 'intents/A-001.yaml')).toBe('a: 1\n');
      expect(batchProcesses).toBe(1);
    } finally {
      await r.cleanup();
    }
  });
});
