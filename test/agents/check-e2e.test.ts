/**
 * End to end: the agent registry in `gitops check`, on real temporary git
 * repositories, and an action refused for lack of permission, recorded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../runner/check/run.ts';
import { createRunContext } from '../../runner/core/run-context.ts';
import { MemorySink } from '../../runner/core/events.ts';
import { checkJson, makeRepo, type TempRepo } from '../contracts/fixtures.ts';

const AGENTS = 'agents/agents.yaml';
let repo: TempRepo | undefined;
afterEach(() => repo?.cleanup());

function lineOf(text: string, needle: string, after = 0): number {
  return text.split('\n').findIndex((l, i) => i >= after && l.includes(needle)) + 1;
}

describe('gitops check: agents', () => {
  it('an agent given execute:* without write:audit_logs is denied twice (wildcard, audit) and flagged for its owner', async () => {
    repo = makeRepo();
    const r = repo;
    const text = r.read(AGENTS).replace('      - write:health_status\n', '      - write:health_status\n      - execute:*\n');
    r.branch('pr', () => r.write(AGENTS, text));
    const { code, report } = await checkJson(r.dir, '--base', 'main', '--head', 'pr');
    const seed = report.intents.find((i) => i.id === 'DEPLOY-WEB-001')!;
    const wildcardLine = lineOf(text, '- execute:*');
    const mon = lineOf(text, 'agent_id: monitoring-agent-001');
    expect(seed.results.filter((x) => x.status !== 'passed' && x.policy.startsWith('AGENT-')).map((x) => [x.policy, x.status, x.file, x.line])).toEqual([
      ['AGENT-AUDIT-001', 'failed', AGENTS, lineOf(text, 'permissions:', mon)],
      ['AGENT-REVIEW-001', 'warned', AGENTS, lineOf(text, 'permissions:', mon)],
      ['AGENT-WILDCARD-001', 'failed', AGENTS, wildcardLine],
    ]);
    const wildcard = seed.results.find((x) => x.policy === 'AGENT-WILDCARD-001')!;
    expect(wildcard).toMatchObject({ path: 'agents[0].permissions[2]' });
    expect(seed.results.find((x) => x.policy === 'AGENT-REVIEW-001')!.message).toContain('needs review by platform-observability');
    expect(seed.decision).toBe('deny');
    expect(code).toBe(1);
  });

  it('an executing agent without write:audit_logs (the seed’s scaling agent as written) is denied', async () => {
    repo = makeRepo();
    const r = repo;
    r.branch('pr', () => r.write(AGENTS, r.read(AGENTS).replace('      - execute:scale_operations\n      - write:audit_logs\n', '      - execute:scale_operations\n')));
    const { code, report } = await checkJson(r.dir, '--base', 'main', '--head', 'pr');
    const seed = report.intents.find((i) => i.id === 'DEPLOY-WEB-001')!;
    const audit = seed.results.filter((x) => x.policy === 'AGENT-AUDIT-001' && x.status === 'failed');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.message).toContain('scaling-agent-001 holds execute:scale_operations but not write:audit_logs');
    expect(code).toBe(1);
  });

  it('a registry that does not validate is denied at its line', async () => {
    repo = makeRepo();
    const r = repo;
    const text = r.read(AGENTS).replace('version: 2.1.0', 'version: two');
    r.branch('pr', () => r.write(AGENTS, text));
    const { code, report } = await checkJson(r.dir, '--base', 'main', '--head', 'pr');
    const seed = report.intents.find((i) => i.id === 'DEPLOY-WEB-001')!;
    expect(seed.results).toContainEqual(
      expect.objectContaining({ policy: 'AGENT-REGISTRY-001', status: 'failed', file: AGENTS, line: lineOf(text, 'version: two'), message: 'agents_schema_error: agents[0].version must be a semantic version like 1.0.0' }),
    );
    expect(code).toBe(1);
  });

  it('an action attempted by an agent lacking the permission is refused and recorded with outcome denied', async () => {
    repo = makeRepo();
    const r = repo;
    // The registry the run acts with: intent-orchestrator no longer holds read:contracts.
    r.write(AGENTS, r.read(AGENTS).replace('      - read:contracts\n', ''));
    r.git('commit', '-q', '-am', 'intent-orchestrator loses read:contracts');
    const sink = new MemorySink();
    const ctx = createRunContext({ repoDir: r.dir, kind: 'check', sink, human: 'dev@example.com', traceId: 'trace-refused' });
    const report = await runCheck({ cwd: r.dir, all: true, ctx });
    const refused = sink.events.filter((e) => e.action === 'agent_action_refused');
    expect(refused).toEqual([
      expect.objectContaining({
        actor: 'intent-orchestrator',
        outcome: 'denied',
        resource: 'DEPLOY-WEB-001',
        trace_id: 'trace-refused',
        details: expect.objectContaining({ attempted_action: 'verify_contracts', permission: 'read:contracts' }),
      }),
    ]);
    // The stage did not run (no verify_contracts event), and the check fails clearly.
    expect(sink.events.some((e) => e.action === 'verify_contracts')).toBe(false);
    const seed = report.intents.find((i) => i.id === 'DEPLOY-WEB-001')!;
    expect(seed.contracts).toBeUndefined();
    expect(seed.decision).not.toBe('allow');
    expect([...report.diagnostics, ...seed.diagnostics].map((d) => d.message).join('\n')).toContain('intent-orchestrator lacks permission read:contracts required for verify_contracts');
  });
});
