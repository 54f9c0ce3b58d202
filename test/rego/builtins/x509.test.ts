import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { call, ctx, expectErrors, show, v } from './helpers.ts';
import { RObject, type Value } from '../../../runner/rego/value.ts';

// Fixtures made with openssl for these tests (see fixtures/x509/ca.cnf): an EC P-256 root,
// an RSA intermediate (pathlen 0), an EC leaf for example.com with every common extension,
// and an Ed25519 code-signing leaf. Validity: 2026-12-06 + 10 years (leaves).
const f = (name: string): string => readFileSync(new URL(`./fixtures/x509/${name}`, import.meta.url), 'utf8');
const ca = f('ca.pem');
const int = f('int.pem');
const leaf = f('leaf.pem');
const code = f('code.pem');
const chain = ca + int + leaf;
const at = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;
const inValidity = ctx({ nowNs: at('2030-01-01T00:00:00Z') });

// OPA test vectors (v1/test/cases/testdata/v1/cryptox509parsecertificates/…raw-uris.yaml): base64 of PEM.
const OPA_SPIFFE_CERT =
  'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIxekNDQVh5Z0F3SUJBZ0lJZGxpT1dVY1NXM3N3Q2dZSUtvWkl6ajBFQXdJd1BURUxNQWtHQTFVRUJoTUMKUjBJeEVEQU9CZ05WQkFvVEIwVjRZVzF3YkdVeEhEQWFCZ05WQkFVVEV6RTFPREV4TnpnNU56UTJPRFkxTmpneQpOalF3SUJjTk1qTXhNVEl3TVRZMU5USTRXaGdQTWpFeU1qRXdNamN4TmpVMU1qaGFNRDB4Q3pBSkJnTlZCQVlUCkFrZENNUkF3RGdZRFZRUUtFd2RGZUdGdGNHeGxNUnd3R2dZRFZRUUZFeE00TlRJM056SXlOREE0TlRJeE5qVXoKTVRFMU1Ga3dFd1lIS29aSXpqMENBUVlJS29aSXpqMERBUWNEUWdBRXp0UDNrQnNpQXY4UUF5eWxUalJZSFlWegpjWTB5YmpBdC9VbWpZb3Fxb0o4SEtIdXF1ckRaUmVwa05qUXdwV3pmZndZZ0xaNk42SisyVUlPdlZ0TDZEcU5rCk1HSXdEZ1lEVlIwUEFRSC9CQVFEQWdlQU1CMEdBMVVkSlFRV01CUUdDQ3NHQVFVRkJ3TUNCZ2dyQmdFRkJRY0QKQVRBTUJnTlZIUk1CQWY4RUFqQUFNQ01HQTFVZEVRUWNNQnFHR0hOd2FXWm1aVG92TDJWNFlXMXdiR1V1WTI5dApMMjl3WVRBS0JnZ3Foa2pPUFFRREFnTkpBREJHQWlFQXlRNDhPd25lTHkzMjZqYitEUjd5RjJhcS94Wnl1cW9qCitUU3ZLVVB5NEU0Q0lRQ0VMUlp3K0dWTjhJR0drVGV4MGxxTDNxY21mWldJbm15VitrbnQ0d3p3L3c9PQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==';

const first = (x: Value | undefined): RObject => (x as Value[])[0] as RObject;
const field = (o: Value, ...path: string[]): string => show(path.reduce((acc: Value, k) => (acc as RObject).getStr(k)!, o));

describe('crypto.x509.parse_certificates', () => {
  it("gives Go's x509.Certificate fields", () => {
    const c = first(call('crypto.x509.parse_certificates', [leaf]));
    const want: [string[], unknown][] = [
      [['Version'], 3],
      [['SerialNumber'], 123456789012345678901234567890n],
      [['Subject', 'CommonName'], 'example.com'],
      [['Subject', 'Organization'], ['Example Org']],
      [['Subject', 'Province'], ['California']],
      [['Subject', 'OrganizationalUnit'], null],
      [['Subject', 'Names'], [{ Type: [2, 5, 4, 6], Value: 'US' }, { Type: [2, 5, 4, 8], Value: 'California' }, { Type: [2, 5, 4, 7], Value: 'San Francisco' }, { Type: [2, 5, 4, 10], Value: 'Example Org' }, { Type: [2, 5, 4, 3], Value: 'example.com' }]],
      [['Issuer', 'CommonName'], 'Example Intermediate CA'],
      [['Issuer', 'OrganizationalUnit'], ['Infra']],
      [['NotBefore'], '2026-12-06T04:09:27Z'],
      [['NotAfter'], '2036-12-03T04:09:27Z'],
      [['SignatureAlgorithm'], 4], // SHA256WithRSA
      [['PublicKeyAlgorithm'], 3], // ECDSA
      [['KeyUsage'], 5], // DigitalSignature | KeyEncipherment
      [['ExtKeyUsage'], [1, 2]], // ServerAuth, ClientAuth
      [['BasicConstraintsValid'], true],
      [['IsCA'], false],
      [['MaxPathLen'], -1],
      [['DNSNames'], ['example.com', '*.example.com']],
      [['IPAddresses'], ['10.0.0.1', '2001:db8::1']],
      [['EmailAddresses'], ['ops@example.com']],
      [['URIStrings'], ['spiffe://example.com/ns/default/sa/web']],
      [['CRLDistributionPoints'], ['http://crl.example.com/int.crl']],
      [['OCSPServer'], ['http://ocsp.example.com']],
      [['IssuingCertificateURL'], ['http://ca.example.com/int.crt']],
      [['PolicyIdentifiers'], [[2, 23, 140, 1, 2, 1]]],
      [['Policies'], ['2.23.140.1.2.1']],
      [['SubjectKeyId'], 'nAxkSPqO6HyKYb3iAg5oJK6azMk='],
      [['AuthorityKeyId'], '2r3jdsUMP/8OwBk+V6geQPJsH6Q='],
      [['UnhandledCriticalExtensions'], null],
      [['PermittedDNSDomains'], null],
    ];
    for (const [path, value] of want) expect(field(c, ...path), path.join('.')).toBe(show(v(value)));
    const uri = (c.getStr('URIs') as Value[])[0] as RObject;
    expect(show(uri.getStr('Scheme')!)).toBe('"spiffe"');
    expect(show(uri.getStr('Host')!)).toBe('"example.com"');
    expect(show(uri.getStr('Path')!)).toBe('"/ns/default/sa/web"');
    const ext = (c.getStr('Extensions') as Value[]).map((e) => show((e as RObject).getStr('Id')!));
    expect(ext).toContain('[2, 5, 29, 17]');
    // Raw is the DER of the certificate, base64
    expect((c.getStr('Raw') as string).length).toBeGreaterThan(1000);
    expect(Buffer.from(c.getStr('Raw') as string, 'base64').toString('base64')).toBe(c.getStr('Raw'));
  });
  it('public keys by algorithm, CA constraints', () => {
    const [root, intermediate] = call('crypto.x509.parse_certificates', [ca + int]) as RObject[];
    expect(field(root!, 'IsCA')).toBe('true');
    expect(field(root!, 'KeyUsage')).toBe('96'); // CertSign | CRLSign
    expect(field(root!, 'SignatureAlgorithm')).toBe('10'); // ECDSAWithSHA256
    expect(field(intermediate!, 'MaxPathLen')).toBe('0');
    expect(field(intermediate!, 'MaxPathLenZero')).toBe('true');
    expect(field(intermediate!, 'PublicKey', 'E')).toBe('65537');
    const n = (intermediate!.getStr('PublicKey') as RObject).getStr('N');
    expect(typeof n).toBe('bigint');
    const ed = first(call('crypto.x509.parse_certificates', [code]));
    expect(field(ed, 'PublicKeyAlgorithm')).toBe('4');
    expect(Buffer.from(ed.getStr('PublicKey') as string, 'base64')).toHaveLength(32);
    expect(field(ed, 'ExtKeyUsage')).toBe('[3]');
    expect(field(ed, 'URIStrings')).toBe('null');
  });
  it('accepts base64 of PEM and of DER; OPA vectors', () => {
    expect(show(call('crypto.x509.parse_certificates', [OPA_SPIFFE_CERT]))).toContain('"URIStrings": ["spiffe://example.com/opa"]');
    const der = Buffer.from(leaf.split('\n').filter((l) => !l.startsWith('-----')).join(''), 'base64');
    expect(field(first(call('crypto.x509.parse_certificates', [der.toString('base64')])), 'Subject', 'CommonName')).toBe('"example.com"');
    expect(call('crypto.x509.parse_certificates', [Buffer.from(chain).toString('base64')]) as Value[]).toHaveLength(3);
  });
  it('errors as OPA', () => {
    expectErrors([
      ['crypto.x509.parse_certificates', [f('leaf.key')], 'eval_builtin_error', "crypto.x509.parse_certificates: PEM block type is 'PRIVATE KEY', expected CERTIFICATE"],
      ['crypto.x509.parse_certificates', ['not base64!'], 'eval_builtin_error', 'crypto.x509.parse_certificates: illegal base64 data at input byte 3'],
    ]);
  });
});

describe('crypto.x509.parse_and_verify_certificates', () => {
  it('verifies root, intermediates, leaf and returns the chain leaf first', () => {
    const [ok, certs] = call('crypto.x509.parse_and_verify_certificates', [chain], inValidity) as [boolean, RObject[]];
    expect(ok).toBe(true);
    expect(certs.map((c) => field(c, 'Subject', 'CommonName'))).toEqual(['"example.com"', '"Example Intermediate CA"', '"Example Root CA"']);
    expect(certs[0]!.getStr('URIStrings')).toBeDefined();
    // As in Go, the first certificate is the only root: an intermediate given first is trusted as the root.
    const [ok2, short] = call('crypto.x509.parse_and_verify_certificates', [int + ca + leaf], inValidity) as [boolean, RObject[]];
    expect([ok2, short.length]).toEqual([true, 2]);
  });
  it('[false, []] when the chain does not verify', () => {
    const unverified = show(v([false, []]));
    const rows: [string, bigint][] = [
      [ca + leaf, at('2030-01-01T00:00:00Z')], // missing intermediate
      [code + int + leaf, at('2030-01-01T00:00:00Z')], // the root did not issue the intermediate
      [chain, at('2040-01-01T00:00:00Z')], // expired
      [chain, at('2020-01-01T00:00:00Z')], // not yet valid
      [leaf, at('2030-01-01T00:00:00Z')], // fewer than two certificates
      [ca + int + code, at('2030-01-01T00:00:00Z')], // code signing only; the default usage is server auth
      ['garbage', at('2030-01-01T00:00:00Z')],
    ];
    for (const [input, now] of rows) expect(show(call('crypto.x509.parse_and_verify_certificates', [input], ctx({ nowNs: now })))).toBe(unverified);
  });
  it('with options: DNSName, CurrentTime, KeyUsages', () => {
    const verify = (opts: object): boolean => (call('crypto.x509.parse_and_verify_certificates_with_options', [chain, opts], inValidity) as Value[])[0] as boolean;
    expect(verify({ DNSName: 'example.com' })).toBe(true);
    expect(verify({ DNSName: 'www.example.com' })).toBe(true);
    expect(verify({ DNSName: 'a.b.example.com' })).toBe(false);
    expect(verify({ DNSName: '10.0.0.1' })).toBe(true);
    expect(verify({ DNSName: 'example.org' })).toBe(false);
    expect(verify({ CurrentTime: Number(at('2041-01-01T00:00:00Z')) })).toBe(false);
    expect(verify({ KeyUsages: ['KeyUsageClientAuth'] })).toBe(true);
    expect(verify({ KeyUsages: ['KeyUsageCodeSigning'] })).toBe(false);
    expect(verify({ KeyUsages: ['KeyUsageAny'] })).toBe(true);
    const codeChain = (call('crypto.x509.parse_and_verify_certificates_with_options', [ca + int + code, { KeyUsages: ['KeyUsageCodeSigning'] }], inValidity) as Value[]);
    expect(codeChain[0]).toBe(true);
    // The with_options variant returns Go's fields only (no URIStrings), as OPA does.
    expect(((codeChain[1] as Value[])[0] as RObject).getStr('URIStrings')).toBeUndefined();
    expectErrors([
      ['crypto.x509.parse_and_verify_certificates_with_options', [chain, { DNSName: 1 }], 'eval_builtin_error', "crypto.x509.parse_and_verify_certificates_with_options: 'DNSName' should be a string"],
      ['crypto.x509.parse_and_verify_certificates_with_options', [chain, { KeyUsages: ['Nope', 'KeyUsageAny'] }], 'eval_builtin_error', "crypto.x509.parse_and_verify_certificates_with_options: invalid entries for 'KeyUsages' found: [Nope]"],
      ['crypto.x509.parse_and_verify_certificates_with_options', [chain, { Other: 1 }], 'eval_builtin_error', 'crypto.x509.parse_and_verify_certificates_with_options: invalid key option'],
    ]);
  });
});

describe('certificate requests and keys', () => {
  it('parse_certificate_request', () => {
    const csr = call('crypto.x509.parse_certificate_request', [f('leaf.csr')]) as RObject;
    expect(field(csr, 'Subject', 'CommonName')).toBe('"example.com"');
    expect(field(csr, 'DNSNames')).toBe('["example.com"]');
    expect(field(csr, 'IPAddresses')).toBe('["10.0.0.1"]');
    expect(field(csr, 'Version')).toBe('0');
    expect(field(csr, 'SignatureAlgorithm')).toBe('10');
    expect(field(csr, 'PublicKeyAlgorithm')).toBe('3');
    // base64 of the PEM text is accepted too
    expect(show(call('crypto.x509.parse_certificate_request', [Buffer.from(f('leaf.csr')).toString('base64')]))).toBe(show(csr));
    expectErrors([['crypto.x509.parse_certificate_request', [Buffer.from(leaf).toString('base64')], 'eval_builtin_error', 'crypto.x509.parse_certificate_request: invalid PEM-encoded certificate signing request']]);
  });
  it('parse_private_keys: PKCS#1, SEC 1, PKCS#8 as Go key structs', () => {
    const keys = call('crypto.parse_private_keys', [f('int-pkcs1.key') + f('leaf-sec1.key') + f('code.key')]) as RObject[];
    expect(keys).toHaveLength(3);
    const rsaJwk = createPrivateKey(f('int.key')).export({ format: 'jwk' });
    expect(field(keys[0]!, 'E')).toBe('65537');
    expect(field(keys[0]!, 'N')).toBe(BigInt('0x' + Buffer.from(rsaJwk.n!, 'base64url').toString('hex')).toString());
    expect(show((keys[0]!.getStr('Primes') as Value[]).length)).toBe('2');
    expect(field(keys[0]!, 'Precomputed', 'CRTValues')).toBe('[]');
    expect(field(keys[1]!, 'Curve')).toBe('{}');
    expect(Buffer.from(keys[2] as unknown as string, 'base64')).toHaveLength(64); // ed25519.PrivateKey: seed ‖ public
    expect(call('crypto.parse_private_keys', [''])).toBe(null);
    expect(show(call('crypto.parse_private_keys', [leaf]))).toBe('[]');
  });
  it('parse_rsa_private_key: the first key as a JWK', () => {
    const jwk = call('crypto.x509.parse_rsa_private_key', [f('int-pkcs1.key')]) as RObject;
    expect(show(jwk.getStr('kty')!)).toBe('"RSA"');
    expect(jwk.getStr('n')).toBe(createPrivateKey(f('int.key')).export({ format: 'jwk' }).n);
    expect(show(call('crypto.x509.parse_rsa_private_key', [Buffer.from(f('int.key')).toString('base64')]))).toBe(show(jwk));
    expectErrors([['crypto.x509.parse_rsa_private_key', [''], 'eval_builtin_error', 'crypto.x509.parse_rsa_private_key: input PEM data was empty']]);
  });
  it('parse_keypair: tls.Certificate with the leaf parsed', () => {
    const pair = call('crypto.x509.parse_keypair', [leaf, f('leaf.key')]) as RObject;
    expect((pair.getStr('Certificate') as Value[]).length).toBe(1);
    expect(field(pair, 'Leaf', 'Subject', 'CommonName')).toBe('"example.com"');
    expect(field(pair, 'PrivateKey', 'Curve')).toBe('{}');
    expectErrors([
      ['crypto.x509.parse_keypair', [leaf, f('int.key')], 'eval_builtin_error', 'crypto.x509.parse_keypair: tls: private key does not match public key'],
      ['crypto.x509.parse_keypair', [leaf, leaf], 'eval_builtin_error', 'crypto.x509.parse_keypair: tls: found a certificate rather than a key in the PEM for the private key'],
      ['crypto.x509.parse_keypair', [leaf, 1], 'eval_type_error', 'crypto.x509.parse_keypair: operand 1 must be string but got number'],
    ]);
  });
});
