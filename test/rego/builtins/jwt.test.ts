import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, createHmac, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { call, ctx, expectErrors, show, v } from './helpers.ts';
import { RObject, type Value } from '../../../runner/rego/value.ts';

// Vectors from OPA's own test cases (v1/test/cases/testdata/v1/jwt*) and RFC 7515.
const JWT_IO = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const OPA_DECODE =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuZXciOiJJIGFtIGEgdXNlciBjcmVhdGVkIGZpZWxkIiwiaXNzIjoib3BhIn0.6UmjsclVDGD9jcmX_F8RJzVgHtUZuLu2pxkF_UEQCrE';
const EDDSA_TOKEN =
  'eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.JkKWCY39IdWEQttmdqR7VdsvT-_QxheW_eb0S5wr_j83ltux_JDUIXs7a3Dtn3xuqzuhetiuJrWIvy5TzimeCg';
const EDDSA_PEM = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAwmK6SSAu2E9V7uynkCKEaj5nZJyTvNG4x0KohsRzLpg=\n-----END PUBLIC KEY-----\n';
const RFC7515_A1_KEY = { k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow', kty: 'oct' };

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

/** A token signed with an HMAC secret, over exactly the given header/payload texts. */
function hsToken(header: object, payload: object | string, secret: string, hash = 'sha256'): string {
  const input = `${b64(JSON.stringify(header))}.${b64(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

function pem(k: KeyObject): string {
  return k.export({ type: 'spki', format: 'pem' }) as string;
}

function jwk(k: KeyObject, extra: Record<string, string> = {}): string {
  return JSON.stringify({ ...k.export({ format: 'jwk' }), ...extra });
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ec521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
const ed = generateKeyPairSync('ed25519');

function sign(alg: string, key: KeyObject, payload: object = { sub: 'x' }, header: object = {}): string {
  return call('io.jwt.encode_sign', [{ alg, ...header }, payload, JSON.parse(jwk(key))]) as string;
}

const decodeVerify = (token: string, constraints: object, now = 1_700_000_000_000_000_000n): Value | undefined =>
  call('io.jwt.decode_verify', [token, constraints], ctx({ nowNs: now }));

const verified = (x: Value | undefined): boolean => (x as Value[])[0] as boolean;

describe('io.jwt.decode', () => {
  it('splits a token into header, payload and hex signature', () => {
    expect(show(call('io.jwt.decode', [OPA_DECODE]))).toBe(
      show(v([{ alg: 'HS256', typ: 'JWT' }, { iss: 'opa', new: 'I am a user created field' }, 'e949a3b1c9550c60fd8dc997fc5f112735601ed519b8bbb6a71905fd41100ab1'])),
    );
  });
  it('decodes the inner token of a nested (cty JWT) token, quotes trimmed', () => {
    const inner = hsToken({ alg: 'HS256' }, { a: 1 }, 's');
    const outer = `${b64('{"alg":"HS256","cty":"JWT"}')}.${b64(`"${inner}"`)}.${b64('sig')}`;
    expect(show(call('io.jwt.decode', [outer]))).toBe(show(call('io.jwt.decode', [inner])));
  });
  it('fails on malformed tokens with OPA texts', () => {
    expectErrors([
      ['io.jwt.decode', ['abc'], 'eval_builtin_error', 'io.jwt.decode: encoded JWT had no period separators'],
      ['io.jwt.decode', ['a.b'], 'eval_builtin_error', 'io.jwt.decode: encoded JWT must have 3 sections, found 2'],
      ['io.jwt.decode', [`${b64('{"alg":"x","enc":"A128GCM"}')}.${b64('{}')}.`], 'eval_builtin_error', 'io.jwt.decode: JWT is a JWE object, which is not supported'],
      ['io.jwt.decode', [`${b64('[1]')}.${b64('{}')}.`], 'eval_builtin_error', 'io.jwt.decode: bad JWT header: decoded JSON type was not an Object'],
      ['io.jwt.decode', [`${b64('{}')}.${b64('1')}.`], 'eval_builtin_error', 'io.jwt.decode: decoded JSON type was not an Object'],
      ['io.jwt.decode', [`${b64('{}')}.${b64('{}')}.a`], 'eval_builtin_error', 'io.jwt.decode: JWT signature had invalid encoding: illegal base64url string: a'],
      ['io.jwt.decode', [1], 'eval_type_error', 'io.jwt.decode: operand 1 must be string but got number'],
    ]);
  });
});

describe('io.jwt.verify_*', () => {
  it('HMAC with the secret as given', () => {
    expect(call('io.jwt.verify_hs256', [JWT_IO, 'your-256-bit-secret'])).toBe(true);
    expect(call('io.jwt.verify_hs256', [JWT_IO, 'wrong'])).toBe(false);
    expect(call('io.jwt.verify_hs384', [hsToken({ alg: 'HS384' }, {}, 'k', 'sha384'), 'k'])).toBe(true);
    expect(call('io.jwt.verify_hs512', [hsToken({ alg: 'HS512' }, {}, 'k', 'sha512'), 'k'])).toBe(true);
    // OPA never reads the header of an HMAC token.
    expect(call('io.jwt.verify_hs256', [hsToken({ alg: 'none' }, 'not json', 'k'), 'k'])).toBe(true);
  });
  it('each asymmetric algorithm with a PEM public key, a certificate-less JWK and a JWK set', () => {
    const cases: [string, { publicKey: KeyObject; privateKey: KeyObject }][] = [
      ['RS256', rsa], ['RS384', rsa], ['RS512', rsa], ['PS256', rsa], ['PS384', rsa], ['PS512', rsa],
      ['ES256', ec256], ['ES384', ec384], ['ES512', ec521], ['EdDSA', ed],
    ];
    for (const [alg, pair] of cases) {
      const token = sign(alg, pair.privateKey);
      const name = `io.jwt.verify_${alg.toLowerCase()}`;
      expect(call(name, [token, pem(pair.publicKey)]), `${alg} pem`).toBe(true);
      expect(call(name, [token, jwk(pair.publicKey)]), `${alg} jwk`).toBe(true);
      expect(call(name, [token, JSON.stringify({ keys: [JSON.parse(jwk(rsa2.publicKey)), JSON.parse(jwk(pair.publicKey))] })]), `${alg} jwks`).toBe(true);
      const tampered = token.replace(/\.[^.]*\./, `.${b64('{"sub":"y"}')}.`);
      expect(call(name, [tampered, pem(pair.publicKey)]), `${alg} tampered`).toBe(false);
    }
    // the wrong key, the wrong key type, the builtin's own algorithm over the header's
    expect(call('io.jwt.verify_rs256', [sign('RS256', rsa.privateKey), pem(rsa2.publicKey)])).toBe(false);
    expect(call('io.jwt.verify_rs256', [sign('ES256', ec256.privateKey), pem(ec256.publicKey)])).toBe(false);
    expect(call('io.jwt.verify_ps256', [sign('RS256', rsa.privateKey), pem(rsa.publicKey)])).toBe(false);
  });
  it('a PEM CERTIFICATE as the key (its public key verifies)', () => {
    const fixture = (n: string): string => readFileSync(new URL(`./fixtures/x509/${n}`, import.meta.url), 'utf8');
    const token = sign('RS256', createPrivateKey(fixture('int.key')));
    expect(call('io.jwt.verify_rs256', [token, fixture('int.pem')])).toBe(true);
    expect(call('io.jwt.verify_rs256', [token, fixture('ca.pem')])).toBe(false);
    expect(verified(decodeVerify(token, { cert: fixture('int.pem') }))).toBe(true);
    // Two blocks: OPA accepts exactly one PEM block.
    expectErrors([['io.jwt.verify_rs256', [token, fixture('int.pem') + fixture('ca.pem')], 'eval_builtin_error', 'io.jwt.verify_rs256: extra data after a PEM certificate block']]);
  });
  it('OPA vector: EdDSA token with a PEM public key', () => {
    expect(call('io.jwt.verify_eddsa', [EDDSA_TOKEN, EDDSA_PEM])).toBe(true);
  });
  it('JWK sets: kid picks the one key; a key alg must match the header alg', () => {
    const token = sign('RS256', rsa.privateKey, { a: 1 }, { kid: 'k2' });
    const set = (keys: object[]): string => JSON.stringify({ keys });
    const pub = JSON.parse(jwk(rsa.publicKey));
    const other = JSON.parse(jwk(rsa2.publicKey));
    expect(call('io.jwt.verify_rs256', [token, set([{ ...other, kid: 'k1' }, { ...pub, kid: 'k3' }])])).toBe(true);
    expect(call('io.jwt.verify_rs256', [token, set([{ ...other, kid: 'k2' }, { ...pub, kid: 'k3' }])])).toBe(false);
    expect(call('io.jwt.verify_rs256', [token, set([{ ...pub, alg: 'RS384' }])])).toBe(false);
    expect(call('io.jwt.verify_rs256', [token, set([{ ...pub, alg: 'RS256' }])])).toBe(true);
    // keys for algorithms OPA does not know are skipped
    expect(call('io.jwt.verify_rs256', [token, set([{ ...pub, alg: 'RSA-OAEP' }])])).toBe(false);
  });
  it('rejects keys it cannot read', () => {
    const token = sign('RS256', rsa.privateKey);
    expectErrors([
      ['io.jwt.verify_rs256', [token, `${pem(rsa.publicKey)}\nextra`], 'eval_builtin_error', 'io.jwt.verify_rs256: extra data after a PEM certificate block'],
      ['io.jwt.verify_rs256', [token, '-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n'], 'eval_builtin_error', 'io.jwt.verify_rs256: failed to extract a Key from the PEM certificate'],
      ['io.jwt.verify_rs256', [token, 1], 'eval_type_error', 'io.jwt.verify_rs256: operand 2 must be string but got number'],
    ]);
    let err: Error | undefined;
    try {
      call('io.jwt.verify_rs256', [token, 'not a key']);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/^io\.jwt\.verify_rs256: failed to parse a JWK key \(set\): /);
  });
});

describe('io.jwt.encode_sign', () => {
  it('RFC 7515 A.1 (OPA test vector): HS256 over Go-marshalled header and payload', () => {
    expect(
      call('io.jwt.encode_sign', [
        { alg: 'HS256', typ: 'JWT' },
        { aud: ['bob', 'saul'], exp: 1300819380, 'http://example.com/is_root': true, iss: 'joe', privateParams: { private_one: 'one', private_two: 'two' } },
        RFC7515_A1_KEY,
      ]),
    ).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsiYm9iIiwic2F1bCJdLCJleHAiOjEzMDA4MTkzODAsImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlLCJpc3MiOiJqb2UiLCJwcml2YXRlUGFyYW1zIjp7InByaXZhdGVfb25lIjoib25lIiwicHJpdmF0ZV90d28iOiJ0d28ifX0.-Or2eol8bzly-Ztb0v7_7UkcKBkN_aNNpK33HK0MeOY',
    );
  });
  it('encode_sign_raw signs the texts as given', () => {
    const header = '{"typ":"JWT",\r\n "alg":"HS256"}';
    const payload = '{"iss":"joe",\r\n "exp":1300819380}';
    const token = call('io.jwt.encode_sign_raw', [header, payload, JSON.stringify(RFC7515_A1_KEY)]) as string;
    expect(token.split('.').slice(0, 2)).toEqual([b64(header), b64(payload)]);
    const secret = Buffer.from(RFC7515_A1_KEY.k, 'base64url');
    expect(token.split('.')[2]).toBe(createHmac('sha256', secret).update(token.split('.').slice(0, 2).join('.')).digest('base64url'));
  });
  it('errors as OPA', () => {
    const key = JSON.stringify(RFC7515_A1_KEY);
    expectErrors([
      ['io.jwt.encode_sign_raw', ['{"alg":"none"}', '{}', key], 'eval_builtin_error', 'io.jwt.encode_sign_raw: unknown JWS algorithm: none'],
      ['io.jwt.encode_sign_raw', ['{"typ":"JWT"}', '{}', key], 'eval_builtin_error', "io.jwt.encode_sign_raw: missing or invalid 'alg' header"],
      ['io.jwt.encode_sign_raw', ['{"alg":"HS256"}', 'not json', key], 'eval_builtin_error', 'io.jwt.encode_sign_raw: type is JWT but payload is not JSON'],
      ['io.jwt.encode_sign_raw', ['{"alg":"HS256"}', '{}', '{"keys":[]}'], 'eval_builtin_error', 'io.jwt.encode_sign_raw: no keys found in JWK set'],
    ]);
    // a payload that is not JSON is fine when typ says it is not a JWT
    expect(call('io.jwt.encode_sign_raw', ['{"alg":"HS256","typ":"text"}', 'hello', key])).toMatch(/\.aGVsbG8\./);
  });
});

describe('io.jwt.decode_verify', () => {
  const secret = 'secret';
  const now = 1_700_000_000n * 1_000_000_000n;
  it('returns [true, header, payload] when signature and claims hold', () => {
    const token = hsToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'me', aud: 'you', exp: 1_700_000_001, nbf: 1_700_000_000 }, secret);
    expect(show(decodeVerify(token, { secret, iss: 'me', aud: 'you' }, now))).toBe(
      show(v([true, { alg: 'HS256', typ: 'JWT' }, { aud: 'you', exp: 1_700_000_001, iss: 'me', nbf: 1_700_000_000 }])),
    );
  });
  it('OPA vector: EdDSA with a PEM public key as cert', () => {
    expect(show(decodeVerify(EDDSA_TOKEN, { cert: EDDSA_PEM }))).toBe(
      show(v([true, { alg: 'EdDSA', typ: 'JWT' }, { admin: true, iat: 1516239022, name: 'John Doe', sub: '1234567890' }])),
    );
  });
  it('[false, {}, {}] for every unmet constraint', () => {
    const unverified = show(v([false, {}, {}]));
    const t = (payload: object, header: object = { alg: 'HS256' }): string => hsToken(header, payload, secret);
    const rows: [string, object, bigint?][] = [
      [t({}), { secret: 'other' }],
      [t({}), { secret, alg: 'HS384' }],
      [t({ iss: 'a' }), { secret, iss: 'b' }],
      [t({}), { secret, iss: 'b' }],
      [t({ aud: 'a' }), { secret }], // a token with an audience needs an aud constraint
      [t({ aud: ['a', 'b'] }), { secret, aud: 'c' }],
      [t({}), { secret, aud: 'c' }],
      [t({ exp: 1_700_000_000 }), { secret }, now], // exp is exclusive
      [t({ nbf: 1_700_000_001 }), { secret }, now],
      [t({ exp: 100 }), { secret, time: 100_000_000_000 }],
      [t({}, { typ: 'JWT' }), { secret }], // no alg
      [t({}, { alg: 'HS256', crit: ['x'], x: 1 }), { secret }], // unknown critical header
      [sign('RS256', rsa.privateKey), { secret }],
      [sign('RS256', rsa.privateKey), { cert: pem(rsa2.publicKey) }],
    ];
    for (const [token, constraints, at] of rows) expect(show(decodeVerify(token, constraints, at)), JSON.stringify(constraints)).toBe(unverified);
  });
  it('OPA vector: exp equal to the time (as a float) is expired', () => {
    const token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjEuNTg5Mzg1NzcxMTIzNGUrMDksImlzcyI6Inh4eCJ9.PZ2z6VfHt9YdvHHUbilkTnw4R9TK3_V0LV1h-q0k9xg';
    expect(show(decodeVerify(token, { secret: 'secret', time: 1589385771123400000n }))).toBe(show(v([false, {}, {}])));
    expect(verified(decodeVerify(token, { secret: 'secret', time: 1589385771123300000n }))).toBe(true);
  });
  it('accepts what is in range, audiences in arrays and explicit times', () => {
    const t = (payload: object): string => hsToken({ alg: 'HS256' }, payload, secret);
    expect(verified(decodeVerify(t({ aud: ['a', 'b'] }), { secret, aud: 'b' }))).toBe(true);
    expect(verified(decodeVerify(t({ exp: 100.5, nbf: 100 }), { secret, time: 100_000_000_000 }))).toBe(true);
    expect(verified(decodeVerify(t({ exp: 1_700_000_001 }), { secret }, now))).toBe(true);
    expect(verified(decodeVerify(sign('ES256', ec256.privateKey), { cert: jwk(ec256.publicKey) }))).toBe(true);
    expect(verified(decodeVerify(sign('PS384', rsa.privateKey), { cert: pem(rsa.publicKey), alg: 'PS384' }))).toBe(true);
    // an oct JWK as cert verifies HMAC tokens
    expect(verified(decodeVerify(t({}), { cert: JSON.stringify({ kty: 'oct', k: b64(secret) }) }))).toBe(true);
  });
  it('verifies every level of a nested token with the same constraints', () => {
    const inner = hsToken({ alg: 'HS256' }, { sub: 'inner' }, secret);
    const outerHeader = { alg: 'HS256', cty: 'jwt' };
    const input = `${b64(JSON.stringify(outerHeader))}.${b64(inner)}`;
    const outer = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    const got = decodeVerify(outer, { secret }) as Value[];
    expect(show(got[2]!)).toBe(show(v({ sub: 'inner' })));
    expect((got[1] as RObject).getStr('cty')).toBeUndefined();
  });
  it('constraint errors as OPA', () => {
    const token = hsToken({ alg: 'HS256' }, { exp: 'soon' }, secret);
    expectErrors([
      ['io.jwt.decode_verify', [token, {}], 'eval_builtin_error', 'io.jwt.decode_verify: no key constraint'],
      ['io.jwt.decode_verify', [token, { secret, cert: EDDSA_PEM }], 'eval_builtin_error', 'io.jwt.decode_verify: duplicate key constraints'],
      ['io.jwt.decode_verify', [token, { secret, foo: 1 }], 'eval_builtin_error', 'io.jwt.decode_verify: unknown token validation constraint: foo'],
      ['io.jwt.decode_verify', [token, { secret, time: -1 }], 'eval_builtin_error', 'io.jwt.decode_verify: token time constraint: must not be negative'],
      ['io.jwt.decode_verify', [token, { secret, time: 'x' }], 'eval_builtin_error', 'io.jwt.decode_verify: token time constraint: must be a number'],
      ['io.jwt.decode_verify', [token, { secret: 1 }], 'eval_builtin_error', 'io.jwt.decode_verify: secret constraint: must be a string'],
      ['io.jwt.decode_verify', [token, { secret }], 'eval_builtin_error', 'io.jwt.decode_verify: exp value must be a number'],
      ['io.jwt.decode_verify', [token, 'x'], 'eval_type_error', 'io.jwt.decode_verify: operand 2 must be object but got string'],
    ]);
  });
});
