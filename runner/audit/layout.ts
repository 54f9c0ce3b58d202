/**
 * Where records live and how a set of log files is parsed into located entries.
 *
 * Layout (documented in audit-log/README.md):
 *   audit-log/YYYY-MM-DD.jsonl   one record per line, UTC day the record was
 *                                appended (not the event's own timestamp)
 *   audit-log/HEAD.json          anchor: seq, hash and file of the last record
 * Files are read in name order, which is chronological because names are
 * zero-padded ISO dates; the chain runs through all of them.
 */
import type { AuditRecord } from './record.ts';
import { recordHash, schemaProblem } from './record.ts';

export const LOG_DIR = 'audit-log';
export const HEAD_FILE = `${LOG_DIR}/HEAD.json`;
export const DAY_FILE_RE = /^\d{4}-\d{2}-\d{2}\.jsonl$/;

/** One log file's repo-relative path and text, from the working tree or a git tree. */
export interface LogFile {
  path: string;
  text: string;
}

export interface Anchor {
  seq: number;
  hash: string;
  file: string;
}

/** The file a record appended at `now` goes to: today's, but never before the chain's last file (clock skew, re-linking). */
export function targetFile(now: Date, lastFile: string | undefined): string {
  const today = `${LOG_DIR}/${now.toISOString().slice(0, 10)}.jsonl`;
  return lastFile && lastFile > today ? lastFile : today;
}

export function isDayFile(repoRelPath: string): boolean {
  const parts = repoRelPath.split('/');
  return parts.length === 2 && parts[0] === LOG_DIR && DAY_FILE_RE.test(parts[1]!);
}

export function sortFiles<T extends { path: string }>(files: T[]): T[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** One line of the log, located. */
export type Entry =
  | {
      kind: 'record';
      file: string;
      line: number;
      record: AuditRecord;
      /** The record's content still hashes to its `hash` field. */
      intact: boolean;
    }
  | { kind: 'malformed'; file: string; line: number; reason: string; text: string };

/**
 * Parse files into entries, in chain order. A final line without its newline
 * is a torn write (the process died inside `emit`, before it returned): it is
 * reported with `torn: true` so readers that tolerate it (pending detection)
 * can skip it, while `verify` still names it.
 */
export function parseFiles(files: LogFile[]): { entries: Entry[]; torn: Array<{ file: string; line: number }> } {
  const entries: Entry[] = [];
  const torn: Array<{ file: string; line: number }> = [];
  for (const f of sortFiles(files)) {
    if (f.text === '') continue;
    const endsWithNewline = f.text.endsWith('\n');
    const lines = (endsWithNewline ? f.text.slice(0, -1) : f.text).split('\n');
    lines.forEach((text, i) => {
      if (!endsWithNewline && i === lines.length - 1) torn.push({ file: f.path, line: i + 1 });
      entries.push(parseLine(f.path, i + 1, text));
    });
  }
  return { entries, torn };
}

/**
 * Schema and hash checks are the expensive part of reading the log, and a
 * runner re-reads the same lines on every push attempt; lines are immutable,
 * so their verdict is cached by text. The record itself is parsed afresh each
 * time, so callers never share (and can never corrupt) a cached object.
 */
const verdicts = new Map<string, { reason: string } | { intact: boolean }>();
const VERDICT_CACHE_MAX = 200_000;

export function parseLine(file: string, line: number, text: string): Entry {
  if (text.trim() === '') return { kind: 'malformed', file, line, reason: 'blank line', text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'malformed', file, line, reason: `not JSON: ${(err as Error).message}`, text };
  }
  let verdict = verdicts.get(text);
  if (!verdict) {
    const problem = schemaProblem(value);
    verdict = problem ? { reason: `does not match the record schema: ${problem}` } : { intact: recordHash(value as AuditRecord) === (value as AuditRecord).hash };
    if (verdicts.size >= VERDICT_CACHE_MAX) verdicts.clear();
    verdicts.set(text, verdict);
  }
  if ('reason' in verdict) return { kind: 'malformed', file, line, reason: verdict.reason, text };
  return { kind: 'record', file, line, record: value as AuditRecord, intact: verdict.intact };
}

export function parseAnchor(text: string | undefined): { anchor?: Anchor; problem?: string } {
  if (text === undefined) return {};
  try {
    const v = JSON.parse(text) as Partial<Anchor>;
    if (
      typeof v.seq === 'number' &&
      Number.isInteger(v.seq) &&
      v.seq >= 0 &&
      typeof v.hash === 'string' &&
      /^sha256:[0-9a-f]{64}$/.test(v.hash) &&
      typeof v.file === 'string'
    ) {
      return { anchor: { seq: v.seq, hash: v.hash, file: v.file } };
    }
    return { problem: 'expected {"seq": <integer>, "hash": "sha256:<hex>", "file": "<path>"}' };
  } catch (err) {
    return { problem: `not JSON: ${(err as Error).message}` };
  }
}

export function anchorText(a: Anchor): string {
  return JSON.stringify({ seq: a.seq, hash: a.hash, file: a.file }, null, 2) + '\n';
}
