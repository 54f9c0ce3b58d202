/**
 * Regular expressions with RE2 semantics (Go's regexp, which OPA uses), via
 * re2js. Go's API shapes are reproduced on top of re2's find-all: Split's
 * empty-match rules, ReplaceAllString's `$name` expansion, -1 meaning "all".
 */
import { RE2JS } from 're2js';
import type { BuiltinDecl } from './types.ts';
import type { Value } from '../value.ts';
import { builtinError, smallInt, str } from './operands.ts';
import { GLOBS_MATCH } from './globsmatch.ts';

interface GoRegexp {
  findAllIndex(s: string, n: number): number[][] | null;
  findAllSubmatchIndex(s: string, n: number): number[][] | null;
  numberOfCapturingGroups(): number;
}

// Compiled patterns are reused across evaluations (policies use few, fixed patterns).
const CACHE = new Map<string, { re: RE2JS; go: GoRegexp }>();
const CACHE_MAX = 1000;

export function compileRegex(pattern: string): { re: RE2JS; go: GoRegexp } {
  let hit = CACHE.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw builtinError((e as Error).message);
  }
  hit = { re, go: re.re2() as unknown as GoRegexp };
  if (CACHE.size >= CACHE_MAX) CACHE.clear();
  CACHE.set(pattern, hit);
  return hit;
}

function findAllIndex(pattern: string, s: string, n: number): number[][] {
  return compileRegex(pattern).go.findAllIndex(s, n) ?? [];
}

/** Go regexp.Split(s, -1). */
function split(pattern: string, s: string): string[] {
  if (pattern.length > 0 && s.length === 0) return [''];
  const matches = findAllIndex(pattern, s, -1);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [a, b] of matches) {
    end = a!;
    if (b !== 0) out.push(s.slice(beg, end));
    beg = b!;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Go Regexp.Expand for ReplaceAllString: `$1`, `${1}`, `$name`, `$$`. */
function expand(template: string, s: string, m: number[], names: Record<string, number>): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let j: number;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (close < 0 || !/^\w+$/.test(inner)) {
        out += c; // malformed: Go copies the '$' literally
        continue;
      }
      name = inner;
      j = close + 1;
    } else {
      const mm = /^\w+/.exec(template.slice(i + 1));
      if (!mm) {
        out += c;
        continue;
      }
      name = mm[0];
      j = i + 1 + name.length;
    }
    let idx = -1;
    if (/^\d+$/.test(name)) idx = Number(name);
    else if (names[name] !== undefined) idx = names[name]!;
    if (idx >= 0 && 2 * idx + 1 < m.length && m[2 * idx]! >= 0) out += s.slice(m[2 * idx], m[2 * idx + 1]);
    i = j - 1;
  }
  return out;
}

function replace(s: string, pattern: string, repl: string): string {
  const { re, go } = compileRegex(pattern);
  const matches = go.findAllSubmatchIndex(s, -1) ?? [];
  if (matches.length === 0) return s;
  const names = re.namedGroups();
  let out = '';
  let last = 0;
  for (const m of matches) {
    out += s.slice(last, m[0]) + expand(repl, s, m, names);
    last = m[1]!;
  }
  return out + s.slice(last);
}

function findN(args: Value[]): Value {
  const pattern = str(args, 0);
  const s = str(args, 1);
  const n = smallInt(args, 2);
  return findAllIndex(pattern, s, n).map(([a, b]) => s.slice(a, b));
}

function findAllSubmatch(args: Value[]): Value {
  const pattern = str(args, 0);
  const s = str(args, 1);
  const n = smallInt(args, 2);
  const matches = compileRegex(pattern).go.findAllSubmatchIndex(s, n) ?? [];
  return matches.map((m) => {
    const groups: Value[] = [];
    for (let i = 0; i < m.length; i += 2) groups.push(m[i]! >= 0 ? s.slice(m[i], m[i + 1]) : '');
    return groups;
  });
}

function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * regex.template_match: the template is literal text with regular
 * expressions between the delimiters (e.g. `urn:foo:{.*}`); the whole value
 * must match.
 */
function templateMatch(args: Value[]): Value {
  const template = str(args, 0);
  const value = str(args, 1);
  const open = str(args, 2);
  const close = str(args, 3);
  if ([...open].length !== 1 || [...close].length !== 1) throw builtinError('delimiters must be single characters');
  let pattern = '^';
  let depth = 0;
  let literalStart = 0;
  let regexStart = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === open) {
      if (depth === 0) {
        pattern += quoteMeta(template.slice(literalStart, i));
        regexStart = i + 1;
      }
      depth++;
    } else if (c === close && depth > 0) {
      depth--;
      if (depth === 0) {
        pattern += '(?:' + template.slice(regexStart, i) + ')';
        literalStart = i + 1;
      }
    }
  }
  if (depth !== 0) throw builtinError(`unbalanced braces in ${JSON.stringify(template)}`);
  pattern += quoteMeta(template.slice(literalStart)) + '$';
  return compileRegex(pattern).re.test(value);
}

export const REGEX: BuiltinDecl[] = [
  GLOBS_MATCH,
  { name: 'regex.match', args: ['string', 'string'], result: 'boolean', impl: (a) => compileRegex(str(a, 0)).re.test(str(a, 1)) },
  {
    name: 'regex.is_valid',
    args: ['any'],
    result: 'boolean',
    impl: ([p]) => {
      if (typeof p !== 'string') return false;
      try {
        compileRegex(p);
        return true;
      } catch {
        return false;
      }
    },
  },
  { name: 'regex.split', args: ['string', 'string'], result: { array: 'string' }, impl: (a) => split(str(a, 0), str(a, 1)) },
  { name: 'regex.replace', args: ['string', 'string', 'string'], result: 'string', impl: (a) => replace(str(a, 0), str(a, 1), str(a, 2)) },
  { name: 'regex.find_n', args: ['string', 'string', 'number'], result: { array: 'string' }, impl: findN },
  {
    name: 'regex.find_all_string_submatch_n',
    args: ['string', 'string', 'number'],
    result: { array: { array: 'string' } },
    impl: findAllSubmatch,
  },
  { name: 'regex.template_match', args: ['string', 'string', 'string', 'string'], result: 'boolean', impl: templateMatch },
];
