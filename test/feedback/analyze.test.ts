import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAuditLog } from '../../runner/audit/store.ts';
import { analyze, deploymentStats } from '../../runner/feedback/analyze.ts';
import { createFileSource } from '../../runner/feedback/sources/file.ts';
import { periodEnding } from '../../runner/feedback/period.ts';
import { readTargets } from '../../runner/feedback/targets.ts';
import type { AuditRecord, ServiceMetrics } from '../../runner/feedback/types.ts';
import { seedRepo } from './fixtures/repo.ts';
import { SEED_END, SEED_START } from './fixtures/seed-data.ts';

async function seedInputs(opts: Parameters<typeof seedRepo>[0] = {}) {
  const { dir } = seedRepo(opts);
  const targets = readTargets(readFileSync(join(dir, 'intents/DEPLOY-WEB-001.yaml'), 'utf8'), 'intents/DEPLOY-WEB-001.yaml', { 'DEPLOY-WEB-001': 'web-service-001' });
  if (!targets.ok) throw new Error(JSON.stringify(targets.diagnostics));
  const m = await createFileSource(dir, { path: 'metrics/sample/{intent_id}.csv' }).collect({ intentId: 'DEPLOY-WEB-001', service: 'web-service-001', period: periodEnding('7d', SEED_END) });
  if (!m.ok) throw new Error(JSON.stringify(m.diagnostics));
  return { dir, targets: targets.value, metrics: m.metrics, audit: readAuditLog(dir) as unknown as AuditRecord[] };
}

describe('analyze (seed §9)', () => {
  it('gives the seed figures from the sample metrics and the audit log', async () => {
    const a = analyze(await seedInputs());
    expect(a.period).toBe('7 days');
    expect(a.metrics_collected.availability).toEqual({ achieved: 99.95, target: 99.9, delta: 0.05 });
    expect(a.metrics_collected.performance).toEqual({ latency_p95: 85, target: 100, delta: -15 });
    expect(a.metrics_collected.self_healing).toEqual({ recovery_attempts: 12, successful_recoveries: 11, success_rate: 91.7 });
    expect(a.metrics_collected.deployment).toEqual({ success_rate: 98.5, average_deployment_time: 345, deployments: 67, successful: 66 });
    expect(a.metrics_collected.throughput).toMatchObject({ achieved: 1250, target: 1000 });
    expect(a.metrics_collected.error_rate).toBe(0.01);
    expect(a.analysis.strengths.map((f) => f.message)).toEqual(['Exceeded availability target', 'Performance better than expected', 'Self-healing working effectively', 'Deployments reliable']);
    expect(a.analysis.improvements.map((f) => f.message)).toEqual(['1 recovery failure needs investigation', 'Consider adding buffer instances for peak load']);
    expect(a.analysis.improvements[1]!.evidence).toMatchObject({ peak_utilisation: 88, threshold: 80 });
  });

  it('turns misses into improvements with their figures', async () => {
    const base = await seedInputs({ recoveries: { attempts: 10, failed: 3 } });
    const metrics: ServiceMetrics = { ...base.metrics, availability: 99.5, latency_p95: 140, error_rate: 2, utilisation: { peak: 50, average: 30, peak_at: null } };
    const a = analyze({ ...base, metrics });
    expect(a.analysis.strengths.map((f) => f.code)).toEqual(['deployments_reliable']);
    expect(a.analysis.improvements.map((f) => f.code)).toEqual(['availability_below_target', 'latency_above_target', 'self_healing_ineffective', 'recovery_failed', 'error_rate_high']);
    expect(a.metrics_collected.availability.delta).toBe(-0.4);
    expect(a.metrics_collected.self_healing.success_rate).toBe(70);
  });

  it('counts a deployment as one apply trace; one failed step fails it; other intents and periods are ignored', () => {
    const ev = (trace: string, action: string, outcome: string, resource = 'DEPLOY-WEB-001', t = SEED_START + 100): AuditRecord => ({ timestamp: new Date(t * 1000).toISOString(), actor: 'infra-provisioner', action, resource, outcome, trace_id: trace, details: { duration_ms: 1000 } });
    const steps = ['provision_infrastructure', 'deploy_application', 'configure_monitoring', 'enable_self_healing'];
    const recs = [
      ...steps.map((s) => ev('a', s, 'success', 'DEPLOY-WEB-001-us-west')),
      ...steps.map((s, i) => ev('b', s, i === 2 ? 'failure' : 'success')),
      ...steps.map((s) => ev('c', s, 'success', 'OTHER-001')),
      ...steps.map((s) => ev('d', s, 'success', 'DEPLOY-WEB-001', SEED_START - 10)),
    ];
    expect(deploymentStats(recs, 'DEPLOY-WEB-001', SEED_START, SEED_END)).toEqual({ deployments: 2, successful: 1, success_rate: 50, average_deployment_time: 4 });
    expect(deploymentStats([], 'DEPLOY-WEB-001', SEED_START, SEED_END).success_rate).toBeNull();
  });
});
