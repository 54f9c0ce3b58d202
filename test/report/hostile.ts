/** Hostile strings and the terminal-safety check shared by the report unit tests and the end-to-end hostile-input tests. */

/** What a hostile pull request writes into any field it controls. */
export const HOSTILE = [
  '\n::error file=intents/X.yaml,line=1::PWNED',
  '::add-mask::hunter2',
  '  ::stop-commands::resume-token',
  '\u001b[2K\r✔ ALLOW  EVIL-001',
  '##[error]legacy command',
  'bidi \u202egnp.exe\u202c and \u2066isolate\u2069',
  'C1 \u009b31m and DEL \u007f and NUL \u0000',
  'line\u2028separator',
];

/** Any workflow command (a line whose first non-blank characters are `::` or `##[`) or raw control/bidi character. */
export function terminalProblems(out: string): string[] {
  const problems: string[] = [];
  for (const [n, line] of out.split('\n').entries()) {
    if (/^\s*(::|##\[)/.test(line)) problems.push(`line ${n + 1} is a workflow command: ${JSON.stringify(line)}`);
    const bad = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.exec(line);
    if (bad) problems.push(`line ${n + 1} holds U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${JSON.stringify(line)}`);
  }
  return problems;
}

