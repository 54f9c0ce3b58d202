/**
 * Repository bytes → text, strictly. A lenient decoder turns surrogates
 * (`ED A0 80`), overlong forms (`E0 80 AF`) and code points above U+10FFFF
 * (`F4 90 80 80`) into U+FFFD and the file is judged as if it said something
 * else; docs/intents.md promises that non-UTF-8 is rejected, with the line of
 * the first bad byte. Every place that turns repository bytes into text goes
 * through `decodeUtf8` (or `decodeRepoText`, which throws for runner files).
 */
import { GitopsError, diag, fail, ok, type Diagnostic, type Result } from './diagnostics.ts';

const STRICT = new TextDecoder('utf-8', { fatal: true });

/**
 * Offset of the first byte that is not part of a well-formed UTF-8 sequence
 * (Unicode 15, table 3-7), or -1. TextDecoder says *that* a file is bad; this
 * says *where*, for the diagnostic.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    // Second-byte range: narrower after E0 (no overlong), ED (no surrogates), F0 (no overlong), F4 (≤ U+10FFFF).
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : (d & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** 1-based line and column (in bytes) of a byte offset. */
export function lineColOfByte(b: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) if (b[i] === 0x0a) ((line += 1), (start = i + 1));
  return { line, col: offset - start + 1 };
}

/** Drop a UTF-8 byte-order mark (harmless; UTF-16/32 marks are not UTF-8 and fail decoding). */
export function stripBom(b: Uint8Array): Uint8Array {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

/** Strict UTF-8 → text (a leading BOM dropped), or a diagnostic at the first bad byte's line and column. */
export function decodeUtf8(bytes: Uint8Array, file: string, code = 'file_not_utf8'): Result<string> {
  const body = stripBom(bytes);
  try {
    return ok(STRICT.decode(body));
  } catch {
    const bad = Math.max(0, firstInvalidUtf8(body));
    const byte = body[bad] === undefined ? 'end of file' : `byte 0x${body[bad]!.toString(16).padStart(2, '0')}`;
    const d: Diagnostic = diag(code, `file is not valid UTF-8 (${byte} at offset ${bad}); save it as UTF-8`, { file, ...lineColOfByte(body, bad) });
    return fail(d);
  }
}

/**
 * Text of a runner file (policy, contract, agent registry, IAM table, audit
 * log, config): one that is not UTF-8 stops the run (exit 2) naming file:line:col,
 * like a policy that does not compile.
 */
export function decodeRepoText(bytes: Uint8Array, file: string): string {
  const r = decodeUtf8(bytes, file);
  if (!r.ok) throw new GitopsError(r.diagnostics, 2);
  return r.value;
}
