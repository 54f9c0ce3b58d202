/**
 * Certificates and private keys (OPA topdown/crypto.go): crypto.x509.* and
 * crypto.parse_private_keys. Results have the shape OPA gives them, which is
 * Go's `json.Marshal` of crypto/x509's structs (x509.Certificate,
 * x509.CertificateRequest, tls.Certificate, rsa/ecdsa/ed25519 private keys):
 * byte slices as standard base64, OIDs as integer arrays, big integers as
 * numbers, times as RFC 3339. The structure is read with a small DER reader
 * (`der.ts`); signatures are checked and keys parsed with node:crypto.
 * Known gaps are listed in docs/rego-builtins.md.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { BuiltinContext, BuiltinDecl, TypeSpec } from './types.ts';
import { fromJS, type Value } from '../value.ts';
import { builtinError, obj, str, typeError } from './operands.ts';
import { decodeAllPem, decodePem } from './pem.ts';
import { DerError, children, derInt, derString, derTime, oidArcs, oidText, readDer, unsigned, type Der } from './der.ts';
import { ipText } from './net.ts';

type Json = null | boolean | number | bigint | string | Json[] | { [k: string]: Json };

const b64 = (b: Buffer | undefined): Json => (b === undefined ? null : b.toString('base64'));
const orNull = <T extends Json>(xs: T[]): Json => (xs.length ? xs : null);
const goTime = (d: Date): string => d.toISOString().replace('.000Z', 'Z');

/** Go's encoding/base64 StdEncoding.DecodeString, error text included. */
function stdBase64(s: string): Buffer {
  const clean = s.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) {
    let i = 0;
    while (i < clean.length && /[A-Za-z0-9+/]/.test(clean[i]!)) i++;
    // Go reports the position of the first bad quantum byte (or the length for a short tail).
    throw builtinError(`illegal base64 data at input byte ${i < clean.length ? i : clean.length - (clean.length % 4)}`);
  }
  return Buffer.from(clean, 'base64');
}

// ---------------------------------------------------------------------------
// Names, algorithms, public keys

function parseName(d: Der): Record<string, Json> {
  const out: Record<string, Json> = {};
  const lists: Record<number, string[]> = { 6: [], 10: [], 11: [], 7: [], 8: [], 9: [], 17: [] };
  let cn = '';
  let serial = '';
  const names: Json[] = [];
  for (const rdn of children(d)) {
    for (const atv of children(rdn)) {
      const [oid, val] = children(atv);
      const arcs = oidArcs(oid!.body);
      const value = derString(val!);
      names.push({ Type: arcs, Value: value ?? null });
      if (value === undefined || arcs.length !== 4 || arcs[0] !== 2 || arcs[1] !== 5 || arcs[2] !== 4) continue;
      const t = arcs[3]!;
      if (t === 3) cn = value;
      else if (t === 5) serial = value;
      else lists[t]?.push(value);
    }
  }
  out.Country = orNull(lists[6]!);
  out.Organization = orNull(lists[10]!);
  out.OrganizationalUnit = orNull(lists[11]!);
  out.Locality = orNull(lists[7]!);
  out.Province = orNull(lists[8]!);
  out.StreetAddress = orNull(lists[9]!);
  out.PostalCode = orNull(lists[17]!);
  out.SerialNumber = serial;
  out.CommonName = cn;
  out.Names = orNull(names);
  out.ExtraNames = null;
  return out;
}

const SIG_ALGS: Record<string, number> = {
  '1.2.840.113549.1.1.2': 1,
  '1.2.840.113549.1.1.4': 2,
  '1.2.840.113549.1.1.5': 3,
  '1.2.840.113549.1.1.11': 4,
  '1.2.840.113549.1.1.12': 5,
  '1.2.840.113549.1.1.13': 6,
  '1.2.840.10040.4.3': 7,
  '2.16.840.1.101.3.4.3.2': 8,
  '1.2.840.10045.4.1': 9,
  '1.2.840.10045.4.3.2': 10,
  '1.2.840.10045.4.3.3': 11,
  '1.2.840.10045.4.3.4': 12,
  '1.3.101.112': 16,
};
/** Go's x509.SignatureAlgorithm; RSASSA-PSS is told apart by its hash parameter. */
function signatureAlgorithm(algId: Der): number {
  const [oid, params] = children(algId);
  const text = oidText(oid!.body);
  if (text === '1.2.840.113549.1.1.10' && params) {
    const hashParam = children(params).find((c) => c.tag === 0xa0);
    const hash = hashParam ? oidText(children(children(hashParam)[0]!)[0]!.body) : '';
    return { '2.16.840.1.101.3.4.2.1': 13, '2.16.840.1.101.3.4.2.2': 14, '2.16.840.1.101.3.4.2.3': 15 }[hash] ?? 0;
  }
  return SIG_ALGS[text] ?? 0;
}
/** SHA-1 and MD5 signatures are rejected by Go's chain verification. */
const INSECURE_SIG = new Set([1, 2, 3, 7, 9]);

const big = (b64url: string | undefined): bigint => unsigned(Buffer.from(b64url ?? '', 'base64url'));

/** Go's public key value (PublicKeyAlgorithm, PublicKey) for a SubjectPublicKeyInfo. */
function publicKeyOf(spki: Der): [number, Json] {
  const [algId, bits] = children(spki);
  const algOid = oidText(children(algId!)[0]!.body);
  const keyBytes = bits!.body.subarray(1);
  switch (algOid) {
    case '1.2.840.113549.1.1.1': {
      const [n, e] = children(readDer(keyBytes)[0]);
      return [1, { N: derInt(n!.body), E: Number(derInt(e!.body)) }];
    }
    case '1.2.840.10045.2.1': {
      const half = (keyBytes.length - 1) / 2;
      return [3, { Curve: {}, X: unsigned(keyBytes.subarray(1, 1 + half)), Y: unsigned(keyBytes.subarray(1 + half)) }];
    }
    case '1.3.101.112':
      return [4, keyBytes.toString('base64')];
    case '1.2.840.10040.4.1': {
      const params = children(algId!)[1];
      const [p, q, g] = params ? children(params) : [];
      return [2, { Parameters: { P: p ? derInt(p.body) : null, Q: q ? derInt(q.body) : null, G: g ? derInt(g.body) : null }, Y: derInt(readDer(keyBytes)[0].body) }];
    }
    default:
      return [0, null];
  }
}

// ---------------------------------------------------------------------------
// Extensions (Go's processExtensions)

const EKU: Record<string, number> = {
  '2.5.29.37.0': 0,
  '1.3.6.1.5.5.7.3.1': 1,
  '1.3.6.1.5.5.7.3.2': 2,
  '1.3.6.1.5.5.7.3.3': 3,
  '1.3.6.1.5.5.7.3.4': 4,
  '1.3.6.1.5.5.7.3.5': 5,
  '1.3.6.1.5.5.7.3.6': 6,
  '1.3.6.1.5.5.7.3.7': 7,
  '1.3.6.1.5.5.7.3.8': 8,
  '1.3.6.1.5.5.7.3.9': 9,
  '1.3.6.1.4.1.311.10.3.3': 10,
  '2.16.840.1.113730.4.1': 11,
  '1.3.6.1.4.1.311.2.1.22': 12,
  '1.3.6.1.4.1.311.61.1.1': 13,
};

/** Go's net.IP text: dotted quad for IPv4 (also when IPv4-mapped), RFC 5952 for IPv6. */
function ipString(b: Buffer): string {
  if (b.length === 4) return ipText(false, unsigned(b));
  if (b.length === 16) {
    if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return ipText(false, unsigned(b.subarray(12)));
    return ipText(true, unsigned(b));
  }
  return '?' + b.toString('hex');
}

/** Go's url.URL as JSON, from an RFC 3986 split. */
function urlJson(s: string): Json {
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(s)!;
  const scheme = (m[1] ?? '').toLowerCase();
  let host = m[2] ?? '';
  let user: Json = null;
  const at = host.lastIndexOf('@');
  if (at >= 0) {
    user = {};
    host = host.slice(at + 1);
  }
  const rawPath = m[3] ?? '';
  const opaque = scheme !== '' && m[2] === undefined && !rawPath.startsWith('/') ? rawPath : '';
  let path = opaque ? '' : rawPath;
  try {
    path = decodeURIComponent(path);
  } catch {
    /* keep the raw text */
  }
  return {
    Scheme: scheme,
    Opaque: opaque,
    User: user,
    Host: host,
    Path: path,
    RawPath: '',
    OmitHost: false,
    ForceQuery: false,
    RawQuery: m[4] ?? '',
    Fragment: m[5] ?? '',
    RawFragment: '',
  };
}

interface SanNames {
  dns: string[];
  email: string[];
  ip: string[];
  uri: string[];
}

function generalNames(d: Der, out: SanNames): void {
  for (const n of children(d)) {
    const text = n.body.toString('latin1');
    if (n.tag === 0x81) out.email.push(text);
    else if (n.tag === 0x82) out.dns.push(text);
    else if (n.tag === 0x86) out.uri.push(text);
    else if (n.tag === 0x87) out.ip.push(ipString(n.body));
  }
}

interface NameConstraints {
  permittedDNS: string[];
  excludedDNS: string[];
  permittedIP: Json[];
  excludedIP: Json[];
  permittedEmail: string[];
  excludedEmail: string[];
  permittedURI: string[];
  excludedURI: string[];
}

function subtrees(d: Der, dns: string[], ip: Json[], email: string[], uri: string[]): void {
  for (const subtree of children(d)) {
    const base = children(subtree)[0]!;
    const text = base.body.toString('latin1');
    if (base.tag === 0x82) dns.push(text);
    else if (base.tag === 0x81) email.push(text);
    else if (base.tag === 0x86) uri.push(text);
    else if (base.tag === 0x87) {
      const half = base.body.length / 2;
      ip.push({ IP: ipString(base.body.subarray(0, half)), Mask: base.body.subarray(half).toString('base64') });
    }
  }
}

/** What chain verification needs from a certificate, beside its JSON. */
export interface ParsedCert {
  json: Record<string, Json>;
  node: X509Certificate;
  rawSubject: Buffer;
  rawIssuer: Buffer;
  signatureAlgorithm: number;
  version: number;
  basicConstraintsValid: boolean;
  isCA: boolean;
  maxPathLen: number;
  keyUsage: number;
  extKeyUsage: number[];
  unknownExtKeyUsage: number;
  dnsNames: string[];
  ipAddresses: string[];
  subjectKeyId: Buffer | undefined;
  authorityKeyId: Buffer | undefined;
  notBefore: Date;
  notAfter: Date;
  unhandledCritical: number;
}

interface ExtensionInfo {
  extensions: Json[];
  unhandled: Json[];
  keyUsage: number;
  bcValid: boolean;
  isCA: boolean;
  maxPathLen: number;
  eku: number[];
  unknownEku: Json[];
  ski: Buffer | undefined;
  aki: Buffer | undefined;
  san: SanNames;
  nc: NameConstraints;
  ncCritical: boolean;
  crl: string[];
  ocsp: string[];
  issuing: string[];
  policies: Json[];
  policyTexts: string[];
  inhibitAny: number;
  inhibitMapping: number;
  requireExplicit: number;
  inhibitAnyZero: boolean;
  inhibitMappingZero: boolean;
  requireExplicitZero: boolean;
  policyMappings: Json[];
}

function processExtensions(exts: Der[]): ExtensionInfo {
  const info: ExtensionInfo = {
    extensions: [],
    unhandled: [],
    keyUsage: 0,
    bcValid: false,
    isCA: false,
    maxPathLen: 0,
    eku: [],
    unknownEku: [],
    ski: undefined,
    aki: undefined,
    san: { dns: [], email: [], ip: [], uri: [] },
    nc: { permittedDNS: [], excludedDNS: [], permittedIP: [], excludedIP: [], permittedEmail: [], excludedEmail: [], permittedURI: [], excludedURI: [] },
    ncCritical: false,
    crl: [],
    ocsp: [],
    issuing: [],
    policies: [],
    policyTexts: [],
    inhibitAny: 0,
    inhibitMapping: 0,
    requireExplicit: 0,
    inhibitAnyZero: false,
    inhibitMappingZero: false,
    requireExplicitZero: false,
    policyMappings: [],
  };
  for (const ext of exts) {
    const parts = children(ext);
    const oid = parts[0]!;
    const critical = parts.length === 3 && parts[1]!.tag === 0x01 && parts[1]!.body[0] !== 0;
    const value = parts[parts.length - 1]!.body;
    const arcs = oidArcs(oid.body);
    info.extensions.push({ Id: arcs, Critical: critical, Value: value.toString('base64') });
    let handled = true;
    const inner = (): Der => readDer(value)[0];
    switch (arcs.join('.')) {
      case '2.5.29.15': {
        const bits = inner().body;
        for (let i = 0; i < 9; i++) {
          const byte = bits[1 + (i >> 3)];
          if (byte !== undefined && byte & (0x80 >> (i & 7))) info.keyUsage |= 1 << i;
        }
        break;
      }
      case '2.5.29.19': {
        const seq = children(inner());
        info.bcValid = true;
        let i = 0;
        if (seq[0]?.tag === 0x01) {
          info.isCA = seq[0].body[0] !== 0;
          i = 1;
        }
        info.maxPathLen = seq[i]?.tag === 0x02 ? Number(derInt(seq[i]!.body)) : -1;
        break;
      }
      case '2.5.29.17':
        generalNames(inner(), info.san);
        break;
      case '2.5.29.30': {
        info.ncCritical = critical;
        for (const part of children(inner())) {
          if (part.tag === 0xa0) subtrees(part, info.nc.permittedDNS, info.nc.permittedIP, info.nc.permittedEmail, info.nc.permittedURI);
          if (part.tag === 0xa1) subtrees(part, info.nc.excludedDNS, info.nc.excludedIP, info.nc.excludedEmail, info.nc.excludedURI);
        }
        break;
      }
      case '2.5.29.31':
        for (const dp of children(inner())) {
          const name = children(dp).find((c) => c.tag === 0xa0);
          const full = name && children(name).find((c) => c.tag === 0xa0);
          if (full) for (const g of children(full)) if (g.tag === 0x86) info.crl.push(g.body.toString('latin1'));
        }
        break;
      case '2.5.29.35': {
        const id = children(inner()).find((c) => c.tag === 0x80);
        if (id) info.aki = Buffer.from(id.body);
        break;
      }
      case '2.5.29.37':
        for (const o of children(inner())) {
          const known = EKU[oidText(o.body)];
          if (known !== undefined) info.eku.push(known);
          else info.unknownEku.push(oidArcs(o.body));
        }
        break;
      case '2.5.29.14':
        info.ski = Buffer.from(inner().body);
        break;
      case '2.5.29.32':
        for (const pi of children(inner())) {
          const o = children(pi)[0]!;
          info.policies.push(oidArcs(o.body));
          info.policyTexts.push(oidText(o.body));
        }
        break;
      case '2.5.29.54':
        info.inhibitAny = Number(derInt(inner().body));
        info.inhibitAnyZero = info.inhibitAny === 0;
        break;
      case '2.5.29.36':
        for (const c of children(inner())) {
          const n = Number(derInt(c.body));
          if (c.tag === 0x80) [info.requireExplicit, info.requireExplicitZero] = [n, n === 0];
          if (c.tag === 0x81) [info.inhibitMapping, info.inhibitMappingZero] = [n, n === 0];
        }
        break;
      case '2.5.29.33':
        for (const m of children(inner())) {
          const [a, b] = children(m);
          info.policyMappings.push({ IssuerDomainPolicy: oidText(a!.body), SubjectDomainPolicy: oidText(b!.body) });
        }
        break;
      case '1.3.6.1.5.5.7.1.1':
        for (const ad of children(inner())) {
          const [method, loc] = children(ad);
          if (loc?.tag !== 0x86) continue;
          const m = oidText(method!.body);
          if (m === '1.3.6.1.5.5.7.48.1') info.ocsp.push(loc.body.toString('latin1'));
          if (m === '1.3.6.1.5.5.7.48.2') info.issuing.push(loc.body.toString('latin1'));
        }
        break;
      default:
        handled = false;
    }
    if (critical && !handled) info.unhandled.push(arcs);
  }
  return info;
}

// ---------------------------------------------------------------------------
// Certificates

function parseCertificate(der: Buffer): ParsedCert {
  let node: X509Certificate;
  try {
    node = new X509Certificate(der);
  } catch (e) {
    throw builtinError(`x509: malformed certificate: ${(e as Error).message}`);
  }
  try {
    const [cert] = readDer(der);
    const [tbs, sigAlg, sig] = children(cert);
    const fields = children(tbs!);
    let i = 0;
    let version = 1;
    if (fields[0]!.tag === 0xa0) {
      version = Number(derInt(children(fields[0]!)[0]!.body)) + 1;
      i = 1;
    }
    const serial = fields[i]!;
    const issuer = fields[i + 2]!;
    const [notBefore, notAfter] = children(fields[i + 3]!).map(derTime) as [Date, Date];
    const subject = fields[i + 4]!;
    const spki = fields[i + 5]!;
    const extsField = fields.slice(i + 6).find((f) => f.tag === 0xa3);
    const exts = processExtensions(extsField ? children(children(extsField)[0]!) : []);
    const [pkAlg, pk] = publicKeyOf(spki);
    const signatureAlgorithmId = signatureAlgorithm(sigAlg!);
    const json: Record<string, Json> = {
      Raw: der.toString('base64'),
      RawTBSCertificate: tbs!.raw.toString('base64'),
      RawSubjectPublicKeyInfo: spki.raw.toString('base64'),
      RawSubject: subject.raw.toString('base64'),
      RawIssuer: issuer.raw.toString('base64'),
      Signature: sig!.body.subarray(1).toString('base64'),
      SignatureAlgorithm: signatureAlgorithmId,
      PublicKeyAlgorithm: pkAlg,
      PublicKey: pk,
      Version: version,
      SerialNumber: derInt(serial.body),
      Issuer: parseName(issuer),
      Subject: parseName(subject),
      NotBefore: goTime(notBefore),
      NotAfter: goTime(notAfter),
      KeyUsage: exts.keyUsage,
      Extensions: orNull(exts.extensions),
      ExtraExtensions: null,
      UnhandledCriticalExtensions: orNull(exts.unhandled),
      ExtKeyUsage: orNull(exts.eku),
      UnknownExtKeyUsage: orNull(exts.unknownEku),
      BasicConstraintsValid: exts.bcValid,
      IsCA: exts.isCA,
      MaxPathLen: exts.maxPathLen,
      MaxPathLenZero: exts.bcValid && exts.maxPathLen === 0,
      SubjectKeyId: b64(exts.ski),
      AuthorityKeyId: b64(exts.aki),
      OCSPServer: orNull(exts.ocsp),
      IssuingCertificateURL: orNull(exts.issuing),
      DNSNames: orNull(exts.san.dns),
      EmailAddresses: orNull(exts.san.email),
      IPAddresses: orNull(exts.san.ip),
      URIs: orNull(exts.san.uri.map(urlJson)),
      PermittedDNSDomainsCritical: exts.ncCritical,
      PermittedDNSDomains: orNull(exts.nc.permittedDNS),
      ExcludedDNSDomains: orNull(exts.nc.excludedDNS),
      PermittedIPRanges: orNull(exts.nc.permittedIP),
      ExcludedIPRanges: orNull(exts.nc.excludedIP),
      PermittedEmailAddresses: orNull(exts.nc.permittedEmail),
      ExcludedEmailAddresses: orNull(exts.nc.excludedEmail),
      PermittedURIDomains: orNull(exts.nc.permittedURI),
      ExcludedURIDomains: orNull(exts.nc.excludedURI),
      CRLDistributionPoints: orNull(exts.crl),
      PolicyIdentifiers: orNull(exts.policies),
      Policies: orNull(exts.policyTexts),
      InhibitAnyPolicy: exts.inhibitAny,
      InhibitAnyPolicyZero: exts.inhibitAnyZero,
      InhibitPolicyMapping: exts.inhibitMapping,
      InhibitPolicyMappingZero: exts.inhibitMappingZero,
      RequireExplicitPolicy: exts.requireExplicit,
      RequireExplicitPolicyZero: exts.requireExplicitZero,
      PolicyMappings: orNull(exts.policyMappings),
    };
    return {
      json,
      node,
      rawSubject: subject.raw,
      rawIssuer: issuer.raw,
      signatureAlgorithm: signatureAlgorithmId,
      version,
      basicConstraintsValid: exts.bcValid,
      isCA: exts.isCA,
      maxPathLen: exts.maxPathLen,
      keyUsage: exts.keyUsage,
      extKeyUsage: exts.eku,
      unknownExtKeyUsage: exts.unknownEku.length,
      dnsNames: exts.san.dns,
      ipAddresses: exts.san.ip,
      subjectKeyId: exts.ski,
      authorityKeyId: exts.aki,
      notBefore,
      notAfter,
      unhandledCritical: exts.unhandled.length,
    };
  } catch (e) {
    if (e instanceof DerError || e instanceof TypeError) throw builtinError(`x509: malformed certificate: ${(e as Error).message}`);
    throw e;
  }
}

/** Go's x509.ParseCertificates: DER certificates back to back. */
function parseCertificates(der: Buffer): ParsedCert[] {
  const out: ParsedCert[] = [];
  for (let at = 0; at < der.length; ) {
    let next: number;
    try {
      next = readDer(der, at)[1];
    } catch (e) {
      throw builtinError(`x509: malformed certificate: ${(e as Error).message}`);
    }
    out.push(parseCertificate(der.subarray(at, next)));
    at = next;
  }
  return out;
}

/** OPA's getX509CertsFromString: PEM, base64 of PEM, or base64 of DER. */
function certsFromString(s: string): ParsedCert[] {
  const fromPem = (text: string): ParsedCert[] => {
    const ders: Buffer[] = [];
    for (const block of decodeAllPem(text)) {
      if (block.type !== 'CERTIFICATE') throw builtinError(`PEM block type is '${block.type}', expected CERTIFICATE`);
      ders.push(block.bytes);
    }
    return parseCertificates(Buffer.concat(ders));
  };
  if (s.startsWith('-----BEGIN')) return fromPem(s);
  const bytes = stdBase64(s);
  if (bytes.subarray(0, 10).toString('latin1') === '-----BEGIN') return fromPem(bytes.toString('latin1'));
  return parseCertificates(bytes);
}

/** OPA's parse_certificates adds URIStrings (the URIs as text) to Go's fields. */
function extended(c: ParsedCert): Json {
  const uris = c.json.URIs;
  return { ...c.json, URIStrings: Array.isArray(uris) ? uriStrings(c) : null };
}

function uriStrings(c: ParsedCert): Json[] {
  return (c.json.URIs as Record<string, Json>[]).map((u) => {
    const scheme = u.Scheme ? `${u.Scheme as string}:` : '';
    if (u.Opaque) return `${scheme}${u.Opaque as string}${u.RawQuery ? `?${u.RawQuery as string}` : ''}${u.Fragment ? `#${u.Fragment as string}` : ''}`;
    const host = u.Scheme || u.Host || u.User !== null ? `//${u.Host as string}` : '';
    return `${scheme}${host}${encodeURI(u.Path as string)}${u.RawQuery ? `?${u.RawQuery as string}` : ''}${u.Fragment ? `#${encodeURI(u.Fragment as string)}` : ''}`;
  });
}

// ---------------------------------------------------------------------------
// Chain verification (Go's Certificate.Verify with one root, intermediates, a leaf)

interface VerifyOptions {
  dnsName: string;
  /** ms since epoch */
  now: number;
  keyUsages: number[];
}

const KEY_USAGE_CERT_SIGN = 1 << 5;

function checkSignatureFrom(child: ParsedCert, parent: ParsedCert): boolean {
  if ((parent.version === 3 && !parent.basicConstraintsValid) || (parent.basicConstraintsValid && !parent.isCA)) return false;
  if (parent.keyUsage !== 0 && (parent.keyUsage & KEY_USAGE_CERT_SIGN) === 0) return false;
  if (INSECURE_SIG.has(child.signatureAlgorithm)) return false;
  try {
    return child.node.verify(parent.node.publicKey);
  } catch {
    return false;
  }
}

function timeValid(c: ParsedCert, now: number): boolean {
  return now >= c.notBefore.getTime() && now <= c.notAfter.getTime();
}

function potentialParents(c: ParsedCert, pool: ParsedCert[]): ParsedCert[] {
  const named = pool.filter((p) => p.rawSubject.equals(c.rawIssuer));
  const keyMatch = (p: ParsedCert): number =>
    c.authorityKeyId && p.subjectKeyId ? (c.authorityKeyId.equals(p.subjectKeyId) ? 0 : 2) : 1;
  return named.sort((a, b) => keyMatch(a) - keyMatch(b));
}

function buildChains(chain: ParsedCert[], roots: ParsedCert[], intermediates: ParsedCert[], o: VerifyOptions, out: ParsedCert[][]): void {
  const current = chain[chain.length - 1]!;
  const consider = (candidate: ParsedCert, isRoot: boolean): void => {
    if (chain.some((c) => c.node.raw.equals(candidate.node.raw))) return;
    if (!timeValid(candidate, o.now)) return;
    if (candidate.basicConstraintsValid && candidate.maxPathLen >= 0 && chain.length - 1 > candidate.maxPathLen) return;
    if (!checkSignatureFrom(current, candidate)) return;
    if (isRoot) out.push([...chain, candidate]);
    else if (chain.length < 16) buildChains([...chain, candidate], roots, intermediates, o, out);
  };
  for (const r of potentialParents(current, roots)) consider(r, true);
  for (const i of potentialParents(current, intermediates)) consider(i, false);
}

/** Go's checkChainForKeyUsage: every certificate restricting EKUs must allow one requested usage. */
function chainAllowsUsage(chain: ParsedCert[], requested: number[]): boolean {
  if (requested.includes(0)) return true;
  let usages = [...requested];
  for (let i = chain.length - 1; i >= 0; i--) {
    const c = chain[i]!;
    if (c.extKeyUsage.length === 0 && c.unknownExtKeyUsage === 0) continue;
    if (c.extKeyUsage.includes(0)) continue;
    usages = usages.filter((u) => c.extKeyUsage.includes(u) || (u === 1 && (c.extKeyUsage.includes(10) || c.extKeyUsage.includes(11))));
    if (usages.length === 0) return false;
  }
  return true;
}

/** Go's VerifyHostname: IP SANs for an IP, otherwise DNS SANs with a leftmost `*` label. */
function hostnameMatches(c: ParsedCert, host: string): boolean {
  const candidate = host.replace(/^\[|\]$/g, '');
  if (/^[\d.]+$/.test(candidate) || candidate.includes(':')) return c.ipAddresses.includes(candidate);
  const want = candidate.toLowerCase().replace(/\.$/, '');
  return c.dnsNames.some((pattern) => {
    const p = pattern.toLowerCase().replace(/\.$/, '');
    const pl = p.split('.');
    const hl = want.split('.');
    if (pl.length !== hl.length || p === '' || want === '') return false;
    return pl.every((label, i) => (i === 0 && label === '*' ? hl[i] !== '' : label === hl[i]));
  });
}

function verifyChain(certs: ParsedCert[], o: VerifyOptions): ParsedCert[] | undefined {
  if (certs.length < 2) return undefined;
  const root = certs[0]!;
  const leaf = certs[certs.length - 1]!;
  const intermediates = certs.slice(1, -1);
  if (leaf.unhandledCritical > 0) return undefined;
  if (!timeValid(leaf, o.now)) return undefined;
  if (o.dnsName !== '' && !hostnameMatches(leaf, o.dnsName)) return undefined;
  if (leaf.node.raw.equals(root.node.raw)) return [leaf];
  const chains: ParsedCert[][] = [];
  buildChains([leaf], [root], intermediates, o, chains);
  const usages = o.keyUsages.length ? o.keyUsages : [1];
  return chains.find((ch) => chainAllowsUsage(ch, usages));
}

const KEY_USAGE_NAMES: Record<string, number> = {
  KeyUsageAny: 0,
  KeyUsageServerAuth: 1,
  KeyUsageClientAuth: 2,
  KeyUsageCodeSigning: 3,
  KeyUsageEmailProtection: 4,
  KeyUsageIPSECEndSystem: 5,
  KeyUsageIPSECTunnel: 6,
  KeyUsageIPSECUser: 7,
  KeyUsageTimeStamping: 8,
  KeyUsageOCSPSigning: 9,
  KeyUsageMicrosoftServerGatedCrypto: 10,
  KeyUsageNetscapeServerGatedCrypto: 11,
  KeyUsageMicrosoftCommercialCodeSigning: 12,
  KeyUsageMicrosoftKernelCodeSigning: 13,
};

/** OPA's extractVerifyOpts, error texts included. */
function verifyOptions(args: Value[], ctx: BuiltinContext): VerifyOptions {
  const o: VerifyOptions = { dnsName: '', now: Number(ctx.nowNs / 1_000_000n), keyUsages: [] };
  for (const [k, v] of obj(args, 1).sortedEntries()) {
    if (typeof k !== 'string') continue;
    switch (k) {
      case 'DNSName':
        if (typeof v !== 'string') throw builtinError("'DNSName' should be a string");
        o.dnsName = v.replace(/^"+|"+$/g, '');
        break;
      case 'CurrentTime':
        if (typeof v !== 'number' && typeof v !== 'bigint') throw builtinError("'CurrentTime' should be a number");
        if (typeof v === 'number' && !Number.isInteger(v)) throw builtinError("'CurrentTime' should be a valid int64 number");
        o.now = Number(BigInt(v) / 1_000_000n);
        break;
      case 'MaxConstraintComparisons':
        if (typeof v !== 'number' && typeof v !== 'bigint') throw builtinError("'MaxConstraintComparisons' should be a number");
        if (typeof v === 'number' && !Number.isInteger(v)) throw builtinError("'MaxConstraintComparisons' should be a valid number");
        break;
      case 'KeyUsages': {
        let items: readonly Value[];
        if (Array.isArray(v)) items = v;
        else if (v !== null && typeof v === 'object' && 'sorted' in v) items = v.sorted();
        else throw builtinError("'KeyUsages' should be an Array or Set");
        const invalid: string[] = [];
        for (const u of items) {
          if (typeof u !== 'string') continue;
          const name = u.replace(/^"+|"+$/g, '');
          const usage = KEY_USAGE_NAMES[name];
          if (usage === undefined) invalid.push(name);
          else o.keyUsages.push(usage);
        }
        if (invalid.length) throw builtinError(`invalid entries for 'KeyUsages' found: [${invalid.join(' ')}]`);
        break;
      }
      default:
        throw builtinError('invalid key option');
    }
  }
  return o;
}

const UNVERIFIED: Value = [false, []];

function parseAndVerify(args: Value[], ctx: BuiltinContext, withOptions: boolean): Value {
  const input = str(args, 0);
  if (withOptions) obj(args, 1);
  let certs: ParsedCert[];
  try {
    certs = certsFromString(input);
  } catch {
    return UNVERIFIED;
  }
  const o = withOptions ? verifyOptions(args, ctx) : { dnsName: '', now: Number(ctx.nowNs / 1_000_000n), keyUsages: [] };
  const chain = verifyChain(certs, o);
  if (!chain) return UNVERIFIED;
  // Only the option-less variant adds URIStrings, as in OPA.
  return [true, fromJS(chain.map((c) => (withOptions ? c.json : extended(c))))];
}

// ---------------------------------------------------------------------------
// Certificate requests

function parseCertificateRequest(input: string): Json {
  let bytes = input.startsWith('-----BEGIN CERTIFICATE REQUEST-----') ? Buffer.from(input, 'utf8') : stdBase64(input);
  const block = decodePem(bytes.toString('latin1'));
  if (block && block.type !== 'CERTIFICATE REQUEST') throw builtinError('invalid PEM-encoded certificate signing request');
  if (block) bytes = block.bytes;
  try {
    const [csr] = readDer(bytes);
    const [info, sigAlg, sig] = children(csr);
    const [version, subject, spki, attrs] = children(info!);
    const [pkAlg, pk] = publicKeyOf(spki!);
    const extensionDers: Der[] = [];
    const attributes: Json[] = [];
    for (const attr of attrs && attrs.tag === 0xa0 ? children(attrs) : []) {
      const [type, values] = children(attr);
      if (oidText(type!.body) !== '1.2.840.113549.1.9.14') continue;
      const exts = children(children(values!)[0]!);
      extensionDers.push(...exts);
      // Go's deprecated Attributes field: each extension as {Type, Value} (critical flags are not representable there).
      attributes.push({ Type: oidArcs(type!.body), Value: [exts.map((e) => ({ Type: oidArcs(children(e)[0]!.body), Value: children(e).at(-1)!.body.toString('base64') }))] });
    }
    const exts = processExtensions(extensionDers);
    return {
      Raw: bytes.toString('base64'),
      RawTBSCertificateRequest: info!.raw.toString('base64'),
      RawSubjectPublicKeyInfo: spki!.raw.toString('base64'),
      RawSubject: subject!.raw.toString('base64'),
      Version: Number(derInt(version!.body)),
      Signature: sig!.body.subarray(1).toString('base64'),
      SignatureAlgorithm: signatureAlgorithm(sigAlg!),
      PublicKeyAlgorithm: pkAlg,
      PublicKey: pk,
      Subject: parseName(subject!),
      Attributes: orNull(attributes),
      Extensions: orNull(exts.extensions),
      ExtraExtensions: null,
      DNSNames: orNull(exts.san.dns),
      EmailAddresses: orNull(exts.san.email),
      IPAddresses: orNull(exts.san.ip),
      URIs: orNull(exts.san.uri.map(urlJson)),
    };
  } catch (e) {
    if (e instanceof DerError || e instanceof TypeError) throw builtinError(`x509: malformed certificate request: ${(e as Error).message}`);
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Private keys

/** Go's JSON for *rsa.PrivateKey, *ecdsa.PrivateKey and ed25519.PrivateKey. */
function privateKeyJson(k: KeyObject): Json {
  const jwk = k.export({ format: 'jwk' });
  switch (k.asymmetricKeyType) {
    case 'rsa':
      return {
        N: big(jwk.n),
        E: Number(big(jwk.e)),
        D: big(jwk.d),
        Primes: [big(jwk.p), big(jwk.q)],
        Precomputed: { Dp: big(jwk.dp), Dq: big(jwk.dq), Qinv: big(jwk.qi), CRTValues: [] },
      };
    case 'ec':
      return { Curve: {}, X: big(jwk.x), Y: big(jwk.y), D: big(jwk.d) };
    case 'ed25519':
      return Buffer.concat([Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(jwk.x ?? '', 'base64url')]).toString('base64');
    default:
      throw builtinError(`unsupported private key type ${k.asymmetricKeyType ?? 'unknown'}`);
  }
}

const PRIVATE_KEY_FORMATS: Record<string, 'pkcs1' | 'pkcs8' | 'sec1'> = { 'RSA PRIVATE KEY': 'pkcs1', 'PRIVATE KEY': 'pkcs8', 'EC PRIVATE KEY': 'sec1' };

function privateKeyFromBlock(type: string, bytes: Buffer): KeyObject {
  const format = PRIVATE_KEY_FORMATS[type]!;
  try {
    return createPrivateKey({ key: bytes, format: 'der', type: format });
  } catch (e) {
    const what = format === 'pkcs1' ? 'x509: failed to parse private key' : format === 'sec1' ? 'x509: failed to parse EC private key' : 'x509: failed to parse private key';
    throw builtinError(`${what}: ${(e as Error).message}`);
  }
}

/** OPA's getPrivateKeysFromPEMData: base64 of PEM is accepted; non-key blocks are skipped. */
function privateKeysFromPem(text: string): KeyObject[] {
  let pemText = text;
  const clean = text.replace(/[\r\n]/g, '');
  if (clean.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(clean)) pemText = Buffer.from(clean, 'base64').toString('latin1');
  return decodeAllPem(pemText)
    .filter((b) => b.type in PRIVATE_KEY_FORMATS)
    .map((b) => privateKeyFromBlock(b.type, b.bytes));
}

function parseKeyPair(certText: string, keyText: string): Json {
  const pemOr = (s: string, type: string): string => {
    const text = s.startsWith('-----BEGIN ') ? s : stdBase64(s).toString('latin1');
    if (text.startsWith('-----BEGIN ')) return text;
    // DER input: wrap it as PEM, as OPA does before tls.X509KeyPair.
    const b = Buffer.from(text, 'latin1').toString('base64');
    return `-----BEGIN ${type}-----\n${b.replace(/(.{64})/g, '$1\n')}\n-----END ${type}-----\n`;
  };
  const certPem = pemOr(certText, 'CERTIFICATE');
  const keyPem = pemOr(keyText, 'PRIVATE KEY');
  const certBlocks = decodeAllPem(certPem).filter((b) => b.type === 'CERTIFICATE');
  if (certBlocks.length === 0) throw builtinError('tls: failed to find any PEM data in certificate input');
  const keyBlocks = decodeAllPem(keyPem);
  const keyBlock = keyBlocks.find((b) => b.type === 'PRIVATE KEY' || b.type.endsWith(' PRIVATE KEY'));
  if (!keyBlock) {
    if (keyBlocks.some((b) => b.type === 'CERTIFICATE')) throw builtinError('tls: found a certificate rather than a key in the PEM for the private key');
    throw builtinError('tls: failed to find any PEM data in key input');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyBlock.bytes, format: 'der', type: keyBlock.type === 'RSA PRIVATE KEY' ? 'pkcs1' : keyBlock.type === 'EC PRIVATE KEY' ? 'sec1' : 'pkcs8' });
  } catch {
    throw builtinError('tls: failed to parse private key');
  }
  const leaf = parseCertificate(certBlocks[0]!.bytes);
  const pub = createPublicKey(key).export({ format: 'der', type: 'spki' });
  if (!pub.equals(leaf.node.publicKey.export({ format: 'der', type: 'spki' }))) throw builtinError('tls: private key does not match public key');
  return {
    Certificate: certBlocks.map((b) => b.bytes.toString('base64')),
    PrivateKey: privateKeyJson(key),
    SupportedSignatureAlgorithms: null,
    OCSPStaple: null,
    SignedCertificateTimestamps: null,
    Leaf: leaf.json,
  };
}

/** crypto.x509.parse_rsa_private_key: the first private key as a JWK (OPA's jwk.New). */
function parseRsaPrivateKey(input: string): Json {
  if (input === '') throw builtinError('input PEM data was empty');
  const text = input.startsWith('-----BEGIN') ? input : stdBase64(input).toString('latin1');
  const keys = privateKeysFromPem(text);
  if (keys.length === 0) return null;
  const k = keys[0]!;
  if (k.asymmetricKeyType !== 'rsa' && k.asymmetricKeyType !== 'ec') throw builtinError(`invalid key type ${k.asymmetricKeyType ?? ''}`);
  return k.export({ format: 'jwk' }) as unknown as Json;
}

// ---------------------------------------------------------------------------

const S: TypeSpec = 'string';
const OBJ: TypeSpec = { object: ['string', 'any'] };

export const X509: BuiltinDecl[] = [
  {
    name: 'crypto.x509.parse_certificates',
    args: [S],
    result: { array: OBJ },
    impl: (args) => fromJS(certsFromString(str(args, 0)).map(extended)),
  },
  {
    name: 'crypto.x509.parse_and_verify_certificates',
    args: [S],
    result: { array: 'any' },
    // Validity periods are checked against the query's time.
    impl: (args, ctx) => parseAndVerify(args, ctx, false),
  },
  {
    name: 'crypto.x509.parse_and_verify_certificates_with_options',
    args: [S, { object: ['string', 'any'] }],
    result: { array: 'any' },
    impl: (args, ctx) => parseAndVerify(args, ctx, true),
  },
  {
    name: 'crypto.x509.parse_certificate_request',
    args: [S],
    result: OBJ,
    impl: (args) => fromJS(parseCertificateRequest(str(args, 0))),
  },
  {
    name: 'crypto.x509.parse_keypair',
    args: [S, S],
    result: OBJ,
    impl: (args) => {
      const cert = str(args, 0);
      // OPA checks the key as "operand 1" too.
      const key = args[1]!;
      if (typeof key !== 'string') throw typeError(1, key, 'string');
      return fromJS(parseKeyPair(cert, key));
    },
  },
  {
    name: 'crypto.x509.parse_rsa_private_key',
    args: [S],
    result: OBJ,
    impl: (args) => fromJS(parseRsaPrivateKey(str(args, 0))),
  },
  {
    name: 'crypto.parse_private_keys',
    args: [S],
    result: { array: OBJ },
    impl: (args) => {
      const input = str(args, 0);
      if (input === '') return null;
      return fromJS(privateKeysFromPem(input).map(privateKeyJson));
    },
  },
];
