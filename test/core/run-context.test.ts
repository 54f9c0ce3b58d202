/**
 * The run context validates the agent registry every action is performed
 * under: a malformed registry stops the run with file:line, never a crash.
 */
import { describe, expect, it } from 'vitest';
import { runCli, tempRepo } from '../check/helpers.ts';

describe('run context: the agent registry', () => {
  it('a malformed agents/agents.yaml is a runner error (exit 2) naming file and line', async () => {
    const repo = await tempRepo();
    try {
      await repo.write('agents/agents.yaml', 'agents:\n  - agent_id: policy-engine\n    type: policy\n    version: 1.0.0\n    permissions: read:intents\n');
      await repo.commitAll('broken registry');
      const r = await runCli(['check', '--all'], repo.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^agents\/agents\.yaml:5:\d+: agents_/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await repo.cleanup();
    }
  });
});

describe('a working copy that does not exist', () => {
  it('is a clear runner error for check and audit, not an internal error or an empty log', async () => {
    const check = await runCli(['check', '--all', '--repo', '/nonexistent-gitops-dir'], '/tmp');
    expect(check.code).toBe(2);
    expect(check.stderr).toBe('repo_not_found: no such directory: /nonexistent-gitops-dir\n');
    const verify = await runCli(['audit', 'verify', '--dir', '/nonexistent-gitops-dir'], '/tmp');
    expect(verify.code).toBe(2);
    expect(verify.stderr).toBe('dir_not_found: no such directory: /nonexistent-gitops-dir\n');
  });
});
