/**
 * Trivy's custom builtins, for running the trivy-checks suite (`opa test
 * lib/ checks/ examples/` through Trivy's build of OPA, which registers
 * them). Ported from aquasecurity/trivy-checks (MIT): `internal/rego/result.go`
 * (`result.new`, `isManaged`), `internal/cidr/cidr.go` (`cidr.count_addresses`,
 * `cidr.is_public`) and `internal/rego/parse_commands.go`
 * (`sh.parse_commands`, approximated: see below). Not ported:
 * `squealer.scan_string` (secret scanning with squealer's rule set).
 *
 * Load with `gitops policy test --builtins test/suites/builtins/trivy.ts`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { BuiltinDefinition, TypeSpec } from '../../../runner/rego/api.ts';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `term.Get(key)` of OPA's AST: an object's value at a key (arrays and scalars have none by string key). */
const get = (x: unknown, key: string): unknown => (isObject(x) && Object.hasOwn(x, key) ? x[key] : undefined);

/** Trivy's metadata keys, in the order its updateMetadata applies them (later ones win). */
const METADATA_FIELDS: ReadonlyArray<[from: string, to: string]> = [
  ['startline', 'startline'],
  ['StartLine', 'startline'],
  ['endline', 'endline'],
  ['EndLine', 'endline'],
  ['filepath', 'filepath'],
  ['sourceprefix', 'sourceprefix'],
  ['Path', 'filepath'],
  ['explicit', 'explicit'],
  ['managed', 'managed'],
  ['fskey', 'fskey'],
  ['resource', 'resource'],
];

/** result.new(msg, cause): a result object carrying the cause's location metadata (and its parent's, recursively). */
export function newResult(msg: unknown, cause: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {
    startline: 0,
    endline: 0,
    sourceprefix: '',
    filepath: '',
    explicit: false,
    managed: true,
    fskey: '',
    resource: '',
    parent: null,
  };
  if (msg !== undefined) out.msg = msg;
  // universal inputs carry it under __defsec_metadata; dockerfile inputs at the top
  const meta = get(cause, '__defsec_metadata') ?? cause;
  for (const [from, to] of METADATA_FIELDS) {
    const v = get(meta, from);
    if (v !== undefined) out[to] = v;
  }
  const parent = get(meta, 'parent');
  if (parent !== undefined) out.parent = newResult(undefined, parent);
  return out;
}

// --- IP addresses, as Go's net package reads them --------------------------

/** 4 bytes for an IPv4 address (also IPv4-mapped IPv6, as Go's To4), else 16; undefined when not an IP. */
function parseIP(s: string): number[] | undefined {
  if (isIPv4(s)) return s.split('.').map(Number);
  if (!isIPv6(s)) return undefined;
  let text = s;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    text = text.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (p: string) => (p === '' ? [] : p.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = rest === undefined ? [] : groups(rest);
  const words = rest === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  if (tail.length) words.splice(6, 2, ...tail);
  const bytes = words.flatMap((w) => [w >> 8, w & 255]);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  return mapped ? bytes.slice(12) : bytes;
}

interface Network {
  ip: number[];
  prefix: number;
}

/** Go's net.ParseCIDR: the address as written and its network (host bits cleared). */
function parseCIDR(s: string): { addr: number[]; net: Network } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseIP(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  if (!addr || !/^\d+$/.test(bitsText)) return undefined;
  const v4 = isIPv4(s.slice(0, slash));
  const ip = v4 ? addr : addr.length === 4 ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, ...addr] : addr;
  const prefix = Number(bitsText);
  if (prefix > ip.length * 8) return undefined;
  const masked = ip.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { addr, net: { ip: masked, prefix } };
}

const PRIVATE: Network[] = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '::1/128', 'fe80::/10', 'fc00::/7', '100.64.0.0/10'].map((c) => parseCIDR(c)!.net);

/** Go's IPNet.Contains: same family only (an IPv4 address never matches an IPv6 block, nor the reverse). */
function contains(n: Network, ip: number[]): boolean {
  if (ip.length !== n.ip.length) return false;
  for (let bit = 0; bit < n.prefix; bit++) {
    const i = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if ((ip[i]! & m) !== (n.ip[i]! & m)) return false;
  }
  return true;
}

const isPrivate = (ip: number[]) => PRIVATE.some((n) => contains(n, ip));

const UINT64_MAX = 0xffffffffffffffffn;

export function countAddresses(cidr: string): bigint {
  if (cidr === '*' || cidr === 'internet' || cidr === 'any') return UINT64_MAX;
  if (!cidr.includes('/')) return parseIP(cidr) ? 1n : 0n;
  const c = parseCIDR(cidr);
  if (!c) return 0n;
  const power = c.net.ip.length * 8 - c.net.prefix;
  return power >= 63 ? UINT64_MAX : 1n << BigInt(power);
}

export function isPublic(cidr: string): boolean {
  if (cidr === '*' || cidr === 'internet' || cidr === 'any') return true;
  if (cidr.includes('-')) {
    // Upstream converts each side with net.IP(string) (the text's bytes, not a
    // parsed address), which no private block contains: a two-sided range is
    // always public, anything else is not. Kept as upstream behaves.
    return cidr.split('-').length === 2;
  }
  if (!cidr.includes('/')) {
    const ip = parseIP(cidr);
    return ip !== undefined && !isPrivate(ip);
  }
  const c = parseCIDR(cidr);
  if (!c) return false;
  if (!isPrivate(c.addr)) return true;
  const end = c.net.ip.map((b, i) => {
    const host = Math.max(0, Math.min(8, c.net.ip.length * 8 - c.net.prefix - (c.net.ip.length - 1 - i) * 8));
    return b | ((1 << host) - 1);
  });
  return !isPrivate(end);
}

// --- sh.parse_commands -------------------------------------------------------

/** A redirection word: `>`, `2>`, `>>`, `<`, `&>`, `2>&1`, `>/dev/null`, … (operator, then maybe its target). */
const REDIRECT = /^(\d*|&)(>>?|<<?|>&|<&)(.*)$/;
/** `NAME=value` before the command name is an assignment, not an argument. */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;

/**
 * The simple commands of a shell script, each as its arguments written as in
 * the source (quotes kept): what upstream collects from mvdan.cc/sh's parse
 * tree (every CallExpr's Args, printed, in a pre-order walk). Approximated
 * with a tokenizer: commands end at `;`, `&`, `&&`, `||`, `|`, newlines and
 * `(`/`)`; `\`-newline continues a line; quotes, escapes and `$(…)` keep
 * their text; a word starting with `#` comments out the rest of the line.
 * As in mvdan's tree, leading `NAME=value` assignments and redirections
 * (`>file`, `2>&1`, `< in`) are not arguments, and the commands inside a
 * `$(…)` (also inside double quotes) follow the command that contains
 * them. Not handled: compound statements (`if`/`for`/`case`),
 * here-documents, backquotes.
 */
export function parseCommands(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let nested: string[] = [];
  let word = '';
  let inWord = false;
  let skipTarget = false;
  const endWord = () => {
    if (!inWord) return;
    const w = word;
    word = '';
    inWord = false;
    if (skipTarget) {
      skipTarget = false;
      return;
    }
    const redirect = REDIRECT.exec(w);
    if (redirect) {
      skipTarget = redirect[3] === '';
      return;
    }
    if (words.length === 0 && ASSIGNMENT.test(w)) return;
    words.push(w);
  };
  const endCommand = () => {
    endWord();
    skipTarget = false;
    if (words.length) commands.push(words);
    words = [];
    for (const inner of nested) commands.push(...parseCommands(inner));
    nested = [];
  };
  /** `$(…)` starting at `at`: records its script (walked after the command) and returns the index of its `)`. */
  const substitution = (at: number): number => {
    let depth = 0;
    let j = at + 1;
    for (; j < script.length; j++) {
      if (script[j] === '(') depth++;
      else if (script[j] === ')' && --depth === 0) break;
    }
    if (j >= script.length) throw new Error('parse command sequence error: reached EOF without matching ( with )');
    nested.push(script.slice(at + 2, j));
    return j;
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === '\\') {
      if (script[i + 1] === '\n') {
        i++;
        continue;
      }
      word += c + (script[i + 1] ?? '');
      inWord = true;
      i++;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== c) {
        if (c === '"' && script[j] === '$' && script[j + 1] === '(') j = substitution(j) + 1;
        else j += c === '"' && script[j] === '\\' ? 2 : 1;
      }
      if (j >= script.length) throw new Error(`parse command sequence error: reached EOF without closing quote ${c}`);
      word += script.slice(i, j + 1);
      inWord = true;
      i = j;
    } else if (c === '$' && script[i + 1] === '(') {
      const j = substitution(i);
      word += script.slice(i, j + 1);
      inWord = true;
      i = j;
    } else if (c === '#' && !inWord) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
    } else if (c === ' ' || c === '\t') endWord();
    else if ((c === '&' || c === '|') && (script[i + 1] === '>' || script[i - 1] === '>' || script[i - 1] === '<')) {
      word += c; // &>, >&, <& redirections
      inWord = true;
    } else if (c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')') endCommand();
    else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

export const builtins: BuiltinDefinition[] = [
  { name: 'result.new', decl: { args: ['string', 'any'], result: 'any' }, impl: (msg: unknown, cause: unknown) => newResult(msg, cause) },
  { name: 'isManaged', decl: { args: ['any'], result: 'boolean' }, impl: (resource: unknown) => newResult('', resource).managed },
  { name: 'cidr.count_addresses', decl: { args: ['string'], result: 'number' }, impl: (c: string) => countAddresses(c) },
  { name: 'cidr.is_public', decl: { args: ['string'], result: 'boolean' }, impl: (c: string) => isPublic(c) },
  { name: 'sh.parse_commands', decl: { args: ['string'], result: { array: { array: 'string' } } }, impl: (s: string) => parseCommands(s) },
];

/** Trivy's builtins this module does not provide, with upstream's declarations (a test calling one cannot pass here). */
export const unported: Array<{ name: string; args: TypeSpec[]; result: TypeSpec }> = [{ name: 'squealer.scan_string', args: ['string'], result: { object: ['string', 'any'] } }];
