/**
 * The CloudWatch source against a local HTTP server that plays GetMetricData
 * (query protocol) as AWS documents it. Not exercised against AWS: no network
 * or account here. The server verifies the SigV4 signature of every request by
 * recomputing it, so a request that AWS would reject fails here too.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudWatchSource, getMetricDataBody, parseGetMetricData, queriesFor } from '../../../runner/feedback/sources/cloudwatch.ts';
import { sign } from '../../../runner/feedback/sources/sigv4.ts';
import { periodEnding } from '../../../runner/feedback/period.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'SESSION' };
const END = Date.UTC(2025, 11, 18, 14) / 1000;
const period = periodEnding('1h', END);
const resources = { 'DEPLOY-WEB-001': { load_balancer: 'app/web/50dc6c495c0c9188', target_group: 'targetgroup/web/73e2d6bc24d8a067', autoscaling_group: 'web-asg' } };

let server: Server;
let url: string;
const seen: Array<{ form: URLSearchParams; headers: Record<string, string | string[] | undefined>; signatureValid: boolean }> = [];

function series(id: string, points: Array<[number, number]>): string {
  return `<member><Id>${id}</Id><Label>${id}</Label><StatusCode>Complete</StatusCode><Timestamps>${points.map(([t]) => `<member>${new Date(t * 1000).toISOString()}</member>`).join('')}</Timestamps><Values>${points.map(([, v]) => `<member>${v}</member>`).join('')}</Values></member>`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const host = req.headers.host!;
      const auth = String(req.headers.authorization);
      const signedNames = /SignedHeaders=([^,]+)/.exec(auth)![1]!.split(';');
      const headers = Object.fromEntries(signedNames.filter((n) => n !== 'host').map((n) => [n, String(req.headers[n])]));
      const again = sign({ method: 'POST', url: new URL(`http://${host}/`), headers: { 'content-type': headers['content-type']! }, body, region: 'us-west-2', service: 'monitoring', credentials, amzDate: String(req.headers['x-amz-date']) });
      const signatureValid = again.authorization === auth;
      seen.push({ form, headers: req.headers, signatureValid });
      if (!signatureValid) {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end('<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>bad signature</Message></Error></ErrorResponse>');
        return;
      }
      // Two pages, as CloudWatch pages long answers with NextToken.
      const minutes = Array.from({ length: 60 }, (_, i) => period.start + (i + 1) * 60);
      const fives = minutes.filter((_, i) => i % 5 === 4);
      const page1 = [
        series('healthy', minutes.slice(0, 30).map((t) => [t, 3])),
        series('p95', [[period.start, 0.085]]),
        series('requests', fives.map((t) => [t, 375_000])),
        series('target5xx', fives.map((t) => [t, 30])),
        series('elb5xx', fives.map((t) => [t, 7.5])),
        series('cpu', fives.map((t, i) => [t, 50 + i])),
      ].join('');
      const page2 = series('healthy', minutes.slice(30).map((t, i) => [t, i === 10 ? 0 : 3]));
      const first = !form.get('NextToken');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<GetMetricDataResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricDataResult><MetricDataResults>${first ? page1 : page2}</MetricDataResults>${first ? '<NextToken>page&amp;2</NextToken>' : ''}<Messages/></GetMetricDataResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetMetricDataResponse>`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('CloudWatch source (local stand-in for GetMetricData)', () => {
  it('signs, pages and aggregates a GetMetricData answer', async () => {
    const src = createCloudWatchSource({ region: 'us-west-2', credentials, resources, endpoint: url, now: () => new Date(END * 1000) });
    const r = await src.collect({ intentId: 'DEPLOY-WEB-001', service: 'web-service-001', period });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(seen.every((s) => s.signatureValid)).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.form.get('NextToken')).toBe('page&2');
    expect(seen[0]!.headers['x-amz-security-token']).toBe('SESSION');
    expect(r.metrics.availability).toBeCloseTo((59 / 60) * 100, 6);
    expect(r.metrics.latency_p95).toBeCloseTo(85, 6);
    expect(r.metrics.throughput).toBeCloseTo(1250, 6);
    expect(r.metrics.error_rate).toBeCloseTo(0.01, 6);
    expect(r.metrics.utilisation.peak).toBe(61);
  });

  it('shapes the request as the query protocol documents it', () => {
    const form = new URLSearchParams(getMetricDataBody(queriesFor(resources['DEPLOY-WEB-001'], 604_800), 0, 604_800));
    expect(form.get('Action')).toBe('GetMetricData');
    expect(form.get('Version')).toBe('2010-08-01');
    expect(form.get('StartTime')).toBe('1970-01-01T00:00:00.000Z');
    expect(form.get('MetricDataQueries.member.2.MetricStat.Metric.MetricName')).toBe('TargetResponseTime');
    expect(form.get('MetricDataQueries.member.2.MetricStat.Stat')).toBe('p95');
    expect(form.get('MetricDataQueries.member.2.MetricStat.Period')).toBe('604800');
    expect(form.get('MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.2.Name')).toBe('TargetGroup');
    expect(form.get('MetricDataQueries.member.6.MetricStat.Metric.Namespace')).toBe('AWS/EC2');
    expect(form.get('MetricDataQueries.member.6.MetricStat.Metric.Dimensions.member.1.Value')).toBe('web-asg');
  });

  it('turns an AWS error answer and a rejected signature into diagnostics', async () => {
    expect(parseGetMetricData('<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>').error).toBe('Throttling: Rate exceeded');
    const wrong = createCloudWatchSource({ region: 'us-west-2', credentials: { ...credentials, secretAccessKey: 'wrong' }, resources, endpoint: url });
    const r = await wrong.collect({ intentId: 'DEPLOY-WEB-001', service: 's', period });
    expect(r.ok ? null : r.diagnostics[0]).toMatchObject({ code: 'cloudwatch_error', message: expect.stringContaining('SignatureDoesNotMatch') });
    const none = await wrong.collect({ intentId: 'OTHER-001', service: 's', period });
    expect(none.ok ? null : none.diagnostics[0]!.code).toBe('cloudwatch_no_resources');
  });
});
