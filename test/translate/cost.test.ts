import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../runner/translate/cost.ts';
import { ASSUMED_LCU, PRICE_TABLE, instanceHourly } from '../../runner/model/prices.ts';
import type { Action } from '../../runner/model/report.ts';

const seedActions: Action[] = [
  { action: 'create_load_balancer', config: { type: 'application', scheme: 'internet-facing' } },
  { action: 'deploy_instances', config: { count: 3, instance_type: 't3.medium', availability_zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] } },
  { action: 'configure_auto_scaling', config: { min: 3, max: 10, target_cpu: 70 } },
];

describe('estimateCost', () => {
  it('prices the seed at minimum (3) and maximum (10) capacity: instances × 730 h × hourly + load balancer', () => {
    const r = estimateCost(seedActions);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const c = r.value;
    const hourly = instanceHourly('us-west-2', 't3.medium')!;
    const lb = PRICE_TABLE.regions['us-west-2']!.alb_hour * 730 + PRICE_TABLE.regions['us-west-2']!.alb_lcu_hour * 730 * ASSUMED_LCU;
    expect(hourly).toBe(0.0416);
    expect(c.monthly_min).toBeCloseTo(3 * 730 * hourly + lb, 1);
    expect(c.monthly_max).toBeCloseTo(10 * 730 * hourly + lb, 1);
    expect(c).toMatchObject({ currency: 'USD', hours_per_month: 730, monthly_min: 113.37, monthly_max: 325.95 });
    expect(c.price_table).toEqual({ source: PRICE_TABLE.source, date: '2026-11-01', region: 'us-west-2' });
    expect(c.items.map((i) => i.resource)).toEqual(['ec2:t3.medium', 'elb:application', 'elb:lcu']);
    expect(c.assumptions.length).toBeGreaterThan(0);
  });

  it('takes an explicit region over the zones', () => {
    const r = estimateCost(seedActions, 'eu-central-1');
    expect(r.ok && r.value.items[0]!.unit_price).toBe(0.048);
  });

  it('reports a region or instance type the table lacks as an error value', () => {
    expect(estimateCost(seedActions, 'mars-1')).toEqual({ ok: false, diagnostics: [expect.objectContaining({ code: 'cost_unknown_region' })] });
    const odd = seedActions.map((a) => (a.action === 'deploy_instances' ? { ...a, config: { ...a.config, instance_type: 'x9.huge' } } : a));
    expect(estimateCost(odd)).toEqual({ ok: false, diagnostics: [expect.objectContaining({ code: 'cost_unknown_instance_type' })] });
  });

  it('names its dated source', () => {
    expect(PRICE_TABLE.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_TABLE.source).toMatch(/aws\.amazon\.com/);
  });
});
