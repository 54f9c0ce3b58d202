/**
 * The action's `command` input → argv. Actions passes an input as one string
 * (expressions already substituted, no shell involved), so the words are split
 * here, POSIX-shell style: whitespace separates, '…' is literal, "…" allows
 * \" and \\, a backslash outside quotes escapes the next character. No
 * expansion of any kind: `$VAR` stays `$VAR`.
 */
import { type Result, diag, fail, ok } from '../core/diagnostics.ts';

export function splitCommandLine(line: string): Result<string[]> {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const add = (s: string) => (word = (word ?? '') + s);
  while (i < line.length) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) words.push(word), (word = undefined);
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return fail(diag('action_command_unterminated_quote', `input 'command': the ' at column ${i + 1} is never closed`, { file: 'command', line: 1, col: i + 1 }));
      add(line.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && (line[j + 1] === '"' || line[j + 1] === '\\')) j++;
        s += line[j];
        j++;
      }
      if (j >= line.length) return fail(diag('action_command_unterminated_quote', `input 'command': the " at column ${i + 1} is never closed`, { file: 'command', line: 1, col: i + 1 }));
      add(s);
      i = j + 1;
    } else if (c === '\\' && i + 1 < line.length) {
      add(line[i + 1]!);
      i += 2;
    } else {
      add(c);
      i++;
    }
  }
  if (word !== undefined) words.push(word);
  // `gitops check …` and `check …` both mean the check.
  if (words[0] === 'gitops') words.shift();
  if (words.length === 0) return fail(diag('action_command_missing', "input 'command' is empty: give the gitops command line, e.g. check --base <sha> --head <sha>"));
  return ok(words);
}
