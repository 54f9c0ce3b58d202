import { describe, expect, it } from 'vitest';
import { call, expectErrors, show, v } from './helpers.ts';
import type { RObject } from '../../../runner/rego/value.ts';

// OPA's test cases (v1/test/cases/testdata/v1/providers-aws/aws-sign_req.yaml).
const CFG = { aws_access_key: 'MYAWSACCESSKEYGOESHERE', aws_secret_access_key: 'MYAWSSECRETACCESSKEYGOESHERE', aws_service: 's3', aws_region: 'us-east-1' };
const T = 1451311705000000000n;
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const auth = (signed: string, sig: string): string =>
  `AWS4-HMAC-SHA256 Credential=MYAWSACCESSKEYGOESHERE/20151228/us-east-1/s3/aws4_request,SignedHeaders=${signed},Signature=${sig}`;
const sign = (req: unknown, cfg: unknown = CFG, t: unknown = T): string => show(call('providers.aws.sign_req', [req, cfg, t]));

describe('providers.aws.sign_req', () => {
  it("OPA's vectors: headers, session token, body and raw_body, payload signing", () => {
    const base = { host: 'example.com', 'x-amz-content-sha256': EMPTY_SHA, 'x-amz-date': '20151228T140825Z' };
    const rows: [unknown, unknown, unknown][] = [
      [{ method: 'get', url: 'http://example.com' }, CFG, { method: 'get', url: 'http://example.com', headers: { ...base, Authorization: auth('host;x-amz-content-sha256;x-amz-date', '0047a7016c81e5c7f29cd522f97e911e04fc472fced0aee7916cbc287ad6c8e3') } }],
      [
        { method: 'get', url: 'http://example.com', headers: { foo: 'bar' } },
        CFG,
        { method: 'get', url: 'http://example.com', headers: { ...base, foo: 'bar', Authorization: auth('foo;host;x-amz-content-sha256;x-amz-date', '8f1dc7c9b9978356a0d0989fd26a95307f4f8a4aa264d8220647b7097d839952') } },
      ],
      [
        { method: 'get', url: 'http://example.com' },
        { ...CFG, aws_session_token: 'MYAWSSECURITYTOKENGOESHERE' },
        {
          method: 'get',
          url: 'http://example.com',
          headers: { ...base, 'x-amz-security-token': 'MYAWSSECURITYTOKENGOESHERE', Authorization: auth('host;x-amz-content-sha256;x-amz-date;x-amz-security-token', '23c31bda8a74630c0a94f6b82a3511e7e74728df98e6f54ed0840488dbbdc8d1') },
        },
      ],
      [
        { method: 'get', url: 'http://example.com', body: { example: new Set([1, 2, 3, 4]) } },
        CFG,
        {
          method: 'get',
          url: 'http://example.com',
          body: { example: new Set([1, 2, 3, 4]) },
          headers: { ...base, 'x-amz-content-sha256': 'bacff6243c850423883052ac3c336fd645994442933408dfd3f9e858e69bda07', Authorization: auth('host;x-amz-content-sha256;x-amz-date', '5fb06ab1cfd74c8fcb3af95b8cce696708cf6155d971dac10f254d79799c6e88') },
        },
      ],
      [
        // raw_body wins over body
        { method: 'get', url: 'http://example.com', body: { example: 1 }, raw_body: '{"example": {1, 2, 3, 4}}' },
        CFG,
        {
          method: 'get',
          url: 'http://example.com',
          body: { example: 1 },
          raw_body: '{"example": {1, 2, 3, 4}}',
          headers: { ...base, 'x-amz-content-sha256': '22906461e2a98a3e780d0fd260e341bed5e544661e97c5936fc7f3af11aaad8b', Authorization: auth('host;x-amz-content-sha256;x-amz-date', '5bf26e169cb8b02330dba39d53932532438fc856c2f10537689a09ed807c7195') },
        },
      ],
      [
        { method: 'get', url: 'https://example.com', headers: { foo: 'bar' } },
        { ...CFG, disable_payload_signing: true },
        { method: 'get', url: 'https://example.com', headers: { ...base, foo: 'bar', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', Authorization: auth('foo;host;x-amz-content-sha256;x-amz-date', 'c6e6db654e92172f71e18c714c123711de069ac6fd7df1348e5b28fd05532028') } },
      ],
      [
        // a given x-amz-content-sha256 is what gets signed; the computed one is what is sent
        { method: 'get', url: 'https://example.com', headers: { foo: 'bar', 'x-amz-content-sha256': 'existing-value' }, body: { example: new Set([1, 2, 3, 4]) } },
        { ...CFG, disable_payload_signing: false },
        {
          method: 'get',
          url: 'https://example.com',
          body: { example: new Set([1, 2, 3, 4]) },
          headers: { ...base, foo: 'bar', 'x-amz-content-sha256': 'bacff6243c850423883052ac3c336fd645994442933408dfd3f9e858e69bda07', Authorization: auth('foo;host;x-amz-content-sha256;x-amz-date', '42bcac7fc6d170e09be72fdf38b62e59361265bc59d5f9156f0d6faf889e98ba') },
        },
      ],
    ];
    for (const [req, cfg, want] of rows) expect(sign(req, cfg)).toBe(show(v(want)));
  });
  it("AWS's published SigV4 vectors (aws-sig-v4-test-suite, IAM ListUsers)", () => {
    const cfg = (service: string) => ({ aws_access_key: 'AKIDEXAMPLE', aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', aws_service: service, aws_region: 'us-east-1' });
    const at = 1440938160000000000n; // 20150830T123600Z
    const signature = (req: object, service: string): string =>
      /Signature=([0-9a-f]+)/.exec(((call('providers.aws.sign_req', [req, cfg(service), at]) as RObject).getStr('headers') as RObject).getStr('Authorization') as string)![1]!;
    expect(signature({ method: 'GET', url: 'https://example.amazonaws.com/' }, 'service')).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    expect(signature({ method: 'POST', url: 'https://example.amazonaws.com/' }, 'service')).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
    expect(
      signature({ method: 'GET', url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08', headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } }, 'iam'),
    ).toBe('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
  });
  it('does not sign authorization, user-agent, x-amzn-trace-id', () => {
    const out = call('providers.aws.sign_req', [{ method: 'get', url: 'http://example.com', headers: { 'User-Agent': 'x', 'X-Amzn-Trace-Id': 'y' } }, CFG, T]) as RObject;
    const headers = out.getStr('headers') as RObject;
    expect(headers.getStr('Authorization')).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date,');
    expect(headers.getStr('User-Agent')).toBe('x');
  });
  it('errors as OPA', () => {
    expectErrors([
      ['providers.aws.sign_req', [{ method: 'get', url: 'u' }, { aws_service: 's3' }, T], 'eval_type_error', 'providers.aws.sign_req: operand 2 missing required AWS config parameters(s): {"aws_access_key", "aws_region", "aws_secret_access_key"}'],
      ['providers.aws.sign_req', [{ method: 'get', url: 'u' }, { ...CFG, aws_region: 1 }, T], 'eval_type_error', 'providers.aws.sign_req: operand 2 invalid values for required AWS config parameters(s): {"aws_region"}'],
      ['providers.aws.sign_req', [{ url: 'u' }, CFG, T], 'eval_type_error', 'providers.aws.sign_req: operand 1 missing required request parameters(s): {"method"}'],
      ['providers.aws.sign_req', [{ method: 'get', url: 'u', foo: 1 }, CFG, T], 'eval_type_error', 'providers.aws.sign_req: operand 1 invalid request parameters(s): {"foo"}'],
      ['providers.aws.sign_req', [{ method: 1, url: 'u' }, CFG, T], 'eval_type_error', 'providers.aws.sign_req: operand 1 invalid values for required request parameters(s): {"method"}'],
      ['providers.aws.sign_req', [{ method: 'get', url: 'u' }, { ...CFG, disable_payload_signing: 'yes' }, T], 'eval_type_error', "providers.aws.sign_req: operand 2 invalid value for 'disable_payload_signing' in AWS config"],
      ['providers.aws.sign_req', [{ method: 'get', url: 'u' }, CFG, 1.5], 'eval_type_error', 'providers.aws.sign_req: operand 3 could not convert time_ns value into a unix timestamp'],
    ]);
  });
});
