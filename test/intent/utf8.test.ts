/** Strict UTF-8 (runner/core/text.ts): every ill-formed sequence of Unicode table 3-7 is refused at its line, every well-formed boundary accepted. */
import { describe, expect, it } from 'vitest';
import { decodeUtf8, firstInvalidUtf8 } from '../../runner/core/text.ts';

const b = (...x: number[]) => new Uint8Array(x);

describe('decodeUtf8', () => {
  it('accepts the boundaries of each well-formed range (and drops a BOM)', () => {
    const cases: Array<[number[], string]> = [
      [[0x7f], '\u007f'],
      [[0xc2, 0x80], '\u0080'],
      [[0xe0, 0xa0, 0x80], '\u0800'],
      [[0xed, 0x9f, 0xbf], '\ud7ff'],
      [[0xee, 0x80, 0x80], '\ue000'],
      [[0xf0, 0x90, 0x80, 0x80], '\u{10000}'],
      [[0xf4, 0x8f, 0xbf, 0xbf], '\u{10ffff}'],
      [[0xef, 0xbb, 0xbf, 0x61], 'a'],
    ];
    for (const [bytes, text] of cases) {
      expect(firstInvalidUtf8(b(...bytes).subarray(bytes[0] === 0xef && bytes[1] === 0xbb ? 3 : 0))).toBe(-1);
      expect(decodeUtf8(b(...bytes), 'f')).toEqual({ ok: true, value: text });
    }
  });

  it('refuses surrogates, overlong forms, code points above U+10FFFF, stray and truncated bytes, naming line and column', () => {
    const cases: Array<[number[], number]> = [
      [[0xed, 0xa0, 0x80], 0xed], // U+D800 surrogate
      [[0xed, 0xbf, 0xbf], 0xed], // U+DFFF surrogate
      [[0xe0, 0x80, 0xaf], 0xe0], // overlong '/'
      [[0xc0, 0xaf], 0xc0], // overlong '/'
      [[0xc1, 0xbf], 0xc1],
      [[0xf0, 0x8f, 0xbf, 0xbf], 0xf0], // overlong U+FFFF
      [[0xf4, 0x90, 0x80, 0x80], 0xf4], // U+110000
      [[0xf5, 0x80, 0x80, 0x80], 0xf5],
      [[0x80], 0x80], // stray continuation
      [[0xe6, 0x97], 0xe6], // truncated at end of file
    ];
    for (const [bytes, first] of cases) {
      const r = decodeUtf8(b(0x61, 0x0a, 0x62, 0x62, ...bytes, 0x0a), 'intents/X.yaml', 'intent_not_utf8');
      expect(r.ok, bytes.map((x) => x.toString(16)).join(' ')).toBe(false);
      if (r.ok) continue;
      expect(r.diagnostics[0]).toMatchObject({ code: 'intent_not_utf8', file: 'intents/X.yaml', line: 2, col: 3 });
      expect(r.diagnostics[0]!.message).toContain(`byte 0x${first.toString(16)}`);
    }
  });
});
