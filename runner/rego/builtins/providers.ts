/**
 * providers.aws.sign_req (OPA topdown/providers.go + internal/providers/aws):
 * AWS Signature Version 4 for an http.send request object. The hashing and
 * key derivation are the runner's own SigV4 (runner/rego/builtins/sigv4.ts);
 * the canonical request is built the way OPA builds it, which is not the
 * canonical form the AWS SDKs use and that sigv4.ts's `sign` produces: the
 * method as given (not upper-cased), the URL's escaped path as is (empty when
 * the URL has none), the raw query unsorted, header values unnormalised — so
 * signatures equal OPA's byte for byte.
 */
import { createHmac } from 'node:crypto';
import type { BuiltinDecl, TypeSpec } from './types.ts';
import { RObject, RSet, type Value } from '../value.ts';
import { builtinError, isNum, obj, operandError, typeError } from './operands.ts';
import { marshal } from './encoding.ts';
import { regoString } from './format.ts';
import { amzDateOf, sha256Hex, signingKey } from './sigv4.ts';

const REQUIRED_AWS_KEYS = ['aws_access_key', 'aws_region', 'aws_secret_access_key', 'aws_service'];
/** Headers that proxies may rewrite; OPA (like the AWS SDK) leaves them unsigned. */
const IGNORED_HEADERS = new Set(['authorization', 'user-agent', 'x-amzn-trace-id']);
/** http.send's request keys (OPA validates the request as http.send would). */
const HTTP_SEND_KEYS = new Set([
  'method', 'url', 'body', 'enable_redirect', 'force_json_decode', 'force_yaml_decode', 'headers', 'raw_body',
  'tls_use_system_certs', 'tls_ca_cert', 'tls_ca_cert_file', 'tls_ca_cert_env_variable', 'tls_client_cert',
  'tls_client_cert_file', 'tls_client_cert_env_variable', 'tls_client_key', 'tls_client_key_file',
  'tls_client_key_env_variable', 'tls_insecure_skip_verify', 'tls_server_name', 'timeout', 'cache', 'force_cache',
  'force_cache_duration_seconds', 'raise_error', 'caching_mode', 'max_retry_attempts', 'cache_ignored_headers',
]);

const setText = (names: string[]): string => regoString(RSet.of(names));
const strOf = (v: Value | undefined): string => (typeof v === 'string' ? v : '');

/** Go's url.URL Host and EscapedPath / RawQuery for the parts SigV4 needs. */
function splitURL(u: string): { host: string; path: string; rawQuery: string } {
  const m = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?/.exec(u)!;
  let host = m[1] ?? '';
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  // EscapedPath keeps a valid escaping as written and escapes what Go's path encoding must.
  const path = (m[2] ?? '').replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-_.~!$&'()*+,;=:@/%]/gu, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
  return { host, path, rawQuery: m[3] ?? '' };
}

function checkAwsConfig(cfg: RObject): void {
  const missing = REQUIRED_AWS_KEYS.filter((k) => !cfg.has(k));
  if (missing.length) throw operandError(2, `missing required AWS config parameters(s): ${setText(missing)}`);
  const invalid = REQUIRED_AWS_KEYS.filter((k) => typeof cfg.getStr(k) !== 'string');
  if (invalid.length) throw operandError(2, `invalid values for required AWS config parameters(s): ${setText(invalid)}`);
}

function checkRequest(req: RObject): void {
  const keys = req.keys().map((k) => (typeof k === 'string' ? k : regoString(k)));
  const missing = ['method', 'url'].filter((k) => !req.has(k));
  if (missing.length) throw operandError(1, `missing required request parameters(s): ${setText(missing)}`);
  const invalid = keys.filter((k) => !HTTP_SEND_KEYS.has(k));
  if (invalid.length) throw operandError(1, `invalid request parameters(s): ${setText(invalid)}`);
}

function signReq(args: Value[]): Value {
  const req = obj(args, 0);
  const cfgV = args[1]!;
  // OPA reports the config operand as operand 1.
  if (!(cfgV instanceof RObject)) throw typeError(1, cfgV, 'object');
  checkAwsConfig(cfgV);
  const service = cfgV.getStr('aws_service') as string;
  const region = cfgV.getStr('aws_region') as string;
  const accessKey = cfgV.getStr('aws_access_key') as string;
  const secretKey = cfgV.getStr('aws_secret_access_key') as string;
  const sessionToken = strOf(cfgV.getStr('aws_session_token'));

  const ts = args[2]!;
  if (!isNum(ts)) throw typeError(1, ts, 'number');
  if (typeof ts === 'number' && !Number.isInteger(ts)) throw operandError(3, 'could not convert time_ns value into a unix timestamp');
  const ns = BigInt(ts);
  if (ns < -(2n ** 63n) || ns >= 2n ** 63n) throw operandError(3, 'could not convert time_ns value into a unix timestamp');

  checkRequest(req);
  const headersV = req.getStr('headers');
  let headers = new RObject();
  if (headersV !== undefined) {
    if (!(headersV instanceof RObject)) throw typeError(0, headersV, 'object');
    headers = headersV;
  }
  const urlV = req.getStr('url');
  const methodV = req.getStr('method');
  const invalid = [...(typeof urlV !== 'string' ? ['url'] : []), ...(typeof methodV !== 'string' ? ['method'] : [])];
  if (invalid.length) throw operandError(1, `invalid values for required request parameters(s): ${setText(invalid)}`);
  const url = splitURL(urlV as string);
  const method = methodV as string;

  const raw = req.getStr('raw_body');
  const bodyV = req.getStr('body');
  const body = raw !== undefined ? strOf(raw) : bodyV !== undefined ? marshal(bodyV, '', '', 0) : '';

  const dps = cfgV.getStr('disable_payload_signing');
  if (dps !== undefined && typeof dps !== 'boolean') throw operandError(2, "invalid value for 'disable_payload_signing' in AWS config");
  const contentHash = dps === true ? 'UNSIGNED-PAYLOAD' : sha256Hex(body);

  const amzDate = amzDateOf(new Date(Number(ns / 1_000_000n)));
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) throw builtinError('signing time is outside the range AWS dates can express');
  const date = amzDate.slice(0, 8);
  const awsHeaders = new Map<string, string>([
    ['host', url.host],
    ['x-amz-date', amzDate],
  ]);
  // S3 and Glacier require the payload hash header; other services do not.
  if (service === 's3' || service === 'glacier') awsHeaders.set('x-amz-content-sha256', contentHash);
  if (sessionToken !== '') awsHeaders.set('x-amz-security-token', sessionToken);

  const toSign = new Map(awsHeaders);
  const original: [string, string][] = [];
  for (const [k, v] of headers.entries()) {
    const name = strOf(k);
    original.push([name, strOf(v)]);
    if (!IGNORED_HEADERS.has(name.toLowerCase())) toSign.set(name.toLowerCase(), strOf(v));
  }
  const names = [...toSign.keys()].sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [method, url.path, url.rawQuery, names.map((n) => `${n}:${toSign.get(n)!}\n`).join(''), signedHeaders, contentHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', signingKey(secretKey, date, region, service)).update(stringToSign, 'utf8').digest('hex');

  const out = RObject.fromEntries(original);
  out.set('Authorization', `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`);
  for (const [k, v] of awsHeaders) out.set(k, v);
  return RObject.fromEntries(req.entries()).set('headers', out);
}

const OBJ: TypeSpec = { object: ['any', 'any'] };

export const PROVIDERS: BuiltinDecl[] = [{ name: 'providers.aws.sign_req', args: [OBJ, OBJ, 'number'], result: OBJ, impl: signReq }];
