/** Explicit registry of output formats: name → pure renderer of the report. */
import type { CheckReport } from '../model/report.ts';
import { renderText } from './text.ts';
import { jsonChunks, renderJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';
import { renderSarif } from './sarif.ts';

export const FORMATS = {
  text: renderText,
  json: renderJson,
  markdown: renderMarkdown,
  sarif: renderSarif,
} satisfies Record<string, (r: CheckReport) => string>;

export type FormatName = keyof typeof FORMATS;

export function isFormat(name: string): name is FormatName {
  return name in FORMATS;
}

/**
 * The rendered report in pieces, for writing: the same text as
 * `FORMATS[name](r)`. JSON comes one intent at a time (a large report is
 * never one string); the other formats are one piece.
 */
export function renderChunks(name: FormatName, r: CheckReport): Iterable<string> {
  return name === 'json' ? jsonChunks(r) : [FORMATS[name](r)];
}
