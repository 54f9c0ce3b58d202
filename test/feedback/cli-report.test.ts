import { describe, expect, it } from 'vitest';
import { gitops } from './fixtures/cli.ts';
import { seedRepo } from './fixtures/repo.ts';

describe('gitops report', () => {
  it('reports the seed success metrics in text, markdown and JSON from the audit log and the sample metrics', async () => {
    const { dir } = seedRepo();
    const json = await gitops(dir, ['report', '--period', '7d', '--format', 'json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.deployment_success_rate.rate).toBe(98.5);
    expect(r.availability[0]).toMatchObject({ achieved: 99.95, target: 99.9, delta: 0.05, met: true });
    expect(r.self_healing_success_rate.rate).toBe(91.7);
    expect(r.policy_compliance.rate).toBe(100);
    expect(r.intent_to_deployment_seconds).toBe(360);
    expect(r.recovery_time_seconds).toBe(60);
    // The seed repository's only intent commit is outside the sample week.
    expect(r.audit_coverage).toMatchObject({ denominator: 0, rate: null });
    const text = await gitops(dir, ['report']);
    expect(text.stdout).toMatch(/Self-healing success +91\.7% \(11\/12\)/);
    const md = await gitops(dir, ['report', '--format', 'markdown']);
    expect(md.stdout).toContain('| Deployment success rate | 98.5% (66/67) |');
    expect((await gitops(dir, ['report', '--period', 'week'])).code).toBe(2);
  });
});
