/**
 * Diagnostics are values: `{code, message, file, line, col, path}`.
 *
 * Every user-facing problem (bad intent, policy that does not compile, git ref
 * that does not exist, …) is one of these. Codes are stable snake_case strings
 * so tests, JSON output and annotations can key on them; wording is rendered
 * separately by `formatDiagnostic`.
 */
import { escapeControls } from './escape.ts';

export interface Location {
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
}

export interface Diagnostic {
  code: string;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  /** Field path inside the document, e.g. `intent.requirements.availability`. */
  path?: string;
}

export function diag(code: string, message: string, at?: Partial<Location> & { path?: string }): Diagnostic {
  const d: Diagnostic = { code, message };
  if (at?.file !== undefined) d.file = at.file;
  if (at?.line !== undefined) d.line = at.line;
  if (at?.col !== undefined) d.col = at.col;
  if (at?.path !== undefined) d.path = at.path;
  return d;
}

/**
 * `file:line:col: code: message (at path)` — the one way diagnostics are
 * printed, always on one line: file names and messages echo repository
 * content, so control characters become visible escapes (runner/core/escape.ts).
 */
export function formatDiagnostic(d: Diagnostic): string {
  let where = '';
  if (d.file) {
    where = d.file;
    if (d.line !== undefined) where += `:${d.line}`;
    if (d.line !== undefined && d.col !== undefined) where += `:${d.col}`;
    where += ': ';
  }
  const path = d.path ? ` (at ${d.path})` : '';
  return escapeControls(`${where}${d.code}: ${d.message}${path}`);
}

/**
 * Thrown only to unwind to the CLI's single top-level catch, which prints the
 * diagnostics and exits with `exitCode`. Library code returns Results instead;
 * this exists for deep failures (git, I/O) where threading a Result through
 * every frame would hide the logic.
 */
export class GitopsError extends Error {
  readonly diagnostics: Diagnostic[];
  readonly exitCode: number;
  constructor(diagnostics: Diagnostic | Diagnostic[], exitCode = 2) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics];
    super(list.map(formatDiagnostic).join('\n'));
    this.diagnostics = list;
    this.exitCode = exitCode;
  }
}

export type Result<T> = { ok: true; value: T } | { ok: false; diagnostics: Diagnostic[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}
export function fail<T = never>(diagnostics: Diagnostic | Diagnostic[]): Result<T> {
  return { ok: false, diagnostics: Array.isArray(diagnostics) ? diagnostics : [diagnostics] };
}
