import { describe, expect, it } from 'vitest';
import { analyze } from '../../runner/feedback/analyze.ts';
import { RULES, downtimeNearCapacity } from '../../runner/feedback/rules.ts';
import { recommend, type IntentEvaluator } from '../../runner/feedback/recommend.ts';
import { readIn } from '../../runner/feedback/yaml-edit.ts';
import type { IntentTargets, ServiceMetrics } from '../../runner/feedback/types.ts';

const targets: IntentTargets = { id: 'DEPLOY-WEB-001', file: 'intents/DEPLOY-WEB-001.yaml', availability: 99.9, latency_p95: 100, throughput: 1000, budget: 500, min_instances: 3, max_instances: 10, service: 'web-service-001' };
const INTENT = `intent:
  id: 'DEPLOY-WEB-001'
  requirements:
    scalability:
      min_instances: 3  # three zones
      max_instances: 10
`;

function metrics(o: Partial<ServiceMetrics> = {}): ServiceMetrics {
  // 10 steps; the 9th is near capacity and had one down step
  const t = (i: number) => 1000 + i * 60;
  return {
    service: 'web-service-001',
    period: { start: 1000, end: 1600, label: '10m' },
    availability: 99.95,
    latency_p95: 85,
    throughput: 1250,
    throughput_peak: 1750,
    error_rate: 0.01,
    utilisation: { peak: 88, average: 60, peak_at: t(9) },
    series: {
      availability: Array.from({ length: 10 }, (_, i) => [t(i + 1), i === 8 ? 0 : 1] as const),
      utilisation: Array.from({ length: 10 }, (_, i) => [t(i + 1), i >= 8 ? 88 : 50] as const),
    },
    provenance: { source: 'test', detail: '' },
    ...o,
  };
}
const input = (m = metrics(), t = targets) => ({ targets: t, metrics: m, analysis: analyze({ targets: t, metrics: m, audit: [] }) });

/** Prices one instance-month at $30.37 over a $100 base, and denies above the intent's $500 budget — the shape of the check's answer. */
const evaluator: IntentEvaluator = async ({ text }) => {
  const min = Number(readIn(text, ['intent', 'requirements', 'scalability', 'min_instances']));
  const monthly = 100 + min * 30.37;
  const over = monthly > 250;
  return { decision: over ? 'deny' : 'allow', monthly_min: monthly, failed: over ? ['COMP-BUDGET-001'] : [], diagnostics: [] };
};

describe('recommendation rules', () => {
  it('buffer-instance-for-peak fires at ≥ 80 % peak, proposing min_instances + 1 with the availability it wins back', () => {
    const p = RULES['buffer-instance-for-peak'].evaluate(input());
    expect(p).toMatchObject({ type: 'capacity_optimization', priority: 'medium', approval_required: true, changes: [{ path: ['intent', 'requirements', 'scalability', 'min_instances'], from: 3, to: 4 }] });
    // 1 down step of 10, near capacity → 10 % of the period
    expect(p!.expected_benefit.availability_improvement).toBe('+10.00%');
    expect(RULES['buffer-instance-for-peak'].evaluate(input(metrics({ utilisation: { peak: 79.9, average: 50, peak_at: null } })))).toBeNull();
    // never above max
    expect(RULES['buffer-instance-for-peak'].evaluate(input(metrics(), { ...targets, min_instances: 10 }))).toBeNull();
  });

  it('counts only downtime that coincided with near-capacity steps', () => {
    const m = metrics();
    m.series.availability = m.series.availability.map(([t], i) => [t, i === 0 ? 0 : 1] as const);
    expect(downtimeNearCapacity(m, 80)).toBe(0);
  });

  it('investigate-failed-recovery fires on any failed recovery, high priority, no file change', () => {
    const base = input();
    base.analysis.metrics_collected.self_healing = { recovery_attempts: 12, successful_recoveries: 11, success_rate: 91.7 };
    const p = RULES['investigate-failed-recovery'].evaluate(base);
    expect(p).toMatchObject({ type: 'self_healing_improvement', description: 'Investigate failed recovery attempt', priority: 'high', approval_required: false, changes: [] });
    expect(p!.expected_benefit.self_healing_success_rate).toBe('+8.3%');
    base.analysis.metrics_collected.self_healing = { recovery_attempts: 12, successful_recoveries: 12, success_rate: 100 };
    expect(RULES['investigate-failed-recovery'].evaluate(base)).toBeNull();
  });

  it('scale-in-low-utilisation needs a low peak, half the error budget unused and latency met; never below 2 instances', () => {
    const low = metrics({ availability: 99.97, utilisation: { peak: 35, average: 20, peak_at: null } });
    expect(RULES['scale-in-low-utilisation'].evaluate(input(low))).toMatchObject({ type: 'cost_optimization', changes: [{ to: 2 }] });
    expect(RULES['scale-in-low-utilisation'].evaluate(input(metrics({ ...low, availability: 99.93 })))).toBeNull();
    expect(RULES['scale-in-low-utilisation'].evaluate(input(low, { ...targets, min_instances: 2 }))).toBeNull();
    expect(RULES['scale-in-low-utilisation'].evaluate(input(metrics({ ...low, latency_p95: 120 })))).toBeNull();
  });

  it('every rule documents its evidence and thresholds', () => {
    for (const r of Object.values(RULES)) {
      expect(r.evidence.length).toBeGreaterThan(20);
      expect(Object.keys(r.thresholds).length).toBeGreaterThan(0);
    }
  });
});

describe('recommend (through the check)', () => {
  it('numbers recommendations, prices them from the evaluation, and leaves file-less ones at cost 0', async () => {
    const base = input();
    base.analysis.metrics_collected.self_healing = { recovery_attempts: 12, successful_recoveries: 11, success_rate: 91.7 };
    const r = await recommend({ ...base, intentText: INTENT, evaluate: evaluator });
    expect(r.recommendations.map((x) => [x.recommendation_id, x.rule, x.expected_benefit])).toEqual([
      ['OPT-001', 'buffer-instance-for-peak', { availability_improvement: '+10.00%', cost_increase: '+$30.37/month' }],
      ['OPT-002', 'investigate-failed-recovery', { self_healing_success_rate: '+8.3%', cost: '0' }],
    ]);
    expect(r.outcomes.find((o) => o.rule === 'scale-in-low-utilisation')).toEqual({ rule: 'scale-in-low-utilisation', status: 'not_applicable' });
  });

  it('does not propose a change the policies deny (over budget)', async () => {
    const r = await recommend({ ...input(), intentText: INTENT.replace('min_instances: 3', 'min_instances: 4'), targets: { ...targets, min_instances: 4 }, evaluate: evaluator, rules: [RULES['buffer-instance-for-peak']] });
    expect(r.recommendations).toEqual([]);
    expect(r.outcomes).toEqual([{ rule: 'buffer-instance-for-peak', status: 'rejected', reason: 'the policies deny the recommended intent (COMP-BUDGET-001)', failed: ['COMP-BUDGET-001'] }]);
  });
});
