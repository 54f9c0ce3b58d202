/**
 * Audit coverage by construction: every action kind in the AUDIT_ACTIONS
 * registry, performed through perform() with the file sink, yields exactly
 * one record — and a refusal or a failure yields exactly one too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, type AuditAction } from '../../runner/core/events.ts';
import { perform, type Agent, type AgentDirectory } from '../../runner/core/context.ts';
import { openAuditSink, readAuditLog, readLocalFiles } from '../../runner/audit/store.ts';
import { verifyLog } from '../../runner/audit/verify.ts';
import { cleanup, ctxWith, tempDir } from './helpers.ts';

afterAll(cleanup);

const actor: Agent = { agent_id: 'actor-agent', type: 'test', version: '1.0.0', permissions: ['do:it'] };
const agents: AgentDirectory = { get: (id) => (id === actor.agent_id ? actor : undefined), list: () => [actor] };
const ACTIONS = Object.keys(AUDIT_ACTIONS) as AuditAction[];

describe('every audit action kind', () => {
  it('the registry is what this test enumerates', () => {
    expect(ACTIONS.length).toBeGreaterThanOrEqual(20);
    expect(ACTIONS).toContain('report_recovery');
  });

  for (const action of ACTIONS) {
    it(`${action}: one performed action → exactly one record`, async () => {
      const repo = tempDir('cov-');
      const sink = openAuditSink(repo);
      const ctx = ctxWith(sink, agents, `trace-${action}`, { commit: 'f'.repeat(40) });
      const r = await perform(ctx, { agent: 'actor-agent', permission: 'do:it', action, resource: 'RES-1' }, () => ({ value: 1 }));
      expect(r.status).toBe('done');
      const records = readAuditLog(repo);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ action, actor: 'actor-agent', resource: 'RES-1', outcome: 'success', trace_id: `trace-${action}`, evidence: { commit: 'f'.repeat(40) } });
    });

    it(`${action}: refused (no permission) → exactly one agent_action_refused record`, async () => {
      const repo = tempDir('cov-');
      const ctx = ctxWith(openAuditSink(repo), agents, 'trace-refused');
      const r = await perform(ctx, { agent: 'actor-agent', permission: 'other:thing', action, resource: 'RES-1' }, () => {
        throw new Error('must not run');
      });
      expect(r.status).toBe('denied');
      const records = readAuditLog(repo);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ action: 'agent_action_refused', outcome: 'denied', actor: 'actor-agent', details: { attempted_action: action, permission: 'other:thing' } });
    });
  }

  it('a failing action is recorded once with outcome failure, and the error still propagates', async () => {
    const repo = tempDir('cov-');
    const ctx = ctxWith(openAuditSink(repo), agents, 'trace-fail');
    await expect(perform(ctx, { agent: 'actor-agent', permission: 'do:it', action: 'deploy_application', resource: 'S' }, () => {
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(readAuditLog(repo)).toMatchObject([{ action: 'deploy_application', outcome: 'failure', details: { error: 'boom' } }]);
  });

  it('all kinds in one run form one verifiable chain, one record each', async () => {
    const repo = tempDir('cov-');
    const ctx = ctxWith(openAuditSink(repo), agents, 'trace-all');
    for (const action of ACTIONS) await perform(ctx, { agent: 'actor-agent', permission: 'do:it', action, resource: 'RES-1' }, () => ({ value: 0 }));
    const records = readAuditLog(repo);
    expect(records.map((r) => r.action)).toEqual(ACTIONS);
    const { files, anchorText } = readLocalFiles(repo);
    expect(verifyLog(files, anchorText)).toMatchObject({ ok: true, records: ACTIONS.length });
  });
});
