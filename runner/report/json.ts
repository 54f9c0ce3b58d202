/** `--format json`: the CheckReport itself (documented in docs/check.md). */
import type { CheckReport } from '../check/types.ts';
import { terminalText } from './escape.ts';

export function renderJson(r: CheckReport): string {
  // JSON escapes C0 controls but leaves DEL, C1 and bidi overrides raw; terminalText escapes those as \uXXXX (same values once parsed).
  return terminalText(JSON.stringify(r, null, 2)) + '\n';
}
