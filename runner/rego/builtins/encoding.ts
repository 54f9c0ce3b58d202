/**
 * Encodings (OPA topdown/encoding.go): json.*, yaml.*, base64*, base64url.*,
 * urlquery.*, hex.*. Outputs match Go's encoders byte for byte where users
 * compare them (json.marshal escapes <, >, & like Go; urlquery follows
 * url.QueryEscape).
 */
import { parseAllDocuments, stringify as yamlStringify } from 'yaml';
import type { BuiltinDecl } from './types.ts';
import { RObject, RSet, fromJS, numKey, typeName, type Value } from '../value.ts';
import { builtinError, obj, operandError, str, typeError } from './operands.ts';
import { parseNumberText } from './numeric.ts';

// ---------------------------------------------------------------------------
// JSON

/** Go encoding/json string escaping (HTML-safe, as json.Marshal does). */
function goJSONString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029)
      out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdbff && !(s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff)) out += '\ufffd';
    else if (c >= 0xdc00 && c <= 0xdfff && !(s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff)) out += '\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** Object key text: strings as they are, other keys as their JSON (OPA's conversion). */
function keyText(k: Value): string {
  return typeof k === 'string' ? k : marshal(k, '', '', 0);
}

/** Go json.Marshal / MarshalIndent of a value: sorted keys, sets as sorted arrays. */
export function marshal(v: Value, prefix: string, indent: string, depth: number): string {
  const pretty = indent !== '' || prefix !== '';
  const nl = (d: number) => (pretty ? '\n' + prefix + indent.repeat(d) : '');
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return numKey(v);
    case 'string':
      return goJSONString(v);
  }
  let items: string[];
  let open: string;
  let close: string;
  if (Array.isArray(v) || v instanceof RSet) {
    const arr = Array.isArray(v) ? v : v.sorted();
    items = arr.map((x) => marshal(x, prefix, indent, depth + 1));
    [open, close] = ['[', ']'];
  } else {
    const entries = (v as RObject).entries();
    const pairs = [...entries].map(([k, x]) => [keyText(k), x] as [string, Value]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    items = pairs.map(([k, x]) => goJSONString(k) + (pretty ? ': ' : ':') + marshal(x, prefix, indent, depth + 1));
    [open, close] = ['{', '}'];
  }
  if (items.length === 0) return open + close;
  return open + nl(depth + 1) + items.join(',' + nl(depth + 1)) + nl(depth) + close;
}

/** JSON text → value, integers kept exact (Node's JSON.parse reviver exposes the source text). */
export function parseJSON(text: string): Value {
  const raw = JSON.parse(text, function (this: unknown, _k: string, v: unknown, ctx?: { source?: string }) {
    if (typeof v === 'number' && ctx?.source !== undefined) return parseNumberText(ctx.source);
    return v;
  } as (this: unknown, k: string, v: unknown) => unknown);
  return fromJS(raw);
}

function unmarshal(args: Value[]): Value {
  const text = str(args, 0);
  try {
    return parseJSON(text);
  } catch (e) {
    throw builtinError((e as Error).message);
  }
}

function isValidJSON(args: Value[]): Value {
  const t = args[0]!;
  if (typeof t !== 'string') return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

function marshalWithOptions(args: Value[]): Value {
  const v = args[0]!;
  const opts = obj(args, 1);
  let pretty = false;
  let indent: string | undefined;
  let prefix: string | undefined;
  for (const [k, x] of opts.entries()) {
    if (k === 'pretty') {
      if (typeof x !== 'boolean') throw operandError(2, `pretty is not a boolean: ${typeName(x)}`);
      pretty = x;
    } else if (k === 'indent') {
      if (typeof x !== 'string') throw operandError(2, `indent is not a string: ${typeName(x)}`);
      indent = x;
    } else if (k === 'prefix') {
      if (typeof x !== 'string') throw operandError(2, `prefix is not a string: ${typeName(x)}`);
      prefix = x;
    } else throw operandError(2, `object contained unknown key ${JSON.stringify(k)}`);
  }
  // Pretty output is implied by an indent or prefix, and defaults to a tab indent (OPA).
  const isPretty = pretty || indent !== undefined || prefix !== undefined;
  if (!isPretty || (opts.getStr('pretty') === false)) return marshal(v, '', '', 0);
  return marshal(v, prefix ?? '', indent ?? '\t', 0);
}

// ---------------------------------------------------------------------------
// YAML (OPA uses sigs.k8s.io/yaml: YAML 1.1 scalars, first document)

function parseYAMLDocs(text: string): Value {
  const docs = parseAllDocuments(text, { version: '1.1', intAsBigInt: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    if (d.errors.length) throw builtinError(d.errors[0]!.message.split('\n')[0]!);
  }
  if (list.length === 0) return null;
  return fromJS(list[0]!.toJS({ maxAliasCount: 100 }));
}

function yamlUnmarshal(args: Value[]): Value {
  const text = str(args, 0);
  try {
    return parseYAMLDocs(text);
  } catch (e) {
    if (e instanceof Error && !(e instanceof TypeError)) throw builtinError(e.message.split('\n')[0]!);
    throw e;
  }
}

function toPlain(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof RSet) return v.sorted().map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, x] of v.sortedEntries()) out[keyText(k)] = toPlain(x);
  return out;
}

function yamlMarshal(args: Value[]): Value {
  return yamlStringify(toPlain(args[0]!), { indentSeq: false, version: '1.1', sortMapEntries: true });
}

// ---------------------------------------------------------------------------
// base64, hex, urlquery

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const B64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;

function firstBad(s: string, alphabet: RegExp): number {
  for (let i = 0; i < s.length; i++) if (!alphabet.test(s[i]!)) return i;
  return s.length;
}

function b64decode(s: string): string {
  const clean = s.replace(/[\r\n]/g, '');
  if (!B64.test(clean)) throw builtinError(`illegal base64 data at input byte ${firstBad(clean, /[A-Za-z0-9+/]/)}`);
  return Buffer.from(clean, 'base64').toString('utf8');
}

/**
 * OPA's base64url decoding, as bytes (io.jwt.* needs the raw signature bytes):
 * unpadded input is padded first (RFC 7515 appendix C); a length of 1 mod 4
 * cannot be padded (`illegal base64url string: …`).
 */
export function base64UrlBytes(s: string): Buffer {
  let padded = s;
  if (!s.endsWith('=')) {
    const rem = s.length % 4;
    if (rem === 1) throw builtinError(`illegal base64url string: ${s}`);
    if (rem === 2) padded += '==';
    if (rem === 3) padded += '=';
  }
  const clean = padded.replace(/[\r\n]/g, '');
  if (!B64URL.test(clean)) throw builtinError(`illegal base64 data at input byte ${firstBad(clean, /[A-Za-z0-9_-]/)}`);
  return Buffer.from(clean, 'base64url');
}

function b64urlDecode(s: string): string {
  return base64UrlBytes(s).toString('utf8');
}

function hexDecode(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (!/[0-9a-fA-F]/.test(s[i]!)) {
      const cp = s.codePointAt(i)!;
      throw builtinError(`encoding/hex: invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, '0')} ${goRuneQuote(String.fromCodePoint(cp))}`);
    }
  }
  if (s.length % 2 === 1) throw builtinError('encoding/hex: odd length hex string');
  return Buffer.from(s, 'hex').toString('utf8');
}

function goRuneQuote(ch: string): string {
  return ch === "'" ? "'\\''" : `'${ch}'`;
}

/** Go url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Go url.QueryUnescape. */
export function queryUnescape(s: string): string {
  const bytes: number[] = [];
  const src = Buffer.from(s, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25) {
      const hex = src.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        const shown = src.subarray(i, Math.min(i + 3, src.length)).toString('utf8');
        throw builtinError(`invalid URL escape ${JSON.stringify(shown)}`);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (b === 0x2b) bytes.push(0x20);
    else bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

function encodeObject(args: Value[]): Value {
  const o = obj(args, 0);
  const parts: [string, string][] = [];
  for (const [k, v] of o.entries()) {
    if (typeof k !== 'string') throw typeError(1, k, 'string');
    if (typeof v === 'string') parts.push([k, v]);
    else if (Array.isArray(v) || v instanceof RSet) {
      const items = Array.isArray(v) ? v : v.sorted();
      for (const x of items) {
        if (typeof x !== 'string') throw operandError(1, `must be array of strings but got array containing ${typeName(x)}`);
        parts.push([k, x]);
      }
    } else throw operandError(1, `values must be string, array[string], or set[string]`);
  }
  // url.Values.Encode: keys sorted, values in given order.
  const keys = [...new Set(parts.map((p) => p[0]))].sort();
  const out: string[] = [];
  for (const k of keys) for (const [pk, pv] of parts) if (pk === k) out.push(`${queryEscape(k)}=${queryEscape(pv)}`);
  return out.join('&');
}

function decodeObject(args: Value[]): Value {
  const s = str(args, 0);
  const out = new RObject();
  for (const part of s.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) throw builtinError('invalid semicolon separator in query');
    const eq = part.indexOf('=');
    const k = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : queryUnescape(part.slice(eq + 1));
    const prev = out.getStr(k) as Value[] | undefined;
    out.set(k, prev ? [...prev, v] : [v]);
  }
  return out;
}

function tryValid(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch {
    return false;
  }
}

const S = 'string' as const;
const s1 = (name: string, f: (s: string) => Value): BuiltinDecl => ({ name, args: [S], result: 'any', impl: (a) => f(str(a, 0)) });

export const ENCODING: BuiltinDecl[] = [
  { name: 'json.marshal', args: ['any'], result: S, impl: ([v]) => marshal(v!, '', '', 0) },
  { name: 'json.marshal_with_options', args: ['any', { object: [S, 'any'] }], result: S, impl: marshalWithOptions },
  { name: 'json.unmarshal', args: [S], result: 'any', impl: unmarshal },
  { name: 'json.is_valid', args: ['any'], result: 'boolean', impl: isValidJSON },
  { name: 'yaml.marshal', args: ['any'], result: S, impl: yamlMarshal },
  { name: 'yaml.unmarshal', args: [S], result: 'any', impl: yamlUnmarshal },
  {
    name: 'yaml.is_valid',
    args: ['any'],
    result: 'boolean',
    impl: ([t]) => typeof t === 'string' && tryValid(() => parseYAMLDocs(t)),
  },
  s1('base64.encode', (s) => Buffer.from(s, 'utf8').toString('base64')),
  s1('base64.decode', b64decode),
  { name: 'base64.is_valid', args: ['any'], result: 'boolean', impl: ([t]) => typeof t === 'string' && B64.test(t.replace(/[\r\n]/g, '')) },
  s1('base64url.encode', (s) => Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_')),
  s1('base64url.encode_no_pad', (s) => Buffer.from(s, 'utf8').toString('base64url')),
  s1('base64url.decode', b64urlDecode),
  s1('urlquery.encode', queryEscape),
  s1('urlquery.decode', queryUnescape),
  { name: 'urlquery.encode_object', args: [{ object: [S, 'any'] }], result: S, impl: encodeObject },
  { name: 'urlquery.decode_object', args: [S], result: { object: [S, { array: S }] }, impl: decodeObject },
  s1('hex.encode', (s) => Buffer.from(s, 'utf8').toString('hex')),
  s1('hex.decode', hexDecode),
];
