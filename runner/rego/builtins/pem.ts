/**
 * PEM blocks as Go's encoding/pem reads them (the crypto.x509.* and io.jwt.*
 * builtins accept what OPA accepts): a block starts at a line
 * `-----BEGIN TYPE-----`, its base64 body may carry `Key: value` headers and
 * whitespace, and it ends at the matching `-----END TYPE-----` line. Text
 * before the first block is skipped; `rest` is what follows the END line.
 */
export interface PemBlock {
  type: string;
  bytes: Buffer;
  /** Text after the block's END line (its line break consumed), as Go's pem.Decode returns it. */
  rest: string;
}

const BEGIN = /(^|\n)-----BEGIN ([^\n-]*)-----[ \t]*\r?\n/;

/** The first well-formed PEM block in `text`, or undefined (Go: pem.Decode returning nil). */
export function decodePem(text: string): PemBlock | undefined {
  let search = text;
  for (;;) {
    const m = BEGIN.exec(search);
    if (!m) return undefined;
    const type = m[2]!;
    const bodyStart = m.index + m[0].length;
    const endMarker = `-----END ${type}-----`;
    const endAt = search.indexOf(`\n${endMarker}`, bodyStart - 1);
    if (endAt < 0) {
      search = search.slice(bodyStart);
      continue;
    }
    let body = search.slice(bodyStart, endAt);
    // RFC 1421 headers (`Proc-Type: …`) precede a blank line; Go keeps them apart from the bytes.
    if (/^[^\n]*:/.test(body)) {
      const blank = body.search(/\r?\n\r?\n/);
      body = blank >= 0 ? body.slice(blank) : '';
    }
    const compact = body.replace(/[ \t\r\n]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
      search = search.slice(bodyStart);
      continue;
    }
    let after = search.slice(endAt + 1 + endMarker.length);
    const eol = /^[ \t]*(\r?\n|$)/.exec(after);
    if (!eol) {
      search = search.slice(bodyStart);
      continue;
    }
    after = after.slice(eol[0].length);
    return { type, bytes: Buffer.from(compact, 'base64'), rest: after };
  }
}

/** Every PEM block in `text`, in order (Go: pem.Decode in a loop until it returns nil). */
export function decodeAllPem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  let rest = text;
  for (;;) {
    const b = decodePem(rest);
    if (!b) return out;
    out.push(b);
    rest = b.rest;
  }
}
