/**
 * `gitops check --record`: the check's audit events reach audit-log/ of the
 * working copy (chained, verifiable), attributed to the submitting human and
 * the acting agents under one trace; without --record nothing is written.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempRepo } from './helpers.ts';

function records(dir: string): Array<Record<string, any>> {
  const logDir = join(dir, 'audit-log');
  return readdirSync(logDir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

describe('gitops check --record', () => {
  it('appends one event per stage, as the named agents, with the submitter and the head commit; the chain verifies', async () => {
    const repo = await tempRepo();
    try {
      const head = await repo.commitAll('sample');
      const r = await runCli(['check', '--all', '--record', '--actor', 'alice'], repo.dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const recs = records(repo.dir);
      expect(recs.map((x) => x.action)).toEqual(['submit_intent', 'validate_schema', 'translate_intent', 'estimate_cost', 'verify_contracts', 'verify_agents', 'validate_policies', 'verify_governance']);
      expect(new Set(recs.map((x) => x.trace_id)).size).toBe(1);
      expect(recs[0]).toMatchObject({ actor: 'alice', resource: 'DEPLOY-WEB-001', outcome: 'success', evidence: { commit: head } });
      expect(recs.find((x) => x.action === 'validate_policies')).toMatchObject({ actor: 'policy-engine', evidence: { policy_digest: expect.stringMatching(/^sha256:/) } });
      const v = await runCli(['audit', 'verify'], repo.dir);
      expect(v.code).toBe(0);
    } finally {
      await repo.cleanup();
    }
  });

  it('writes nothing without --record (a local check leaves the working copy clean)', async () => {
    const repo = await tempRepo();
    try {
      await repo.commitAll('sample');
      const r = await runCli(['check', '--all'], repo.dir);
      expect(r.code).toBe(0);
      expect(existsSync(join(repo.dir, 'audit-log'))).toBe(false);
      expect((await repo.git('status', '--porcelain')).trim()).toBe('');
    } finally {
      await repo.cleanup();
    }
  });
});
