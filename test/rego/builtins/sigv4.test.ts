/**
 * AWS's published SigV4 vectors (the aws-sig-v4-test-suite and the IAM
 * ListUsers example of the signing documentation). Credentials are AWS's
 * documented example credentials, not real ones.
 */
import { describe, expect, it } from 'vitest';
import { amzDateOf, sign, signingKey, uriEncode } from '../../../runner/rego/builtins/sigv4.ts';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const suite = (method: string, url: string) =>
  sign({ method, url: new URL(url), headers: {}, body: '', region: 'us-east-1', service: 'service', credentials, amzDate: '20150830T123600Z' });

describe('SigV4 (AWS published test vectors)', () => {
  it('get-vanilla', () => {
    const s = suite('GET', 'https://example.amazonaws.com/');
    expect(s.canonicalRequest).toBe('GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(s.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('get-vanilla-query-order-key-case (query sorted before signing)', () => {
    expect(suite('GET', 'https://example.amazonaws.com/?Param2=value2&Param1=value1').signature).toBe('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('post-vanilla', () => {
    expect(suite('POST', 'https://example.amazonaws.com/').signature).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
  });

  it('the IAM ListUsers example: signing key, string to sign, signature', () => {
    expect(signingKey(credentials.secretAccessKey, '20150830', 'us-east-1', 'iam').toString('hex')).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
    const s = sign({
      method: 'GET',
      url: new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: '',
      region: 'us-east-1',
      service: 'iam',
      credentials,
      amzDate: '20150830T123600Z',
    });
    expect(s.stringToSign).toBe('AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    expect(s.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  it('signs the session token of temporary credentials', () => {
    const s = sign({ method: 'POST', url: new URL('https://monitoring.us-west-2.amazonaws.com/'), headers: {}, body: 'x', region: 'us-west-2', service: 'monitoring', credentials: { ...credentials, sessionToken: 'TOKEN' }, amzDate: '20150830T123600Z' });
    expect(s.headers['x-amz-security-token']).toBe('TOKEN');
    expect(s.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,');
  });

  it('encodes like RFC 3986 and formats the date', () => {
    expect(uriEncode('a b/c~d*é')).toBe('a%20b%2Fc~d%2A%C3%A9');
    expect(amzDateOf(new Date('2015-08-30T12:36:00.123Z'))).toBe('20150830T123600Z');
  });
});
