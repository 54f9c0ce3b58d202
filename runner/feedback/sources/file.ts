/**
 * File metric source: JSON or CSV time series in the repository — the
 * embedded default (no network), with a sample week for the sample intent in metrics/sample/.
 *
 * One row per step; the row's timestamp is the END of the step (Prometheus's
 * convention: a sample at t covers (t − step, t]). Columns:
 *   timestamp   ISO 8601 or unix seconds
 *   up          share of the step the health check passed, 0..1
 *   requests    requests served in the step
 *   errors      5xx responses in the step
 *   cpu         CPU utilisation of the group, percent
 *   le_<bound>  cumulative latency histogram for the step, bound in seconds
 *               (le_0.05, le_0.1, …, le_+Inf), as Prometheus buckets are
 * Keeping the histogram (not a per-step p95) lets the period's p95 be computed
 * exactly, with the same interpolation as PromQL's histogram_quantile.
 */
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, join, relative } from 'node:path';
import { GitopsError, diag, type Diagnostic } from '../../core/diagnostics.ts';
import { readRepoText } from '../../core/files.ts';
import { histogramQuantile, maxSample, mean, periodSeconds } from '../period.ts';
import type { DailyFigures, MetricQuery, MetricSource, Sample, ServiceMetrics, SourceResult } from '../types.ts';

export interface FileSourceConfig {
  /** Path relative to the repository; `{intent_id}` and `{service}` are substituted. */
  path: string;
}

interface Row {
  t: number;
  up: number;
  requests: number;
  errors: number;
  cpu: number;
  buckets: Array<[number, number]>;
}

interface Table {
  service: string | null;
  rows: Row[];
}

const REQUIRED = ['timestamp', 'up', 'requests', 'errors', 'cpu'] as const;

function parseTime(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v !== 'string') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms / 1000;
}

function bound(name: string): number | null {
  const b = name.slice(3);
  if (b === '+Inf') return Infinity;
  const n = Number(b);
  return Number.isFinite(n) ? n : null;
}

/** One record (CSV line or JSON row) → Row, or a diagnostic naming file and line. */
function toRow(rec: Record<string, unknown>, file: string, line: number): Row | Diagnostic {
  for (const k of REQUIRED) {
    if (!(k in rec)) return diag('metrics_missing_column', `row has no '${k}'`, { file, line });
  }
  const t = parseTime(rec.timestamp);
  if (t === null) return diag('metrics_bad_value', `timestamp '${String(rec.timestamp)}' is neither ISO 8601 nor unix seconds`, { file, line });
  const num = (k: string): number | Diagnostic => {
    const v = typeof rec[k] === 'string' ? Number(rec[k]) : rec[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return diag('metrics_bad_value', `'${k}' must be a non-negative number, got '${String(rec[k])}'`, { file, line });
    return v;
  };
  const vals: Record<string, number> = {};
  for (const k of ['up', 'requests', 'errors', 'cpu']) {
    const v = num(k);
    if (typeof v !== 'number') return v;
    vals[k] = v;
  }
  if (vals.up! > 1) return diag('metrics_bad_value', `'up' is a share of the step, 0..1, got ${vals.up}`, { file, line });
  const buckets: Array<[number, number]> = [];
  for (const k of Object.keys(rec)) {
    if (!k.startsWith('le_')) continue;
    const b = bound(k);
    if (b === null) return diag('metrics_bad_column', `latency bucket column '${k}' must be le_<seconds> or le_+Inf`, { file, line });
    const v = num(k);
    if (typeof v !== 'number') return v;
    buckets.push([b, v]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  return { t, up: vals.up!, requests: vals.requests!, errors: vals.errors!, cpu: vals.cpu!, buckets };
}

export function parseCsv(text: string, file: string): { ok: true; table: Table } | { ok: false; diagnostics: Diagnostic[] } {
  const lines = text.split(/\r?\n/);
  const headerIdx = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  if (headerIdx < 0) return { ok: false, diagnostics: [diag('metrics_empty', 'no header line', { file, line: 1 })] };
  const header = lines[headerIdx]!.split(',').map((h) => h.trim());
  let service: string | null = null;
  const rows: Row[] = [];
  const problems: Diagnostic[] = [];
  for (let i = headerIdx + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const cells = raw.split(',').map((c) => c.trim());
    if (cells.length !== header.length) {
      problems.push(diag('metrics_bad_row', `expected ${header.length} fields, got ${cells.length}`, { file, line: i + 1 }));
      continue;
    }
    const rec: Record<string, unknown> = Object.fromEntries(header.map((h, j) => [h, cells[j]]));
    if (typeof rec.service === 'string') service = rec.service;
    const r = toRow(rec, file, i + 1);
    if ('code' in r) problems.push(r);
    else rows.push(r);
  }
  return problems.length > 0 ? { ok: false, diagnostics: problems } : { ok: true, table: { service, rows } };
}

export function parseJson(text: string, file: string): { ok: true; table: Table } | { ok: false; diagnostics: Diagnostic[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, diagnostics: [diag('metrics_bad_json', (err as Error).message, { file, line: 1 })] };
  }
  const d = doc as { service?: unknown; rows?: unknown };
  if (!d || typeof d !== 'object' || !Array.isArray(d.rows)) {
    return { ok: false, diagnostics: [diag('metrics_bad_json', 'expected an object {"service": …, "rows": [ {timestamp, up, requests, errors, cpu, le_…}, … ]}', { file, line: 1 })] };
  }
  const rows: Row[] = [];
  const problems: Diagnostic[] = [];
  // JSON has no line numbers once parsed; the sample writes one row per line, so row i sits on line i + 2 there.
  d.rows.forEach((rec, i) => {
    const r = rec && typeof rec === 'object' ? toRow(rec as Record<string, unknown>, file, i + 2) : diag('metrics_bad_row', `row ${i} is not an object`, { file, line: i + 2 });
    if ('code' in r) problems.push(r);
    else rows.push(r);
  });
  return problems.length > 0 ? { ok: false, diagnostics: problems } : { ok: true, table: { service: typeof d.service === 'string' ? d.service : null, rows } };
}

/** Per UTC day (a row belongs to the day its step ends in): availability, the day's exact p95 from its summed histogram, error rate. */
function dailyOf(rows: readonly Row[]): DailyFigures[] {
  const days = new Map<string, Row[]>();
  for (const r of rows) {
    const day = new Date((r.t - 1) * 1000).toISOString().slice(0, 10);
    (days.get(day) ?? days.set(day, []).get(day)!).push(r);
  }
  return [...days.entries()].map(([day, rs]) => {
    const bounds = [...new Set(rs.flatMap((r) => r.buckets.map((b) => b[0])))].sort((a, b) => a - b);
    const p95 = histogramQuantile(0.95, bounds.map((b) => [b, rs.reduce((a, r) => a + (r.buckets.find((x) => x[0] === b)?.[1] ?? 0), 0)] as [number, number]));
    const requests = rs.reduce((a, r) => a + r.requests, 0);
    return {
      day,
      availability: (rs.reduce((a, r) => a + r.up, 0) / rs.length) * 100,
      latency_p95: p95 === null ? null : p95 * 1000,
      error_rate: requests > 0 ? (rs.reduce((a, r) => a + r.errors, 0) / requests) * 100 : null,
    };
  });
}

/** Aggregate the rows inside the period into ServiceMetrics (pure). */
export function summarise(table: Table, q: MetricQuery, file: string): SourceResult {
  const rows = table.rows.filter((r) => r.t > q.period.start && r.t <= q.period.end).sort((a, b) => a.t - b.t);
  if (rows.length < 2) {
    return { ok: false, diagnostics: [diag('metrics_no_data', `fewer than 2 rows inside the period ${new Date(q.period.start * 1000).toISOString()} .. ${new Date(q.period.end * 1000).toISOString()}`, { file })] };
  }
  const step = rows[1]!.t - rows[0]!.t;
  const requests = rows.reduce((a, r) => a + r.requests, 0);
  const errors = rows.reduce((a, r) => a + r.errors, 0);
  const bounds = [...new Set(rows.flatMap((r) => r.buckets.map((b) => b[0])))].sort((a, b) => a - b);
  const summed = bounds.map((b) => [b, rows.reduce((a, r) => a + (r.buckets.find((x) => x[0] === b)?.[1] ?? 0), 0)] as [number, number]);
  const p95 = histogramQuantile(0.95, summed);
  if (p95 === null) {
    return { ok: false, diagnostics: [diag('metrics_no_histogram', 'no latency histogram (le_… columns ending in le_+Inf) with requests in the period', { file })] };
  }
  const util: Sample[] = rows.map((r) => [r.t, r.cpu]);
  const peakUtil = maxSample(util)!;
  const covered = rows.length * step;
  const metrics: ServiceMetrics = {
    service: table.service ?? q.service,
    period: q.period,
    availability: (rows.reduce((a, r) => a + r.up, 0) / rows.length) * 100,
    latency_p95: p95 * 1000,
    throughput: requests / Math.max(covered, 1),
    throughput_peak: Math.max(...rows.map((r) => r.requests / step)),
    error_rate: requests > 0 ? (errors / requests) * 100 : 0,
    utilisation: { peak: peakUtil[1], average: mean(util), peak_at: peakUtil[0] },
    series: { availability: rows.map((r) => [r.t, r.up]), utilisation: util },
    daily: dailyOf(rows),
    provenance: { source: 'file', detail: `${file}: ${rows.length} rows of ${step}s (${Math.round(covered / 3600)}h of ${Math.round(periodSeconds(q.period) / 3600)}h)` },
  };
  return { ok: true, metrics };
}

function resolvePath(template: string, q: Pick<MetricQuery, 'intentId' | 'service'>): string {
  return template.replaceAll('{intent_id}', q.intentId).replaceAll('{service}', q.service);
}

export async function readTable(repoDir: string, cfg: FileSourceConfig, q: Pick<MetricQuery, 'intentId' | 'service'>) {
  const rel = resolvePath(cfg.path, q);
  const abs = isAbsolute(rel) ? rel : join(repoDir, rel);
  const shown = isAbsolute(rel) ? relative(repoDir, abs) || abs : rel;
  let text: string;
  try {
    // A repository-relative metrics file is read without following symlinks (strict UTF-8); an absolute path is the operator's own choice.
    text = isAbsolute(rel) ? await readFile(abs, 'utf8') : await readRepoText(repoDir, rel);
  } catch (err) {
    if (err instanceof GitopsError) return { ok: false as const, file: shown, diagnostics: err.diagnostics };
    return { ok: false as const, file: shown, diagnostics: [diag('metrics_file_missing', `no metrics file for intent ${q.intentId}`, { file: shown })] };
  }
  const parsed = extname(abs).toLowerCase() === '.csv' ? parseCsv(text, shown) : parseJson(text, shown);
  return parsed.ok ? { ok: true as const, file: shown, table: parsed.table } : { ok: false as const, file: shown, diagnostics: parsed.diagnostics };
}

export function createFileSource(repoDir: string, cfg: FileSourceConfig): MetricSource & { latest(q: Pick<MetricQuery, 'intentId' | 'service'>): Promise<number | null> } {
  return {
    id: 'file',
    async collect(q) {
      const t = await readTable(repoDir, cfg, q);
      if (!t.ok) return { ok: false, diagnostics: t.diagnostics };
      return summarise(t.table, q, t.file);
    },
    /** A recorded file has its own clock: without --until the period ends at its last row. */
    async latest(q) {
      const t = await readTable(repoDir, cfg, q);
      if (!t.ok || t.table.rows.length === 0) return null;
      return Math.max(...t.table.rows.map((r) => r.t));
    },
  };
}
