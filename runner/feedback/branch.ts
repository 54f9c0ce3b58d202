/**
 * The recommendation branch, built with git plumbing (runner/git/process.ts): a
 * commit on top of the base branch's tip that changes only the intent file.
 * Nothing touches the user's working tree or index (a temporary index file
 * is used), so `gitops feedback` can run in a checkout with local changes,
 * and the dry run leaves only the local branch behind.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, GitopsError } from '../core/diagnostics.ts';
import { gitOk } from '../git/process.ts';

export const FEEDBACK_IDENTITY = { name: 'gitops-feedback[bot]', email: 'gitops-feedback[bot]@users.noreply.github.com' } as const;

export interface BranchSpec {
  repoDir: string;
  /** Commit-ish the branch starts from (the base branch tip). */
  base: string;
  branch: string;
  file: string;
  text: string;
  message: string;
  /** Environment for git (PATH, HOME…), from the CLI edge. */
  env: Readonly<Record<string, string | undefined>>;
}

function gitFor(repoDir: string, env: Readonly<Record<string, string | undefined>>, extra: Record<string, string> = {}): { raw(args: string[]): Promise<string> } {
  // The inherited variables pass through the allow-list (an inherited GIT_DIR or EDITOR is dropped); ours are set by name.
  return { raw: (args) => gitOk(repoDir, args, { env, extra }) };
}

async function wrap<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new GitopsError(diag('git_error', `${what}: ${(err as Error).message.split('\n')[0]}`));
  }
}

export async function resolveCommit(repoDir: string, ref: string, env: BranchSpec['env']): Promise<string | null> {
  try {
    return (await gitFor(repoDir, env).raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || null;
  } catch {
    return null;
  }
}

export async function readAt(repoDir: string, ref: string, file: string, env: BranchSpec['env']): Promise<string | null> {
  try {
    return await gitFor(repoDir, env).raw(['show', `${ref}:${file}`]);
  } catch {
    return null;
  }
}

/** Create (or move) the local branch to a commit = base + the new intent text. Returns the commit SHA. */
export async function writeBranch(s: BranchSpec): Promise<string> {
  const tmp = await mkdtemp(join(tmpdir(), 'gitops-feedback-'));
  try {
    const blobFile = join(tmp, 'blob');
    await writeFile(blobFile, s.text);
    const identity = {
      GIT_INDEX_FILE: join(tmp, 'index'),
      GIT_AUTHOR_NAME: FEEDBACK_IDENTITY.name,
      GIT_AUTHOR_EMAIL: FEEDBACK_IDENTITY.email,
      GIT_COMMITTER_NAME: FEEDBACK_IDENTITY.name,
      GIT_COMMITTER_EMAIL: FEEDBACK_IDENTITY.email,
    };
    const g = gitFor(s.repoDir, s.env, identity);
    return await wrap(`building branch ${s.branch}`, async () => {
      const blob = (await g.raw(['hash-object', '-w', blobFile])).trim();
      await g.raw(['read-tree', s.base]);
      await g.raw(['update-index', '--add', '--cacheinfo', `100644,${blob},${s.file}`]);
      const tree = (await g.raw(['write-tree'])).trim();
      const commit = (await g.raw(['commit-tree', tree, '-p', s.base, '-m', s.message])).trim();
      await g.raw(['update-ref', `refs/heads/${s.branch}`, commit]);
      return commit;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function pushBranch(repoDir: string, remote: string, branch: string, commit: string, env: BranchSpec['env']): Promise<void> {
  // Force: the branch belongs to the runner, and an updated recommendation replaces the old commit.
  await wrap(`pushing ${branch} to ${remote}`, () => gitFor(repoDir, env).raw(['push', remote, `${commit}:refs/heads/${branch}`, '--force']));
}

export async function fetchBase(repoDir: string, remote: string, branch: string, env: BranchSpec['env']): Promise<string> {
  await wrap(`fetching ${remote}/${branch}`, () => gitFor(repoDir, env).raw(['fetch', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`]));
  const sha = await resolveCommit(repoDir, `refs/remotes/${remote}/${branch}`, env);
  if (!sha) throw new GitopsError(diag('git_error', `${remote}/${branch} does not exist`));
  return sha;
}

export async function gitDir(repoDir: string, env: BranchSpec['env']): Promise<string> {
  return (await gitFor(repoDir, env).raw(['rev-parse', '--absolute-git-dir'])).trim();
}
