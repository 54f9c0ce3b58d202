/**
 * regex.globs_match: whether two regex-style globs match a common string.
 * OPA answers with github.com/yashtewari/glob-intersection (NonEmpty); this
 * is the same algorithm step for step, quirks included, so the answers are
 * OPA's: globs are `.`, characters (`\` escapes), sets `[a-z…]`, each
 * optionally followed by `+` or `*`, all implicitly anchored; the matching is
 * a greedy token walk, not a full automaton intersection (e.g. `.*` and `""`
 * do not intersect, as in OPA).
 */
import type { BuiltinDecl } from './types.ts';
import { builtinError, str } from './operands.ts';

const NONE = 0;
const PLUS = 1;
const STAR = 2;
type Flag = typeof NONE | typeof PLUS | typeof STAR;

/** Token types, ordered as the library orders them (Match swaps so a ≤ b). */
const CHAR = 0;
const DOT = 1;
const SET = 2;

type Token = { type: typeof CHAR; r: number; flag: Flag } | { type: typeof DOT; flag: Flag } | { type: typeof SET; runes: Set<number>; flag: Flag };

class GlobError extends Error {}

const ERR_INVALID = 'the input provided is invalid';

function invalid(input: number[], index: number, message: string): GlobError {
  return new GlobError(`input:${String.fromCodePoint(...input)}, pos:${index}, ${message}: ${ERR_INVALID}`);
}

interface RuneAt {
  next: number;
  r: number;
  escaped: boolean;
}

/** nextRune: undefined at the end of input; a trailing `\` is an error. */
function nextRune(index: number, input: number[]): RuneAt | undefined {
  if (index >= input.length) return undefined;
  if (input[index] === 0x5c) {
    if (index < input.length - 1) return { next: index + 2, r: input[index + 1]!, escaped: true };
    throw invalid(input, index, 'input ends with a \\ (escape) character');
  }
  return { next: index + 1, r: input[index]!, escaped: false };
}

const ch = (s: string): number => s.codePointAt(0)!;

function nextTokenSet(index: number, input: number[]): [number, Token] {
  const runes = new Set<number>();
  let prev = 0;
  let prevExists = false;
  let complete = false;
  let newIndex = index;
  for (let at = nextRune(index, input); at !== undefined; at = nextRune(newIndex, input)) {
    newIndex = at.next;
    let { r, escaped } = at;
    if (!escaped) {
      if (r === ch('-')) {
        if (!prevExists) throw invalid(input, newIndex, "range character '-' must be preceded by a Unicode character");
        if (newIndex >= input.length - 1) throw invalid(input, newIndex, "range character '-' must be followed by a Unicode character");
        const end = nextRune(newIndex, input)!;
        newIndex = end.next;
        ({ r, escaped } = end);
        if (!escaped && (r === ch(']') || r === ch('-'))) throw invalid(input, newIndex, "range character '-' cannot be followed by a special symbol");
        if (r < prev) {
          throw invalid(input, newIndex, `range is out of order: '${String.fromCodePoint(r)}' comes before '${String.fromCodePoint(prev)}' in Unicode`);
        }
        for (let x = prev; x <= r; x++) runes.add(x);
        prevExists = false;
      } else if (r === ch(']')) {
        complete = true;
      } else {
        runes.add(r);
        prev = r;
        prevExists = true;
      }
    } else {
      runes.add(r);
      prev = r;
      prevExists = true;
    }
    if (complete) break;
  }
  if (!complete) throw invalid(input, newIndex, 'found [ without matching ]');
  return [newIndex, { type: SET, runes, flag: NONE }];
}

function nextToken(index: number, input: number[]): [number, Token] | undefined {
  const at = nextRune(index, input);
  if (!at) return undefined;
  let newIndex = at.next;
  let token: Token;
  if (!at.escaped && at.r === ch('.')) token = { type: DOT, flag: NONE };
  else if (!at.escaped && at.r === ch(']')) throw invalid(input, newIndex, "set-close ']' with no preceding '['");
  else if (!at.escaped && at.r === ch('[')) [newIndex, token] = nextTokenSet(newIndex, input);
  else if (!at.escaped && (at.r === ch('+') || at.r === ch('*'))) throw invalid(input, newIndex, `flag '${String.fromCodePoint(at.r)}' must be preceded by a non-flag`);
  else token = { type: CHAR, r: at.r, flag: NONE };
  // nextFlag: an unescaped + or * right after the token.
  const f = nextRune(newIndex, input);
  if (f && !f.escaped && (f.r === ch('+') || f.r === ch('*'))) {
    token.flag = f.r === ch('+') ? PLUS : STAR;
    newIndex = f.next;
  }
  return [newIndex, token];
}

function equalTokens(a: Token, b: Token): boolean {
  if (a.type !== b.type) return false;
  if (a.type === CHAR) return a.r === (b as typeof a).r;
  if (a.type === SET) {
    const o = (b as typeof a).runes;
    return a.runes.size === o.size && [...a.runes].every((r) => o.has(r));
  }
  return true;
}

/** Simplify: adjacent equal flagged tokens merge (`a*a+` → `a+`, `a*a*` → `a*`). */
function simplify(tokens: Token[]): Token[] {
  if (tokens.length === 0) return tokens;
  const simple = [tokens[0]!];
  let latest = simple[0]!;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.flag !== NONE && latest.flag !== NONE && equalTokens(t, latest)) {
      simple[simple.length - 1]!.flag = t.flag === PLUS || latest.flag === PLUS ? PLUS : STAR;
      continue;
    }
    latest = t;
    simple.push(t);
  }
  return simple;
}

function newGlob(s: string): Token[] {
  const input = Array.from(s, (c) => c.codePointAt(0)!);
  const tokens: Token[] = [];
  for (let t = nextToken(0, input); t; t = nextToken(t[0], input)) tokens.push(t[1]);
  return simplify(tokens);
}

function match(a: Token, b: Token): boolean {
  const [t1, t2] = a.type > b.type ? [b, a] : [a, b];
  if (t1.type === CHAR) {
    if (t2.type === CHAR) return t1.r === t2.r;
    if (t2.type === DOT) return true;
    return t2.runes.has(t1.r);
  }
  if (t1.type === DOT) return true;
  const other = (t2 as typeof t1).runes;
  for (const r of t1.runes) if (other.has(r)) return true;
  return false;
}

/** trimGlobs: strip the common unflagged prefix and suffix, keeping one token of each. */
function trimGlobs(g1: Token[], g2: Token[]): [Token[], Token[]] | undefined {
  let l = 0;
  for (; l < g1.length && l < g2.length && g1[l]!.flag === NONE && g2[l]!.flag === NONE; l++) {
    if (!match(g1[l]!, g2[l]!)) return undefined;
  }
  if (l > 0) l--;
  let r1 = g1.length - 1;
  let r2 = g2.length - 1;
  for (; r1 >= 0 && r1 >= l && r2 >= 0 && r2 >= l && g1[r1]!.flag === NONE && g2[r2]!.flag === NONE; r1--, r2--) {
    if (!match(g1[r1]!, g2[r2]!)) return undefined;
  }
  if (r1 < g1.length - 1) {
    r1++;
    r2++;
  }
  return [g1.slice(l, r1 + 1), g2.slice(l, r2 + 1)];
}

function intersectNormal(g1: Token[], g2: Token[]): boolean {
  let i = 0;
  let j = 0;
  for (; i < g1.length && j < g2.length; i++, j++) {
    if (g1[i]!.flag === NONE && g2[j]!.flag === NONE) {
      if (!match(g1[i]!, g2[j]!)) return false;
    } else return intersectSpecial(g1.slice(i), g2.slice(j));
  }
  return i === g1.length && j === g2.length;
}

function intersectSpecial(g1: Token[], g2: Token[]): boolean {
  if (g1[0]!.flag !== NONE) return g1[0]!.flag === PLUS ? intersectPlus(g1, g2) : intersectStar(g1, g2);
  return g2[0]!.flag === PLUS ? intersectPlus(g2, g1) : intersectStar(g2, g1);
}

function intersectPlus(plussed: Token[], other: Token[]): boolean {
  if (!match(plussed[0]!, other[0]!)) return false;
  if (intersectStar(plussed, other.slice(1))) return true;
  return other[0]!.flag !== NONE && intersectNormal(plussed.slice(1), other);
}

function intersectStar(starred: Token[], other: Token[]): boolean {
  const starToken = starred[0]!;
  const nextToken = starred[1];
  for (let i = 0; i < other.length; i++) {
    const t = other[i]!;
    if (nextToken !== undefined && match(t, nextToken)) {
      if (intersectNormal(starred.slice(1), other.slice(i))) return true;
      if (!match(t, starToken)) return false;
    } else if (!match(t, starToken)) return false;
  }
  return nextToken === undefined;
}

/** gintersect.NonEmpty */
export function globsIntersect(lhs: string, rhs: string): boolean {
  const trimmed = trimGlobs(newGlob(lhs), newGlob(rhs));
  return trimmed !== undefined && intersectNormal(trimmed[0], trimmed[1]);
}

export const GLOBS_MATCH: BuiltinDecl = {
  name: 'regex.globs_match',
  args: ['string', 'string'],
  result: 'boolean',
  impl: (args) => {
    const a = str(args, 0);
    const b = str(args, 1);
    try {
      return globsIntersect(a, b);
    } catch (e) {
      if (e instanceof GlobError) throw builtinError(e.message);
      throw e;
    }
  },
};
