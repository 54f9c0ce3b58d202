/**
 * Text forms shared by several families: Rego's own rendering of values
 * (what OPA's `Value.String()` prints, used by sprintf for composites) and
 * Go's strconv.Quote.
 */
import { RObject, RSet, numKey, type Value } from '../value.ts';

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]/u;

/** Go strconv.Quote: printable runes kept, others escaped Go-style. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (PRINTABLE.test(ch)) out += ch;
    else if (c < 0x80) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += '\\U' + c.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** A value as Rego source text (OPA's ast Value.String()). */
export function regoString(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return numText(v);
    case 'string':
      return goQuote(v);
  }
  if (Array.isArray(v)) return '[' + v.map(regoString).join(', ') + ']';
  if (v instanceof RSet) return v.size === 0 ? 'set()' : '{' + v.sorted().map(regoString).join(', ') + '}';
  const o = v as RObject;
  return '{' + o.sortedEntries().map(([k, x]) => `${regoString(k)}: ${regoString(x)}`).join(', ') + '}';
}

/** Number text as OPA prints it in JSON: integers in full, others shortest round-trip. */
export function numText(n: number | bigint): string {
  return numKey(n);
}
