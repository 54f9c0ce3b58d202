/** String builtins (OPA topdown/strings.go). Indexes count runes (code points), as OPA does. */
import type { BuiltinDecl, TypeSpec } from './types.ts';
import { RSet, regoText, type Value } from '../value.ts';
import { RegoEvalError } from '../topdown/errors.ts';
import { arr, builtinError, num, obj, operandError, smallInt, str, stringCollection, strings } from './operands.ts';
import { sprintf } from './sprintf.ts';
import { renderTemplate } from './gotemplate.ts';
import { asBigInt, decTrunc, toDec } from './numeric.ts';

const runes = (s: string): string[] => [...s];

/**
 * Go strings.ReplaceAll: an empty `old` matches at the start and after every rune
 * (k+1 insertions for k runes, so one for the empty string).
 */
function replaceAll(s: string, old: string, nu: string): string {
  if (old === '') return nu + runes(s).map((r) => r + nu).join('');
  return s.split(old).join(nu);
}

/**
 * Go strings.NewReplacer (its generic replacer) over the pairs in priority
 * order (OPA passes the keys sorted): at each position the highest-priority
 * pair whose `old` matches wins and scanning resumes after it; the empty key
 * matches everywhere, but not twice in a row at the same position (so
 * {"": "X", "a": "Y"} makes "ab" into "XYXbX"). Positions step by rune.
 */
function replaceN(patterns: [string, string][], s: string): string {
  if (patterns.length === 1) return replaceAll(s, patterns[0]![0], patterns[0]![1]);
  let out = '';
  let i = 0;
  let prevEmpty = false;
  while (i <= s.length) {
    const hit = patterns.find(([old]) => (old === '' ? !prevEmpty : s.startsWith(old, i)));
    prevEmpty = hit !== undefined && hit[0] === '';
    if (hit) {
      out += hit[1];
      i += hit[0].length;
      continue;
    }
    if (i === s.length) break;
    const ch = String.fromCodePoint(s.codePointAt(i)!);
    out += ch;
    i += ch.length;
  }
  return out;
}

/** Go strings.Split: an empty separator splits into runes. */
function goSplit(s: string, sep: string): string[] {
  if (sep === '') return runes(s);
  return s.split(sep);
}

/**
 * OPA's strings.split_n keeps only the first n parts (n > 0) or the last -n parts (n < 0) of the split and
 * drops the rest — unlike Go's strings.SplitN, the remainder is not folded into the last part.
 */
function splitN(args: Value[]): Value {
  const parts = goSplit(str(args, 0), str(args, 1));
  const n = smallInt(args, 2);
  if (n === 0) return [];
  return n > 0 ? parts.slice(0, n) : parts.slice(Math.max(0, parts.length + n));
}

function cutsetTrimmer(cutset: string): (ch: string) => boolean {
  const set = new Set(runes(cutset));
  return (ch) => set.has(ch);
}

function trimLeft(s: string, cutset: string): string {
  const cut = cutsetTrimmer(cutset);
  const r = runes(s);
  let i = 0;
  while (i < r.length && cut(r[i]!)) i++;
  return r.slice(i).join('');
}
function trimRight(s: string, cutset: string): string {
  const cut = cutsetTrimmer(cutset);
  const r = runes(s);
  let j = r.length;
  while (j > 0 && cut(r[j - 1]!)) j--;
  return r.slice(0, j).join('');
}

// Go unicode.IsSpace.
const SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function indexOf(args: Value[]): Value {
  const s = str(args, 0);
  const search = str(args, 1);
  if (search === '') throw builtinError('empty search character');
  const at = s.indexOf(search);
  if (at < 0) return -1;
  return runes(s.slice(0, at)).length;
}

function indexOfN(args: Value[]): Value {
  const s = str(args, 0);
  const search = str(args, 1);
  if (search === '') throw builtinError('empty search character');
  const out: Value[] = [];
  // Overlapping matches, positions in runes.
  let runeIdx = 0;
  for (let i = 0; i < s.length; ) {
    if (s.startsWith(search, i)) out.push(runeIdx);
    const cp = s.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    runeIdx++;
  }
  return out;
}

function substring(args: Value[]): Value {
  const s = str(args, 0);
  const start = smallInt(args, 1);
  const length = smallInt(args, 2);
  if (start < 0) throw builtinError('negative offset');
  const r = runes(s);
  if (start >= r.length) return '';
  if (length < 0) return r.slice(start).join('');
  return r.slice(start, Math.min(r.length, start + length)).join('');
}

function formatInt(args: Value[]): Value {
  const n = num(args, 0);
  const base = num(args, 1);
  const radix = Number(base);
  if (![2, 8, 10, 16].includes(radix) || !Number.isInteger(radix)) throw operandError(2, 'must be one of {2, 8, 10, 16}');
  const i = asBigInt(n) ?? decTrunc(toDec(n)).int; // fractions truncate toward zero
  return i.toString(radix);
}

function countStr(s: string, sub: string): number {
  if (sub === '') return runes(s).length + 1;
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

function anyMatch(args: Value[], test: (s: string, affix: string) => boolean): boolean {
  const search = strings(args, 0);
  const base = strings(args, 1);
  return search.some((s) => base.some((b) => test(s, b)));
}

function replaceNImpl(args: Value[]): Value {
  const patterns = obj(args, 0);
  const s = str(args, 1);
  const pairs: [string, string][] = [];
  for (const [k, v] of patterns.sortedEntries()) {
    if (typeof k !== 'string') throw operandError(1, 'non-string key found in pattern object');
    if (typeof v !== 'string') throw operandError(1, 'non-string value found in pattern object');
    pairs.push([k, v]);
  }
  return replaceN(pairs, s);
}

/**
 * internal.template_string: what the parser lowers a template string
 * (`$"…{expr}…"`, OPA 1.12) to. Literal text and scalar constants come as
 * themselves; every other expression as the set of its values — none renders
 * `<undefined>`, one renders like print() does (a string as is, anything else
 * in Rego's form), more than one stops evaluation with OPA's conflict error.
 */
function templateString(args: Value[]): Value {
  let out = '';
  for (const part of arr(args, 0)) {
    let v = part;
    if (part instanceof RSet) {
      if (part.size === 0) {
        out += '<undefined>';
        continue;
      }
      if (part.size > 1) throw new RegoEvalError('eval_conflict_error', 'template-strings must not produce multiple outputs');
      v = part.sorted()[0]!;
    }
    out += typeof v === 'string' ? v : regoText(v);
  }
  return out;
}

const S: TypeSpec = 'string';
const STRS: TypeSpec = { oneOf: ['string', { array: 'string' }, { set: 'string' }] };
const s1 = (name: string, f: (s: string) => Value): BuiltinDecl => ({ name, args: [S], result: 'any', impl: (a) => f(str(a, 0)) });
const s2 = (name: string, f: (a: string, b: string) => Value): BuiltinDecl => ({
  name,
  args: [S, S],
  result: 'any',
  impl: (a) => f(str(a, 0), str(a, 1)),
});

export const STRINGS: BuiltinDecl[] = [
  { name: 'sprintf', args: [S, { array: 'any' }], result: S, impl: (a) => sprintf(str(a, 0), arr(a, 1)) },
  { name: 'internal.template_string', args: [{ array: 'any' }], result: S, impl: templateString },
  { name: 'strings.render_template', args: [S, { object: [S, 'any'] }], result: S, impl: (a) => renderTemplate(str(a, 0), obj(a, 1)) },
  { name: 'format_int', args: ['number', 'number'], result: S, impl: formatInt },
  {
    name: 'concat',
    args: [S, { oneOf: [{ array: S }, { set: S }] }],
    result: S,
    impl: (a) => stringCollection(a, 1).join(str(a, 0)),
  },
  s2('contains', (a, b) => a.includes(b)),
  s2('startswith', (a, b) => a.startsWith(b)),
  s2('endswith', (a, b) => a.endsWith(b)),
  s1('lower', (s) => s.toLowerCase()),
  s1('upper', (s) => s.toUpperCase()),
  s2('split', (a, b) => goSplit(a, b)),
  { name: 'strings.split_n', args: [S, S, 'number'], result: { array: S }, impl: splitN },
  { name: 'replace', args: [S, S, S], result: S, impl: (a) => replaceAll(str(a, 0), str(a, 1), str(a, 2)) },
  { name: 'strings.replace_n', args: [{ object: [S, S] }, S], result: S, impl: replaceNImpl },
  { name: 'indexof', args: [S, S], result: 'number', impl: indexOf },
  { name: 'indexof_n', args: [S, S], result: { array: 'number' }, impl: indexOfN },
  { name: 'substring', args: [S, 'number', 'number'], result: S, impl: substring },
  s2('trim', (a, b) => trimRight(trimLeft(a, b), b)),
  s2('trim_left', trimLeft),
  s2('trim_right', trimRight),
  s2('trim_prefix', (a, b) => (a.startsWith(b) ? a.slice(b.length) : a)),
  s2('trim_suffix', (a, b) => (b !== '' && a.endsWith(b) ? a.slice(0, a.length - b.length) : a)),
  s1('trim_space', (s) => s.replace(SPACE, '')),
  s1('strings.reverse', (s) => runes(s).reverse().join('')),
  s2('strings.count', countStr),
  {
    name: 'strings.any_prefix_match',
    args: [STRS, STRS],
    result: 'boolean',
    impl: (a) => anyMatch(a, (s, p) => s.startsWith(p)),
  },
  {
    name: 'strings.any_suffix_match',
    args: [STRS, STRS],
    result: 'boolean',
    impl: (a) => anyMatch(a, (s, p) => s.endsWith(p)),
  },
];
