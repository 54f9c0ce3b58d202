/**
 * Escaping user-supplied text (intent descriptions, policy messages, ids,
 * file names, refs) before it is shown. The one place for it: every writer
 * (the text and Markdown reporters, SARIF, diagnostics, the CLI's stdout and
 * stderr) goes through these functions.
 *
 * - **Markdown**: GitHub renders comment and check-run Markdown with inline
 *   HTML allowed, so unescaped text could inject tags, links, images,
 *   @mentions (notifications!) or break a table; control characters and bidi
 *   overrides are dropped (invisible there, and they reorder what is read).
 * - **Terminal / job log** (text output, diagnostics, stderr): a control
 *   character is shown as an escape (`\u001b`, `\n`), never sent: ESC
 *   sequences and carriage returns could erase or overwrite the verdict, and
 *   a newline could start a line of the writer's choosing. A line whose first
 *   non-blank characters are `::` (or the older `##[`) is a GitHub Actions
 *   workflow command (`::error`, `::add-mask::`, `::stop-commands::`) when it
 *   reaches the job log; such a line gets a leading backslash and stays text.
 * - **SARIF**: file names become percent-encoded URIs.
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
  return stripControls(text.replace(/\r\n?|\n/g, ' '))
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
  const oneLine = stripControls(text.replace(/\r\n?|\n/g, ' '));
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

/**
 * Characters never shown as they are: C0 controls but tab, DEL, C1 controls,
 * the bidi embeddings, overrides and isolates (and ALM, LRM, RLM), and the
 * Unicode line and paragraph separators. Newline is in the set: the callers
 * that keep real line breaks split on them first.
 */
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r' };
/** A line the Actions runner would take for a workflow command (it trims leading whitespace first). */
const COMMAND_START = /^(\s*)(::|##\[)/;

/** Control and bidi characters as visible escapes (`\n`, `\u001b`), on one line. Valid inside a JSON string too. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Control and bidi characters removed (where an escape would only be noise: Markdown, SARIF messages). */
export function stripControls(text: string): string {
  return text.replace(UNSAFE, (c) => (c === '\n' || c === '\r' ? ' ' : ''));
}

/** One line for a terminal or a job log: controls escaped, and a workflow-command start defused. */
export function terminalLine(line: string): string {
  return escapeControls(line).replace(COMMAND_START, (_m, sp: string, cmd: string) => `${sp}\\${cmd}`);
}

/**
 * Anything terminalText would change: a control or bidi character other than
 * newline, or a line starting (after blanks) with `::` or `##[`. Checked
 * first so that ordinary output (a 90 MB JSON report of 10,000 intents) is
 * passed through without being split into millions of lines.
 */
const NEEDS_ESCAPING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|^[^\S\n]*(?:::|##\[)/m;

/** Multi-line text for a terminal or a job log: its own line breaks kept, every line made safe (terminalLine). */
export function terminalText(text: string): string {
  return NEEDS_ESCAPING.test(text) ? text.split('\n').map(terminalLine).join('\n') : text;
}

/**
 * A writer that makes everything passing through it terminal-safe, for the
 * CLI's stdout and stderr. Writes need not be whole lines: whether the next
 * write starts a line is remembered, so `::` is caught at every line start.
 */
export function terminalWriter(write: (text: string) => void): (text: string) => void {
  let atLineStart = true;
  return (text) => {
    if (text === '') return;
    if (!NEEDS_ESCAPING.test(text)) {
      atLineStart = text.endsWith('\n');
      return write(text);
    }
    const out = text
      .split('\n')
      .map((line, i) => (i === 0 && !atLineStart ? escapeControls(line) : terminalLine(line)))
      .join('\n');
    atLineStart = text.endsWith('\n');
    write(out);
  };
}

/**
 * A repository path as a SARIF `artifactLocation.uri` (a relative URI
 * reference): each segment percent-encoded, so spaces, `#`, `?`, `%`,
 * controls and newlines cannot change what the URI points at.
 */
export function sarifUri(path: string): string {
  return path
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD') // encodeURIComponent throws on a lone surrogate
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}
