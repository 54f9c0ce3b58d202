/**
 * Prometheus metric source, over the HTTP API (no client library: two GET
 * endpoints). Period figures are instant queries evaluated at the period's
 * end over a `[$window]` range — exact for the whole period (p95 from the
 * summed histogram with histogram_quantile, not an average of p95s). The
 * series that need time alignment (was the service down while near capacity?)
 * come from query_range.
 *
 * Queries are templates (`$service`, `$window`, `$window_seconds`, `$step`),
 * overridable in metrics/sources.yaml to fit other metric names.
 */
import { diag, type Diagnostic } from '../../core/diagnostics.ts';
import { maxSample, mean, periodSeconds } from '../period.ts';
import type { MetricQuery, MetricSource, Sample, SourceResult } from '../types.ts';

export const DEFAULT_PROMETHEUS_QUERIES = {
  availability: 'avg_over_time(probe_success{service="$service"}[$window])',
  latency_p95_seconds: 'histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket{service="$service"}[$window])))',
  throughput: 'sum(increase(http_requests_total{service="$service"}[$window])) / $window_seconds',
  error_ratio: 'sum(increase(http_requests_total{service="$service",code=~"5.."}[$window])) / sum(increase(http_requests_total{service="$service"}[$window]))',
  // query_range series:
  availability_series: 'avg_over_time(probe_success{service="$service"}[$step])',
  throughput_series: 'sum(rate(http_requests_total{service="$service"}[5m]))',
  utilisation_series: 'max(max_over_time(autoscaling_group_cpu_utilization{service="$service"}[$step]))',
} as const;

export type PrometheusQueries = { -readonly [K in keyof typeof DEFAULT_PROMETHEUS_QUERIES]: string };

export interface PrometheusConfig {
  url: string;
  queries?: Partial<PrometheusQueries>;
  /** Extra request headers (e.g. Authorization for a proxy), from configuration. */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** Prometheus refuses more than 11,000 points per series. */
const MAX_POINTS = 11_000;

type PromResponse =
  | { status: 'success'; data: { resultType: 'vector'; result: Array<{ metric: Record<string, string>; value: [number, string] }> } | { resultType: 'matrix'; result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } }
  | { status: 'error'; errorType: string; error: string };

export function renderQuery(template: string, vars: Record<string, string>): string {
  return template.replace(/\$(\w+)/g, (m, k: string) => vars[k] ?? m);
}

export function createPrometheusSource(cfg: PrometheusConfig): MetricSource {
  const queries: PrometheusQueries = { ...DEFAULT_PROMETHEUS_QUERIES, ...cfg.queries };
  const doFetch = cfg.fetch ?? fetch;
  const base = cfg.url.replace(/\/+$/, '');

  async function call(path: string, params: Record<string, string>): Promise<Extract<PromResponse, { status: 'success' }> | Diagnostic> {
    let res: Response;
    try {
      // POST with a form body: long PromQL stays out of URLs and proxy logs.
      res = await doFetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...cfg.headers },
        body: new URLSearchParams(params).toString(),
      });
    } catch (err) {
      return diag('prometheus_unreachable', `cannot reach Prometheus at ${base}: ${(err as Error).message}`);
    }
    let body: PromResponse;
    try {
      body = (await res.json()) as PromResponse;
    } catch {
      return diag('prometheus_bad_response', `${base}${path} answered HTTP ${res.status} with a body that is not JSON`);
    }
    if (body.status !== 'success') return diag('prometheus_query_error', `${body.errorType}: ${body.error} (query: ${params.query})`);
    return body;
  }

  return {
    id: 'prometheus',
    async collect(q: MetricQuery): Promise<SourceResult> {
      const window = periodSeconds(q.period);
      // Whole minutes: series from different queries then line up sample for sample.
      const step = 60 * Math.max(1, Math.ceil(window / (MAX_POINTS - 1) / 60));
      const vars = { service: q.service, window: `${window}s`, window_seconds: String(window), step: `${step}s` };
      const problems: Diagnostic[] = [];

      const scalar = async (name: keyof PrometheusQueries): Promise<number | null> => {
        const query = renderQuery(queries[name], vars);
        const r = await call('/api/v1/query', { query, time: String(q.period.end) });
        if ('code' in r) return problems.push(r), null;
        if (r.data.resultType !== 'vector' || r.data.result.length !== 1) {
          problems.push(diag('prometheus_no_data', `${name}: expected one series, got ${r.data.result.length} (query: ${query})`));
          return null;
        }
        const v = Number((r.data.result[0] as { value: [number, string] }).value[1]);
        if (!Number.isFinite(v)) {
          problems.push(diag('prometheus_no_data', `${name}: value is ${String(v)} (query: ${query})`));
          return null;
        }
        return v;
      };
      const range = async (name: keyof PrometheusQueries): Promise<Sample[]> => {
        const query = renderQuery(queries[name], vars);
        const r = await call('/api/v1/query_range', { query, start: String(q.period.start + step), end: String(q.period.end), step: String(step) });
        if ('code' in r) return problems.push(r), [];
        if (r.data.resultType !== 'matrix' || r.data.result.length !== 1) {
          problems.push(diag('prometheus_no_data', `${name}: expected one series, got ${r.data.result.length} (query: ${query})`));
          return [];
        }
        return (r.data.result[0] as { values: Array<[number, string]> }).values.map(([t, v]) => [t, Number(v)] as const).filter((s) => Number.isFinite(s[1]));
      };

      const [availability, p95, throughput, errorRatio, availSeries, tputSeries, utilSeries] = await Promise.all([
        scalar('availability'),
        scalar('latency_p95_seconds'),
        scalar('throughput'),
        scalar('error_ratio'),
        range('availability_series'),
        range('throughput_series'),
        range('utilisation_series'),
      ]);
      if (problems.length > 0) return { ok: false, diagnostics: problems };
      const peakUtil = maxSample(utilSeries);
      return {
        ok: true,
        metrics: {
          service: q.service,
          period: q.period,
          availability: availability! * 100,
          latency_p95: p95! * 1000,
          throughput: throughput!,
          throughput_peak: maxSample(tputSeries)?.[1] ?? throughput!,
          error_rate: errorRatio! * 100,
          utilisation: { peak: peakUtil?.[1] ?? 0, average: mean(utilSeries), peak_at: peakUtil?.[0] ?? null },
          series: { availability: availSeries, utilisation: utilSeries },
          provenance: { source: 'prometheus', detail: `${base}, instant queries at ${new Date(q.period.end * 1000).toISOString()} over ${window}s, series at ${step}s` },
        },
      };
    },
  };
}
