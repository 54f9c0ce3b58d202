/**
 * The audit trail end to end (docs/audit.md): the sample intent's real check (runCheck, with the
 * infrastructure preview) and apply (applyStacks, mock engine) write through
 * the file sink under one trace id; the records are pushed to a bare remote
 * and `gitops audit show` renders the trail.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../runner/check/run.ts';
import { createRunContext } from '../../runner/core/run-context.ts';
import { applyStacks } from '../../runner/apply/run.ts';
import { MockEngine } from '../../runner/apply/engines/mock.ts';
import { selectStacks } from '../../runner/apply/select.ts';
import { commitAndPush } from '../../runner/audit/push.ts';
import { openAuditSink, readAuditLog } from '../../runner/audit/store.ts';
import { cleanup, cli, cloneOf, git, tempDir } from './helpers.ts';

afterAll(cleanup);

const REPO_ROOT = join(import.meta.dirname, '../..');
const TRACE = 'trace-deploy-web-001';

function governedRemote(): string {
  const root = tempDir('seed-');
  const bare = join(root, 'remote.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', bare);
  const work = join(root, 'work');
  git(root, 'init', '-q', '-b', 'main', work);
  for (const d of ['intents', 'policies', 'agents', 'contracts']) cpSync(join(REPO_ROOT, d), join(work, d), { recursive: true });
  git(work, 'add', '-A');
  git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'governed sample');
  git(work, 'push', '-q', bare, 'main');
  return bare;
}

describe('seed §7 trail', () => {
  it('check and apply of DEPLOY-WEB-001 produce one chained trail under one trace id', async () => {
    const bare = governedRemote();
    const dir = cloneOf(bare, 'runner');
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    const sink = openAuditSink(dir);
    const ctx = createRunContext({ repoDir: dir, kind: 'check', sink, traceId: TRACE, human: 'user@example.com', commit: head });

    const report = await runCheck({ cwd: dir, all: true, preview: true, ctx });
    expect(report.intents.map((i) => [i.id, i.decision])).toEqual([['DEPLOY-WEB-001', 'allow']]);
    const sel = await selectStacks(dir, { intent: 'DEPLOY-WEB-001' });
    if (!sel.ok) throw new Error(JSON.stringify(sel.diagnostics));
    const applied = await applyStacks(ctx, new MockEngine(), sel.value);
    expect(applied.status).not.toBe('failed');

    expect(await commitAndPush(dir)).toMatchObject({ status: 'pushed' });
    const reader = cloneOf(bare, 'reader');
    expect(await cli(['audit', 'verify', '--dir', reader], reader)).toMatchObject({ code: 0 });

    const shown = await cli(['audit', 'show', '--trace', TRACE, '--format', 'yaml', '--dir', reader], reader);
    expect(shown.code).toBe(0);
    const trail = (parseYaml(shown.stdout) as { audit_trail: { trace_id: string; events: Array<Record<string, string>> } }).audit_trail;
    expect(trail.trace_id).toBe(TRACE);
    const steps = trail.events.map((e) => `${e.actor}:${e.action}:${e.resource}:${e.outcome}`);
    // The trail's first events, with their actors (the runner translates before it evaluates
    // the policies, because the policies judge the translation too).
    expect(steps[0]).toBe('user@example.com:submit_intent:DEPLOY-WEB-001:success');
    expect(steps).toContain('policy-engine:validate_policies:DEPLOY-WEB-001:success');
    expect(steps).toContain('intent-orchestrator:translate_intent:DEPLOY-WEB-001:success');
    const actions = trail.events.map((e) => e.action);
    // Then contracts, then the four apply steps in their order (docs/infra.md, "The apply steps").
    expect(actions).toContain('verify_contracts');
    const applySteps = actions.filter((a) => ['provision_infrastructure', 'deploy_application', 'configure_monitoring', 'enable_self_healing'].includes(a));
    expect(applySteps.slice(0, 4)).toEqual(['provision_infrastructure', 'deploy_application', 'configure_monitoring', 'enable_self_healing']);
    expect(actions.indexOf('verify_contracts')).toBeLessThan(actions.indexOf('provision_infrastructure'));
    for (const e of trail.events) expect(Object.keys(e)).toEqual(['event_id', 'timestamp', 'actor', 'action', 'resource', 'outcome']);

    // Evidence: every record names the commit; the policy decision names the policy set and the input.
    const records = readAuditLog(reader);
    expect(records.every((r) => r.evidence.commit === head)).toBe(true);
    const policies = records.find((r) => r.action === 'validate_policies')!;
    expect(policies.evidence.policy_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(policies.evidence.input_digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // One event per performed stage: no action recorded twice for the intent within the check.
    const checkActions = records.filter((r) => !applySteps.includes(r.action)).map((r) => r.action);
    expect(new Set(checkActions).size).toBe(checkActions.length);

    const text = await cli(['audit', 'show', '--trace', TRACE, '--dir', reader], reader);
    expect(text.stdout).toMatch(new RegExp(`^audit_trail ${TRACE} \\(${trail.events.length} events\\)`));
  }, 180_000);
});
