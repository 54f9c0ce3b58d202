/**
 * What goes to GitHub, as pure functions of the CheckReport: the check run's
 * conclusion, title, summary (results table) and annotations; the sticky
 * comment body with its hidden marker; the workflow-command annotations of
 * the fallback. No I/O here, so all of it is testable on hand-built reports.
 */
import { exitCode, type CheckReport, type CostDelta } from '../model/report.ts';
import { sha256 } from '../core/hash.ts';
import { codeSpan, escapeCell, escapeControls, escapeMarkdown, markerValue } from '../core/escape.ts';
import { costDeltaText, diffCounts, OP_SYMBOL, shortType, signedMoney, signedPct } from '../report/change.ts';
import { formatChange } from '../report/change.ts';

/** Resource updates listed in the check run summary when there are at most this many. */
const SUMMARY_CHANGES = 5;

/** `+60.74 (+18.6%), headroom 113.31` for the summary's cost cell. */
const costChange = (d: CostDelta) => `${signedMoney(d.delta_max).replace('$', '')} (${signedPct(d.pct_max)})${d.headroom !== undefined ? `, headroom ${d.headroom.toFixed(2)}` : ''}`;

/** GitHub's limits (REST docs): comment bodies, check-run summary/text, annotations per request. */
export const LIMITS = {
  commentBody: 65536,
  checkRunText: 65535,
  annotationsPerRequest: 50,
  annotationMessage: 64 * 1024,
  /** Job summaries are capped at 1 MiB per step. */
  jobSummary: 1024 * 1024,
} as const;

/**
 * What the rendered report may take in the sticky comment: the limit minus
 * room for the hidden marker line. The Markdown reporter leaves out whole
 * intent sections to stay under it (the failures are always complete), so
 * the comment is never cut mid-table by `trimMarkdown`.
 */
export const COMMENT_MARKDOWN_BUDGET = LIMITS.commentBody - 512;

export type Conclusion = 'success' | 'failure' | 'neutral';

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface CheckRunOutput {
  name: string;
  conclusion: Conclusion;
  title: string;
  summary: string;
  text: string;
  annotations: Annotation[];
  /** Content hash of everything above: the check run's `external_id` carries it (idempotent re-publish). */
  hash: string;
}

export function checkRunName(project: string): string {
  return `gitops check (${project})`;
}

/**
 * success: every changed intent allowed (warnings do not block, conftest
 * semantics). failure: a denial, an invalid intent, or a runner error (exit 1
 * or 2 — both must block the merge). neutral: nothing to evaluate.
 */
export function conclusionOf(report: CheckReport): Conclusion {
  const code = exitCode(report);
  if (code !== 0) return 'failure';
  if (report.intents.length === 0) return 'neutral';
  return 'success';
}

export function titleOf(report: CheckReport): string {
  const s = report.summary;
  if (report.diagnostics.length > 0) return `Runner error: ${report.diagnostics.length} problem${report.diagnostics.length === 1 ? '' : 's'}`;
  // The governed files are judged with or without intents: a denial there is the headline.
  const governance = report.governance?.results.filter((r) => r.status === 'failed').length ?? 0;
  if (governance) return `Governed files denied: ${governance} finding${governance === 1 ? '' : 's'}${s.intents ? `; ${s.intents} intent${s.intents === 1 ? '' : 's'}: ${s.denied + s.invalid} not allowed` : ''}`;
  if (s.intents === 0) return 'No intent changed';
  const parts = [`${s.allowed} allowed`];
  if (s.denied) parts.push(`${s.denied} denied`);
  if (s.invalid) parts.push(`${s.invalid} invalid`);
  if (s.warnings) parts.push(`${s.warnings} warning${s.warnings === 1 ? '' : 's'}`);
  return `${s.intents} intent${s.intents === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

const DECISION_ICON = { allow: '✅ allow', deny: '❌ deny', invalid: '⚠️ invalid' } as const;

/** The results table of the check run summary: one row per intent. */
export function summaryOf(report: CheckReport): string {
  const lines = [`**${escapeMarkdown(titleOf(report))}**`, ''];
  if (report.intents.length > 0) {
    lines.push('| Intent | File | Decision | Failed policies | Warnings | Monthly cost (USD) | Plan |', '|---|---|---|---|---|---|---|');
    for (const i of report.intents) {
      const failed = i.results.filter((r) => r.status === 'failed').map((r) => r.policy);
      const warned = i.results.filter((r) => r.status === 'warned').map((r) => r.policy);
      const cost = i.cost ? `${i.cost.monthly_min.toFixed(2)} – ${i.cost.monthly_max.toFixed(2)}${i.cost_delta ? ` (max ${costChange(i.cost_delta)})` : ''}` : '—';
      lines.push(
        `| ${escapeCell(i.id)} | ${codeSpan(i.file)} | ${DECISION_ICON[i.decision]} | ${escapeCell(failed.join(', '))} | ${escapeCell(warned.join(', '))} | ${cost} | ${i.plan_diff ? diffCounts(i.plan_diff) : '—'} |`,
      );
    }
    for (const d of report.deleted_intents ?? []) {
      lines.push(`| ${escapeCell(d.id)} | ${codeSpan(d.file)} | 🗑️ deleted | — | — | ${d.cost_delta ? `max ${costChange(d.cost_delta)}` : '—'} | ${d.plan_diff ? diffCounts(d.plan_diff) : '—'} |`);
    }
  }
  if (report.cost_delta) lines.push('', `Cost change of the PR: ${costDeltaText(report.cost_delta)}.`);
  // The few resource changes of a small PR, in the summary itself (the comment has the full diff).
  const changed = report.intents.flatMap((i) => (i.plan_diff?.changes ?? []).filter((c) => c.changes.length > 0).map((c) => ({ i, c })));
  if (changed.length > 0 && changed.length <= SUMMARY_CHANGES) {
    lines.push('', ...changed.map(({ i, c }) => `- ${escapeMarkdown(i.id)}: ${OP_SYMBOL[c.op]} ${codeSpan(shortType(c.type))} ${escapeMarkdown(c.name)}: ${c.changes.map((x) => escapeMarkdown(formatChange(x))).join('; ')}`));
  }
  if (report.deleted.length > 0) lines.push('', `Deleted intents: ${report.deleted.map(codeSpan).join(', ')}`);
  if (report.policy_changes.files.length > 0) {
    lines.push('', `Policy files changed (evaluated with the base branch's policies; owner review needed): ${report.policy_changes.files.map(codeSpan).join(', ')}`);
  }
  const governed = report.governance?.results.filter((r) => r.status !== 'passed') ?? [];
  if (governed.length > 0) {
    lines.push('', '| Governed file | Rule | Status | Message |', '|---|---|---|---|');
    for (const r of governed) lines.push(`| ${codeSpan(`${r.file}:${r.line}`)} | ${escapeCell(r.policy)} | ${r.status === 'failed' ? '❌ failed' : '⚠️ warned'} | ${escapeCell(r.message)} |`);
  }
  if (report.governance?.needs_review) {
    lines.push('', `Governance changes (owner review needed, CODEOWNERS): ${report.governance.files.map(codeSpan).join(', ')}`);
  }
  for (const d of report.diagnostics) lines.push('', `- ${codeSpan(d.code)} ${d.file ? codeSpan(`${d.file}${d.line ? `:${d.line}` : ''}`) + ' ' : ''}${escapeMarkdown(d.message)}`);
  return clip(lines.join('\n'), LIMITS.checkRunText);
}

/**
 * One annotation per failed or warned policy result and per diagnostic that
 * has a file, at the intent file line it points at. Sorted for stable output.
 * Annotation text is plain (GitHub does not render Markdown in annotations).
 */
export function annotationsOf(report: CheckReport): Annotation[] {
  const out: Annotation[] = [];
  for (const i of report.intents) {
    for (const r of i.results) {
      if (r.status === 'passed') continue;
      const line = Math.max(1, r.line || 1);
      out.push({
        path: r.file || i.file,
        start_line: line,
        end_line: line,
        annotation_level: r.status === 'failed' ? 'failure' : 'warning',
        title: clip(`${r.policy}: ${r.title}`, 255),
        message: clip(r.message + (r.path ? ` (at ${r.path})` : ''), LIMITS.annotationMessage),
      });
    }
    for (const d of i.diagnostics) out.push(diagnosticAnnotation(d, i.file));
  }
  // The governed files (agents, IAM table, contracts, audit log), judged on every run.
  for (const r of report.governance?.results ?? []) {
    if (r.status === 'passed') continue;
    const line = Math.max(1, r.line || 1);
    out.push({
      path: r.file,
      start_line: line,
      end_line: line,
      annotation_level: r.status === 'failed' ? 'failure' : 'warning',
      title: clip(`${r.policy}: ${r.title}`, 255),
      message: clip(r.message + (r.path ? ` (at ${r.path})` : ''), LIMITS.annotationMessage),
    });
  }
  for (const d of report.diagnostics) if (d.file) out.push(diagnosticAnnotation(d, d.file));
  // A repository-wide finding (agents, contracts) is in every intent's results and in governance: annotate it once.
  const seen = new Set<string>();
  return out.filter((a) => {
    const key = `${a.path}\0${a.start_line}\0${a.annotation_level}\0${a.title ?? ''}\0${a.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function diagnosticAnnotation(d: CheckReport['diagnostics'][number], fallbackFile: string): Annotation {
  const line = Math.max(1, d.line ?? 1);
  const a: Annotation = {
    path: d.file ?? fallbackFile,
    start_line: line,
    end_line: line,
    annotation_level: 'failure',
    title: d.code,
    message: clip(d.message + (d.path ? ` (at ${d.path})` : ''), LIMITS.annotationMessage),
  };
  // GitHub accepts columns only on single-line annotations, which these are.
  if (d.col !== undefined && d.col > 0) {
    a.start_column = d.col;
    a.end_column = d.col;
  }
  return a;
}

export function checkRunOutput(report: CheckReport, project: string, detailsMarkdown: string): CheckRunOutput {
  const base = {
    name: checkRunName(project),
    conclusion: conclusionOf(report),
    title: titleOf(report),
    summary: summaryOf(report),
    text: trimMarkdown(detailsMarkdown, LIMITS.checkRunText, 'check run text').text,
    annotations: annotationsOf(report),
  };
  return { ...base, hash: sha256(JSON.stringify(base)).slice(0, 32) };
}

/** Annotations in request-sized batches (GitHub takes at most 50 per create/update). */
export function batches<T>(items: readonly T[], size: number = LIMITS.annotationsPerRequest): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---------------------------------------------------------------------------
// Sticky comment

export interface StickyKey {
  project: string;
  command: string;
  /** The stack, when one comment per stack is wanted (apply matrix jobs post side by side). */
  stack?: string;
  /** What the comment is about within the command: the apply's `base..head` range. */
  range?: string;
}

const MARKER_PREFIX = '<!-- gitops-sticky:v1';

/**
 * The hidden marker that finds our comment again: keyed on project + command
 * (+ stack and range when given; never on a visible heading, which users and
 * renderers change), carrying the content hash so an unchanged report causes
 * no write. The parts are in a fixed order and `readMarker` requires the hash
 * right after the key, so `command=apply ` does not find `command=apply stack=…`.
 */
export function markerKey(key: StickyKey): string {
  const parts = [`project=${markerValue(key.project)}`, `command=${markerValue(key.command)}`];
  if (key.stack !== undefined) parts.push(`stack=${markerValue(key.stack)}`);
  if (key.range !== undefined) parts.push(`range=${markerValue(key.range)}`);
  return `${MARKER_PREFIX} ${parts.join(' ')} `;
}

export function marker(key: StickyKey, hash: string): string {
  return `${markerKey(key)}hash=${hash} -->`;
}

/** The hash in a comment's marker, if the comment is ours for this key. */
export function readMarker(body: string | undefined | null, key: StickyKey): { hash: string } | undefined {
  if (!body) return undefined;
  const k = markerKey(key);
  // The key must be followed by the hash: `command=apply ` is also the start of
  // `command=apply range=…`, a different key's marker.
  for (let at = body.indexOf(k); at >= 0; at = body.indexOf(k, at + 1)) {
    const m = /^hash=([0-9a-f]*) -->/.exec(body.slice(at + k.length));
    if (m) return { hash: m[1]! };
  }
  return undefined;
}

export interface CommentBody {
  body: string;
  hash: string;
  trimmed: boolean;
  omittedChars: number;
}

/** Where the untrimmed text is, named in the truncation note. */
export const FULL_COPY = {
  check: "the workflow's job summary and its `report.json`",
  apply: "the apply job's summary",
} as const;

/**
 * The comment body: marker line + the rendered report, trimmed under
 * GitHub's 65,536-character limit with a visible note when cut. The hash is
 * of the untrimmed content, i.e. of the report as rendered.
 */
export function commentBody(markdown: string, key: StickyKey, limit: number = LIMITS.commentBody, fullCopy: string = FULL_COPY.check): CommentBody {
  const hash = sha256(markdown).slice(0, 32);
  const head = marker(key, hash) + '\n';
  const t = trimMarkdown(markdown, limit - head.length, 'comment', limit, fullCopy);
  return { body: head + t.text, hash, trimmed: t.trimmed, omittedChars: t.omittedChars };
}

/**
 * Cut Markdown to `limit` characters (UTF-16 units: never more than
 * characters, so conservative) at a line boundary, close an open code fence,
 * and append a visible note saying what was cut and where the rest is.
 */
export function trimMarkdown(
  text: string,
  limit: number,
  what: string,
  statedLimit: number = limit,
  fullCopy: string = FULL_COPY.check,
): { text: string; trimmed: boolean; omittedChars: number } {
  if (text.length <= limit) return { text, trimmed: false, omittedChars: 0 };
  const note = (n: number) =>
    `\n\n---\n> ⚠️ **This ${what} was truncated** to stay under GitHub's ${statedLimit.toLocaleString('en-US')}-character limit: ${n.toLocaleString('en-US')} characters omitted. The full report is in ${fullCopy}.\n`;
  // Reserve room for the note (its number is at most as long as the text length) and a closing fence.
  const reserve = note(text.length).length + 8;
  let cut = text.slice(0, Math.max(0, limit - reserve));
  const nl = cut.lastIndexOf('\n');
  if (nl > cut.length / 2) cut = cut.slice(0, nl);
  const fences = (cut.match(/^(```|~~~)/gm) ?? []).length;
  if (fences % 2 === 1) cut += '\n```';
  const omitted = text.length - cut.length;
  return { text: cut + note(omitted), trimmed: true, omittedChars: omitted };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

// ---------------------------------------------------------------------------
// Workflow commands (the fallback when the token cannot write)

/** actions/toolkit's escaping of workflow-command data and properties. */
function escapeData(s: string): string {
  // Then the other controls (ESC, bidi) as visible escapes: the job log renders ANSI sequences (runner/core/escape.ts).
  return escapeControls(s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command (`::error title=…::message`), escaped like `@actions/core`. */
export function workflowCommand(cmd: 'error' | 'warning' | 'notice', props: Readonly<Record<string, string | number>>, message: string): string {
  const p = Object.entries(props).map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  return `::${cmd}${p.length ? ' ' + p.join(',') : ''}::${escapeData(message)}`;
}

/** `::error file=…,line=…,title=…::message` lines, one per annotation. */
export function workflowCommands(annotations: readonly Annotation[]): string[] {
  return annotations.map((a) => {
    const cmd = a.annotation_level === 'failure' ? 'error' : a.annotation_level === 'warning' ? 'warning' : 'notice';
    const props: Record<string, string | number> = { file: a.path, line: a.start_line, endLine: a.end_line };
    if (a.start_column !== undefined) props.col = a.start_column;
    if (a.title) props.title = a.title;
    return workflowCommand(cmd, props, a.message);
  });
}

/** The job summary: the same Markdown as the comment, under the 1 MiB per-step cap. */
export function jobSummary(markdown: string, note?: string): string {
  const body = note ? `> ${escapeMarkdown(note)}\n\n${markdown}` : markdown;
  return trimMarkdown(body, LIMITS.jobSummary - 1024, 'job summary').text + '\n';
}
