/**
 * sprintf: Go's fmt.Sprintf over OPA's argument conversion — integers become
 * int64 (or big.Int when larger), other numbers float64, strings stay strings,
 * and every other value is passed as its Rego text. Go's verb/argument
 * mismatch forms (`%!d(string=a)`, `%!v(MISSING)`, `%!(EXTRA …)`) are kept
 * because users see them in OPA.
 */
import type { Value } from '../value.ts';
import { goQuote, regoString } from './format.ts';

type Arg = { kind: 'int'; v: bigint; big: boolean } | { kind: 'float'; v: number } | { kind: 'string'; v: string };

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

export function toArg(v: Value): Arg {
  if (typeof v === 'bigint') return { kind: 'int', v, big: v > INT64_MAX || v < INT64_MIN };
  if (typeof v === 'number') {
    // Exact big integers are bigints; an integral double beyond 2^53 came from
    // float arithmetic or an exponent literal (1e21), which OPA formats as a float.
    if (Number.isSafeInteger(v)) return { kind: 'int', v: BigInt(v), big: false };
    return { kind: 'float', v };
  }
  if (typeof v === 'string') return { kind: 'string', v };
  return { kind: 'string', v: regoString(v) };
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
  verb: string;
}

function goTypeName(a: Arg): string {
  return a.kind === 'int' ? (a.big ? '*big.Int' : 'int64') : a.kind === 'float' ? 'float64' : 'string';
}

function argText(a: Arg): string {
  return a.kind === 'int' ? a.v.toString() : a.kind === 'float' ? fmtG(a.v, -1, false, 'v') : a.v;
}

function bad(verb: string, a: Arg): string {
  return `%!${verb}(${goTypeName(a)}=${argText(a)})`;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  const w = spec.width ?? 0;
  const len = [...s].length;
  if (len >= w) return s;
  if (spec.minus) return s + ' '.repeat(w - len);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    const body = sign ? s.slice(1) : s;
    return sign + '0'.repeat(w - len) + body;
  }
  return ' '.repeat(w - len) + s;
}

function signed(s: string, neg: boolean, spec: Spec): string {
  if (neg) return '-' + s;
  if (spec.plus) return '+' + s;
  if (spec.space) return ' ' + s;
  return s;
}

/** Go's exponent form: at least two exponent digits. */
function goExp(s: string): string {
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** Go %e with precision p (default 6). */
function fmtE(x: number, p: number, upper: boolean): string {
  const s = goExp(p < 0 ? x.toExponential() : x.toExponential(p));
  return upper ? s.toUpperCase() : s;
}

/** Go %g / %v: shortest digits, exponent form when exp < -4 or exp >= precision (6 when shortest). */
function fmtG(x: number, prec: number, upper: boolean, verb: string): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  let digits: string;
  let exp: number;
  if (prec < 0) {
    const [m, e] = x.toExponential().split('e') as [string, string];
    digits = m.replace('-', '').replace('.', '');
    exp = Number(e);
  } else {
    const p = prec === 0 ? 1 : prec;
    const [m, e] = x.toExponential(p - 1).split('e') as [string, string];
    digits = m.replace('-', '').replace('.', '').replace(/0+$/, '') || '0';
    exp = Number(e);
  }
  const neg = x < 0;
  let eprec = prec < 0 ? 6 : prec === 0 ? 1 : prec;
  if (prec >= 0 && eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  void verb;
  let out: string;
  if (exp < -4 || exp >= eprec) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    out = `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) {
    out = '0.' + '0'.repeat(-exp - 1) + digits;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
  }
  if (upper) out = out.toUpperCase();
  return (neg ? '-' : '') + out;
}

function fmtInt(a: Extract<Arg, { kind: 'int' }>, spec: Spec): string {
  const neg = a.v < 0n;
  const abs = neg ? -a.v : a.v;
  let body: string;
  switch (spec.verb) {
    case 'd':
    case 'v':
      body = abs.toString();
      break;
    case 'x':
      body = (spec.sharp ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      body = (spec.sharp ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    case 'o':
      body = (spec.sharp ? '0' : '') + abs.toString(8);
      break;
    case 'O':
      body = '0o' + abs.toString(8);
      break;
    case 'b':
      body = abs.toString(2);
      break;
    case 'c':
      return pad(String.fromCodePoint(Number(a.v)), spec, false);
    case 'q':
      return pad(`'${String.fromCodePoint(Number(a.v))}'`, spec, false);
    case 'U':
      return pad('U+' + abs.toString(16).toUpperCase().padStart(4, '0'), spec, false);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      // Go prints an int with a float verb as a mismatch, except for big.Int which has no float form either.
      return bad(spec.verb, a);
    default:
      return bad(spec.verb, a);
  }
  if (spec.prec !== undefined) body = body.padStart(spec.prec, '0');
  return pad(signed(body, neg, spec), spec, spec.prec === undefined);
}

function fmtFloat(x: number, spec: Spec): string {
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  let body: string;
  switch (spec.verb) {
    case 'f':
    case 'F':
      body = ax.toFixed(spec.prec ?? 6);
      break;
    case 'e':
    case 'E':
      body = fmtE(ax, spec.prec ?? 6, spec.verb === 'E');
      break;
    case 'g':
    case 'G':
    case 'v':
      body = fmtG(ax, spec.prec ?? -1, spec.verb === 'G', spec.verb);
      break;
    default:
      return bad(spec.verb, { kind: 'float', v: x });
  }
  return pad(signed(body, neg, spec), spec, true);
}

function fmtString(s: string, spec: Spec): string {
  switch (spec.verb) {
    case 's':
    case 'v': {
      const t = spec.prec !== undefined ? [...s].slice(0, spec.prec).join('') : s;
      return pad(t, spec, false);
    }
    case 'q':
      return pad(goQuote(s), spec, false);
    case 'x':
    case 'X': {
      let hex = Buffer.from(s, 'utf8').toString('hex');
      if (spec.verb === 'X') hex = hex.toUpperCase();
      return pad(hex, spec, false);
    }
    default:
      return bad(spec.verb, { kind: 'string', v: s });
  }
}

export function sprintf(format: string, values: Value[]): string {
  const args = values.map(toArg);
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const ch = format[i]!;
    if (ch !== '%') {
      out += ch;
      i++;
      continue;
    }
    i++;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, verb: '' };
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') spec.minus = true;
      else if (f === '+') spec.plus = true;
      else if (f === '#') spec.sharp = true;
      else if (f === ' ') spec.space = true;
      else if (f === '0') spec.zero = !spec.minus;
      else break;
    }
    let m = /^\d+/.exec(format.slice(i));
    if (m) {
      spec.width = Number(m[0]);
      i += m[0].length;
    }
    if (format[i] === '.') {
      i++;
      m = /^\d+/.exec(format.slice(i));
      spec.prec = m ? Number(m[0]) : 0;
      if (m) i += m[0].length;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    spec.verb = verb;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[argi++]!;
    if (a.kind === 'int') {
      // big.Int formats itself for %s too (OPA's big-number sprintf relies on it).
      if (a.big && verb === 's') out += pad(a.v.toString(), spec, false);
      else out += fmtInt(a, spec);
    } else if (a.kind === 'float') out += fmtFloat(a.v, spec);
    else out += fmtString(a.v, spec);
  }
  if (argi < args.length) {
    out += '%!(EXTRA ' + args.slice(argi).map((a) => `${goTypeName(a)}=${argText(a)}`).join(', ') + ')';
  }
  return out;
}
