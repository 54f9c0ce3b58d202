/**
 * CloudWatch metric source: one GetMetricData call (paged by NextToken) over
 * the load balancer, target group and autoscaling group the infrastructure
 * creates for the intent (their names are the stack outputs, configured in
 * metrics/sources.yaml). Sent with the AWS SDK's CloudWatch client, so signing,
 * retries of throttling/5xx answers, and credentials are the SDK's: its default
 * chain (environment, shared config/credentials profiles incl. SSO, web
 * identity token file for OIDC, ECS/EC2 instance metadata), like every AWS tool.
 * The endpoint is the SDK's too: `AWS_ENDPOINT_URL_CLOUDWATCH` (or
 * cloudwatch.endpoint in metrics/sources.yaml) for tests and compatible services.
 *
 * NOT exercised against AWS here (no network, no account): tested against
 * moto's AWS API server (test/feedback/sources/cloudwatch.test.ts).
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
import { CloudWatchClient, GetMetricDataCommand, type CloudWatchClientConfig, type GetMetricDataCommandOutput, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { diag, GitopsError, type Diagnostic } from '../../core/diagnostics.ts';
import { AWS_CREDENTIALS_HELP } from '../../core/aws-credentials.ts';
import { maxSample, mean, periodSeconds } from '../period.ts';
import type { MetricQuery, MetricSource, Sample, SourceResult } from '../types.ts';

export interface CloudWatchResources {
  /** `app/<name>/<id>` — the LoadBalancer dimension (the ARN suffix). */
  load_balancer: string;
  /** `targetgroup/<name>/<id>`. */
  target_group: string;
  autoscaling_group: string;
}

/** Static credentials or a provider, as the SDK client takes them. */
export type CloudWatchCredentials = NonNullable<CloudWatchClientConfig['credentials']>;

/** The one call the source makes; the SDK client, or a recorded answer in unit tests. */
export type GetMetricData = (input: GetMetricDataCommand['input']) => Promise<Pick<GetMetricDataCommandOutput, 'MetricDataResults' | 'NextToken'>>;

export interface CloudWatchConfig {
  region: string;
  /** Explicit credentials (tests); default: the SDK's default credential chain. */
  credentials?: CloudWatchCredentials;
  /** Per intent id. */
  resources: Readonly<Record<string, CloudWatchResources>>;
  /** Override for tests or compatible services; else the SDK's (AWS_ENDPOINT_URL_CLOUDWATCH, then AWS's). */
  endpoint?: string;
  /** Replaces the default client (tests: a recorded answer, or a client with test middleware). */
  getMetricData?: GetMetricData;
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

/** The SDK's GetMetricData input for the queries. */
export function getMetricDataInput(qs: readonly MetricStatQuery[], start: number, end: number, nextToken?: string): GetMetricDataCommand['input'] {
  const queries: MetricDataQuery[] = qs.map((q) => ({
    Id: q.id,
    ReturnData: true,
    MetricStat: {
      Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: Object.entries(q.dims).map(([Name, Value]) => ({ Name, Value })) },
      Period: q.period,
      Stat: q.stat,
    },
  }));
  return {
    MetricDataQueries: queries,
    StartTime: new Date(start * 1000),
    EndTime: new Date(end * 1000),
    ScanBy: 'TimestampAscending',
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/** Series by query id from one GetMetricData answer (timestamps in epoch seconds). */
export function seriesOf(out: Pick<GetMetricDataCommandOutput, 'MetricDataResults'>): Map<string, Sample[]> {
  const series = new Map<string, Sample[]>();
  for (const r of out.MetricDataResults ?? []) {
    const ts = r.Timestamps ?? [];
    const vs = r.Values ?? [];
    series.set(r.Id ?? '', ts.map((t, i) => [t.getTime() / 1000, vs[i]!] as const));
  }
  return series;
}

/** What the SDK throws, as a diagnostic; missing credentials are a runner error (exit 2). */
function failure(err: unknown, where: string): Diagnostic {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'CredentialsProviderError') {
    throw new GitopsError(
      diag(
        'cloudwatch_no_credentials',
        `source cloudwatch found no AWS credentials: ${AWS_CREDENTIALS_HELP} (${e.message ?? ''})`,
      ),
      2,
    );
  }
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined) return diag('cloudwatch_error', `GetMetricData answered HTTP ${status}: ${e.name ?? 'Error'}: ${e.message ?? ''}`);
  return diag('cloudwatch_unreachable', `cannot reach CloudWatch (${where}): ${e.message ?? String(err)}`);
}

/** The SDK client for the config: the default credential chain and endpoint resolution unless overridden. */
export function cloudWatchClient(cfg: Pick<CloudWatchConfig, 'region' | 'credentials' | 'endpoint'>): CloudWatchClient {
  // Credentials and the endpoint are resolved lazily, on the first call.
  return new CloudWatchClient({ region: cfg.region, ...(cfg.credentials ? { credentials: cfg.credentials } : {}), ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}) });
}

export function viaClient(client: CloudWatchClient): GetMetricData {
  return (input) => client.send(new GetMetricDataCommand(input));
}

export function createCloudWatchSource(cfg: CloudWatchConfig): MetricSource {
  const call = cfg.getMetricData ?? viaClient(cloudWatchClient(cfg));
  const where = cfg.endpoint ?? process.env.AWS_ENDPOINT_URL_CLOUDWATCH ?? `https://monitoring.${cfg.region}.amazonaws.com`;
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
        let out: Awaited<ReturnType<GetMetricData>>;
        try {
          out = await call(getMetricDataInput(qs, q.period.start, q.period.end, token));
        } catch (err) {
          return { ok: false, diagnostics: [failure(err, where)] };
        }
        for (const [id, s] of seriesOf(out)) all.get(id)?.push(...s);
        if (!out.NextToken) break;
        token = out.NextToken;
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
          provenance: { source: 'cloudwatch', detail: `GetMetricData ${where} ${res.load_balancer}, ${res.autoscaling_group}` },
        },
      };
    },
  };
}
