/**
 * The CloudWatch source through the AWS SDK client.
 *
 * Against moto's AWS API server (`moto_server`, started on loopback by this
 * file and stopped by its PID): metrics are put with PutMetricData, then the
 * source's real GetMetricData path (SDK client, signing, endpoint override,
 * paging) computes the figures. Not exercised against AWS: no network or
 * account here.
 *
 * moto 5.2 does not compute extended statistics: a GetMetricData query with
 * Stat p95 makes it answer HTTP 500 (a server-side TypeError). So the client
 * used against moto carries one test middleware that asks for Maximum where the
 * source asks for p95 (TargetResponseTime is put constant, so both are the same
 * figure); everything else is the source's own request. p95 extraction itself
 * is covered by the unit test on a recorded SDK answer below. The moto test
 * asserts what moto computes: Minimum, Sum, Average (and Maximum).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CloudWatchClient, PutMetricDataCommand, type GetMetricDataCommandInput, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cloudWatchClient, createCloudWatchSource, getMetricDataInput, queriesFor, seriesOf, viaClient, type GetMetricData } from '../../../runner/feedback/sources/cloudwatch.ts';
import { createSource, DEFAULT_SOURCES_CONFIG } from '../../../runner/feedback/sources/registry.ts';
import { periodEnding } from '../../../runner/feedback/period.ts';
import { GitopsError } from '../../../runner/core/diagnostics.ts';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const resources = { 'DEPLOY-WEB-001': { load_balancer: 'app/web/50dc6c495c0c9188', target_group: 'targetgroup/web/73e2d6bc24d8a067', autoscaling_group: 'web-asg' } };
const MOTO = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' }).stdout.trim();
const hasMoto = MOTO !== '';
if (!hasMoto) console.log('cloudwatch.test.ts: moto_server is not on PATH; the moto-backed CloudWatch test is skipped');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** moto answers HTTP 500 to Stat p95 (see above): ask it for Maximum instead. */
function forMoto(client: CloudWatchClient): CloudWatchClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as GetMetricDataCommandInput;
      for (const q of input.MetricDataQueries ?? []) if (q.MetricStat?.Stat === 'p95') q.MetricStat.Stat = 'Maximum';
      return next(args);
    },
    { step: 'initialize', name: 'motoHasNoPercentiles' },
  );
  return client;
}

describe.skipIf(!hasMoto)('CloudWatch source against moto_server (skipped: moto_server not on PATH)', () => {
  let moto: ChildProcess;
  let endpoint: string;
  // Whole minutes, ending a little before now: moto keeps what is put, and the window must hold it.
  const END = Math.floor(Date.now() / 1000 / 3600) * 3600;
  const period = periodEnding('1h', END);

  beforeAll(async () => {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    let up = false;
    for (let i = 0; i < 200 && !up; i++) {
      up = await fetch(`${endpoint}/`).then((r) => r.status === 200, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error(`moto_server did not answer HTTP 200 on ${endpoint}/ within 20 s`);
    const cw = new CloudWatchClient({ region: 'us-west-2', credentials, endpoint });
    const alb = [{ Name: 'LoadBalancer', Value: resources['DEPLOY-WEB-001'].load_balancer }];
    const tg = [...alb, { Name: 'TargetGroup', Value: resources['DEPLOY-WEB-001'].target_group }];
    const asg = [{ Name: 'AutoScalingGroupName', Value: 'web-asg' }];
    const minutes = Array.from({ length: 60 }, (_, i) => period.start + i * 60 + 30);
    const put = (Namespace: string, data: MetricDatum[]) => cw.send(new PutMetricDataCommand({ Namespace, MetricData: data }));
    // One minute (the 11th) without a healthy host.
    const at = (t: number) => new Date(t * 1000);
    for (let i = 0; i < 60; i += 20) {
      await put('AWS/ApplicationELB', minutes.slice(i, i + 20).map((t, j) => ({ MetricName: 'HealthyHostCount', Dimensions: tg, Timestamp: at(t), Value: i + j === 10 ? 0 : 3 })));
      await put('AWS/ApplicationELB', minutes.slice(i, i + 20).map((t) => ({ MetricName: 'RequestCount', Dimensions: alb, Timestamp: at(t), Value: 75_000 })));
      await put('AWS/ApplicationELB', minutes.slice(i, i + 20).map((t) => ({ MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: alb, Timestamp: at(t), Value: 6 })));
      await put('AWS/ApplicationELB', minutes.slice(i, i + 20).map((t) => ({ MetricName: 'HTTPCode_ELB_5XX_Count', Dimensions: alb, Timestamp: at(t), Value: 1.5 })));
      await put('AWS/ApplicationELB', minutes.slice(i, i + 20).map((t) => ({ MetricName: 'TargetResponseTime', Dimensions: alb, Timestamp: at(t), Value: 0.085 })));
      await put('AWS/EC2', minutes.slice(i, i + 20).map((t, j) => ({ MetricName: 'CPUUtilization', Dimensions: asg, Timestamp: at(t), Value: 40 + Math.floor((i + j) / 5) })));
    }
  }, 30_000);
  afterAll(async () => {
    // Stop exactly the process this file started (the shim execs into it, so the PID is moto's), and wait for it.
    if (!moto?.pid || moto.exitCode !== null) return;
    const exited = new Promise((r) => moto.once('exit', r));
    process.kill(moto.pid, 'SIGTERM');
    await exited;
  });

  it('computes the figures from GetMetricData through the SDK client', async () => {
    const client = forMoto(cloudWatchClient({ region: 'us-west-2', credentials, endpoint }));
    const src = createCloudWatchSource({ region: 'us-west-2', resources, endpoint, getMetricData: viaClient(client) });
    const r = await src.collect({ intentId: 'DEPLOY-WEB-001', service: 'web-service-001', period });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.metrics.latency_p95).toBeCloseTo(85, 6);
    expect(r.metrics.availability).toBeCloseTo((59 / 60) * 100, 6);
    expect(r.metrics.throughput).toBeCloseTo((60 * 75_000) / 3600, 6);
    expect(r.metrics.error_rate).toBeCloseTo((7.5 / 75_000) * 100, 6);
    // 12 five-minute CPU averages: 40..51.
    expect(r.metrics.utilisation.peak).toBe(51);
    expect(r.metrics.utilisation.average).toBeCloseTo(45.5, 6);
    expect(r.metrics.provenance.detail).toContain(endpoint);
  });

  it('honours AWS_ENDPOINT_URL_CLOUDWATCH natively (no endpoint in the config)', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_CLOUDWATCH', endpoint);
    try {
      // The client as the source builds it without an endpoint: the SDK finds moto from the variable.
      const client = forMoto(cloudWatchClient({ region: 'us-west-2', credentials }));
      const src = createCloudWatchSource({ region: 'us-west-2', resources, getMetricData: viaClient(client) });
      const r = await src.collect({ intentId: 'DEPLOY-WEB-001', service: 'web-service-001', period });
      expect(r.ok ? r.metrics.availability : r.diagnostics).toBeCloseTo((59 / 60) * 100, 6);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('CloudWatch source: request and answer handling', () => {
  const END = Date.UTC(2025, 11, 18, 14) / 1000;
  const period = periodEnding('1h', END);
  const d = (t: number) => new Date(t * 1000);

  it('pages and extracts p95 from a recorded SDK answer', async () => {
    // Two pages shaped as the SDK returns them (GetMetricDataCommandOutput).
    const minutes = Array.from({ length: 60 }, (_, i) => period.start + (i + 1) * 60);
    const fives = minutes.filter((_, i) => i % 5 === 4);
    const res = (Id: string, pts: Array<[number, number]>) => ({ Id, Label: Id, StatusCode: 'Complete' as const, Timestamps: pts.map(([t]) => d(t)), Values: pts.map(([, v]) => v) });
    const pages = [
      {
        MetricDataResults: [
          res('healthy', minutes.slice(0, 30).map((t) => [t, 3])),
          res('p95', [[period.start, 0.085]]),
          res('requests', fives.map((t) => [t, 375_000])),
          res('target5xx', fives.map((t) => [t, 30])),
          res('elb5xx', fives.map((t) => [t, 7.5])),
          res('cpu', fives.map((t, i) => [t, 50 + i])),
        ],
        NextToken: 'page&2',
      },
      { MetricDataResults: [res('healthy', minutes.slice(30).map((t, i) => [t, i === 10 ? 0 : 3]))] },
    ];
    const inputs: Array<Parameters<GetMetricData>[0]> = [];
    const src = createCloudWatchSource({ region: 'us-west-2', resources, getMetricData: async (input) => (inputs.push(input), pages[inputs.length - 1]!) });
    const r = await src.collect({ intentId: 'DEPLOY-WEB-001', service: 'web-service-001', period });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(inputs).toHaveLength(2);
    expect(inputs[1]!.NextToken).toBe('page&2');
    expect(r.metrics.availability).toBeCloseTo((59 / 60) * 100, 6);
    expect(r.metrics.latency_p95).toBeCloseTo(85, 6);
    expect(r.metrics.throughput).toBeCloseTo(1250, 6);
    expect(r.metrics.error_rate).toBeCloseTo(0.01, 6);
    expect(r.metrics.utilisation.peak).toBe(61);
  });

  it('shapes the GetMetricData input', () => {
    const input = getMetricDataInput(queriesFor(resources['DEPLOY-WEB-001'], 604_800), 0, 604_800);
    expect(input.StartTime?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(input.ScanBy).toBe('TimestampAscending');
    const q = input.MetricDataQueries!;
    expect(q[1]!.MetricStat).toMatchObject({ Metric: { MetricName: 'TargetResponseTime' }, Stat: 'p95', Period: 604_800 });
    expect(q[0]!.MetricStat!.Metric!.Dimensions![1]!.Name).toBe('TargetGroup');
    expect(q[5]!.MetricStat!.Metric).toMatchObject({ Namespace: 'AWS/EC2', Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'web-asg' }] });
    expect(seriesOf({ MetricDataResults: [{ Id: 'x', Timestamps: [d(60)], Values: [2] }] }).get('x')).toEqual([[60, 2]]);
  });

  it('turns SDK errors into diagnostics, and missing credentials into a runner error', async () => {
    const q = { intentId: 'DEPLOY-WEB-001', service: 's', period };
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    const r = await createCloudWatchSource({ region: 'us-west-2', resources, getMetricData: () => Promise.reject(throttled) }).collect(q);
    expect(r.ok ? null : r.diagnostics[0]).toMatchObject({ code: 'cloudwatch_error', message: 'GetMetricData answered HTTP 400: Throttling: Rate exceeded' });
    const none = await createCloudWatchSource({ region: 'us-west-2', resources, getMetricData: () => Promise.reject(new Error('x')) }).collect({ ...q, intentId: 'OTHER-001' });
    expect(none.ok ? null : none.diagnostics[0]!.code).toBe('cloudwatch_no_resources');
    const down = await createCloudWatchSource({ region: 'us-west-2', resources, credentials, endpoint: 'http://127.0.0.1:1' }).collect(q);
    expect(down.ok ? null : down.diagnostics[0]!.code).toBe('cloudwatch_unreachable');
  }, 30_000);

  it('reports no credentials from the SDK default chain with the code and what to configure (exit 2)', async () => {
    // An environment where every link of the default chain comes up empty.
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) vi.stubEnv(k, undefined);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    try {
      const src = createSource({ ...DEFAULT_SOURCES_CONFIG, source: 'cloudwatch', cloudwatch: { region: 'us-west-2', resources, endpoint: 'http://127.0.0.1:1' } }, { repoDir: '.' });
      const err = await src.collect({ intentId: 'DEPLOY-WEB-001', service: 's', period }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(GitopsError);
      const g = err as GitopsError;
      expect(g.exitCode).toBe(2);
      expect(g.diagnostics[0]).toMatchObject({ code: 'cloudwatch_no_credentials', message: expect.stringMatching(/AWS_PROFILE.*AWS_WEB_IDENTITY_TOKEN_FILE/) });
    } finally {
      vi.unstubAllEnvs();
    }
  }, 30_000);
});
