/**
 * JSON Web Tokens (OPA topdown/tokens.go): io.jwt.decode, io.jwt.verify_*,
 * io.jwt.decode_verify, io.jwt.encode_sign and io.jwt.encode_sign_raw, on
 * node:crypto. JWS compact serialization only (a JWE header is an error).
 *
 * Verification keys are what OPA accepts: a PEM `CERTIFICATE` or
 * `PUBLIC KEY` block (nothing may follow it), or a JWK / JWK set. A key set
 * is tried key by key; a key whose `kid` equals the token's `kid` is the only
 * one tried; a key with an `alg` is only tried for tokens of that alg.
 * A signature that does not verify is `false` (verify_*) or
 * `[false, {}, {}]` (decode_verify); a token or key that cannot be read is a
 * builtin error (undefined unless strict), as in OPA.
 */
import {
  KeyObject,
  X509Certificate,
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  timingSafeEqual,
  verify as cryptoVerify,
  type JsonWebKey,
} from 'node:crypto';
import type { BuiltinDecl, TypeSpec } from './types.ts';
import { RObject, compareNum, type Value } from '../value.ts';
import { builtinError, isNum, obj, str, typeError } from './operands.ts';
import { base64UrlBytes, marshal, parseJSON } from './encoding.ts';
import { decodePem } from './pem.ts';

// ---------------------------------------------------------------------------
// Token structure

interface Token {
  header: string;
  payload: string;
  signature: string;
}

function splitToken(v: Value): Token {
  if (typeof v !== 'string') throw typeError(1, v, 'string');
  if (!v.includes('.')) throw builtinError('encoded JWT had no period separators');
  const parts = v.split('.');
  if (parts.length !== 3) throw builtinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  return { header: parts[0]!, payload: parts[1]!, signature: parts[2]! };
}

function b64(s: string, what: string): Buffer {
  try {
    return base64UrlBytes(s);
  } catch (e) {
    throw builtinError(`JWT ${what} had invalid encoding: ${(e as Error).message}`);
  }
}

/** OPA's extractJSONObject: the text must be a JSON object. */
function jsonObject(text: string): RObject {
  let v: Value;
  try {
    v = parseJSON(text);
  } catch (e) {
    throw builtinError(`invalid JSON: ${(e as Error).message}`);
  }
  if (!(v instanceof RObject)) throw builtinError('decoded JSON type was not an Object');
  return v;
}

function decodeHeader(t: Token): RObject {
  const text = b64(t.header, 'header').toString('utf8');
  let h: RObject;
  try {
    h = jsonObject(text);
  } catch (e) {
    throw builtinError(`bad JWT header: ${(e as Error).message}`);
  }
  if (h.getStr('enc') !== undefined) throw builtinError('JWT is a JWE object, which is not supported');
  return h;
}

function decodeSignature(t: Token): Buffer {
  return base64UrlBytes(t.signature);
}

/** The header fields that steer verification (OPA's parseTokenHeader / valid). */
interface TokenHeader {
  alg: string;
  kid: string;
  cty: string;
  crit: Set<string>;
  unknown: string[];
}

function parseTokenHeader(h: RObject): TokenHeader {
  const out: TokenHeader = { alg: '', kid: '', cty: '', crit: new Set(), unknown: [] };
  for (const [k, v] of h.entries()) {
    const name = k as string;
    if (name === 'alg' || name === 'kid' || name === 'typ' || name === 'cty') {
      if (typeof v !== 'string') throw builtinError(`${name}: must be a string`);
      if (name !== 'typ') out[name] = v;
    } else if (name === 'crit') {
      if (!Array.isArray(v)) throw builtinError('crit: must be a list');
      // OPA skips non-string entries rather than failing on them.
      for (const x of v) if (typeof x === 'string') out.crit.add(x);
      if (out.crit.size === 0) throw builtinError('crit: must be a nonempty list');
    } else out.unknown.push(name);
  }
  return out;
}

/** RFC 7515: `alg` is required, and a critical parameter we do not know invalidates the token. */
function headerValid(h: TokenHeader): boolean {
  return h.alg !== '' && !h.unknown.some((u) => h.crit.has(u));
}

// ---------------------------------------------------------------------------
// Keys

/** A verification key: an asymmetric key, or the bytes of a JWK `oct` key. */
type Key = { kind: 'asymmetric'; key: KeyObject; isPrivate: boolean } | { kind: 'secret'; key: Buffer };

interface VerificationKey {
  key: Key;
  alg: string;
  kid: string;
}

const TOKEN_ALGORITHMS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'EdDSA']);

function certificatePublicKey(der: Buffer): KeyObject {
  try {
    return new X509Certificate(der).publicKey;
  } catch (e) {
    throw builtinError(`failed to parse a PEM certificate: ${(e as Error).message}`);
  }
}

/** One JWK as node:crypto keys; `oct` keys are raw secret bytes. */
function jwkKey(jwk: Record<string, unknown>): Key {
  if (typeof jwk.kty !== 'string') throw new Error('missing "kty" field');
  if (jwk.kty === 'oct') {
    if (typeof jwk.k !== 'string') throw new Error('missing "k" field');
    return { kind: 'secret', key: Buffer.from(jwk.k, 'base64url') };
  }
  const isPrivate = 'd' in jwk;
  const input = { key: jwk as JsonWebKey, format: 'jwk' as const };
  return { kind: 'asymmetric', key: isPrivate ? createPrivateKey(input) : createPublicKey(input), isPrivate };
}

/** A JWK or a JWK set (`{"keys": [...]}`), as lestrrat-go/jwx parses it. */
function parseJwkSet(text: string): Record<string, unknown>[] {
  const raw: unknown = JSON.parse(text);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('invalid JWK');
  const o = raw as Record<string, unknown>;
  if ('keys' in o) {
    if (!Array.isArray(o.keys)) throw new Error('"keys" must be an array');
    return o.keys.map((k) => {
      if (k === null || typeof k !== 'object' || Array.isArray(k)) throw new Error('invalid JWK in set');
      return k as Record<string, unknown>;
    });
  }
  return [o];
}

/** OPA's getKeysFromCertOrJWK. */
function keysFromCertOrJwk(text: string): VerificationKey[] {
  const block = decodePem(text);
  if (block) {
    if (block.rest.length > 0) throw builtinError('extra data after a PEM certificate block');
    if (block.type === 'CERTIFICATE') return [{ key: { kind: 'asymmetric', key: certificatePublicKey(block.bytes), isPrivate: false }, alg: '', kid: '' }];
    if (block.type === 'PUBLIC KEY') {
      let key: KeyObject;
      try {
        key = createPublicKey({ key: block.bytes, format: 'der', type: 'spki' });
      } catch (e) {
        throw builtinError(`failed to parse a PEM public key: ${(e as Error).message}`);
      }
      return [{ key: { kind: 'asymmetric', key, isPrivate: false }, alg: '', kid: '' }];
    }
    throw builtinError('failed to extract a Key from the PEM certificate');
  }
  const out: VerificationKey[] = [];
  try {
    for (const jwk of parseJwkSet(text)) {
      const alg = typeof jwk.alg === 'string' ? jwk.alg : '';
      const key = jwkKey(jwk);
      // Keys for algorithms OPA does not know are skipped, not errors.
      if (alg !== '' && !TOKEN_ALGORITHMS.has(alg)) continue;
      out.push({ key, alg, kid: typeof jwk.kid === 'string' ? jwk.kid : '' });
    }
  } catch (e) {
    throw builtinError(`failed to parse a JWK key (set): ${(e as Error).message}`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Signature algorithms

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** DER of an ECDSA signature from big-endian r and s (any lengths, as Go's big.Int SetBytes takes them). */
function ecdsaDer(r: Buffer, s: Buffer): Buffer {
  const int = (b: Buffer): Buffer => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    let x = b.subarray(i);
    if (x.length === 0) x = Buffer.from([0]);
    if (x[0]! & 0x80) x = Buffer.concat([Buffer.from([0]), x]);
    return Buffer.concat([Buffer.from([0x02]), derLen(x.length), x]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLen(body.length), body]);
}

function derLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

function ecKeyBytes(key: KeyObject): number {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === 'prime256v1' ? 32 : curve === 'secp384r1' ? 48 : curve === 'secp521r1' ? 66 : 0;
}

/**
 * Verify `sig` over `data` with `alg`. `strictEcdsaLength` is jwx's check
 * (decode_verify) that an ES signature is exactly two curve-sized halves;
 * the verify_es* builtins split any signature in the middle, as OPA does.
 * Every failure, including a key of the wrong type, is `false`.
 */
function verifyWith(key: Key, alg: string, data: Buffer, sig: Buffer, strictEcdsaLength: boolean): boolean {
  const family = alg.slice(0, 2);
  const hash = HASH[alg.slice(2)];
  try {
    if (family === 'HS' && hash) {
      if (key.kind !== 'secret') return false;
      const mac = createHmac(hash, key.key).update(data).digest();
      return mac.length === sig.length && timingSafeEqual(mac, sig);
    }
    if (key.kind !== 'asymmetric') return false;
    const k = key.isPrivate ? createPublicKey(key.key) : key.key;
    const type = k.asymmetricKeyType;
    if (alg === 'EdDSA') return type === 'ed25519' && cryptoVerify(null, data, k, sig);
    if (!hash) return false;
    if (family === 'RS') return type === 'rsa' && cryptoVerify(hash, data, { key: k, padding: constants.RSA_PKCS1_PADDING }, sig);
    if (family === 'PS') {
      return type === 'rsa' && cryptoVerify(hash, data, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig);
    }
    if (family === 'ES') {
      if (type !== 'ec') return false;
      if (strictEcdsaLength && sig.length !== 2 * ecKeyBytes(k)) return false;
      const n = sig.length >> 1;
      return cryptoVerify(hash, data, { key: k, dsaEncoding: 'der' }, ecdsaDer(sig.subarray(0, n), sig.subarray(n)));
    }
    return false;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// io.jwt.verify_*

function verifyHS(alg: string): BuiltinDecl {
  return {
    name: `io.jwt.verify_${alg.toLowerCase()}`,
    args: ['string', 'string'],
    result: 'boolean',
    impl: (args) => {
      const jwt = str(args, 0);
      const secret = str(args, 1);
      const t = splitToken(jwt);
      const mac = createHmac(HASH[alg.slice(2)]!, Buffer.from(secret, 'utf8')).update(`${t.header}.${t.payload}`, 'utf8').digest();
      const sig = decodeSignature(t);
      return mac.length === sig.length && timingSafeEqual(mac, sig);
    },
  };
}

/**
 * OPA's builtinJWTVerify: the builtin's own algorithm is used whatever the
 * header says; private JWKs do not verify (Go wants a public key type).
 */
function verifyAsymmetric(alg: string): BuiltinDecl {
  return {
    name: `io.jwt.verify_${alg.toLowerCase()}`,
    args: ['string', 'string'],
    result: 'boolean',
    impl: (args) => {
      const t = splitToken(args[0]!);
      const keys = keysFromCertOrJwk(str(args, 1));
      const sig = decodeSignature(t);
      const header = parseTokenHeader(decodeHeader(t));
      const data = Buffer.from(`${t.header}.${t.payload}`, 'utf8');
      const check = (k: VerificationKey): boolean => !(k.key.kind === 'asymmetric' && k.key.isPrivate) && verifyWith(k.key, alg, data, sig, false);
      if (header.kid !== '') {
        const byKid = keys.find((k) => k.kid === header.kid);
        if (byKid) return check(byKid);
      }
      return keys.some((k) => (k.alg === '' || k.alg === header.alg) && check(k));
    },
  };
}

// ---------------------------------------------------------------------------
// io.jwt.decode

function decode(jwt: Value): Value {
  const t = splitToken(jwt);
  const header = decodeHeader(t);
  let payloadText = b64(t.payload, 'payload').toString('utf8');
  if (header.getStr('cty') === 'JWT') {
    // A nested token is quoted by some encoders (jwt.io); OPA trims the quotes and decodes it instead.
    payloadText = payloadText.replace(/^["']+|["']+$/g, '');
    return decode(payloadText);
  }
  const payload = jsonObject(payloadText);
  const sig = b64(t.signature, 'signature');
  return [header, payload, sig.toString('hex')];
}

// ---------------------------------------------------------------------------
// io.jwt.decode_verify

interface Constraints {
  secret: string;
  alg: string;
  iss: string;
  aud: string;
  keys: VerificationKey[] | undefined;
  /** ns since epoch */
  time: number;
}

function timeFrom(v: Value): number {
  if (!isNum(v)) throw builtinError('token time constraint: must be a number');
  const t = Number(v);
  if (t < 0) throw builtinError('token time constraint: must not be negative');
  return t;
}

function parseConstraints(o: RObject, nowNs: bigint): Constraints {
  const c: Constraints = { secret: '', alg: '', iss: '', aud: '', keys: undefined, time: -1 };
  for (const [k, v] of o.sortedEntries()) {
    const name = k as string;
    switch (name) {
      case 'cert':
        if (typeof v !== 'string') throw builtinError('cert constraint: must be a string');
        c.keys = keysFromCertOrJwk(v);
        break;
      case 'secret':
      case 'alg':
      case 'iss':
      case 'aud':
        if (typeof v !== 'string') throw builtinError(`${name} constraint: must be a string`);
        c[name] = v;
        break;
      case 'time':
        c.time = timeFrom(v);
        break;
      default:
        throw builtinError(`unknown token validation constraint: ${name}`);
    }
  }
  if (c.time === -1) c.time = Number(nowNs);
  const keys = (c.keys !== undefined ? 1 : 0) + (c.secret !== '' ? 1 : 0);
  if (keys > 1) throw builtinError('duplicate key constraints');
  if (keys < 1) throw builtinError('no key constraint');
  return c;
}

function constraintsVerify(c: Constraints, h: TokenHeader, t: Token, sig: Buffer): boolean {
  const data = Buffer.from(`${t.header}.${t.payload}`, 'utf8');
  if (c.keys !== undefined) {
    if (h.kid !== '') {
      const byKid = c.keys.find((k) => k.kid === h.kid);
      if (byKid) return verifyWith(byKid.key, h.alg, data, sig, true);
    }
    return c.keys.some((k) => (k.alg === '' || k.alg === h.alg) && verifyWith(k.key, h.alg, data, sig, true));
  }
  return verifyWith({ kind: 'secret', key: Buffer.from(c.secret, 'utf8') }, h.alg, data, sig, true);
}

function validAudience(aud: Value, want: string): boolean {
  if (typeof aud === 'string') return aud === want;
  return Array.isArray(aud) && aud.some((x) => typeof x === 'string' && x === want);
}

function decodeVerify(args: Value[], nowNs: bigint): Value {
  let jwt = args[0]!;
  const c = parseConstraints(obj(args, 1), nowNs);
  const unverified: Value = [false, new RObject(), new RObject()];
  let header: RObject;
  let payloadText: string;
  for (;;) {
    const t = splitToken(jwt);
    header = decodeHeader(t);
    const h = parseTokenHeader(header);
    if (!headerValid(h)) return unverified;
    if (c.alg !== '' && c.alg !== h.alg) return unverified;
    const sig = decodeSignature(t);
    if (!constraintsVerify(c, h, t, sig)) return unverified;
    payloadText = b64(t.payload, 'payload').toString('utf8');
    // A nested token (cty JWT, any case) is verified with the same constraints.
    if (h.cty.toUpperCase() === 'JWT') {
      jwt = payloadText;
      continue;
    }
    break;
  }
  const payload = jsonObject(payloadText);
  if (c.iss !== '') {
    const iss = payload.getStr('iss');
    if (iss === undefined || iss !== c.iss) return unverified;
  }
  const aud = payload.getStr('aud');
  if (aud !== undefined ? !validAudience(aud, c.aud) : c.aud !== '') return unverified;
  const seconds = c.time / 1e9;
  const exp = payload.getStr('exp');
  if (exp !== undefined) {
    if (!isNum(exp)) throw builtinError('exp value must be a number');
    if (compareNum(seconds, exp) !== -1) return unverified;
  }
  const nbf = payload.getStr('nbf');
  if (nbf !== undefined) {
    if (!isNum(nbf)) throw builtinError('nbf value must be a number');
    if (compareNum(seconds, nbf) === -1) return unverified;
  }
  return [true, header, payload];
}

// ---------------------------------------------------------------------------
// io.jwt.encode_sign / encode_sign_raw

/** The first key of a JWK (set), as a signing key. */
function signingKey(jwkText: string): Key {
  let jwks: Record<string, unknown>[];
  try {
    jwks = parseJwkSet(jwkText);
  } catch (e) {
    throw builtinError(`failed to parse JWK: ${(e as Error).message}`);
  }
  if (jwks.length === 0) throw builtinError('no keys found in JWK set');
  try {
    return jwkKey(jwks[0]!);
  } catch (e) {
    throw builtinError(`failed to parse JWK: ${(e as Error).message}`);
  }
}

function signWith(key: Key, alg: string, data: Buffer): Buffer {
  const family = alg.slice(0, 2);
  const hash = HASH[alg.slice(2)];
  const mismatch = (): never => {
    throw builtinError(`failed to sign payload: invalid key type for algorithm ${alg}`);
  };
  if (family === 'HS' && hash) {
    if (key.kind !== 'secret') return mismatch();
    return createHmac(hash, key.key).update(data).digest();
  }
  if (key.kind !== 'asymmetric' || !key.isPrivate) return mismatch();
  const k = key.key;
  const type = k.asymmetricKeyType;
  if (alg === 'EdDSA') return type === 'ed25519' ? cryptoSign(null, data, k) : mismatch();
  if (family === 'RS' && type === 'rsa') return cryptoSign(hash!, data, { key: k, padding: constants.RSA_PKCS1_PADDING });
  if (family === 'PS' && type === 'rsa') return cryptoSign(hash!, data, { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST });
  if (family === 'ES' && type === 'ec') return cryptoSign(hash!, data, { key: k, dsaEncoding: 'ieee-p1363' });
  return mismatch();
}

function isJSON(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** OPA's commonBuiltinJWTEncodeSign over the header and payload texts as given. */
function encodeSign(headerText: string, payloadText: string, jwkText: string): string {
  const key = signingKey(jwkText);
  let headers: unknown;
  try {
    headers = JSON.parse(headerText);
  } catch {
    headers = undefined;
  }
  const alg = headers !== null && typeof headers === 'object' ? (headers as Record<string, unknown>).alg : undefined;
  if (typeof alg !== 'string') throw builtinError(`missing or invalid 'alg' header`);
  if (!TOKEN_ALGORITHMS.has(alg)) throw builtinError(`unknown JWS algorithm: ${alg}`);
  const typ = (headers as Record<string, unknown>).typ;
  if ((typeof typ !== 'string' || typ === 'JWT') && !isJSON(payloadText)) throw builtinError('type is JWT but payload is not JSON');
  const signingInput = `${Buffer.from(headerText, 'utf8').toString('base64url')}.${Buffer.from(payloadText, 'utf8').toString('base64url')}`;
  return `${signingInput}.${signWith(key, alg, Buffer.from(signingInput, 'utf8')).toString('base64url')}`;
}

const OBJ: TypeSpec = { object: ['any', 'any'] };

export const JWT: BuiltinDecl[] = [
  { name: 'io.jwt.decode', args: ['string'], result: { array: 'any' }, impl: (args) => decode(args[0]!) },
  { name: 'io.jwt.decode_verify', args: ['string', { object: ['string', 'any'] }], result: { array: 'any' }, impl: (args, ctx) => decodeVerify(args, ctx.nowNs) },
  {
    name: 'io.jwt.encode_sign',
    args: [OBJ, OBJ, OBJ],
    result: 'string',
    // ES and PS signatures are randomized.
    nondeterministic: true,
    // Go's json.Marshal of the operands (sorted keys, HTML-safe escaping), as OPA signs them.
    impl: (args) => encodeSign(marshal(obj(args, 0), '', '', 0), marshal(obj(args, 1), '', '', 0), marshal(obj(args, 2), '', '', 0)),
  },
  {
    name: 'io.jwt.encode_sign_raw',
    args: ['string', 'string', 'string'],
    result: 'string',
    nondeterministic: true,
    impl: (args) => {
      const jwk = str(args, 2);
      return encodeSign(str(args, 0), str(args, 1), jwk);
    },
  },
  verifyHS('HS256'),
  verifyHS('HS384'),
  verifyHS('HS512'),
  ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'].map(verifyAsymmetric),
];
