import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitEnvironment, gitOk, runGit, runGitSync, subcommand } from '../../runner/git/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'gitops-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gitEnvironment', () => {
  it('passes only allow-listed variables, sets LC_ALL=C and no prompt', () => {
    const env = gitEnvironment({ PATH: '/usr/bin', HOME: '/home/x', MY_SECRET_TOKEN: 's3cret', EDITOR: 'vi', GIT_DIR: '/elsewhere', LC_ALL: 'de_DE.UTF-8', GIT_SSH_COMMAND: 'ssh -i k' }, { GIT_INDEX_FILE: '/tmp/i' });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/home/x', GIT_SSH_COMMAND: 'ssh -i k', GIT_INDEX_FILE: '/tmp/i', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' });
  });

  it('a secret in the environment never reaches git', async () => {
    const secret = 'GITOPS_TEST_SECRET_' + process.pid;
    process.env[secret] = 'hunter2';
    try {
      // `git var -l` prints nothing of the environment, so ask a shell alias what it sees.
      const out = await gitOk(dir, ['-c', 'alias.envdump=!env', 'envdump']);
      expect(out).not.toContain(secret);
      expect(out).toMatch(/^LC_ALL=C$/m);
      expect(out).toMatch(/^GIT_TERMINAL_PROMPT=0$/m);
    } finally {
      delete process.env[secret];
    }
  });
});

describe('errors', () => {
  it('a failing git names its subcommand', async () => {
    await expect(gitOk(dir, ['-c', 'x.y=1', 'rev-parse', '--verify', 'no-such-ref'])).rejects.toMatchObject({ diagnostics: [expect.objectContaining({ code: 'git_failed' })] });
    await expect(gitOk(dir, ['-c', 'x.y=1', 'rev-parse', '--verify', 'no-such-ref'])).rejects.toThrow(/git rev-parse failed/);
  });

  it('runGit and runGitSync return the exit code instead of throwing', async () => {
    expect((await runGit(dir, ['rev-parse', '--verify', 'nope'])).code).not.toBe(0);
    expect(runGitSync(dir, ['rev-parse', '--verify', 'nope']).code).not.toBe(0);
    expect(runGitSync(dir, ['--version']).stdout).toMatch(/^git version/);
  });

  it('subcommand skips leading options', () => {
    expect(subcommand(['-c', 'gc.auto=0', 'fast-import', '--quiet'])).toBe('fast-import');
    expect(subcommand(['-C', '/x', '--literal-pathspecs', 'ls-tree'])).toBe('ls-tree');
  });
});
