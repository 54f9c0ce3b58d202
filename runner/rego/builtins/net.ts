/**
 * CIDR builtins (OPA topdown/cidr.go) for IPv4 and IPv6, addresses as
 * bigints. Parsing follows Go's net.ParseIP / net.ParseCIDR (no leading zeros
 * in IPv4 octets, no zones); output uses Go's canonical text forms.
 */
import type { BuiltinDecl } from './types.ts';
import { RSet, type Value } from '../value.ts';
import { arrayOrSet, builtinError, str, typeError } from './operands.ts';

interface Net {
  v6: boolean;
  addr: bigint; // network address (masked)
  bits: number; // prefix length
  /** How it prints while nothing merged it (a bare IPv4 address: the address as given, its classful prefix). */
  text?: string;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseV6(s: string): bigint | undefined {
  if (s.includes('%')) return undefined;
  let tail4: bigint | undefined;
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    text = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...Array(8 - total).fill('0'), ...tail];
  let out = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out = (out << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== undefined) out = (out & ~0xffffffffn) | tail4;
  return out;
}

export function parseIP(s: string): { v6: boolean; addr: bigint } | undefined {
  if (s.includes(':')) {
    const a = parseV6(s);
    if (a === undefined) return undefined;
    // IPv4-mapped IPv6 addresses behave as IPv4, as in Go.
    if (a >> 32n === 0xffffn) return { v6: false, addr: a & 0xffffffffn };
    return { v6: true, addr: a };
  }
  const a = parseV4(s);
  return a === undefined ? undefined : { v6: false, addr: a };
}

const width = (v6: boolean) => (v6 ? 128 : 32);
const mask = (v6: boolean, bits: number) => ((1n << BigInt(width(v6))) - 1n) ^ ((1n << BigInt(width(v6) - bits)) - 1n);

export function parseCIDR(s: string): Net | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const b = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9]\d*)$/.test(b)) return undefined;
  let bits = Number(b);
  // A v4-mapped address with a v6-length prefix.
  if (!ip.v6 && s.slice(0, slash).includes(':')) bits -= 96;
  if (bits < 0 || bits > width(ip.v6)) return undefined;
  return { v6: ip.v6, addr: ip.addr & mask(ip.v6, bits), bits };
}

function cidrOperand(s: string): Net {
  const n = parseCIDR(s);
  if (!n) throw builtinError(`invalid CIDR address: ${s}`);
  return n;
}

/** An IP (as a /32 or /128) or a CIDR. */
function ipOrCidr(s: string): Net {
  const ip = parseIP(s);
  if (ip) return { v6: ip.v6, addr: ip.addr, bits: width(ip.v6) };
  const n = parseCIDR(s);
  if (!n) throw builtinError(`not a valid textual representation of an IP address or CIDR: ${s}`);
  return n;
}

function contains(outer: Net, inner: Net): boolean {
  return outer.v6 === inner.v6 && outer.bits <= inner.bits && (inner.addr & mask(outer.v6, outer.bits)) === outer.addr;
}

export function ipText(v6: boolean, a: bigint): string {
  if (!v6) return [24n, 16n, 8n, 0n].map((s) => String((a >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((a >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952 (Go's form): compress the longest run (≥ 2) of zero groups, the first on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

const netText = (n: Net) => `${ipText(n.v6, n.addr)}/${n.bits}`;

function expand(args: Value[]): Value {
  const n = cidrOperand(str(args, 0));
  const size = 1n << BigInt(width(n.v6) - n.bits);
  const out = new RSet();
  for (let i = 0n; i < size; i++) out.add(ipText(n.v6, n.addr + i));
  return out;
}

/** Smallest set of CIDRs covering the same addresses. */
function merge(args: Value[]): Value {
  const items = arrayOrSet(args, 0, 'array', 'set');
  const nets: Net[] = [];
  for (const x of items) {
    if (typeof x !== 'string') throw builtinError('element must be string');
    const ip = parseIP(x);
    if (ip) {
      // OPA (Go's net.ParseIP, then IP.DefaultMask): a bare IPv6 address is an error, a bare IPv4
      // one takes its classful mask (A /8, B /16, C /24) and, left unmerged, prints with the
      // address as given ("10.0.0.1" → "10.0.0.1/8"). Class D/E has no default mask in Go: kept
      // as the single address.
      if (ip.v6) throw builtinError('IPv6 invalid: needs prefix length');
      const first = Number(ip.addr >> 24n);
      const bits = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
      nets.push({ v6: false, addr: ip.addr & mask(false, bits), bits, text: `${ipText(false, ip.addr)}/${bits}` });
    } else {
      const n = parseCIDR(x);
      if (!n) throw builtinError(`invalid CIDR address: ${x}`);
      nets.push(n);
    }
  }
  // OPA merges ranges that overlap or touch and prints a merged range canonically: a bare
  // address keeps its own text only while no other range overlaps or touches its range.
  const last = (n: Net) => n.addr | (((1n << BigInt(width(n.v6))) - 1n) ^ mask(n.v6, n.bits));
  for (const [i, n] of nets.entries()) {
    if (n.text === undefined) continue;
    if (nets.some((o, j) => j !== i && o.v6 === n.v6 && o.addr <= last(n) + 1n && n.addr <= last(o) + 1n)) nets[i] = { v6: n.v6, addr: n.addr, bits: n.bits };
  }
  const out = new RSet();
  for (const v6 of [false, true]) {
    let list = nets.filter((n) => n.v6 === v6).sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : a.bits - b.bits));
    // Drop networks covered by an earlier one, then merge sibling pairs until stable.
    let changed = true;
    while (changed) {
      changed = false;
      const kept: Net[] = [];
      for (const n of list) {
        const last = kept[kept.length - 1];
        if (last && contains(last, n)) {
          changed = true;
          continue;
        }
        if (last && last.bits === n.bits && last.bits > 0) {
          const parentBits = last.bits - 1;
          const m = mask(v6, parentBits);
          if ((last.addr & m) === last.addr && (n.addr & m) === last.addr) {
            kept[kept.length - 1] = { v6, addr: last.addr, bits: parentBits };
            changed = true;
            continue;
          }
        }
        kept.push(n);
      }
      list = kept;
    }
    for (const n of list) out.add(n.text ?? netText(n));
  }
  return out;
}

function containsMatches(args: Value[]): Value {
  // Both operands: a string, an array/set of strings (index = position / element), or an object
  // (keys); an element is a CIDR or a non-empty array whose first item is one. Any other operand
  // matches nothing (OPA iterates only these four kinds), a bad element is OPA's builtin error.
  const entries = (v: Value, pos: number): [Value, string][] => {
    if (typeof v === 'string') return [[v, v]];
    const pairs: [Value, Value][] = Array.isArray(v)
      ? v.map((x, i) => [i, x] as [Value, Value])
      : v instanceof RSet
        ? v.sorted().map((x) => [x, x] as [Value, Value])
        : v !== null && typeof v === 'object'
          ? [...v.entries()]
          : [];
    return pairs.map(([k, x]) => {
      if (typeof x !== 'string' && !(Array.isArray(x) && x.length > 0)) throw builtinError(`operand ${pos}: element must be string or non-empty array`);
      const s = Array.isArray(x) ? x[0] : x;
      if (typeof s !== 'string') throw typeError(pos, s as Value, 'string');
      return [k, s];
    });
  };
  const cidrs = entries(args[0]!, 1);
  const addrs = entries(args[1]!, 2);
  const out = new RSet();
  for (const [ck, c] of cidrs) {
    const net = cidrOperand(c);
    for (const [ak, a] of addrs) if (contains(net, ipOrCidr(a))) out.add([ck, ak]);
  }
  return out;
}

export const NET: BuiltinDecl[] = [
  {
    name: 'net.cidr_contains',
    args: ['string', 'string'],
    result: 'boolean',
    impl: (a) => contains(cidrOperand(str(a, 0)), ipOrCidr(str(a, 1))),
  },
  {
    name: 'net.cidr_intersects',
    args: ['string', 'string'],
    result: 'boolean',
    impl: (a) => {
      const x = cidrOperand(str(a, 0));
      const y = cidrOperand(str(a, 1));
      return contains(x, y) || contains(y, x);
    },
  },
  { name: 'net.cidr_is_valid', args: ['any'], result: 'boolean', impl: ([v]) => typeof v === 'string' && parseCIDR(v) !== undefined },
  { name: 'net.cidr_expand', args: ['string'], result: { set: 'string' }, impl: expand },
  { name: 'net.cidr_merge', args: [{ oneOf: [{ array: 'string' }, { set: 'string' }] }], result: { set: 'string' }, impl: merge },
  { name: 'net.cidr_contains_matches', args: ['any', 'any'], result: { set: { array: 'any' } }, impl: containsMatches },
];
