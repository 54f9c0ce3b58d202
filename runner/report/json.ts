/** `--format json`: the CheckReport itself (documented in docs/check.md). */
import type { CheckReport } from '../check/types.ts';

export function renderJson(r: CheckReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
