/**
 * time.* (OPA topdown/time.go) on nanosecond timestamps (int64 range, as in
 * Go), with Go's reference-time layouts for parse_ns and format, and IANA
 * time zones through Intl (the platform's tz database).
 */
import type { BuiltinDecl, BuiltinContext, TypeSpec } from './types.ts';
import type { Value } from '../value.ts';
import { builtinError, isNum, str, typeError, num as numArg } from './operands.ts';
import { asBigInt, decTrunc, intToNum, toDec } from './numeric.ts';

const NS_PER_S = 1_000_000_000n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// ---------------------------------------------------------------------------
// Civil calendar (proleptic Gregorian), days since 1970-01-01.

export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? y + 1 : y, m, d];
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// ---------------------------------------------------------------------------
// Zones

interface Zone {
  name: string;
  /** Offset east of UTC in seconds at an instant (seconds since epoch). */
  offsetAt(sec: number): number;
  abbrevAt(sec: number): string;
}

const UTC: Zone = { name: 'UTC', offsetAt: () => 0, abbrevAt: () => 'UTC' };

const ZONES = new Map<string, Zone>();

function loadZone(name: string): Zone {
  if (name === '' || name === 'UTC') return UTC;
  const tz = name === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
  const hit = ZONES.get(tz);
  if (hit) return hit;
  let fmt: Intl.DateTimeFormat;
  let abbr: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    abbr = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'short' });
  } catch {
    throw builtinError(`unknown time zone ${name}`);
  }
  const zone: Zone = {
    name,
    offsetAt(sec) {
      // Intl covers ±8.64e15 ms; beyond that only the offset rule matters, clamp.
      const ms = Math.max(-8.64e15, Math.min(8.64e15, sec * 1000));
      const parts: Record<string, string> = {};
      for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
      let y = Number(parts.year);
      if (parts.era === 'BC' || parts.era === 'B') y = 1 - y;
      const wall = daysFromCivil(y, Number(parts.month), Number(parts.day)) * 86400 + Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
      return wall - Math.floor(ms / 1000);
    },
    abbrevAt(sec) {
      const ms = Math.max(-8.64e15, Math.min(8.64e15, sec * 1000));
      const part = abbr.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? '';
      return /^[A-Z]{3,5}$/.test(part) ? part : formatOffset(zone.offsetAt(sec), '-07', false);
    },
  };
  ZONES.set(tz, zone);
  return zone;
}

// ---------------------------------------------------------------------------
// A moment: UTC ns plus the zone it is viewed in.

interface Moment {
  ns: bigint;
  zone: Zone;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  yday: number;
  weekday: number;
  offset: number;
}

function fields(t: Moment): Fields {
  const sec = t.ns >= 0n ? t.ns / NS_PER_S : -((-t.ns + NS_PER_S - 1n) / NS_PER_S);
  const nanos = Number(t.ns - sec * NS_PER_S);
  const offset = t.zone.offsetAt(Number(sec));
  const local = Number(sec) + offset;
  const days = Math.floor(local / 86400);
  const sod = local - days * 86400;
  const [year, month, day] = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(sod / 3600),
    minute: Math.floor((sod % 3600) / 60),
    second: sod % 60,
    nanos,
    yday: days - daysFromCivil(year, 1, 1) + 1,
    weekday: (((days + 4) % 7) + 7) % 7,
    offset,
  };
}

function checkRange(ns: bigint): bigint {
  if (ns < INT64_MIN || ns > INT64_MAX) throw builtinError('time outside of valid range');
  return ns;
}

/** Go's time.Date in a zone: wall clock fields (any range, normalised) → UTC ns. */
function fromWall(y: number, mo: number, d: number, h: number, mi: number, s: number, nanos: bigint, zone: Zone): bigint {
  // Normalise month first (Go does the same), then let days overflow naturally.
  const m0 = mo - 1;
  y += Math.floor(m0 / 12);
  mo = (((m0 % 12) + 12) % 12) + 1;
  const days = daysFromCivil(y, mo, 1) + d - 1;
  const wall = BigInt(days) * 86400n + BigInt(h * 3600 + mi * 60 + s);
  let off = zone.offsetAt(Number(wall));
  // A second lookup settles instants near a transition.
  off = zone.offsetAt(Number(wall) - off);
  return (wall - BigInt(off)) * NS_PER_S + nanos;
}

// ---------------------------------------------------------------------------
// Operands: ns | [ns] | [ns, tz] (| [ns, tz, layout] for format)

function toNs(v: Value, pos: number): bigint {
  if (!isNum(v)) throw typeError(pos, v, 'number');
  const i = asBigInt(v) ?? decTrunc(toDec(v)).int;
  if (i < INT64_MIN || i > INT64_MAX) throw builtinError('timestamp too big');
  return i;
}

function moment(v: Value, pos: number): Moment {
  if (Array.isArray(v)) {
    if (v.length < 1 || v.length > 3) throw builtinError('array should have 2 elements');
    const ns = toNs(v[0]!, pos);
    const tz = v[1];
    if (tz !== undefined && typeof tz !== 'string') throw typeError(pos, tz, 'string');
    return { ns, zone: loadZone(tz ?? '') };
  }
  if (isNum(v)) return { ns: toNs(v, pos), zone: UTC };
  throw typeError(pos, v, 'number', 'array');
}

// ---------------------------------------------------------------------------
// Go layouts

const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

type Chunk = { lit: string } | { std: string; n?: number };

const LAYOUT_CACHE = new Map<string, Chunk[]>();

/** Split a Go layout into literals and standard tokens (Go's nextStdChunk). */
export function tokenizeLayout(layout: string): Chunk[] {
  const hit = LAYOUT_CACHE.get(layout);
  if (hit) return hit;
  const out: Chunk[] = [];
  let lit = '';
  const push = (c: Chunk) => {
    if (lit) out.push({ lit });
    lit = '';
    out.push(c);
  };
  const at = (i: number, s: string) => layout.startsWith(s, i);
  for (let i = 0; i < layout.length; ) {
    const c = layout[i]!;
    let tok: string | undefined;
    switch (c) {
      case 'J':
        if (at(i, 'January')) tok = 'January';
        else if (at(i, 'Jan')) tok = 'Jan';
        break;
      case 'M':
        if (at(i, 'Monday')) tok = 'Monday';
        else if (at(i, 'Mon')) tok = 'Mon';
        else if (at(i, 'MST')) tok = 'MST';
        break;
      case '0':
        if (at(i, '002')) tok = '002';
        else if (/^0[1-6]/.test(layout.slice(i, i + 2))) tok = layout.slice(i, i + 2);
        break;
      case '1':
        tok = at(i, '15') ? '15' : '1';
        break;
      case '2':
        tok = at(i, '2006') ? '2006' : '2';
        break;
      case '_':
        if (at(i, '_2')) {
          if (at(i, '_2006')) {
            // "_2006" is a literal underscore followed by the year.
            lit += '_';
            i++;
            continue;
          }
          tok = '_2';
        } else if (at(i, '__2')) tok = '__2';
        break;
      case '3':
      case '4':
      case '5':
        tok = c;
        break;
      case 'P':
        if (at(i, 'PM')) tok = 'PM';
        break;
      case 'p':
        if (at(i, 'pm')) tok = 'pm';
        break;
      case '-':
        for (const t of ['-07:00:00', '-070000', '-07:00', '-0700', '-07']) if (!tok && at(i, t)) tok = t;
        break;
      case 'Z':
        for (const t of ['Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07']) if (!tok && at(i, t)) tok = t;
        break;
      case '.':
      case ',': {
        const d = layout[i + 1];
        if (d === '0' || d === '9') {
          let j = i + 1;
          while (j < layout.length && layout[j] === d) j++;
          if (!/[0-9]/.test(layout[j] ?? '')) {
            push({ std: d === '0' ? 'frac0' : 'frac9', n: j - i - 1 });
            i = j;
            continue;
          }
        }
        break;
      }
    }
    if (tok) {
      push({ std: tok });
      i += tok.length;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit) out.push({ lit });
  if (LAYOUT_CACHE.size > 200) LAYOUT_CACHE.clear();
  LAYOUT_CACHE.set(layout, out);
  return out;
}

const pad = (n: number, w: number, ch = '0') => String(n).padStart(w, ch);

function formatOffset(off: number, style: string, zulu: boolean): string {
  if (zulu && off === 0) return 'Z';
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor((a % 3600) / 60), 2);
  const ss = pad(a % 60, 2);
  switch (style.replace(/^Z/, '-')) {
    case '-07':
      return sign + hh;
    case '-0700':
      return sign + hh + mm;
    case '-07:00':
      return sign + hh + ':' + mm;
    case '-070000':
      return sign + hh + mm + ss;
    default:
      return sign + hh + ':' + mm + ':' + ss;
  }
}

export function formatTime(t: Moment, layout: string): string {
  const f = fields(t);
  const sec = Number(t.ns >= 0n ? t.ns / NS_PER_S : -((-t.ns + NS_PER_S - 1n) / NS_PER_S));
  let out = '';
  for (const c of tokenizeLayout(layout)) {
    if ('lit' in c) {
      out += c.lit;
      continue;
    }
    switch (c.std) {
      case '2006':
        out += f.year < 0 ? '-' + pad(-f.year, 4) : pad(f.year, 4);
        break;
      case '06':
        out += pad(((f.year % 100) + 100) % 100, 2);
        break;
      case 'January':
        out += MONTHS[f.month - 1];
        break;
      case 'Jan':
        out += MONTHS[f.month - 1]!.slice(0, 3);
        break;
      case '1':
        out += f.month;
        break;
      case '01':
        out += pad(f.month, 2);
        break;
      case 'Monday':
        out += DAYS[f.weekday];
        break;
      case 'Mon':
        out += DAYS[f.weekday]!.slice(0, 3);
        break;
      case '2':
        out += f.day;
        break;
      case '_2':
        out += pad(f.day, 2, ' ');
        break;
      case '02':
        out += pad(f.day, 2);
        break;
      case '__2':
        out += pad(f.yday, 3, ' ');
        break;
      case '002':
        out += pad(f.yday, 3);
        break;
      case '15':
        out += pad(f.hour, 2);
        break;
      case '3':
        out += f.hour % 12 === 0 ? 12 : f.hour % 12;
        break;
      case '03':
        out += pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
        break;
      case '4':
        out += f.minute;
        break;
      case '04':
        out += pad(f.minute, 2);
        break;
      case '5':
        out += f.second;
        break;
      case '05':
        out += pad(f.second, 2);
        break;
      case 'PM':
        out += f.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += f.hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST':
        out += t.zone.abbrevAt(sec);
        break;
      case 'frac0':
        out += '.' + pad(f.nanos, 9).slice(0, c.n);
        break;
      case 'frac9': {
        const digits = pad(f.nanos, 9).slice(0, c.n).replace(/0+$/, '');
        if (digits) out += '.' + digits;
        break;
      }
      default:
        out += formatOffset(f.offset, c.std, c.std.startsWith('Z'));
    }
  }
  return out;
}

class ParseError extends Error {}

/** Go's time.Parse (in UTC unless the value carries an offset). */
export function parseTime(layout: string, value: string): bigint {
  const chunks = tokenizeLayout(layout);
  const orig = value;
  let year = 1;
  let month = 1;
  let day = 1;
  let yday = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0n;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let zoneName: string | undefined;
  const fail = (elem: string, rest: string, extra = ''): never => {
    throw new ParseError(
      extra
        ? `parsing time ${JSON.stringify(orig)}${extra}`
        : `parsing time ${JSON.stringify(orig)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(elem)}`,
    );
  };
  const num = (min: number, max: number, elem: string): number => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(value);
    if (!m) fail(elem, value);
    value = value.slice(m![0].length);
    return Number(m![0]);
  };
  const lookupName = (names: string[], elem: string): number => {
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      if (value.slice(0, n.length).toLowerCase() === n.toLowerCase()) {
        value = value.slice(n.length);
        return i;
      }
    }
    return fail(elem, value);
  };
  for (let ci = 0; ci < chunks.length; ci++) {
    const c = chunks[ci]!;
    if ('lit' in c) {
      // Go skips leading spaces only where the layout has them; literal text must match exactly.
      if (!value.startsWith(c.lit)) fail(c.lit, value);
      value = value.slice(c.lit.length);
      continue;
    }
    const hold = value;
    switch (c.std) {
      case '2006': {
        // Exactly four digits, as Go reads a long year.
        if (!/^\d{4}/.test(value)) fail('2006', hold);
        year = Number(value.slice(0, 4));
        value = value.slice(4);
        break;
      }
      case '06': {
        const yy = num(2, 2, '06');
        year = yy >= 69 ? 1900 + yy : 2000 + yy;
        break;
      }
      case 'January':
        month = lookupName(MONTHS, 'January') + 1;
        break;
      case 'Jan':
        month = lookupName(MONTHS.map((m) => m.slice(0, 3)), 'Jan') + 1;
        break;
      case '1':
        month = num(1, 2, '1');
        break;
      case '01':
        month = num(2, 2, '01');
        break;
      case 'Monday':
        lookupName(DAYS, 'Monday');
        break;
      case 'Mon':
        lookupName(DAYS.map((d) => d.slice(0, 3)), 'Mon');
        break;
      case '_2':
        if (value.startsWith(' ')) value = value.slice(1);
        day = num(1, 2, '_2');
        break;
      case '2':
        day = num(1, 2, '2');
        break;
      case '02':
        day = num(2, 2, '02');
        break;
      case '__2':
        value = value.replace(/^ {1,2}/, '');
        yday = num(1, 3, '__2');
        break;
      case '002':
        yday = num(3, 3, '002');
        break;
      case '15':
        hour = num(1, 2, '15');
        break;
      case '3':
        hour = num(1, 2, '3');
        break;
      case '03':
        hour = num(2, 2, '03');
        break;
      case '4':
        minute = num(1, 2, '4');
        break;
      case '04':
        minute = num(2, 2, '04');
        break;
      case '5':
      case '05': {
        second = c.std === '5' ? num(1, 2, '5') : num(2, 2, '05');
        // Go accepts a fractional second here even when the layout has none.
        const next = chunks[ci + 1];
        const m = /^[.,](\d+)/.exec(value);
        if (m && !(next && 'std' in next && next.std.startsWith('frac'))) {
          nanos = BigInt(m[1]!.padEnd(9, '0').slice(0, 9));
          value = value.slice(m[0].length);
        }
        break;
      }
      case 'PM':
      case 'pm': {
        const ap = value.slice(0, 2).toUpperCase();
        if (ap !== 'AM' && ap !== 'PM') fail(c.std, hold);
        pm = ap === 'PM';
        value = value.slice(2);
        break;
      }
      case 'MST': {
        const m = /^(UTC|GMT[+-]\d{1,2}|[A-Z]{3,5})/.exec(value);
        if (!m) fail('MST', hold);
        zoneName = m![0];
        value = value.slice(m![0].length);
        break;
      }
      case 'frac0':
      case 'frac9': {
        const m = c.std === 'frac0' ? new RegExp(`^[.,](\\d{${c.n}})`).exec(value) : /^[.,](\d+)/.exec(value);
        if (!m) {
          if (c.std === 'frac9') break; // optional
          fail('.' + '0'.repeat(c.n!), hold);
        }
        nanos = BigInt(m![1]!.padEnd(9, '0').slice(0, 9));
        value = value.slice(m![0].length);
        break;
      }
      default: {
        // Numeric zones; the Z forms also accept a literal Z.
        if (c.std.startsWith('Z') && value.startsWith('Z')) {
          value = value.slice(1);
          offset = 0;
          break;
        }
        const style = c.std.replace(/^Z/, '-');
        const re =
          style === '-07'
            ? /^([+-])(\d\d)/
            : style === '-0700'
              ? /^([+-])(\d\d)(\d\d)/
              : style === '-07:00'
                ? /^([+-])(\d\d):(\d\d)/
                : style === '-070000'
                  ? /^([+-])(\d\d)(\d\d)(\d\d)/
                  : /^([+-])(\d\d):(\d\d):(\d\d)/;
        const m = re.exec(value);
        if (!m) fail(c.std, hold);
        const secs = Number(m![2]) * 3600 + Number(m![3] ?? 0) * 60 + Number(m![4] ?? 0);
        offset = m![1] === '-' ? -secs : secs;
        value = value.slice(m![0].length);
      }
    }
  }
  if (value !== '') throw new ParseError(`parsing time ${JSON.stringify(orig)}: extra text: ${JSON.stringify(value)}`);
  if (pm !== undefined) {
    if (hour > 12) fail('', '', ': hour out of range');
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (yday >= 0) {
    const leapDays = isLeap(year) ? 366 : 365;
    if (yday < 1 || yday > leapDays) fail('', '', ': day-of-year out of range');
    const [, m, d] = civilFromDays(daysFromCivil(year, 1, 1) + yday - 1);
    month = m;
    day = d;
  }
  if (month < 1 || month > 12) fail('', '', ': month out of range');
  if (day < 1 || day > daysIn(year, month)) fail('', '', ': day out of range');
  if (hour > 23) fail('', '', ': hour out of range');
  if (minute > 59) fail('', '', ': minute out of range');
  if (second > 59) fail('', '', ': second out of range');
  const days = BigInt(daysFromCivil(year, month, day));
  let utcSec = days * 86400n + BigInt(hour * 3600 + minute * 60 + second);
  if (offset !== undefined) utcSec -= BigInt(offset);
  else if (zoneName !== undefined && zoneName.startsWith('GMT') && zoneName.length > 3) utcSec -= BigInt(Number(zoneName.slice(3)) * 3600);
  return utcSec * NS_PER_S + nanos;
}

function parseNs(args: Value[]): Value {
  const layoutArg = str(args, 0);
  const value = str(args, 1);
  const layout = NAMED_LAYOUTS[layoutArg] ?? layoutArg;
  try {
    return intToNum(checkRange(parseTime(layout, value)));
  } catch (e) {
    if (e instanceof ParseError) throw builtinError(e.message);
    throw e;
  }
}

function parseRFC3339(args: Value[]): Value {
  const value = str(args, 0);
  try {
    return intToNum(checkRange(parseTime(NAMED_LAYOUTS.RFC3339!, value)));
  } catch (e) {
    if (e instanceof ParseError) throw builtinError(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Durations (Go time.ParseDuration)

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n,
  'μs': 1000n,
  ms: 1_000_000n,
  s: NS_PER_S,
  m: 60n * NS_PER_S,
  h: 3600n * NS_PER_S,
};

export function parseDuration(s: string): bigint {
  const orig = s;
  const invalid = () => builtinError(`time: invalid duration ${JSON.stringify(orig)}`);
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    if (m[0] === '' || m[0] === '.' || (m[1] === '' && !m[2])) throw invalid();
    s = s.slice(m[0].length);
    const u = /^[^\d.]+/.exec(s);
    if (!u) throw builtinError(`time: missing unit in duration ${JSON.stringify(orig)}`);
    const unit = DURATION_UNITS[u[0]];
    if (unit === undefined) throw builtinError(`time: unknown unit ${JSON.stringify(u[0])} in duration ${JSON.stringify(orig)}`);
    s = s.slice(u[0].length);
    const whole = BigInt(m[1] || '0') * unit;
    const frac = m[2] ?? '';
    const fracNs = frac ? (BigInt(frac) * unit) / 10n ** BigInt(frac.length) : 0n;
    total += whole + fracNs;
    if (total > INT64_MAX + (neg ? 1n : 0n)) throw invalid();
  }
  return neg ? -total : total;
}

// ---------------------------------------------------------------------------

function addDate(args: Value[]): Value {
  const t = fields({ ns: toNs(args[0]!, 1), zone: UTC });
  const y = Number(numArg(args, 1));
  const m = Number(numArg(args, 2));
  const d = Number(numArg(args, 3));
  const ns = fromWall(t.year + y, t.month + m, t.day + d, t.hour, t.minute, t.second, BigInt(t.nanos), UTC);
  return intToNum(checkRange(ns));
}

function diff(args: Value[]): Value {
  let a = moment(args[0]!, 1);
  let b = moment(args[1]!, 2);
  b = { ns: b.ns, zone: a.zone };
  if (a.ns > b.ns) [a, b] = [b, a];
  const x = fields(a);
  const y = fields(b);
  let year = y.year - x.year;
  let month = y.month - x.month;
  let day = y.day - x.day;
  let hour = y.hour - x.hour;
  let min = y.minute - x.minute;
  let sec = y.second - x.second;
  if (sec < 0) {
    sec += 60;
    min--;
  }
  if (min < 0) {
    min += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    day += daysIn(x.year, x.month);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, min, sec];
}

function format(args: Value[]): Value {
  const v = args[0]!;
  let layout = NAMED_LAYOUTS.RFC3339Nano!;
  if (Array.isArray(v) && v.length === 3) {
    if (typeof v[2] !== 'string') throw typeTypeError(v[2]!);
    layout = NAMED_LAYOUTS[v[2]] ?? v[2];
  }
  return formatTime(moment(v, 1), layout);
}

function typeTypeError(v: Value) {
  return typeError(1, v, 'string');
}

function nowNs(_args: Value[], ctx: BuiltinContext): Value {
  return intToNum(ctx.nowNs);
}

const TIME_ARG: TypeSpec = { oneOf: ['number', { array: 'any' }] };

export const TIME: BuiltinDecl[] = [
  { name: 'time.now_ns', args: [], result: 'number', nondeterministic: true, impl: nowNs },
  { name: 'time.parse_ns', args: ['string', 'string'], result: 'number', impl: parseNs },
  { name: 'time.parse_rfc3339_ns', args: ['string'], result: 'number', impl: parseRFC3339 },
  { name: 'time.parse_duration_ns', args: ['string'], result: 'number', impl: (a) => intToNum(parseDuration(str(a, 0))) },
  { name: 'time.add_date', args: ['number', 'number', 'number', 'number'], result: 'number', impl: addDate },
  {
    name: 'time.date',
    args: [TIME_ARG],
    result: { array: 'number' },
    impl: ([v]) => {
      const f = fields(moment(v!, 1));
      return [f.year, f.month, f.day];
    },
  },
  {
    name: 'time.clock',
    args: [TIME_ARG],
    result: { array: 'number' },
    impl: ([v]) => {
      const f = fields(moment(v!, 1));
      return [f.hour, f.minute, f.second];
    },
  },
  { name: 'time.weekday', args: [TIME_ARG], result: 'string', impl: ([v]) => DAYS[fields(moment(v!, 1)).weekday]! },
  { name: 'time.diff', args: [TIME_ARG, TIME_ARG], result: { array: 'number' }, impl: diff },
  { name: 'time.format', args: [TIME_ARG], result: 'string', impl: format },
];
