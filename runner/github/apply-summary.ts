/**
 * The apply summary on the merged pull request, as pure functions.
 *
 * `gitops apply --summary-file <file>` writes `renderApplyMarkdown(report)`
 * (runner/apply/run.ts): a marker line `<!-- gitops:apply base..head -->`,
 * a headline, the preflight diagnostics and a Stack/Step/Status table. That
 * renderer writes for the job summary and copies error text (Pulumi's output,
 * stack reasons) into it as-is; a PR comment notifies people, so nothing
 * user-controlled may reach it raw. The summary is therefore parsed back into
 * its parts and the comment is re-rendered from them with every free-text
 * value escaped (runner/core/escape.ts). Lines the parser does not know are
 * kept, escaped as plain text, so nothing is lost and nothing is injected.
 */
import { diag, fail, ok, type Result } from '../core/diagnostics.ts';
import { codeSpan, escapeCell, escapeMarkdown } from '../core/escape.ts';

/** The apply's outcome as its headline states it; `unknown` when the headline is not one of ours. */
export type ApplySummaryStatus = 'succeeded' | 'failed' | 'nothing_to_apply' | 'preflight_failed' | 'unknown';

export interface ApplySummaryRow {
  stack: string;
  step: string;
  status: string;
  duration: string;
  details: string;
}

export interface ApplySummary {
  /** From the marker line; absent when the apply ran with --intent / --all (no range). */
  base?: string;
  head?: string;
  status: ApplySummaryStatus;
  engine?: string;
  trace?: string;
  /** The headline as written (shown, escaped, when the status is unknown). */
  headline: string;
  diagnostics: Array<{ code: string; message: string }>;
  rows: ApplySummaryRow[];
  /** Non-empty lines the parser did not recognise, in order. */
  other: string[];
}

const MARKER = /^<!-- gitops:apply (.*) -->$/;
const HEADLINES: ReadonlyArray<[RegExp, Exclude<ApplySummaryStatus, 'unknown'>]> = [
  [/\*\*Apply succeeded\*\*/, 'succeeded'],
  [/\*\*Apply failed\*\*/, 'failed'],
  [/\*\*Nothing to apply\*\*/, 'nothing_to_apply'],
  [/\*\*Apply could not start\*\*/, 'preflight_failed'],
];
const DIAGNOSTIC = /^- `([^`]+)`: ?(.*)$/;
const TABLE_HEADER = /^\|\s*Stack\s*\|\s*Step\s*\|/;
const TABLE_RULE = /^\|(\s*:?-{3,}:?\s*\|)+\s*$/;
/** A cell separator: a `|` the renderer did not escape. */
const CELL_SPLIT = /(?<!\\)\|/;
const endsRow = (line: string) => /(?<!\\)\|\s*$/.test(line);

/** Does this summary report something that must reach the PR (a failure, or a result we cannot read)? */
export function isFailure(s: ApplySummary): boolean {
  return s.status === 'failed' || s.status === 'preflight_failed' || s.status === 'unknown';
}

/** `base..head` as the sticky key's range, or undefined when the apply had no range. */
export function rangeOf(s: ApplySummary): string | undefined {
  return s.base && s.head ? `${s.base}..${s.head}` : undefined;
}

/**
 * Parse the file `gitops apply --summary-file` wrote. A file that does not
 * start with the apply marker is `apply_summary_invalid` at line 1 (it is
 * some other file, e.g. a check report). Error text spanning several lines
 * (Pulumi's messages do) continues the diagnostic or table row it belongs to.
 */
export function parseApplySummary(text: string, file: string): Result<ApplySummary> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const m = MARKER.exec((lines[0] ?? '').trim());
  if (!m) {
    return fail(
      diag('apply_summary_invalid', 'not an apply summary: the first line must be `<!-- gitops:apply base..head -->`; write it with `gitops apply … --summary-file <file>`', { file, line: 1 }),
    );
  }
  const range = m[1]!.trim();
  const dots = range.indexOf('..');
  const base = dots >= 0 ? range.slice(0, dots) : range;
  const head = dots >= 0 ? range.slice(dots + 2) : '';

  let i = 1;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  const headline = (lines[i] ?? '').trim();
  i++;
  const status = HEADLINES.find(([re]) => re.test(headline))?.[1] ?? 'unknown';
  const engine = /engine `([^`]+)`/.exec(headline)?.[1];
  const trace = /trace `([^`]+)`/.exec(headline)?.[1];

  const summary: ApplySummary = {
    ...(base ? { base } : {}),
    ...(head ? { head } : {}),
    status,
    ...(engine ? { engine } : {}),
    ...(trace ? { trace } : {}),
    headline,
    diagnostics: [],
    rows: [],
    other: [],
  };
  // What a following unrecognised line continues: the last diagnostic, or a table row not yet closed.
  let open: 'diagnostic' | 'none' = 'none';
  let inTable = false;
  let pendingRow: string | undefined;

  const finishRow = (raw: string) => {
    const cells = raw.trim().replace(/^\|/, '').replace(/(?<!\\)\|\s*$/, '').split(CELL_SPLIT).map((c) => c.trim().replace(/\\\|/g, '|'));
    if (cells.length < 5) {
      summary.other.push(raw);
      return;
    }
    const [stack, step, st, duration, ...details] = cells as [string, string, string, string, ...string[]];
    summary.rows.push({ stack: stack.replace(/^`+\s?|\s?`+$/g, ''), step, status: st, duration, details: details.join(' | ') });
  };

  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (pendingRow !== undefined) {
      pendingRow += ' ' + line.trim();
      if (endsRow(line)) {
        finishRow(pendingRow);
        pendingRow = undefined;
      }
      continue;
    }
    if (line.trim() === '') {
      open = 'none';
      continue;
    }
    const d = DIAGNOSTIC.exec(line);
    if (d && !inTable) {
      summary.diagnostics.push({ code: d[1]!, message: d[2]! });
      open = 'diagnostic';
      continue;
    }
    if (TABLE_HEADER.test(line)) {
      inTable = true;
      open = 'none';
      continue;
    }
    if (inTable && TABLE_RULE.test(line)) continue;
    if (inTable && line.startsWith('|')) {
      if (endsRow(line)) finishRow(line);
      else pendingRow = line.trim();
      continue;
    }
    if (open === 'diagnostic') {
      const last = summary.diagnostics.at(-1)!;
      last.message += ' ' + line.trim();
      continue;
    }
    summary.other.push(line);
  }
  if (pendingRow !== undefined) finishRow(pendingRow);
  return ok(summary);
}

const HEADLINE_TEXT: Record<Exclude<ApplySummaryStatus, 'unknown'>, string> = {
  succeeded: '✅ **Apply succeeded**',
  failed: '❌ **Apply failed**',
  nothing_to_apply: 'ℹ️ **Nothing to apply**',
  preflight_failed: '⛔ **Apply could not start** (nothing was changed)',
};

export interface ApplyCommentContext {
  /** The commit the comment is posted for (the merge commit). */
  sha: string;
  /** Link to the workflow run (`GitHubConfig.runUrl`). */
  runUrl?: string;
  stack?: string;
}

const short = (sha: string) => (/^[0-9a-f]{40}$/i.test(sha) ? sha.slice(0, 12) : sha);

/**
 * The comment's Markdown (the sticky marker is added by `commentBody`). Every
 * value that came from the summary is escaped: free text with escapeMarkdown
 * / escapeCell, identifiers as code spans. Only the fixed headline words and
 * the table shape are ours.
 */
export function renderApplyComment(s: ApplySummary, c: ApplyCommentContext): string {
  const head =
    s.status === 'unknown' ? `⚠️ **Apply result** — ${escapeMarkdown(s.headline || 'the summary has no headline')}` : HEADLINE_TEXT[s.status];
  const meta = [s.engine ? `engine ${codeSpan(s.engine)}` : '', s.trace ? `trace ${codeSpan(s.trace)}` : ''].filter(Boolean).join(', ');
  const out = [`${head}${meta && s.status !== 'unknown' ? ` — ${meta}` : ''}`, ''];
  const about = [
    s.base && s.head ? `Range ${codeSpan(`${short(s.base)}..${short(s.head)}`)}` : 'No range (a single intent or every intent was applied)',
    `merge commit ${codeSpan(short(c.sha))}`,
    ...(c.stack ? [`stack ${codeSpan(c.stack)}`] : []),
  ];
  const link = c.runUrl ? ` · [workflow run](${c.runUrl.replace(/[()\s<>]/g, (ch) => encodeURIComponent(ch))})` : '';
  out.push(`${about.join(', ')}${link}`, '');
  if (s.diagnostics.length) {
    for (const d of s.diagnostics) out.push(`- ${codeSpan(d.code)}: ${escapeMarkdown(d.message)}`);
    out.push('');
  }
  if (s.rows.length) {
    out.push('| Stack | Step | Status | Duration | Details |', '|---|---|---|---:|---|');
    for (const r of s.rows) {
      out.push(`| ${codeSpan(r.stack)} | ${escapeCell(r.step)} | ${escapeCell(r.status)} | ${escapeCell(r.duration)} | ${escapeCell(r.details)} |`);
    }
    out.push('');
  }
  for (const line of s.other) out.push(escapeMarkdown(line) + '  ');
  if (isFailure(s)) out.push('', 'The `gitops-applied` tag moves only when every stack applied, so the next apply run covers this range again.');
  // Escaped values hold no newlines, so collapsing blank runs only tidies the sections' joins.
  return out.join('\n').replace(/\n{3,}/g, '\n\n').replace(/\n+$/, '') + '\n';
}

/**
 * Plain one-line messages for workflow-command annotations (the fallback when
 * the comment cannot be written): one per failed stack step or preflight
 * problem, else the headline. Annotation text is not rendered as Markdown.
 */
export function failureMessages(s: ApplySummary): Array<{ title: string; message: string }> {
  const range = rangeOf(s) ?? 'no range';
  const out: Array<{ title: string; message: string }> = [];
  for (const d of s.diagnostics) out.push({ title: `gitops apply could not start (${range})`, message: `${d.code}: ${d.message}` });
  for (const r of s.rows) {
    if (r.status !== 'failed') continue;
    out.push({ title: `gitops apply failed: ${r.stack}`, message: `${r.step === '—' ? 'stack' : `step ${r.step}`} failed${r.details && r.details !== '—' ? `: ${r.details}` : ''} (${range})` });
  }
  if (!out.length) out.push({ title: 'gitops apply', message: `${s.headline.replace(/\*\*/g, '') || 'apply result unknown'} (${range})` });
  return out;
}
