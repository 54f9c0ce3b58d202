import { describe, expect, it } from 'vitest';
import { readAuditLog } from '../../runner/audit/store.ts';
import { governanceReport, REPORT_FORMATS } from '../../runner/feedback/governance.ts';
import { createFileSource } from '../../runner/feedback/sources/file.ts';
import { periodEnding } from '../../runner/feedback/period.ts';
import type { AuditRecord, IntentTargets } from '../../runner/feedback/types.ts';
import { seedRepo } from './fixtures/repo.ts';
import { SEED_END, SEED_START } from './fixtures/seed-data.ts';

const targets: IntentTargets = { id: 'DEPLOY-WEB-001', file: 'intents/DEPLOY-WEB-001.yaml', availability: 99.9, latency_p95: 100, throughput: 1000, budget: 500, min_instances: 3, max_instances: 10, service: 'web-service-001' };

describe('governance report', () => {
  it('gives the seed success metrics and time to value from a seed-like week', async () => {
    const { dir } = seedRepo();
    const period = periodEnding('7d', SEED_END);
    const m = await createFileSource(dir, { path: 'metrics/sample/{intent_id}.csv' }).collect({ intentId: targets.id, service: targets.service, period });
    if (!m.ok) throw new Error('metrics');
    const audit = readAuditLog(dir) as unknown as AuditRecord[];
    const commits = [
      { sha: 'a'.repeat(40), time: SEED_START + 100 },
      { sha: 'b'.repeat(40), time: SEED_START - 100 }, // before the period: not counted
    ];
    const covered: AuditRecord = { timestamp: new Date((SEED_START + 200) * 1000).toISOString(), actor: 'policy-engine', action: 'validate_policies', resource: 'X', outcome: 'success', trace_id: 't', evidence: { commit: 'a'.repeat(40) } };
    const r = governanceReport({ period, audit: [...audit, covered], intents: [{ targets, metrics: m.metrics }], intentCommits: commits });
    expect(r.deployment_success_rate).toEqual({ numerator: 66, denominator: 67, rate: 98.5 });
    expect(r.average_deployment_time_seconds).toBe(345);
    expect(r.availability).toEqual([{ intent_id: 'DEPLOY-WEB-001', service: 'web-service-001', achieved: 99.95, target: 99.9, delta: 0.05, met: true }]);
    expect(r.self_healing_success_rate).toEqual({ numerator: 11, denominator: 12, rate: 91.7 });
    expect(r.policy_compliance).toMatchObject({ numerator: 67, denominator: 67, rate: 100, unverified: [] });
    expect(r.audit_coverage).toEqual({ numerator: 1, denominator: 1, rate: 100, uncovered: [] });
    expect(r.intent_to_deployment_seconds).toBe(360);
    expect(r.recovery_time_seconds).toBe(60);
    const text = REPORT_FORMATS.text(r);
    expect(text).toMatch(/Deployment success rate +98\.5% \(66\/67\)/);
    expect(text).toMatch(/Intent to deployment +6 min \(360 s\)/);
    expect(REPORT_FORMATS.markdown(r)).toContain('| Self-healing success | 91.7% (11/12) |');
    expect(JSON.parse(REPORT_FORMATS.json(r)).policy_compliance.rate).toBe(100);
  });

  it('counts a deployment without a passing check as non-compliant, and an unaudited intent commit as uncovered', () => {
    const period = periodEnding('1d', SEED_START + 86_400);
    const at = (s: number) => new Date((SEED_START + s) * 1000).toISOString();
    const steps = ['provision_infrastructure', 'deploy_application', 'configure_monitoring', 'enable_self_healing'];
    const audit: AuditRecord[] = [
      { timestamp: at(10), actor: 'policy-engine', action: 'validate_policies', resource: 'DEPLOY-WEB-001', outcome: 'failure', trace_id: 'c1' },
      ...steps.map((a, i): AuditRecord => ({ timestamp: at(100 + i), actor: 'infra-provisioner', action: a, resource: 'DEPLOY-WEB-001-us-west', outcome: 'success', trace_id: 'd1' })),
    ];
    const r = governanceReport({ period, audit, intents: [{ targets, metrics: null }], intentCommits: [{ sha: 'c'.repeat(40), time: SEED_START + 5 }] });
    expect(r.policy_compliance).toMatchObject({ numerator: 0, denominator: 1, rate: 0, unverified: ['d1'] });
    expect(r.audit_coverage).toMatchObject({ rate: 0, uncovered: ['c'.repeat(40)] });
    expect(r.availability[0]!.achieved).toBeNull();
    expect(r.self_healing_success_rate.rate).toBeNull();
    expect(governanceReport({ period, audit: [], intents: [], intentCommits: null }).audit_coverage).toBeNull();
  });
});
