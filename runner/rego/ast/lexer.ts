/**
 * Rego lexer. Produces tokens with 1-based line/col. Newlines are not tokens:
 * each token records `nl` (a newline separated it from the previous token),
 * because newlines separate expressions inside rule bodies but are plain
 * whitespace inside brackets — only the parser knows which applies.
 *
 * Comments are collected separately (the parser needs them for `# METADATA`
 * annotation blocks).
 */
import type { Loc } from './nodes.ts';

export type TokKind = 'ident' | 'string' | 'rawstring' | 'template' | 'number' | 'op' | 'eof';

export interface Token {
  kind: TokKind;
  /** Identifier name, operator text, decoded string, or number text. */
  text: string;
  line: number;
  col: number;
  /** A newline occurred between the previous token and this one. */
  nl: boolean;
  /** Offset in the source (for error snippets). */
  offset: number;
  /** A template string (`$"…"`, `` $`…` ``): its literal text and, for each `{…}`, the expression's tokens. */
  parts?: Array<string | Token[]>;
}

export interface Comment {
  text: string;
  line: number;
  col: number;
}

export class LexError extends Error {
  readonly loc: Loc;
  constructor(message: string, loc: Loc) {
    super(message);
    this.loc = loc;
  }
}

// Longest first, so `:=` wins over `:`.
const OPS = [':=', '==', '!=', '<=', '>=', '{', '}', '[', ']', '(', ')', '.', ',', ';', ':', '=', '<', '>', '+', '-', '*', '/', '%', '&', '|'];

export function lex(file: string, src: string): { tokens: Token[]; comments: Comment[] } {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let nl = false;
  const n = src.length;
  const at = (): Loc => ({ file, line, col: i - lineStart + 1 });

  /** Line and column of a source offset (template expressions and their errors). */
  const position = (off: number): { line: number; col: number } => {
    let ln = 1;
    let start = 0;
    for (let k = 0; k < off; k++) {
      if (src[k] === '\n') {
        ln++;
        start = k + 1;
      }
    }
    return { line: ln, col: off - start + 1 };
  };

  /** Where a `"…"` string (with escapes) or a `` `…` `` string starting at `j` ends (the offset after it). */
  const skipString = (j: number): number => {
    const q = src[j]!;
    for (let k = j + 1; k < n; k++) {
      if (src[k] === '\\' && q === '"') k++;
      else if (src[k] === q) return k + 1;
    }
    const p = position(j);
    throw new LexError(q === '"' ? 'non-terminated string' : 'non-terminated raw string', { file, ...p });
  };

  /**
   * A template string at `start` (`$"` or `` $` ``): literal text (escapes as
   * in strings, plus `\{` and `\}`; a raw template keeps other backslashes)
   * and `{expr}` parts, each lexed on its own. An expression ends at the `}`
   * that balances its `{`, past nested brackets, strings and templates.
   */
  const template = (start: number): { end: number; parts: Array<string | Token[]> } => {
    const q = src[start + 1]!;
    const parts: Array<string | Token[]> = [];
    let lit = '';
    let j = start + 2;
    const fail = (msg: string, off: number): never => {
      throw new LexError(msg, { file, ...position(off) });
    };
    for (;;) {
      if (j >= n || (q === '"' && src[j] === '\n')) fail('non-terminated template string', start);
      const d = src[j]!;
      if (d === q) break;
      if (d === '\\') {
        const e = src[j + 1];
        if (e === '{' || e === '}') {
          lit += e;
          j += 2;
          continue;
        }
        if (q === '`') {
          lit += d;
          j++;
          continue;
        }
        const esc = decodeEscape(src, j) ?? fail(`illegal string escape \\${e ?? ''}`, j);
        lit += esc.text;
        j += esc.length;
        continue;
      }
      if (d === '{') {
        let depth = 0;
        let k = j + 1;
        for (;;) {
          if (k >= n) fail('non-terminated template expression', j);
          const x = src[k]!;
          if (x === '"' || x === '`') k = skipString(k);
          else if (x === '$' && (src[k + 1] === '"' || src[k + 1] === '`')) k = template(k).end;
          else if (x === '#') while (k < n && src[k] !== '\n') k++;
          else {
            if (x === '}' && depth === 0) break;
            if (x === '{' || x === '[' || x === '(') depth++;
            if (x === '}' || x === ']' || x === ')') depth--;
            k++;
          }
        }
        if (lit) parts.push(lit);
        lit = '';
        const inner = lex(file, src.slice(j + 1, k)).tokens;
        const at = position(j + 1);
        // Positions in the expression's own text → positions in this source (nested templates too).
        const shift = (ts: Token[]): void => {
          for (const t of ts) {
            if (t.line === 1) t.col += at.col - 1;
            t.line += at.line - 1;
            t.offset += j + 1;
            for (const part of t.parts ?? []) if (typeof part !== 'string') shift(part);
          }
        };
        shift(inner);
        if (inner.length === 1) fail('empty template expression', j);
        parts.push(inner);
        j = k + 1;
        continue;
      }
      lit += d;
      j++;
    }
    if (lit || parts.length === 0) parts.push(lit);
    return { end: j + 1, parts };
  };

  while (i < n) {
    const c = src[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      nl = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      const start = i;
      while (i < n && src[i] !== '\n') i++;
      comments.push({ text: src.slice(start + 1, i).replace(/\r$/, ''), line, col: start - lineStart + 1 });
      continue;
    }
    const col = i - lineStart + 1;
    const offset = i;
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      tokens.push({ kind: 'ident', text: src.slice(i, j), line, col, nl, offset });
      i = j;
      nl = false;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 400));
      if (!m) throw new LexError('illegal number format', at());
      let j = i + m[0].length;
      if (j < n && /[A-Za-z0-9_.]/.test(src[j]!)) throw new LexError('illegal number format', at());
      tokens.push({ kind: 'number', text: m[0], line, col, nl, offset });
      i = j;
      nl = false;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let out = '';
      for (;;) {
        if (j >= n || src[j] === '\n') throw new LexError('non-terminated string', { file, line, col });
        const d = src[j]!;
        if (d === '"') break;
        if (d === '\\') {
          const esc = decodeEscape(src, j);
          if (esc === undefined) {
            const e = src[j + 1];
            throw new LexError(e === 'u' ? 'illegal string escape' : `illegal string escape \\${e ?? ''}`, { file, line, col: j - lineStart + 1 });
          }
          out += esc.text;
          j += esc.length;
          continue;
        }
        out += d;
        j++;
      }
      tokens.push({ kind: 'string', text: out, line, col, nl, offset });
      i = j + 1;
      nl = false;
      continue;
    }
    if (c === '$' && (src[i + 1] === '"' || src[i + 1] === '`')) {
      const t = template(i);
      tokens.push({ kind: 'template', text: src.slice(i, t.end), line, col, nl, offset, parts: t.parts });
      for (let k = i; k < t.end; k++) {
        if (src[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      i = t.end;
      nl = false;
      continue;
    }
    if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) throw new LexError('non-terminated raw string', at());
      const text = src.slice(i + 1, j);
      tokens.push({ kind: 'rawstring', text, line, col, nl, offset });
      for (let k = i; k < j; k++) {
        if (src[k] === '\n') {
          line++;
          lineStart = k + 1;
        }
      }
      i = j + 1;
      nl = false;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new LexError(`illegal token '${c}'`, at());
    tokens.push({ kind: 'op', text: op, line, col, nl, offset });
    i += op.length;
    nl = false;
  }
  tokens.push({ kind: 'eof', text: '', line, col: i - lineStart + 1, nl: true, offset: i });
  return { tokens, comments };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The escape at `j` (a backslash) in a `"…"` string or template: its text and source length, or undefined when illegal. */
function decodeEscape(src: string, j: number): { text: string; length: number } | undefined {
  const e = src[j + 1];
  if (e !== undefined && Object.hasOwn(SIMPLE_ESCAPES, e)) return { text: SIMPLE_ESCAPES[e]!, length: 2 };
  const hex = src.slice(j + 2, j + 6);
  if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(hex)) return { text: String.fromCharCode(parseInt(hex, 16)), length: 6 };
  return undefined;
}
