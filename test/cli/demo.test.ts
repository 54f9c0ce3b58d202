import { describe, expect, it } from 'vitest';
import { runCli, tempRepo } from '../check/helpers.ts';
import { replayShift, shiftTimestamps } from '../../runner/cli/demo.ts';

describe('gitops demo', () => {
  it('clones the sample, checks three branches and prints the expected verdicts (exit 0)', async () => {
    const source = await tempRepo();
    try {
      const r = await runCli(['demo', '--source', source.dir], source.dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`cloned ${source.dir} into `);
      expect(r.stdout).toMatch(/demo\/scale-web\s+DEPLOY-WEB-001: allow\n/);
      expect(r.stdout).toMatch(/demo\/cheap-api\s+DEPLOY-API-002: deny\n/);
      expect(r.stdout).toMatch(/demo\/sneaky\s+DEPLOY-WEB-001: deny \(policy change flagged for review\)\n/);
      expect(r.stdout).toMatch(/FAILED\s+COMP-BUDGET-001\s+intents\/DEPLOY-WEB-001\.yaml:17: /);
      expect(r.stdout).toContain('All verdicts as expected.');
      // demo/scale-web: the change, not the inventory — one update (maxSize 10 → 12) and what it costs.
      expect(r.stdout).toMatch(/Cost change \(base → head\): \$325\.95 → \$386\.69 \(\+\$60\.74, \+18\.6%\) at maximum; \$113\.37 \(unchanged\) at minimum capacity; budget \$500\.00: \$113\.31 headroom/);
      expect(r.stdout).toMatch(/Plan diff \(base → head\): 1 to update \(49 unchanged\)\n\s+~\s+autoscaling:Group\s+deploy-web-001-asg\s+maxSize: 10 → 12\n/);
      // The rest of the loop: preview, apply steps, the refused real apply, the audit trail, commit-back, feedback, report.
      expect(r.stdout).toMatch(/passed\s+PLAN-ASG-001/);
      expect(r.stdout).toMatch(/enable_self_healing\s+succeeded/);
      expect(r.stdout).toContain('apply_pulumi_missing');
      expect(r.stdout).toMatch(/submit_intent[\s\S]*validate_schema[\s\S]*translate_intent[\s\S]*validate_policies[\s\S]*preview_infrastructure/);
      expect(r.stdout).toMatch(/audit: pushed \d+ records .* to origin\/main/);
      expect(r.stdout).toMatch(/audit chain verified: \d+ records/);
      expect(r.stdout).toContain('Add 1 buffer instance to handle peak load');
      expect(r.stdout).toContain('+      min_instances: 4');
      expect(r.stdout).toMatch(/Self-healing success\s+91\.7% \(11\/12\)/);
      // The report covers what the demo just did (the sample replayed as the last seven days, the
      // mock apply recorded): the deployment, its compliance and its lead time are measured.
      expect(r.stdout).toMatch(/shifted by \d+ days; the last sample is now /);
      expect(r.stdout).toMatch(/\$ gitops report --until \d{4}-\d\d-\d\dT/);
      expect(r.stdout).toMatch(/Deployment success rate\s+100% \(1\/1\)/);
      expect(r.stdout).toMatch(/Policy compliance\s+100% \(1\/1\)/);
      expect(r.stdout).toMatch(/Intent to deployment\s+\d+ s\n/);
      expect(r.stdout).toMatch(/Availability DEPLOY-WEB-001\s+99\.95%/);
      // The source repository is only read.
      expect((await source.git('branch', '--list')).trim()).toBe('* main');
    } finally {
      await source.cleanup();
    }
  });

  it('reports an unexpected verdict with exit 1 (a sample whose budget policy never denies)', async () => {
    const source = await tempRepo();
    try {
      const file = 'policies/compliance/comp_budget_001.rego';
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(`${source.dir}/${file}`, 'utf8');
      await source.write(file, text.replaceAll('deny contains', 'ignored contains'));
      await source.commitAll('defang the budget policy at the source');
      const r = await runCli(['demo', '--source', source.dir], source.dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('demo: unexpected: demo/cheap-api: expected a denial by COMP-BUDGET-001');
      expect(r.stderr).toContain('demo: unexpected: demo/sneaky: expected exit 1, got 0');
    } finally {
      await source.cleanup();
    }
  });
});

describe('the demo replays the sample as the last seven days', () => {
  it('replayShift moves the last sample to the last full hour before now, in whole hours', () => {
    const last = Date.parse('2025-12-18T14:00:00.000Z');
    const shift = replayShift(last, Date.parse('2026-12-06T04:31:12.345Z'));
    expect(new Date(last + shift).toISOString()).toBe('2026-12-06T04:00:00.000Z');
    expect(shift % 3_600_000).toBe(0);
  });

  it('shiftTimestamps moves every ISO UTC timestamp and keeps its format; nothing else changes', () => {
    const csv = 'timestamp,up\n2025-12-11T15:00:00.000Z,1.0\n2025-12-11T16:00:00.000Z,0.5\n';
    expect(shiftTimestamps(csv, 86_400_000)).toBe('timestamp,up\n2025-12-12T15:00:00.000Z,1.0\n2025-12-12T16:00:00.000Z,0.5\n');
    expect(shiftTimestamps('{"timestamp": "2025-12-31T23:30:00Z", "duration_seconds": 55}', 3_600_000)).toBe('{"timestamp": "2026-01-01T00:30:00Z", "duration_seconds": 55}');
  });
});
