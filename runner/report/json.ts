/** `--format json`: the CheckReport itself (documented in docs/check.md). */
import type { CheckReport } from '../model/report.ts';
import { terminalText } from '../core/escape.ts';

/**
 * The report as JSON (`JSON.stringify(r, null, 2)`, byte for byte) in pieces:
 * one per intent. A 10,000-intent report is ~90 MB of JSON; written piece by
 * piece it never exists as one string (and one encoded copy of it) next to
 * the report itself.
 *
 * JSON escapes C0 controls but leaves DEL, C1 and bidi overrides raw;
 * terminalText escapes those as \uXXXX (the same values once parsed).
 */
export function* jsonChunks(r: CheckReport): Generator<string> {
  const indent = (json: string, pad: string) => json.replace(/\n/g, `\n${pad}`); // newlines inside strings are escaped: these are structural
  const entries = Object.entries(r).filter(([, v]) => v !== undefined);
  yield '{\n';
  for (const [i, [key, value]] of entries.entries()) {
    const comma = i < entries.length - 1 ? ',' : '';
    if (key === 'intents' && Array.isArray(value) && value.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (const [j, item] of value.entries()) yield terminalText(`    ${indent(JSON.stringify(item, null, 2), '    ')}${j < value.length - 1 ? ',' : ''}\n`);
      yield `  ]${comma}\n`;
    } else {
      yield terminalText(`  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}${comma}\n`);
    }
  }
  yield '}\n';
}

export function renderJson(r: CheckReport): string {
  return [...jsonChunks(r)].join('');
}
