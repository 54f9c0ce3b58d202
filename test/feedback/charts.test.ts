/**
 * The metrics as charts: the weekly report (`gitops report --format
 * markdown`) and the recommendation PR body draw availability, p95 latency
 * and the error rate per day over the period with the target as a flat line
 * (Mermaid xychart-beta), checked against the strict grammar of
 * test/support/mermaid-grammar.ts.
 */
import { describe, expect, it } from 'vitest';
import { governanceReport, REPORT_FORMATS } from '../../runner/feedback/governance.ts';
import { dailyFigures, metricCharts } from '../../runner/feedback/charts.ts';
import { createFileSource } from '../../runner/feedback/sources/file.ts';
import { periodEnding } from '../../runner/feedback/period.ts';
import type { IntentTargets, ServiceMetrics } from '../../runner/feedback/types.ts';
import { markdownMermaidProblems, mermaidBlocks } from '../support/mermaid-grammar.ts';
import { seedRepo } from './fixtures/repo.ts';
import { SEED_END } from './fixtures/seed-data.ts';

const targets: IntentTargets = { id: 'DEPLOY-WEB-001', file: 'intents/DEPLOY-WEB-001.yaml', availability: 99.9, latency_p95: 100, throughput: 1000, budget: 500, min_instances: 3, max_instances: 10, service: 'web-service-001' };

async function seedWeek(): Promise<ServiceMetrics> {
  const { dir } = seedRepo();
  const m = await createFileSource(dir, { path: 'metrics/sample/{intent_id}.csv' }).collect({ intentId: targets.id, service: targets.service, period: periodEnding('7d', SEED_END) });
  if (!m.ok) throw new Error('metrics');
  return m.metrics;
}

describe('daily figures', () => {
  it('the file source gives each UTC day its availability, exact p95 (the day’s summed histogram) and error rate', async () => {
    const m = await seedWeek();
    const daily = m.daily!;
    expect(daily.length).toBeGreaterThanOrEqual(7);
    expect(daily.map((d) => d.day)).toEqual([...daily.map((d) => d.day)].sort());
    for (const d of daily) {
      expect(d.availability).toBeGreaterThan(90);
      expect(d.availability).toBeLessThanOrEqual(100);
      expect(d.latency_p95).toBeGreaterThan(0);
      expect(d.error_rate).toBeGreaterThanOrEqual(0);
    }
    // The days' availabilities average (weighted by steps) to the period's.
    const steps = m.series.availability.length;
    const weighted = daily.reduce((a, d) => a + d.availability * m.series.availability.filter(([t]) => new Date((t - 1) * 1000).toISOString().startsWith(d.day)).length, 0) / steps;
    expect(weighted).toBeCloseTo(m.availability, 6);
  });

  it('a source without daily figures still charts availability from its up/down series', () => {
    const day = 86_400;
    const m = { series: { availability: [[day - 60, 1], [day, 0], [2 * day, 1]], utilisation: [] } } as unknown as ServiceMetrics;
    expect(dailyFigures(m)).toEqual([
      // A sample at t covers the step ending at t: midnight belongs to the day before.
      { day: '1970-01-01', availability: 50, latency_p95: null, error_rate: null },
      { day: '1970-01-02', availability: 100, latency_p95: null, error_rate: null },
    ]);
    const charts = metricCharts(dailyFigures(m), targets);
    expect(mermaidBlocks(charts.join('\n'))).toHaveLength(1);
  });

  it('no chart for fewer than two days (one point is not a trend)', () => {
    expect(metricCharts([{ day: '2026-11-30', availability: 99, latency_p95: 80, error_rate: 0.1 }], targets)).toEqual([]);
  });
});

describe('weekly report and recommendation PR', () => {
  it('the Markdown report charts availability, p95 latency and error rate per day, each with its target line', async () => {
    const m = await seedWeek();
    const r = governanceReport({ period: periodEnding('7d', SEED_END), audit: [], intents: [{ targets, metrics: m }], intentCommits: null });
    const md = REPORT_FORMATS.markdown(r);
    expect(md).toContain('### Metrics against targets');
    const blocks = mermaidBlocks(md);
    expect(blocks).toHaveLength(3);
    expect(markdownMermaidProblems(md)).toEqual([]);
    expect(blocks[0]).toContain('title "DEPLOY-WEB-001: availability per day, target 99.9 % (flat line)"');
    expect(blocks[0]!.split('\n').filter((l) => l.startsWith('  line '))).toHaveLength(2);
    expect(blocks[0]).toContain(`  line [${m.daily!.map(() => '99.9').join(', ')}]`);
    expect(blocks[1]).toContain('target 100 ms');
    // The intent sets no error-rate target: one line only.
    expect(blocks[2]!.split('\n').filter((l) => l.startsWith('  line '))).toHaveLength(1);
  });
});
