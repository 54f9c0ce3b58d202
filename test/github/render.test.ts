/** The pure side of publishing: escaping, marker, trimming, annotations, batches, workflow commands. */
import { describe, expect, it } from 'vitest';
import { codeSpan, escapeMarkdown, markerValue } from '../../runner/core/escape.ts';
import { annotationsOf, batches, commentBody, conclusionOf, markerKey, readMarker, summaryOf, trimMarkdown, workflowCommands } from '../../runner/github/render.ts';
import { INTENT_FILE, finding, intent, report } from './fixtures.ts';

describe('escaping user text', () => {
  it('cannot inject HTML, links, images, mentions, table cells or blocks', () => {
    const evil = '<img src=x onerror=alert(1)> [click](http://evil) ![i](x) @admin | cell\n# heading `code` **bold** _it_ ~~s~~';
    const e = escapeMarkdown(evil);
    expect(e).not.toMatch(/<img/);
    expect(e).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(e).toContain('\\[click\\](http:&#47;&#47;evil)');
    expect(e).toContain('!\\[i\\](x)');
    expect(e).toContain('@&#8203;admin');
    expect(e).toContain('\\| cell # heading'); // newline collapsed: no heading
    expect(e).toContain('\\`code\\` \\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~');
    expect(escapeMarkdown('# title')).toBe('\\# title');
    expect(escapeMarkdown('1. item')).toBe('\\1. item');
    expect(escapeMarkdown('DEPLOY-WEB-001 v1.2')).toBe('DEPLOY-WEB-001 v1.2');
  });

  it('code spans survive backticks and pipes; marker values cannot close an HTML comment', () => {
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('x|y')).toBe('`x\\|y`');
    expect(markerValue('p --> <b>')).toBe('p%20%2D%2D%3E%20%3Cb%3E');
  });
});

describe('sticky comment body', () => {
  const key = { project: 'web', command: 'check' };
  it('starts with a hidden marker keyed on project + command carrying the content hash', () => {
    const c = commentBody('### Results\n', key);
    expect(c.body.split('\n')[0]).toMatch(/^<!-- gitops-sticky:v1 project=web command=check hash=[0-9a-f]{32} -->$/);
    expect(readMarker(c.body, key)).toEqual({ hash: c.hash });
    expect(readMarker(c.body, { project: 'web', command: 'apply' })).toBeUndefined();
    expect(readMarker(c.body, { project: 'we', command: 'check' })).toBeUndefined();
    // A visible heading that looks like ours is not a marker.
    expect(readMarker('### gitops check (web)\nproject=web command=check', key)).toBeUndefined();
    expect(markerKey(key)).not.toContain('-->');
    // Stack and range narrow the key; no key is a prefix of another's marker.
    const apply = { project: 'web', command: 'apply', range: 'a1..b2' };
    const perStack = { ...apply, stack: 'WEB-eu' };
    const a = commentBody('x', apply);
    const b = commentBody('x', perStack);
    expect(a.body.split('\n')[0]).toMatch(/^<!-- gitops-sticky:v1 project=web command=apply range=a1..b2 hash=[0-9a-f]{32} -->$/);
    expect(b.body.split('\n')[0]).toMatch(/^<!-- gitops-sticky:v1 project=web command=apply stack=WEB%2Deu range=a1..b2 hash=/);
    expect(readMarker(a.body, apply)).toEqual({ hash: a.hash });
    expect(readMarker(b.body, apply)).toBeUndefined();
    expect(readMarker(a.body, perStack)).toBeUndefined();
    expect(readMarker(a.body, { ...apply, range: 'a1..b3' })).toBeUndefined();
    expect(readMarker(a.body, { project: 'web', command: 'apply' })).toBeUndefined();
  });

  it('is trimmed under the limit at a line boundary, closing an open code fence, with a visible note', () => {
    const md = '```\n' + Array.from({ length: 5000 }, (_, i) => `line ${i} ${'y'.repeat(20)}`).join('\n') + '\n```\n';
    const c = commentBody(md, key, 10_000);
    expect(c.trimmed).toBe(true);
    expect(c.body.length).toBeLessThanOrEqual(10_000);
    expect(c.body).toMatch(/line \d+ y{20}\n```\n\n---\n> ⚠️ \*\*This comment was truncated\*\* to stay under GitHub's 10,000-character limit/);
    expect(c.omittedChars).toBeGreaterThan(0);
    expect(commentBody('short', key).trimmed).toBe(false);
    expect(trimMarkdown('abc', 3, 'x')).toEqual({ text: 'abc', trimmed: false, omittedChars: 0 });
  });
});

describe('check run content', () => {
  it('annotations: one per failed/warned result and per located diagnostic, at the intent lines', () => {
    const r = report([
      intent([finding(1, 7), finding(2, 9, 'warned'), { ...finding(3, 4), status: 'passed' }]),
      intent([], { id: 'BAD-001', file: 'intents/BAD-001.yaml', decision: 'invalid', diagnostics: [{ code: 'schema_required', message: 'missing kind', file: 'intents/BAD-001.yaml', line: 3, col: 5, path: 'kind' }] }),
    ]);
    expect(annotationsOf(r)).toEqual([
      { path: INTENT_FILE, start_line: 7, end_line: 7, annotation_level: 'failure', title: 'POL-001: Policy 1', message: 'finding 1 on line 7' },
      { path: INTENT_FILE, start_line: 9, end_line: 9, annotation_level: 'warning', title: 'POL-002: Policy 2', message: 'finding 2 on line 9' },
      { path: 'intents/BAD-001.yaml', start_line: 3, end_line: 3, start_column: 5, end_column: 5, annotation_level: 'failure', title: 'schema_required', message: 'missing kind (at kind)' },
    ]);
  });

  it('conclusion: failure on deny/invalid/runner error, success when allowed (warnings allowed), neutral when nothing changed', () => {
    expect(conclusionOf(report([intent([finding(1, 1)])]))).toBe('failure');
    expect(conclusionOf(report([intent([finding(1, 1, 'warned')])]))).toBe('success');
    expect(conclusionOf(report([]))).toBe('neutral');
    expect(conclusionOf(report([], { diagnostics: [{ code: 'rego_parse_error', message: 'x' }] }))).toBe('failure');
  });

  it('summary: a results table with user text escaped', () => {
    const s = summaryOf(report([intent([finding(1, 1)], { id: '<b>X</b>|y' })]));
    expect(s).toContain('| Intent | File | Decision | Failed policies | Warnings | Monthly cost (USD) | Plan |');
    expect(s).toContain('| &lt;b&gt;X&lt;/b&gt;\\|y | `intents/DEPLOY-WEB-001.yaml` | ❌ deny | POL-001 | — | — |');
  });

  it('batches of at most 50', () => {
    expect(batches(Array.from({ length: 120 }, (_, i) => i)).map((b) => b.length)).toEqual([50, 50, 20]);
    expect(batches([])).toEqual([]);
  });

  it('workflow commands escape data and properties like actions/toolkit', () => {
    const [line] = workflowCommands([{ path: 'a,b:c.yaml', start_line: 2, end_line: 2, annotation_level: 'failure', title: 'T: 1', message: '50% bad\nnext' }]);
    expect(line).toBe('::error file=a%2Cb%3Ac.yaml,line=2,endLine=2,title=T%3A 1::50%25 bad%0Anext');
  });
});
