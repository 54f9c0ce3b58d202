/**
 * Minimal edits of an intent file: change the scalars a recommendation names
 * and leave every other byte alone — comments, key order, quoting, blank lines,
 * flow sequences. The reviewer's diff must show only the changed lines.
 *
 * How: parse with `yaml` (eemeli) to find each target scalar's source range,
 * splice the new value's source text into the original string, then re-parse
 * and confirm the document now holds exactly the intended values. Re-stringifying
 * the whole Document would normalise formatting the user chose, so we never do.
 */
import { isMap, isScalar, Scalar, type Document } from 'yaml';
import { parseWithPositions, parseYaml } from '../core/yaml.ts';
import { diag, type Diagnostic, type Result, ok, fail } from '../core/diagnostics.ts';
import type { IntentChange } from './types.ts';

function sourceFor(value: string | number | boolean, like: Scalar): string {
  if (typeof value !== 'string') return String(value);
  // Keep the user's quoting style for strings.
  switch (like.type) {
    case Scalar.QUOTE_SINGLE:
      return `'${value.replaceAll("'", "''")}'`;
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(value);
    default:
      return /^[\w$.%<>/ -]+$/.test(value) && !/^[\d.]+$/.test(value) && !/^\s|\s$/.test(value) ? value : `'${value.replaceAll("'", "''")}'`;
  }
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function parse(text: string, file: string): Result<Document.Parsed> {
  const read = parseYaml(text, { file, code: 'intent_yaml_error' });
  if (!read.ok) return fail(read.diagnostics[0]!);
  return ok(read.value.doc);
}

/**
 * Apply `changes` to `text`. Only existing scalar values can be changed — a
 * recommendation that needs a new key is a bigger change than this tool makes
 * silently, so it is an error value (`edit_path_missing`).
 */
export function editIntentText(text: string, changes: readonly IntentChange[], file: string): Result<{ text: string; lines: number[] }> {
  const parsed = parse(text, file);
  if (!parsed.ok) return parsed;
  const edits: Array<{ start: number; end: number; source: string; line: number }> = [];
  const problems: Diagnostic[] = [];
  for (const c of changes) {
    const node = parsed.value.getIn(c.path, true);
    if (!isScalar(node) || !node.range) {
      problems.push(diag('edit_path_missing', `no scalar at ${c.path.join('.')} to change`, { file, path: c.path.join('.') }));
      continue;
    }
    const [start, end] = node.range;
    edits.push({ start, end, source: sourceFor(c.to, node), line: lineOf(text, start) });
  }
  if (problems.length > 0) return fail(problems);
  // Splice from the end so earlier offsets stay valid.
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.source + out.slice(e.end);
  const check = parse(out, file);
  if (!check.ok) return check;
  for (const c of changes) {
    const v = check.value.getIn(c.path);
    if (v !== c.to) return fail(diag('edit_verify_failed', `after editing, ${c.path.join('.')} reads ${JSON.stringify(v)} instead of ${JSON.stringify(c.to)}`, { file, path: c.path.join('.') }));
  }
  return ok({ text: out, lines: [...new Set(edits.map((e) => e.line))].sort((a, b) => a - b) });
}

/** Read a value from YAML text (for rules that need the current value). */
export function readIn(text: string, path: readonly string[]): unknown {
  const { doc } = parseWithPositions(text);
  const v = doc.getIn(path, true);
  return isScalar(v) ? v.value : isMap(v) ? v.toJSON() : v === undefined ? undefined : (v as { toJSON(): unknown }).toJSON();
}
