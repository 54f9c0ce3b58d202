import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileSource } from '../../../runner/feedback/sources/file.ts';
import { periodEnding } from '../../../runner/feedback/period.ts';
import { SEED_END } from '../fixtures/seed-data.ts';
import { sampleFiles } from '../fixtures/write-sample.ts';

const repo = join(import.meta.dirname, '..', '..', '..');
const q = (end = SEED_END) => ({ intentId: 'DEPLOY-WEB-001', service: 'web-service-001', period: periodEnding('7d', end) });

describe('file source', () => {
  it('the committed sample is exactly what the seed model generates (no drift)', () => {
    for (const [rel, text] of Object.entries(sampleFiles())) expect(readFileSync(join(repo, rel), 'utf8')).toBe(text);
  });

  it('reads the seed-like sample: availability 99.95, p95 85 ms, 1,250 req/s, 0.01 % errors, peak CPU 88 %', async () => {
    const src = createFileSource(repo, { path: 'metrics/sample/{intent_id}.csv' });
    expect(await src.latest(q())).toBe(SEED_END);
    const r = await src.collect(q());
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.metrics.availability).toBeCloseTo(99.95, 2);
    expect(r.metrics.latency_p95).toBeCloseTo(85, 3);
    expect(r.metrics.throughput).toBeCloseTo(1250, 0);
    expect(r.metrics.error_rate).toBeCloseTo(0.01, 3);
    expect(r.metrics.utilisation.peak).toBe(88);
    expect(r.metrics.series.availability).toHaveLength(168);
    expect(r.metrics.provenance.source).toBe('file');
  });

  it('reads JSON rows with the same columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-file-'));
    const rows = [1, 2, 3].map((i) => ({ timestamp: 1000 + i * 60, up: 1, requests: 600, errors: 6, cpu: 10 * i, 'le_0.1': 300, 'le_0.2': 600, 'le_+Inf': 600 }));
    writeFileSync(join(dir, 'm.json'), JSON.stringify({ service: 'svc', rows }));
    const r = await createFileSource(dir, { path: 'm.json' }).collect({ intentId: 'X', service: 'svc', period: { start: 1000, end: 1180, label: '3m' } });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.metrics.error_rate).toBe(1);
    expect(r.metrics.throughput).toBe(10);
    // rank 570 of 600 falls in (0.1, 0.2]: 0.1 + 0.1 × 270/300 = 0.19 s
    expect(r.metrics.latency_p95).toBeCloseTo(190, 6);
    expect(r.metrics.utilisation.peak).toBe(30);
  });

  it('names the file and line of a bad row, and of a missing column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fb-file-'));
    writeFileSync(join(dir, 'm.csv'), 'timestamp,up,requests,errors,cpu,le_+Inf\n60,1,10,0,5,10\n120,1,ten,0,5,10\n180,1,10,0\n');
    const r = await createFileSource(dir, { path: 'm.csv' }).collect({ intentId: 'X', service: 's', period: { start: 0, end: 200, label: '200s' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ code: 'metrics_bad_value', file: 'm.csv', line: 3 }),
      expect.objectContaining({ code: 'metrics_bad_row', file: 'm.csv', line: 4 }),
    ]);
    writeFileSync(join(dir, 'n.csv'), 'timestamp,up,requests,cpu\n60,1,10,5\n');
    const n = await createFileSource(dir, { path: 'n.csv' }).collect({ intentId: 'X', service: 's', period: { start: 0, end: 200, label: '200s' } });
    expect(n.ok ? [] : n.diagnostics).toEqual([expect.objectContaining({ code: 'metrics_missing_column', line: 2 })]);
  });

  it('reports a missing file and an empty period as errors, not zeros', async () => {
    const src = createFileSource(repo, { path: 'metrics/sample/{intent_id}.csv' });
    const missing = await src.collect({ ...q(), intentId: 'NOPE-001' });
    expect(missing.ok ? null : missing.diagnostics[0]!.code).toBe('metrics_file_missing');
    const empty = await src.collect(q(SEED_END - 30 * 86_400));
    expect(empty.ok ? null : empty.diagnostics[0]!.code).toBe('metrics_no_data');
  });
});
