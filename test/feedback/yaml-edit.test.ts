import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editIntentText } from '../../runner/feedback/yaml-edit.ts';
import { MAIN } from './fixtures/repo.ts';

const path = (...p: string[]) => ['intent', ...p];

function changedLines(a: string, b: string): number[] {
  const x = a.split('\n');
  const y = b.split('\n');
  expect(y.length).toBe(x.length);
  return x.flatMap((l, i) => (l === y[i] ? [] : [i + 1]));
}

describe('minimal intent edits', () => {
  it('changes only the min_instances line of the seed intent (comments, quoting, Chinese text, flow list kept)', () => {
    const text = readFileSync(join(MAIN, 'intents/DEPLOY-WEB-001.yaml'), 'utf8');
    const r = editIntentText(text, [{ path: path('requirements', 'scalability', 'min_instances'), from: 3, to: 4 }], 'intents/DEPLOY-WEB-001.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const line = text.split('\n').findIndex((l) => l.includes('min_instances')) + 1;
    expect(changedLines(text, r.value.text)).toEqual([line]);
    expect(r.value.lines).toEqual([line]);
    expect(r.value.text.split('\n')[line - 1]).toBe('      min_instances: 4');
  });

  it('keeps a trailing comment, an odd indent and the quoting style of strings', () => {
    const text = "# head\nintent:\n   requirements:\n      scalability: { min_instances: 3, max_instances: 10 }   # flow map\n   constraints:\n      budget: \"$500/month\"  # monthly\n";
    const r = editIntentText(
      text,
      [
        { path: path('requirements', 'scalability', 'min_instances'), from: 3, to: 4 },
        { path: path('constraints', 'budget'), from: '$500/month', to: '$600/month' },
      ],
      'x.yaml',
    );
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.value.text).toBe("# head\nintent:\n   requirements:\n      scalability: { min_instances: 4, max_instances: 10 }   # flow map\n   constraints:\n      budget: \"$600/month\"  # monthly\n");
    expect(r.value.lines).toEqual([4, 6]);
  });

  it('refuses paths that do not exist and broken YAML, as values', () => {
    const missing = editIntentText('intent:\n  a: 1\n', [{ path: path('b'), from: null, to: 2 }], 'x.yaml');
    expect(missing.ok ? null : missing.diagnostics[0]).toMatchObject({ code: 'edit_path_missing', file: 'x.yaml', path: 'intent.b' });
    const broken = editIntentText('intent: [\n', [{ path: path('a'), from: 1, to: 2 }], 'x.yaml');
    expect(broken.ok ? null : broken.diagnostics[0]).toMatchObject({ code: 'intent_yaml_error', file: 'x.yaml' });
  });
});
