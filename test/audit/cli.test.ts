import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { commitAndPush } from '../../runner/audit/push.ts';
import { ingestRecoveries } from '../../runner/audit/ingest.ts';
import { queryAudit } from '../../runner/audit/query.ts';
import { openAuditSink, readAuditLog, readLocalFiles } from '../../runner/audit/store.ts';
import type { AuditEventInput } from '../../runner/core/events.ts';
import { AGENTS_YAML, cleanup, cli, cloneOf, git, makeRemote, repoAgents, tempDir } from './helpers.ts';

afterAll(cleanup);

const REPO_ROOT = join(import.meta.dirname, '../..');

function seedLike(repo: string): void {
  const sink = openAuditSink(repo);
  const e = (actor: string, action: AuditEventInput['action'], trace = 'trace-deploy-web-001', resource = 'DEPLOY-WEB-001'): AuditEventInput => ({ actor, action, resource, outcome: 'success', trace_id: trace });
  sink.emit(e('user@example.com', 'submit_intent'));
  sink.emit(e('policy-engine', 'validate_policies'));
  sink.emit(e('intent-orchestrator', 'translate_intent'));
  sink.emit(e('user@example.com', 'submit_intent', 'trace-other', 'DEPLOY-API-002'));
}

describe('gitops audit verify', () => {
  it('passes on an intact log and names the first broken record with file:line (exit 1)', async () => {
    const repo = tempDir();
    seedLike(repo);
    const ok = await cli(['audit', 'verify', '--dir', repo], repo);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/^audit chain verified: 4 records in 1 file, head seq 4 sha256:[0-9a-f]{64} \(audit-log\/\d{4}-\d{2}-\d{2}\.jsonl\)\n$/);
    const [file] = readLocalFiles(repo).files;
    const lines = readFileSync(join(repo, file!.path), 'utf8').trimEnd().split('\n');
    writeFileSync(join(repo, file!.path), [lines[0], lines[2], lines[1], lines[3]].join('\n') + '\n');
    const bad = await cli(['audit', 'verify', '--dir', repo], repo);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`${file!.path}:2: audit_record_reordered: record seq 3 (${JSON.parse(lines[2]!).event_id}) is out of order: expected seq 2 here; seq 2 is at ${file!.path}:3\n`);
    const json = await cli(['audit', 'verify', '--dir', repo, '--format', 'json'], repo);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problem: { code: 'audit_record_reordered', file: file!.path, line: 2, seq: 3 } });
  });

  it('verifies a committed ref and, with --base, refuses a rewritten history', async () => {
    const bare = makeRemote();
    const a = cloneOf(bare);
    seedLike(a);
    await commitAndPush(a);
    git(a, 'fetch', '-q', 'origin');
    expect(await cli(['audit', 'verify', '--dir', a, '--ref', 'origin/main'], a)).toMatchObject({ code: 0 });
    // Rebuild the whole log with one record dropped: self-consistent, but not an extension of main.
    const records = readAuditLog(a);
    const fresh = tempDir();
    const sink = openAuditSink(fresh);
    for (const r of records.slice(1)) sink.emit({ actor: r.actor, action: r.action, resource: r.resource, outcome: r.outcome, trace_id: r.trace_id, timestamp: r.timestamp });
    rmSync(join(a, 'audit-log'), { recursive: true });
    cpSync(join(fresh, 'audit-log'), join(a, 'audit-log'), { recursive: true });
    expect(await cli(['audit', 'verify', '--dir', a], a)).toMatchObject({ code: 0 });
    const r = await cli(['audit', 'verify', '--dir', a, '--base', 'origin/main'], a);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/audit-log\/\d{4}-\d{2}-\d{2}\.jsonl:1: audit_history_rewritten: record seq 1 differs from the base's/);
  });

  it('runs as a real process: exit 1 and no stack trace on a tampered log', () => {
    const repo = tempDir();
    seedLike(repo);
    const [file] = readLocalFiles(repo).files;
    const p = join(repo, file!.path);
    writeFileSync(p, readFileSync(p, 'utf8').replace('"translate_intent"', '"verify_contracts"'));
    try {
      execFileSync(join(REPO_ROOT, 'node_modules/.bin/node'), [join(REPO_ROOT, 'runner/bin/gitops.mjs'), 'audit', 'verify', '--dir', repo], { encoding: 'utf8', stdio: 'pipe' });
      expect.unreachable('verify passed on an edited log');
    } catch (err) {
      const e = err as { status: number; stderr: string };
      expect(e.status).toBe(1);
      expect(e.stderr).toMatch(new RegExp(`^${file!.path}:3: audit_record_edited: record seq 3 \\(evt-[0-9a-z-]+\\) was edited`));
      expect(e.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('gitops audit show', () => {
  it('renders seed §7 trails as yaml, json and text, filtered by trace', async () => {
    const repo = tempDir();
    seedLike(repo);
    const yaml = await cli(['audit', 'show', '--dir', repo, '--trace', 'trace-deploy-web-001', '--format', 'yaml'], repo);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toMatch(/^audit_trail:\n  trace_id: 'trace-deploy-web-001'\n  events:\n    - event_id: 'evt-/);
    const doc = parseYaml(yaml.stdout) as { audit_trail: { events: Array<{ action: string; actor: string }> } };
    expect(doc.audit_trail.events.map((e) => [e.actor, e.action])).toEqual([
      ['user@example.com', 'submit_intent'],
      ['policy-engine', 'validate_policies'],
      ['intent-orchestrator', 'translate_intent'],
    ]);
    const all = JSON.parse((await cli(['audit', 'show', '--dir', repo, '--format', 'json'], repo)).stdout) as { audit_trails: Array<{ trace_id: string; events: unknown[] }> };
    expect(all.audit_trails.map((t) => [t.trace_id, t.events.length])).toEqual([
      ['trace-deploy-web-001', 3],
      ['trace-other', 1],
    ]);
    const text = await cli(['audit', 'show', '--dir', repo, '--action', 'submit_intent'], repo);
    expect(text.stdout.split('\n').filter((l) => l.includes('submit_intent'))).toHaveLength(2);
    expect(text.stdout).toContain('audit_trail trace-other (1 event)');
  });

  it('unknown trace → exit 1; unknown format or subcommand → exit 2 with usage', async () => {
    const repo = tempDir();
    seedLike(repo);
    expect(await cli(['audit', 'show', '--dir', repo, '--trace', 'nope'], repo)).toMatchObject({ code: 1, stderr: 'audit_trace_not_found: no audit records with trace id nope\n' });
    const f = await cli(['audit', 'show', '--dir', repo, '--format', 'xml'], repo);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain("usage_error: gitops audit show: unknown format 'xml'");
    const s = await cli(['audit', 'frobnicate'], repo);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain("unknown subcommand 'frobnicate'");
    expect((await cli(['audit', '--help'], repo)).stdout).toContain('gitops audit <subcommand>');
  });
});

describe('recoveries from the platform', () => {
  const reports = [
    { recovery_id: 'rec-1', component_id: 'web-service-001', intent_id: 'DEPLOY-WEB-001', timestamp: '2025-12-12T03:00:00Z', action: 'restart_instance', trigger: "health_status == 'failed'", result: 'success', attempt: 1, duration_seconds: 42 },
    { recovery_id: 'rec-2', component_id: 'web-service-001', timestamp: '2025-12-12T04:00:00Z', action: 'restart_service', result: 'failure', attempt: 3 },
  ];

  it('are recorded once each as report_recovery by the self-healing agent, with their own timestamps', async () => {
    const repo = tempDir();
    const agents = await repoAgents();
    const first = ingestRecoveries(repo, reports, { agents, traceId: 'trace-feedback-1' });
    expect(first).toEqual({ ingested: 2, duplicates: 0, refused: 0, problems: [] });
    expect(ingestRecoveries(repo, reports, { agents })).toMatchObject({ ingested: 0, duplicates: 2 });
    const recs = queryAudit(readAuditLog(repo), { action: 'report_recovery', resource: 'web-service-001' });
    expect(recs.map((r) => [r.actor, r.outcome, r.timestamp, r.details.recovery_action])).toEqual([
      ['self-healing-agent-001', 'success', '2025-12-12T03:00:00Z', 'restart_instance'],
      ['self-healing-agent-001', 'failure', '2025-12-12T04:00:00Z', 'restart_service'],
    ]);
    expect(recs[0]!.details).toMatchObject({ intent_id: 'DEPLOY-WEB-001', attempt: 1, duration_seconds: 42, source_id: 'rec-1' });
  });

  it('from an agent without write:audit_logs are refused (one agent_action_refused each); invalid ones are named', async () => {
    const repo = tempDir();
    const agents = await repoAgents();
    const r = ingestRecoveries(repo, [{ ...reports[0], recovery_id: 'rec-9', agent: 'monitoring-agent-001' }, { component_id: 'x', result: 'maybe' }], { agents, source: 'recoveries.json' });
    expect(r).toMatchObject({ ingested: 0, refused: 1, problems: [{ code: 'recovery_report_invalid', file: 'recoveries.json', path: '[1]' }] });
    expect(readAuditLog(repo)).toMatchObject([{ action: 'agent_action_refused', outcome: 'denied', actor: 'monitoring-agent-001', details: { attempted_action: 'report_recovery' } }]);
  });

  it('gitops audit ingest-recoveries reads a YAML or JSON list', async () => {
    const repo = tempDir();
    // The CLI loads the repository's agent registry.
    mkdirSync(join(repo, 'agents'));
    writeFileSync(join(repo, 'agents/agents.yaml'), AGENTS_YAML);
    writeFileSync(join(repo, 'recoveries.yaml'), 'recoveries:\n' + reports.map((x) => '  - ' + JSON.stringify(x)).join('\n') + '\n');
    const r = await cli(['audit', 'ingest-recoveries', 'recoveries.yaml', '--dir', repo], repo);
    expect(r).toMatchObject({ code: 0, stdout: 'audit: 2 recovery report(s) recorded, 0 already present, 0 refused, 0 invalid\n' });
    writeFileSync(join(repo, 'bad.yaml'), 'recoveries: [\n');
    const bad = await cli(['audit', 'ingest-recoveries', 'bad.yaml', '--dir', repo], repo);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^bad\.yaml:2:1: recovery_file_invalid: /);
  });
});
