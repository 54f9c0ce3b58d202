import { describe, expect, it } from 'vitest';
import { contentHash, lineDiff, md, parseMarker, renderMarker } from '../../runner/feedback/pr.ts';

describe('PR content', () => {
  it('round-trips the hidden marker, with and without a trace', () => {
    const m = { intent: 'DEPLOY-WEB-001', kind: 'pr' as const, hash: 'sha256:abc', trace: 'trace-feedback-1' };
    expect(parseMarker(`text\n${renderMarker(m)}\nmore`)).toEqual(m);
    expect(parseMarker(renderMarker({ intent: 'X-1', kind: 'issue', hash: 'sha256:d' }))).toEqual({ intent: 'X-1', kind: 'issue', hash: 'sha256:d' });
    expect(parseMarker('## Feedback recommendations')).toBeNull();
  });

  it('hashes content, not time: same recommendations → same hash; any change → new hash', () => {
    const rec = { recommendation_id: 'OPT-001', rule: 'r', type: 't', description: 'd', expected_benefit: {}, priority: 'low' as const, approval_required: false, evidence: { peak: 88 }, changes: [] };
    expect(contentHash('A-1', 'pr', [rec], 'x')).toBe(contentHash('A-1', 'pr', [{ ...rec }], 'x'));
    expect(contentHash('A-1', 'pr', [{ ...rec, evidence: { peak: 89 } }], 'x')).not.toBe(contentHash('A-1', 'pr', [rec], 'x'));
    expect(contentHash('A-1', 'pr', [rec], 'y')).not.toBe(contentHash('A-1', 'pr', [rec], 'x'));
  });

  it('escapes markdown in values it did not write', () => {
    expect(md('<img src=x> [a](b) *x*')).toBe('\\<img src=x\\> \\[a\\]\\(b\\) \\*x\\*');
  });

  it('renders a unified diff of in-place line changes', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].join('\n');
    const b = ['a', 'b', 'C', 'd', 'e', 'f', 'g'].join('\n');
    expect(lineDiff('f.yaml', a, b)).toBe('--- a/f.yaml\n+++ b/f.yaml\n@@ -1,5 +1,5 @@\n a\n b\n-c\n+C\n d\n e\n');
    expect(lineDiff('f.yaml', a, a)).toBe('');
  });
});
