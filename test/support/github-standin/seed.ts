/**
 * Helpers to give a stand-in repository real history: a working clone with
 * commits pushed to the bare repository, so PR base/head SHAs are real.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from './state.ts';

export interface SeededRepository {
  /** A working clone (its `origin` is the bare repository). */
  workdir: string;
  /** Commit `files` on `branch` (created from the current HEAD when new) and push it; returns the SHA. */
  commit(branch: string, files: Record<string, string>, message?: string): Promise<string>;
}

const IDENTITY = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];

export async function seedRepository(barePath: string, defaultBranch = 'main'): Promise<SeededRepository> {
  const workdir = await mkdtemp(join(tmpdir(), 'gh-standin-work-'));
  await git.run(workdir, ['init', '--quiet', `--initial-branch=${defaultBranch}`]);
  await git.run(workdir, ['remote', 'add', 'origin', barePath]);
  let current = defaultBranch;
  let hasCommits = false;
  return {
    workdir,
    async commit(branch, files, message = `update ${Object.keys(files).join(', ')}`) {
      if (branch !== current) {
        const exists = (await git.tryRun(workdir, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])) !== undefined;
        await git.run(workdir, hasCommits && !exists ? ['checkout', '--quiet', '-b', branch] : ['checkout', '--quiet', ...(hasCommits ? [] : ['-b']), branch]);
        current = branch;
      }
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(workdir, path)), { recursive: true });
        await writeFile(join(workdir, path), text);
      }
      await git.run(workdir, ['add', '--', ...Object.keys(files)]);
      await git.run(workdir, [...IDENTITY, 'commit', '--quiet', '-m', message]);
      hasCommits = true;
      await git.run(workdir, ['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`]);
      return git.run(workdir, ['rev-parse', 'HEAD']);
    },
  };
}
