/**
 * What the stand-in remembers: repositories (each a real bare git repository
 * on disk), check runs, issues and pull requests (one number space per
 * repository, as on GitHub), comments and labels. Tests read it to assert the
 * final state; the server mutates it only through its handlers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface StoredUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface StoredRepo {
  owner: string;
  name: string;
  fullName: string;
  id: number;
  /** Absolute path of the bare repository that backs it (push to it with `git push <path>`). */
  path: string;
  defaultBranch: string;
  private: boolean;
  ownerUser: StoredUser;
}

export interface StoredAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface StoredCheckRun {
  id: number;
  repo: string;
  headSha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'skipped' | 'timed_out' | 'action_required' | null;
  startedAt: string | null;
  completedAt: string | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Appended by every create/update that carries annotations, as GitHub does. */
  annotations: StoredAnnotation[];
  checkSuiteId: number;
  createdBy: string;
}

export interface StoredComment {
  id: number;
  repo: string;
  issueNumber: number;
  body: string;
  user: StoredUser;
  createdAt: string;
  updatedAt: string;
}

export interface StoredPull {
  head: string;
  base: string;
  /** Last known SHAs; refreshed from the bare repo while the PR is open, frozen once closed. */
  headSha: string;
  baseSha: string;
  draft: boolean;
  maintainerCanModify: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: StoredUser | null;
}

export interface StoredIssue {
  id: number;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: string[];
  user: StoredUser;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  pull?: StoredPull;
}

export interface StoredLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export class StandInState {
  readonly repos = new Map<string, StoredRepo>();
  readonly checkRuns: StoredCheckRun[] = [];
  readonly comments: StoredComment[] = [];
  readonly issues: StoredIssue[] = [];
  readonly labels = new Map<string, Map<string, StoredLabel>>();
  private id = 1000;

  nextId(): number {
    return ++this.id;
  }

  repo(fullName: string): StoredRepo {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`stand-in has no repository ${fullName}`);
    return r;
  }

  checkRunsFor(fullName: string, headSha?: string): StoredCheckRun[] {
    const key = this.repo(fullName).fullName;
    return this.checkRuns.filter((c) => c.repo === key && (headSha === undefined || c.headSha === headSha));
  }

  commentsOn(fullName: string, issueNumber: number): StoredComment[] {
    const key = this.repo(fullName).fullName;
    return this.comments.filter((c) => c.repo === key && c.issueNumber === issueNumber);
  }

  pulls(fullName: string): StoredIssue[] {
    const key = this.repo(fullName).fullName;
    return this.issues.filter((i) => i.repo === key && i.pull);
  }

  issuesOf(fullName: string): StoredIssue[] {
    const key = this.repo(fullName).fullName;
    return this.issues.filter((i) => i.repo === key && !i.pull);
  }

  nextNumber(fullName: string): number {
    return this.issues.filter((i) => i.repo === fullName).reduce((m, i) => Math.max(m, i.number), 0) + 1;
  }

  labelsOf(fullName: string): Map<string, StoredLabel> {
    let m = this.labels.get(fullName);
    if (!m) this.labels.set(fullName, (m = new Map()));
    return m;
  }

  /** Finds or creates a repository label (GitHub creates unknown labels on add). */
  label(fullName: string, name: string): StoredLabel {
    const m = this.labelsOf(fullName);
    const found = m.get(name.toLowerCase());
    if (found) return found;
    // '' rather than null: pull-request-simple's label schema does not allow a null description.
    const l: StoredLabel = { id: this.nextId(), name, color: 'ededed', description: '' };
    m.set(name.toLowerCase(), l);
    return l;
  }
}

/** Git on the bare repositories: the stand-in's refs and SHAs are real. */
export const git = {
  async run(repoPath: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const { stdout } = await run('git', args, { cwd: repoPath, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  },
  async tryRun(repoPath: string, args: string[]): Promise<string | undefined> {
    try {
      return await git.run(repoPath, args);
    } catch {
      return undefined;
    }
  },
  /** SHA a full ref name (`refs/heads/x`) points at, if it exists. */
  resolve(repoPath: string, fullRef: string): Promise<string | undefined> {
    return git.tryRun(repoPath, ['rev-parse', '--verify', '--quiet', `${fullRef}^{commit}`]);
  },
  async commitExists(repoPath: string, sha: string): Promise<boolean> {
    if (!/^[0-9a-f]{4,40}$/i.test(sha)) return false;
    return (await git.tryRun(repoPath, ['cat-file', '-e', `${sha}^{commit}`])) !== undefined;
  },
  async isAncestor(repoPath: string, ancestor: string, descendant: string): Promise<boolean> {
    return (await git.tryRun(repoPath, ['merge-base', '--is-ancestor', ancestor, descendant])) !== undefined;
  },
};

export function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
