/**
 * AWS Signature Version 4 on node:crypto, for the Rego builtin
 * providers.aws.sign_req (runner/rego/builtins/providers.ts), which reuses its
 * key derivation synchronously inside policy evaluation and builds OPA's
 * canonical form, not the SDKs' (see there). The CloudWatch source uses the AWS SDK.
 * Tested against AWS's published SigV4 test-suite vectors
 * (test/rego/builtins/sigv4.test.ts).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignInput {
  method: string;
  url: URL;
  /** Headers to sign (host and x-amz-date are added). */
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  credentials: AwsCredentials;
  /** The signing time; `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
}

export interface Signed {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  authorization: string;
  /** Headers to send: the input ones plus host, x-amz-date, (x-amz-security-token), authorization. */
  headers: Record<string, string>;
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string): Buffer => createHmac('sha256', key).update(s, 'utf8').digest();

/** RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX (upper case). */
export function uriEncode(s: string, keepSlash = false): string {
  return [...new TextEncoder().encode(s)]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) return c;
      return '%' + b.toString(16).toUpperCase().padStart(2, '0');
    })
    .join('');
}

export function canonicalQuery(url: URL): string {
  const pairs = [...url.searchParams.entries()].map(([k, v]) => [uriEncode(k), uriEncode(v)] as const);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

export function amzDateOf(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function sign(i: SignInput): Signed {
  const date = i.amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...i.headers, host: i.url.host, 'x-amz-date': i.amzDate };
  if (i.credentials.sessionToken) headers['x-amz-security-token'] = i.credentials.sessionToken;
  const canon = Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const signedHeaders = canon.map(([k]) => k).join(';');
  // Non-S3 services normalise the path (and encode each segment once more); '/' is the only path we send.
  const path = uriEncode(decodeURIComponent(i.url.pathname || '/'), true);
  const canonicalRequest = [i.method.toUpperCase(), path, canonicalQuery(i.url), canon.map(([k, v]) => `${k}:${v}\n`).join(''), signedHeaders, sha256Hex(i.body)].join('\n');
  const scope = `${date}/${i.region}/${i.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', i.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(i.credentials.secretAccessKey, date, i.region, i.service)).update(stringToSign, 'utf8').digest('hex');
  const authorization = `AWS4-HMAC-SHA256 Credential=${i.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, authorization, headers: { ...headers, authorization } };
}
