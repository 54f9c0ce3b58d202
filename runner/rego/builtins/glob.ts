/**
 * glob.match with the semantics of the Go library OPA uses (gobwas/glob):
 * `*` any run of non-delimiter characters, `**` any run at all, `?` one
 * non-delimiter character, `[a-z]` / `[!a-z]` character classes, `{a,b}`
 * alternatives, `\` escapes. Patterns are compiled once to a JS RegExp.
 */
import type { BuiltinDecl } from './types.ts';
import type { Value } from '../value.ts';
import { builtinError, str, typeError } from './operands.ts';

const CACHE = new Map<string, RegExp>();

/** Escape for inside a character class (`\-` is valid there, and needed). */
function esc(ch: string): string {
  return ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Escape outside a character class: with the `u` flag `\-` is a syntax error there, and `-` needs none. */
function escOut(ch: string): string {
  return ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

export function globToRegExp(pattern: string, delimiters: string[]): RegExp {
  const key = JSON.stringify([pattern, delimiters]);
  const hit = CACHE.get(key);
  if (hit) return hit;
  const notDelim = delimiters.length ? `[^${delimiters.map(esc).join('')}]` : '[\\s\\S]';
  const chars = [...pattern];
  let i = 0;
  // Recursive descent over alternatives; `inAlt` makes ',' and '}' structural.
  const parse = (inAlt: boolean): string => {
    let out = '';
    while (i < chars.length) {
      const c = chars[i]!;
      if (inAlt && (c === ',' || c === '}')) return out;
      i++;
      switch (c) {
        case '\\':
          if (i >= chars.length) throw builtinError(`unexpected end of input`);
          out += escOut(chars[i++]!);
          break;
        case '*':
          if (chars[i] === '*') {
            i++;
            out += '[\\s\\S]*';
          } else out += `${notDelim}*`;
          break;
        case '?':
          out += notDelim;
          break;
        case '[': {
          let negate = false;
          if (chars[i] === '!') {
            negate = true;
            i++;
          }
          let cls = '';
          let closed = false;
          while (i < chars.length) {
            const d = chars[i++]!;
            if (d === ']') {
              closed = true;
              break;
            }
            if (d === '\\' && i < chars.length) cls += esc(chars[i++]!);
            else if (d === '-' && cls !== '') cls += '-';
            else cls += esc(d);
          }
          if (!closed || cls === '') throw builtinError(`unexpected end of input`);
          out += `[${negate ? '^' : ''}${cls}]`;
          break;
        }
        case '{': {
          const alts: string[] = [parse(true)];
          while (chars[i] === ',') {
            i++;
            alts.push(parse(true));
          }
          if (chars[i] !== '}') throw builtinError(`unexpected end of input`);
          i++;
          out += `(?:${alts.join('|')})`;
          break;
        }
        default:
          out += escOut(c);
      }
    }
    return out;
  };
  const re = new RegExp(`^(?:${parse(false)})$`, 'u');
  if (CACHE.size > 1000) CACHE.clear();
  CACHE.set(key, re);
  return re;
}

function globMatch(args: Value[]): Value {
  const pattern = str(args, 0);
  const d = args[1]!;
  let delimiters: string[];
  if (d === null) delimiters = [];
  else if (Array.isArray(d)) {
    delimiters = d.map((x) => {
      if (typeof x !== 'string') throw typeError(2, x, 'string');
      return [...x][0] ?? '';
    }).filter((x) => x !== '');
    if (delimiters.length === 0) delimiters = ['.'];
  } else throw typeError(2, d, 'array', 'null');
  const match = str(args, 2);
  return globToRegExp(pattern, delimiters).test(match);
}

function quoteMeta(args: Value[]): Value {
  return str(args, 0).replace(/[*?\\[\]{}]/g, '\\$&');
}

export const GLOB: BuiltinDecl[] = [
  {
    name: 'glob.match',
    args: ['string', { oneOf: [{ array: 'string' }, 'null'] }, 'string'],
    result: 'boolean',
    impl: globMatch,
  },
  { name: 'glob.quote_meta', args: ['string'], result: 'string', impl: quoteMeta },
];
