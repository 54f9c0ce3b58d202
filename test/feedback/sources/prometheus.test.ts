/**
 * Against a REAL Prometheus (Debian's package) holding 7 days of seed-like
 * history backfilled with promtool — not a mock of its API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusSource, renderQuery } from '../../../runner/feedback/sources/prometheus.ts';
import { periodEnding } from '../../../runner/feedback/period.ts';
import { startPrometheus, type RunningPrometheus } from '../../support/prometheus.ts';
import { openMetrics, SEED_END, SERVICE } from '../fixtures/seed-data.ts';

let prom: RunningPrometheus;
beforeAll(async () => {
  prom = await startPrometheus(openMetrics());
});
afterAll(async () => {
  await prom?.close();
});

const query = { intentId: 'DEPLOY-WEB-001', service: SERVICE, period: periodEnding('7d', SEED_END) };

describe('Prometheus source (real server)', () => {
  it('collects the seed figures: availability 99.95 %, p95 85 ms, 1,250 req/s, 0.01 % errors, peak CPU 88 %', async () => {
    const r = await createPrometheusSource({ url: prom.url }).collect(query);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const m = r.metrics;
    expect(m.availability).toBeCloseTo(99.95, 2);
    expect(m.latency_p95).toBeCloseTo(85, 3);
    expect(m.throughput).toBeCloseTo(1250, 0);
    expect(m.error_rate).toBeCloseTo(0.01, 4);
    expect(m.utilisation.peak).toBeCloseTo(88, 1);
    expect(m.throughput_peak).toBeGreaterThan(1700);
    // query_range series, one point a minute over the week
    expect(m.series.availability.length).toBeGreaterThanOrEqual(10_079);
    // down minutes are kept: the series loses as much as the period figure says
    const lost = m.series.availability.reduce((a, [, up]) => a + (1 - up), 0);
    expect(lost).toBeCloseTo(5, 6);
  });

  it('reports a PromQL error with the query, and an absent series as no data', async () => {
    const bad = await createPrometheusSource({ url: prom.url, queries: { availability: 'avg_over_time(probe_success[' } }).collect(query);
    expect(bad.ok ? null : bad.diagnostics[0]).toMatchObject({ code: 'prometheus_query_error' });
    const none = await createPrometheusSource({ url: prom.url }).collect({ ...query, service: 'no-such-service' });
    expect(none.ok ? [] : none.diagnostics.map((d) => d.code)).toContain('prometheus_no_data');
  });

  it('reports an unreachable server as a value, not a throw', async () => {
    const r = await createPrometheusSource({ url: 'http://127.0.0.1:9' }).collect(query);
    expect(r.ok ? null : r.diagnostics[0]!.code).toBe('prometheus_unreachable');
  });

  it('renders query templates', () => {
    expect(renderQuery('x{service="$service"}[$window] $unknown', { service: 's', window: '60s' })).toBe('x{service="s"}[60s] $unknown');
  });
});
