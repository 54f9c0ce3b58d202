/**
 * Adoption, end to end, as a user would do it: `npm pack` this project,
 * install the tarball into a fresh git repository that has none of our files
 * (offline: the package bundles its dependencies, Pulumi is an optional peer),
 * `gitops init` twice, `gitops policy test`, and `gitops check` on two pull
 * requests — the seed intent allowed, a $40/month budget variant denied. Then
 * the GitHub Action's committed bundle, copied with no node_modules beside it,
 * judges the same pull requests with the same verdicts (input `command` passed
 * as INPUT_COMMAND, the way the Actions runner passes inputs).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE, REPO_ROOT, SEED_INTENT, spawnProcess, type CliResult } from '../check/helpers.ts';

const exec = promisify(execFile);

type Run = CliResult;
const run = spawnProcess;

async function treeDigest(dir: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    for (const e of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === '.git' || e.name === 'node_modules') continue;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(p);
      else h.update(`${p}\0`).update(await readFile(join(dir, p))).update('\0');
    }
  };
  await walk('');
  return h.digest('hex');
}

/** Pulumi's packages as an install would place them: links to this clone's copies (their dependencies resolve from there). */
async function linkPulumi(nodeModules: string): Promise<void> {
  await mkdir(join(nodeModules, '@pulumi'), { recursive: true });
  for (const p of ['pulumi', 'aws']) await symlink(join(REPO_ROOT, 'node_modules/@pulumi', p), join(nodeModules, '@pulumi', p), 'dir');
}

let work: string;
let repo: string;
let tarball: string;
let tarFiles: string[];
const git = async (...args: string[]) => (await exec('git', args, { cwd: repo })).stdout;
const gitops = (...args: string[]) => run(NODE, [join(repo, 'node_modules/gitops-policy-runner/dist/cli/gitops.js'), ...args], repo);
const cheap = SEED_INTENT.replace("budget: '$500/month'", "budget: '$40/month'");

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gitops-adopt-'));
  // prepare builds dist/cli (esbuild) first: the tarball is what `npm publish` would publish.
  const pack = await run('npm', ['pack', '--pack-destination', work, '--json'], REPO_ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, info!.filename);
  tarFiles = info!.files.map((f) => f.path);

  repo = join(work, 'acme-infra');
  await mkdir(repo);
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'dev@acme.example');
  await git('config', 'user.name', 'Dev');
  await git('config', 'commit.gpgsign', 'false');
  await writeFile(join(repo, 'README.md'), '# acme infra\n');
  await writeFile(join(repo, '.gitignore'), 'node_modules/\n');
  // No network: every file of the package is in the tarball.
  const install = await run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund'], repo);
  expect(install.code, install.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('carries the compiled runner and the templates, not the sources, tests or the sample’s records', () => {
    expect(tarFiles).toContain('dist/cli/gitops.js');
    expect(tarFiles).toContain('policies/compliance/comp_budget_001_test.rego');
    expect(tarFiles).toContain('.github/workflows/check.yml');
    expect(tarFiles.filter((f) => f.startsWith('test/') || f.endsWith('.ts') || f.startsWith('runner/') || f.startsWith('audit-log/2'))).toEqual([]);
  });

  it('installs with no dependencies and no Pulumi (an optional peer: only the plan preview and apply load it); the bin is compiled JavaScript', async () => {
    expect(existsSync(join(repo, 'node_modules/@pulumi'))).toBe(false);
    expect(existsSync(join(repo, 'node_modules/tsx'))).toBe(false);
    const bin = await readFile(join(repo, 'node_modules/.bin/gitops'), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(bin).not.toMatch(/tsx|\.ts['"]/);
  });
});

describe('gitops init → policy test → check, in a repository with none of our files', () => {
  let firstInit: Run;
  let secondInit: Run;
  let digests: [string, string];

  beforeAll(async () => {
    firstInit = await gitops('init');
    const d1 = await treeDigest(repo);
    secondInit = await gitops('init');
    digests = [d1, await treeDigest(repo)];
    // The governed repository, minus the example intent, is main; the pull requests add it.
    await git('add', '-A');
    await git('reset', '-q', '--', 'intents');
    await git('commit', '-q', '-m', 'gitops init');
    await git('checkout', '-q', '-b', 'add-seed');
    await git('add', 'intents');
    await git('commit', '-q', '-m', 'seed intent');
    await git('checkout', '-q', '-b', 'cheap', 'main');
    await mkdir(join(repo, 'intents'), { recursive: true });
    await writeFile(join(repo, 'intents/DEPLOY-WEB-001.yaml'), cheap);
    await git('add', 'intents');
    await git('commit', '-q', '-m', 'a $40/month budget');
    await git('checkout', '-q', 'main');
  }, 120_000);

  it('init lays out the repository; the second run changes nothing', () => {
    expect(firstInit.stderr).toBe('');
    expect(firstInit.code).toBe(0);
    expect(firstInit.stdout).toMatch(/^(\d+) file\(s\) written, 0 already up to date, 0 left alone\.$/m);
    expect(secondInit.code).toBe(0);
    expect(secondInit.stdout).toMatch(/^0 file\(s\) written, (\d+) already up to date, 0 left alone\.$/m);
    expect(secondInit.stdout).not.toMatch(/^create/m);
    expect(digests[1]).toBe(digests[0]);
  });

  it('gitops policy test passes', async () => {
    const r = await gitops('policy', 'test');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS: (\d+)\/\1$/m);
  });

  it('gitops check on a pull request judges the plan: without Pulumi installed it says so and stops (exit 2), before any verdict', async () => {
    const r = await gitops('check', '--base', 'main', '--head', 'add-seed');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pulumi_not_installed: this check previews the infrastructure (the plan policies judge it), which needs @pulumi/pulumi and @pulumi/aws');
    expect(r.stderr).toContain('--no-preview');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).not.toContain('ALLOW');
  });

  it('gitops check: the seed intent is allowed, the $40/month variant denied by COMP-BUDGET-001 at its line', async () => {
    // As `npm install -D @pulumi/pulumi @pulumi/aws` would (linked from this clone's install: no download).
    await linkPulumi(join(repo, 'node_modules'));
    const allowed = await gitops('check', '--base', 'main', '--head', 'add-seed');
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/✔ ALLOW\s+DEPLOY-WEB-001/);
    expect(allowed.stdout).toContain('Summary: 1 intent, 1 allowed, 0 denied, 0 invalid');

    const denied = await gitops('check', '--base', 'main', '--head', 'cheap');
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(/FAILED\s+COMP-BUDGET-001\s+intents\/DEPLOY-WEB-001\.yaml:17: estimated cost at minimum capacity is \$113\.37\/month, over the budget of \$40\/month/);
    expect(denied.stdout).toContain('Summary: 1 intent, 0 allowed, 1 denied, 0 invalid');
  });

  it("the action's committed bundle, with no node_modules beside it, gives the same verdicts", async () => {
    const action = join(work, 'action');
    await mkdir(action);
    await cp(join(REPO_ROOT, 'dist/action'), join(action, 'dist/action'), { recursive: true });
    await cp(join(REPO_ROOT, 'action.yml'), join(action, 'action.yml'));
    await cp(join(REPO_ROOT, 'package.json'), join(action, 'package.json'));
    expect(existsSync(join(action, 'node_modules'))).toBe(false);
    const step = async (command: string) => {
      const output = join(work, `output-${Math.random().toString(36).slice(2)}`);
      await writeFile(output, '');
      const r = await run(NODE, [join(action, 'dist/action/index.cjs')], work, {
        INPUT_COMMAND: command,
        'INPUT_WORKING-DIRECTORY': 'acme-infra',
        INPUT_TOKEN: 'ghs_not_for_check',
        GITHUB_WORKSPACE: work,
        GITHUB_OUTPUT: output,
        NODE_PATH: '',
      });
      return { ...r, output: await readFile(output, 'utf8') };
    };
    // A pull-request check previews: with install-pulumi false and nothing beside the bundle, it says so.
    const refused = await run(NODE, [join(action, 'dist/action/index.cjs')], work, {
      INPUT_COMMAND: 'check --base main --head add-seed',
      'INPUT_WORKING-DIRECTORY': 'acme-infra',
      'INPUT_INSTALL-PULUMI': 'false',
      GITHUB_WORKSPACE: work,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pulumi_not_installed: gitops check needs @pulumi\/pulumi@\^3\.\d+\.\d+ and @pulumi\/aws@\^7\.\d+\.\d+ beside the action/);
    // apply needs Pulumi, which is not beside the bundle: with install-pulumi false the action says so (exit 2).
    const applyRefused = await run(NODE, [join(action, 'dist/action/index.cjs')], work, {
      INPUT_COMMAND: 'apply --preview --all',
      'INPUT_WORKING-DIRECTORY': 'acme-infra',
      'INPUT_INSTALL-PULUMI': 'false',
      GITHUB_WORKSPACE: work,
    });
    expect(applyRefused.code).toBe(2);
    expect(applyRefused.stderr).toMatch(/pulumi_not_installed: gitops apply needs @pulumi\/pulumi@\^3\.\d+\.\d+ and @pulumi\/aws@\^7\.\d+\.\d+ beside the action/);
    // What install-pulumi does on first use (npm install into dist/node_modules), linked here: no download.
    await linkPulumi(join(action, 'dist/node_modules'));
    const allowed = await step('check --base main --head add-seed');
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/✔ ALLOW\s+DEPLOY-WEB-001/);
    expect(allowed.output).toMatch(/^exit-code<<(gitops_[0-9a-f-]+)\n0\n\1\n/);

    const denied = await step('gitops check --base main --head cheap --format json');
    expect(denied.code).toBe(1);
    const report = JSON.parse(denied.stdout) as { summary: { denied: number; allowed: number } };
    expect(report.summary).toMatchObject({ denied: 1, allowed: 0 });
    expect(denied.stdout).toContain('"COMP-BUDGET-001"');
    expect(denied.output).toMatch(/^exit-code<<(gitops_[0-9a-f-]+)\n1\n\1\n/m);
    // The stdout output carries the report (what apply.yml reads from `affected`).
    expect(denied.output).toContain('"COMP-BUDGET-001"');

    const bad = await step('check --actor "unterminated');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('action_command_unterminated_quote');

  }, 60_000);
});
