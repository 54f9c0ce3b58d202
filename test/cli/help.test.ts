import { describe, expect, it } from 'vitest';
import { runCli } from '../check/helpers.ts';

describe('--help of the pull-request check commands', () => {
  for (const cmd of ['check', 'policy', 'demo']) {
    it(`gitops ${cmd} --help prints usage and exits 0`, async () => {
      const r = await runCli([cmd, '--help'], process.cwd());
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: gitops ${cmd}`));
    });
  }

  it('gitops policy with an unknown subcommand is a usage error (exit 2)', async () => {
    const r = await runCli(['policy', 'frobnicate'], process.cwd());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown subcommand 'frobnicate'");
  });
});
