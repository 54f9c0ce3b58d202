/**
 * Escaping user-supplied text (intent descriptions, policy messages, ids,
 * file names) before it goes into GitHub-flavoured Markdown. GitHub renders
 * comment and check-run Markdown with inline HTML allowed, so unescaped text
 * could inject tags, links, images, @mentions (notifications!) or break a
 * table. Everything a user wrote passes through one of these.
 */

// Inline Markdown syntax; `(`, `)`, `!` only matter after `[`, which is escaped. Block syntax
// (#, -, +, >, 1.) only matters at the start of a line, handled separately.
const MD_SPECIAL = /[\\`*_[\]|~<>&]/g;
const ENTITY: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };

/**
 * Inline text: HTML metacharacters become entities, Markdown punctuation is
 * backslash-escaped, `@` cannot start a mention, and newlines collapse to a
 * space so the text cannot open a new block (heading, list, table row).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .replace(MD_SPECIAL, (c) => ENTITY[c] ?? `\\${c}`)
    // A block marker only counts when whitespace (or the end) follows it: `1.0.0` and `-x` stay as written.
    .replace(/^(\s*)([#+=-]|\d+[.)])(?=\s|$)/, (_m, sp: string, mark: string) => `${sp}\\${mark}`)
    // `@user` and `@org/team` would notify; an entity between @ and the name defuses it.
    .replace(/@(?=[A-Za-z0-9])/g, '@&#8203;')
    // Bare URLs are autolinked by GitHub; breaking `://` keeps them inert text.
    .replace(/:\/\//g, ':&#47;&#47;');
}

/** Text for a Markdown table cell: inline-escaped, and never empty (an empty cell shifts nothing but reads badly). */
export function escapeCell(text: string | undefined | null): string {
  const t = escapeMarkdown(text ?? '');
  return t === '' ? '—' : t;
}

/** Inline code span that survives backticks inside the text (CommonMark: a longer fence). */
export function codeSpan(text: string): string {
  const oneLine = text.replace(/\r\n?|\n/g, ' ');
  const longest = Math.max(0, ...[...oneLine.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${oneLine.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/**
 * Text inside an HTML comment (the sticky marker): `--` and `>` could close
 * the comment early, so the value is percent-encoded.
 */
export function markerValue(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*~-]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
