import { describe, expect, it } from 'vitest';
import { loadIntent } from '../../runner/intent/load.ts';
import { translate } from '../../runner/translate/registry.ts';
import { REGION_ALIASES, REGION_ZONES } from '../../runner/model/regions.ts';
import { estimateCostAcross } from '../../runner/translate/cost.ts';
import { PRICE_TABLE } from '../../runner/model/prices.ts';
import { SEED_INTENT, intentWith, lineOf } from '../check/helpers.ts';

function translated(id: string, text: string) {
  const doc = loadIntent(`intents/${id}.yaml`, text);
  if (!doc.ok) throw new Error(JSON.stringify(doc.diagnostics));
  const t = translate(doc.value);
  if (!t.ok) throw new Error(JSON.stringify(t.diagnostics));
  return t.value;
}

describe('deployment translator', () => {
  it('produces the actions of seed §3 for the seed intent, in its order, with secure defaults', () => {
    const t = translated('DEPLOY-WEB-001', SEED_INTENT);
    expect(t.region).toBe('us-west-2');
    expect(t.regions).toEqual(['us-west-2', 'us-east-1']);
    expect(t.actions).toEqual([
      {
        action: 'create_load_balancer',
        config: {
          type: 'application',
          scheme: 'internet-facing',
          listeners: [
            { protocol: 'HTTPS', port: 443, ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', tls_versions: ['TLSv1.2', 'TLSv1.3'] },
            { protocol: 'HTTP', port: 80, redirect_to_https: true },
          ],
          authentication: { method: 'oidc', required: true },
        },
      },
      { action: 'deploy_instances', config: { count: 3, instance_type: 't3.medium', availability_zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] } },
      { action: 'configure_auto_scaling', config: { min: 3, max: 10, target_cpu: 70 } },
      { action: 'setup_health_checks', config: { interval: 30, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3, path: '/health' } },
      {
        action: 'enable_self_healing',
        config: {
          recovery_policy: { strategy: 'restart', max_attempts: 3, timeout_seconds: 60 },
          triggers: [
            { condition: "health_status == 'failed'", action: 'restart_instance' },
            { condition: 'error_rate > 5%', action: 'restart_service' },
            { condition: 'latency_p95 > 200ms', action: 'scale_out' },
          ],
        },
      },
    ]);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(translated('DEPLOY-WEB-001', SEED_INTENT))).toBe(JSON.stringify(translated('DEPLOY-WEB-001', SEED_INTENT)));
  });

  it('applies the opt-outs and overrides an intent writes', () => {
    const t = translated(
      'OPT-001',
      intentWith(
        'OPT-001',
        { "region: ['us-west', 'us-east']": "region: ['eu-central']" },
        [
          '  placement: {instance_type: m5.large, zones: 2}',
          '  health_check: {enabled: false}',
          '  self_healing: {enabled: false}',
          '  security:',
          '    protocol: http',
          '    authentication: {method: none}',
          '',
        ].join('\n'),
      ),
    );
    const names = t.actions.map((a) => a.action);
    expect(names).toEqual(['create_load_balancer', 'deploy_instances', 'configure_auto_scaling']);
    expect(t.actions[0]!.config).toEqual({
      type: 'application',
      scheme: 'internet-facing',
      listeners: [{ protocol: 'HTTP', port: 80, redirect_to_https: false }],
      authentication: { method: 'none', required: false },
    });
    expect(t.actions[1]!.config).toEqual({ count: 3, instance_type: 'm5.large', availability_zones: ['eu-central-1a', 'eu-central-1b'] });
  });

  it('uses custom self-healing triggers and recovery policy when written', () => {
    const t = translated(
      'HEAL-001',
      intentWith(
        'HEAL-001',
        {},
        "  self_healing:\n    recovery_policy: {strategy: replace, max_attempts: 2, timeout_seconds: 120}\n    triggers:\n      - {condition: 'cpu_utilization > 95%', action: scale_out}\n",
      ),
    );
    expect(t.actions.at(-1)).toEqual({
      action: 'enable_self_healing',
      config: { recovery_policy: { strategy: 'replace', max_attempts: 2, timeout_seconds: 120 }, triggers: [{ condition: 'cpu_utilization > 95%', action: 'scale_out' }] },
    });
  });

  it('names the line of a region it does not know', () => {
    const doc = loadIntent('intents/R-001.yaml', intentWith('R-001', { "region: ['us-west', 'us-east']": "region:\n      - us-west\n      - xx-north" }));
    if (!doc.ok) throw new Error('must load');
    const t = translate(doc.value);
    expect(t.ok ? [] : t.diagnostics).toEqual([
      expect.objectContaining({ code: 'translate_unknown_region', file: 'intents/R-001.yaml', line: 20, path: 'intent.constraints.region[1]' }),
    ]);
  });

  it('deploys to the first allowed region only, unless placement.regions asks for more', () => {
    const seed = translated('DEPLOY-WEB-001', SEED_INTENT);
    expect(seed.deploy_regions).toEqual(['us-west-2']);
    const two = translated('R-002', intentWith('R-002', {}, '  placement:\n    regions: 2\n'));
    expect(two.deploy_regions).toEqual(['us-west-2', 'us-east-1']);
    // Each region is a full copy: the two-region estimate is the sum of both regions' estimates.
    const one = estimateCostAcross(two.actions, ['us-west-2']);
    const east = estimateCostAcross(two.actions, ['us-east-1']);
    const both = estimateCostAcross(two.actions, two.deploy_regions);
    if (!one.ok || !east.ok || !both.ok) throw new Error('cost must estimate');
    expect(both.value.monthly_min).toBeCloseTo(one.value.monthly_min + east.value.monthly_min, 2);
    expect(both.value.monthly_max).toBeCloseTo(one.value.monthly_max + east.value.monthly_max, 2);
    expect(both.value.items.map((i) => i.resource)).toContain('us-east-1/ec2:t3.medium');
  });

  it('names the line of placement.regions when it asks for more regions than the intent allows', () => {
    const text = intentWith('R-003', {}, '  placement:\n    regions: 3\n');
    const doc = loadIntent('intents/R-003.yaml', text);
    if (!doc.ok) throw new Error('must load');
    const t = translate(doc.value);
    expect(t.ok ? [] : t.diagnostics).toEqual([
      expect.objectContaining({ code: 'translate_too_many_regions', file: 'intents/R-003.yaml', line: lineOf(text, 'regions: 3'), path: 'intent.placement.regions' }),
    ]);
  });

  it('knows zones and prices for every region it can resolve', () => {
    for (const r of [...Object.keys(REGION_ZONES), ...Object.values(REGION_ALIASES)]) {
      expect(REGION_ZONES[r]!.length, r).toBeGreaterThanOrEqual(2);
      expect(PRICE_TABLE.regions[r], r).toBeDefined();
    }
  });
});
