/**
 * A minimal ASN.1 DER reader for the crypto.x509.* builtins: node:crypto
 * verifies signatures but does not expose a certificate's structure, and
 * OPA's output is Go's x509.Certificate field by field.
 */
export interface Der {
  /** Tag byte as read (class and constructed bit included). */
  tag: number;
  /** Content bytes. */
  body: Buffer;
  /** The whole element, header included. */
  raw: Buffer;
}

export class DerError extends Error {}

/** One element at `at`; returns it and the offset after it. */
export function readDer(buf: Buffer, at = 0): [Der, number] {
  if (at + 2 > buf.length) throw new DerError('asn1: syntax error: data truncated');
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('asn1: high-tag-number form is not supported');
  let len = buf[at + 1]!;
  let off = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || off + n > buf.length) throw new DerError('asn1: structure error: bad length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[off + i]!;
    off += n;
  }
  if (off + len > buf.length) throw new DerError('asn1: syntax error: data truncated');
  return [{ tag, body: buf.subarray(off, off + len), raw: buf.subarray(at, off + len) }, off + len];
}

/** The elements of a constructed element's body, in order. */
export function children(d: Der | Buffer): Der[] {
  const body = Buffer.isBuffer(d) ? d : d.body;
  const out: Der[] = [];
  for (let at = 0; at < body.length; ) {
    const [c, next] = readDer(body, at);
    out.push(c);
    at = next;
  }
  return out;
}

export function oidArcs(body: Buffer): number[] {
  const arcs: number[] = [];
  let v = 0;
  for (const b of body) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (arcs.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        arcs.push(first, v - first * 40);
      } else arcs.push(v);
      v = 0;
    }
  }
  return arcs;
}

export const oidText = (body: Buffer): string => oidArcs(body).join('.');

/** A two's-complement INTEGER body. */
export function derInt(body: Buffer): bigint {
  if (body.length === 0) return 0n;
  let v = BigInt('0x' + body.toString('hex'));
  if (body[0]! & 0x80) v -= 1n << BigInt(body.length * 8);
  return v;
}

/** An unsigned big-endian magnitude. */
export const unsigned = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt('0x' + b.toString('hex')));

/** The string value of a directory string (Printable, UTF8, IA5, T61, BMP, …). */
export function derString(d: Der): string | undefined {
  switch (d.tag) {
    case 0x0c: // UTF8String
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x12: // NumericString
    case 0x1a: // VisibleString
      return d.body.toString('utf8');
    case 0x14: // T61String: Go reads it as Latin-1
      return d.body.toString('latin1');
    case 0x1e: {
      // BMPString: UTF-16BE
      const b = Buffer.from(d.body);
      b.swap16();
      return b.toString('utf16le');
    }
    default:
      return undefined;
  }
}

/** UTCTime / GeneralizedTime as an ISO-8601 instant (UTC). */
export function derTime(d: Der): Date {
  const s = d.body.toString('latin1');
  const m = d.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new DerError('x509: malformed validity');
  let year = Number(m[1]);
  if (d.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
