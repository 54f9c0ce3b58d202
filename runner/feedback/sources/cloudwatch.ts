/**
 * CloudWatch metric source: one GetMetricData call (paged by NextToken) over
 * the load balancer, target group and autoscaling group the infrastructure
 * creates for the intent (their names are the stack outputs, configured in
 * metrics/sources.yaml). Query protocol (form body, XML answer), signed with
 * SigV4 (sigv4.ts) because no AWS SDK is installed.
 *
 * NOT exercised against AWS here (no network, no account): the signing is
 * tested against AWS's published vectors and the request/response shaping
 * against a local HTTP server playing CloudWatch's documented API.
 *
 * Figures:
 *   availability   share of 1-minute periods in which the target group had ≥ 1
 *                  healthy host (HealthyHostCount, Minimum)
 *   latency_p95    TargetResponseTime p95 with Period = the whole window, so
 *                  CloudWatch computes the period's percentile (seconds → ms)
 *   throughput     RequestCount Sum / window; peak from 5-minute sums
 *   error_rate     (HTTPCode_Target_5XX_Count + HTTPCode_ELB_5XX_Count) / RequestCount
 *   utilisation    AWS/EC2 CPUUtilization Average of the ASG, 5-minute series
 */
import { diag, type Diagnostic } from '../../core/diagnostics.ts';
import { maxSample, mean, periodSeconds } from '../period.ts';
import type { MetricQuery, MetricSource, Sample, SourceResult } from '../types.ts';
import { amzDateOf, sign, type AwsCredentials } from './sigv4.ts';

export interface CloudWatchResources {
  /** `app/<name>/<id>` — the LoadBalancer dimension (the ARN suffix). */
  load_balancer: string;
  /** `targetgroup/<name>/<id>`. */
  target_group: string;
  autoscaling_group: string;
}

export interface CloudWatchConfig {
  region: string;
  credentials: AwsCredentials;
  /** Per intent id. */
  resources: Readonly<Record<string, CloudWatchResources>>;
  /** Override for tests or VPC endpoints; default https://monitoring.<region>.amazonaws.com/. */
  endpoint?: string;
  fetch?: typeof fetch;
  now?: () => Date;
}

interface MetricStatQuery {
  id: string;
  namespace: string;
  metric: string;
  dims: Record<string, string>;
  period: number;
  stat: string;
}

export function queriesFor(r: CloudWatchResources, window: number): MetricStatQuery[] {
  const alb = { LoadBalancer: r.load_balancer };
  const tg = { LoadBalancer: r.load_balancer, TargetGroup: r.target_group };
  // CloudWatch periods are multiples of 60 s.
  const whole = Math.max(60, Math.floor(window / 60) * 60);
  return [
    { id: 'healthy', namespace: 'AWS/ApplicationELB', metric: 'HealthyHostCount', dims: tg, period: 60, stat: 'Minimum' },
    { id: 'p95', namespace: 'AWS/ApplicationELB', metric: 'TargetResponseTime', dims: alb, period: whole, stat: 'p95' },
    { id: 'requests', namespace: 'AWS/ApplicationELB', metric: 'RequestCount', dims: alb, period: 300, stat: 'Sum' },
    { id: 'target5xx', namespace: 'AWS/ApplicationELB', metric: 'HTTPCode_Target_5XX_Count', dims: alb, period: 300, stat: 'Sum' },
    { id: 'elb5xx', namespace: 'AWS/ApplicationELB', metric: 'HTTPCode_ELB_5XX_Count', dims: alb, period: 300, stat: 'Sum' },
    { id: 'cpu', namespace: 'AWS/EC2', metric: 'CPUUtilization', dims: { AutoScalingGroupName: r.autoscaling_group }, period: 300, stat: 'Average' },
  ];
}

/** The query-protocol form body for GetMetricData (documented member.N flattening). */
export function getMetricDataBody(qs: readonly MetricStatQuery[], start: number, end: number, nextToken?: string): string {
  const p = new URLSearchParams();
  p.set('Action', 'GetMetricData');
  p.set('Version', '2010-08-01');
  p.set('StartTime', new Date(start * 1000).toISOString());
  p.set('EndTime', new Date(end * 1000).toISOString());
  p.set('ScanBy', 'TimestampAscending');
  qs.forEach((q, i) => {
    const m = `MetricDataQueries.member.${i + 1}`;
    p.set(`${m}.Id`, q.id);
    p.set(`${m}.ReturnData`, 'true');
    p.set(`${m}.MetricStat.Metric.Namespace`, q.namespace);
    p.set(`${m}.MetricStat.Metric.MetricName`, q.metric);
    Object.entries(q.dims).forEach(([name, value], j) => {
      p.set(`${m}.MetricStat.Metric.Dimensions.member.${j + 1}.Name`, name);
      p.set(`${m}.MetricStat.Metric.Dimensions.member.${j + 1}.Value`, value);
    });
    p.set(`${m}.MetricStat.Period`, String(q.period));
    p.set(`${m}.MetricStat.Stat`, q.stat);
  });
  if (nextToken) p.set('NextToken', nextToken);
  return p.toString();
}

function unxml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function members(xml: string): string[] {
  // Only the direct <member> children; the result members hold nested member lists.
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  const re = /<(\/?)member>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[1] === '') {
      if (depth === 0) start = m.index + m[0].length;
      depth++;
    } else {
      depth--;
      if (depth === 0) out.push(xml.slice(start, m.index));
    }
  }
  return out;
}

function tag(xml: string, name: string): string | null {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? m[1]! : null;
}

/** Parse a GetMetricDataResponse (XML) into series by query id, and the next token. */
export function parseGetMetricData(xml: string): { series: Map<string, Sample[]>; nextToken: string | null; error: string | null } {
  const err = tag(xml, 'Error');
  if (err !== null) return { series: new Map(), nextToken: null, error: `${tag(err, 'Code') ?? 'Error'}: ${unxml(tag(err, 'Message') ?? '')}` };
  const results = tag(xml, 'MetricDataResults') ?? '';
  const series = new Map<string, Sample[]>();
  for (const r of members(results)) {
    const id = unxml(tag(r, 'Id') ?? '');
    const ts = members(tag(r, 'Timestamps') ?? '').map((t) => Date.parse(t.trim()) / 1000);
    const vs = members(tag(r, 'Values') ?? '').map((v) => Number(v.trim()));
    series.set(id, ts.map((t, i) => [t, vs[i]!] as const));
  }
  const next = tag(xml.replace(results, ''), 'NextToken');
  return { series, nextToken: next ? unxml(next.trim()) : null, error: null };
}

export function createCloudWatchSource(cfg: CloudWatchConfig): MetricSource {
  const endpoint = new URL(cfg.endpoint ?? `https://monitoring.${cfg.region}.amazonaws.com/`);
  const doFetch = cfg.fetch ?? fetch;
  return {
    id: 'cloudwatch',
    async collect(q: MetricQuery): Promise<SourceResult> {
      const res = cfg.resources[q.intentId];
      if (!res) return { ok: false, diagnostics: [diag('cloudwatch_no_resources', `metrics/sources.yaml names no load balancer / target group / autoscaling group for ${q.intentId} (cloudwatch.resources.${q.intentId})`)] };
      const window = periodSeconds(q.period);
      const qs = queriesFor(res, window);
      const all = new Map<string, Sample[]>(qs.map((x) => [x.id, []]));
      let token: string | undefined;
      for (let page = 0; page < 100; page++) {
        const body = getMetricDataBody(qs, q.period.start, q.period.end, token);
        const signed = sign({
          method: 'POST',
          url: endpoint,
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body,
          region: cfg.region,
          service: 'monitoring',
          credentials: cfg.credentials,
          amzDate: amzDateOf((cfg.now ?? (() => new Date()))()),
        });
        // fetch sets Host itself from the URL (the same value that was signed).
        const { host: _host, ...send } = signed.headers;
        let text: string;
        let status: number;
        try {
          const r = await doFetch(endpoint, { method: 'POST', headers: send, body });
          status = r.status;
          text = await r.text();
        } catch (e) {
          return { ok: false, diagnostics: [diag('cloudwatch_unreachable', `cannot reach ${endpoint.origin}: ${(e as Error).message}`)] };
        }
        const parsed = parseGetMetricData(text);
        if (parsed.error !== null || status >= 400) return { ok: false, diagnostics: [diag('cloudwatch_error', `GetMetricData answered HTTP ${status}: ${parsed.error ?? text.slice(0, 200)}`)] };
        for (const [id, s] of parsed.series) all.get(id)?.push(...s);
        if (!parsed.nextToken) break;
        token = parsed.nextToken;
      }
      const problems: Diagnostic[] = [];
      for (const [id, s] of all) if (s.length === 0) problems.push(diag('cloudwatch_no_data', `no datapoints for ${qs.find((x) => x.id === id)!.metric} (${id}) in the period`));
      if (problems.length > 0) return { ok: false, diagnostics: problems };
      const sum = (id: string) => all.get(id)!.reduce((a, s) => a + s[1], 0);
      const healthy = all.get('healthy')!.map(([t, v]) => [t, v >= 1 ? 1 : 0] as const);
      const requests = sum('requests');
      const cpu = all.get('cpu')!;
      const peak = maxSample(cpu)!;
      const p95s = all.get('p95')!;
      return {
        ok: true,
        metrics: {
          service: q.service,
          period: q.period,
          availability: (healthy.reduce((a, s) => a + s[1], 0) / healthy.length) * 100,
          latency_p95: p95s[p95s.length - 1]![1] * 1000,
          throughput: requests / window,
          throughput_peak: Math.max(...all.get('requests')!.map((s) => s[1] / 300)),
          error_rate: requests > 0 ? ((sum('target5xx') + sum('elb5xx')) / requests) * 100 : 0,
          utilisation: { peak: peak[1], average: mean(cpu), peak_at: peak[0] },
          series: { availability: healthy, utilisation: cpu },
          provenance: { source: 'cloudwatch', detail: `GetMetricData ${endpoint.origin} ${res.load_balancer}, ${res.autoscaling_group}` },
        },
      };
    },
  };
}
