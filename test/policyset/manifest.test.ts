/** OPA bundle manifests (runner/policyset/manifest.ts): rego_version and file_rego_versions globs. */
import { describe, expect, it } from 'vitest';
import { withRegoVersions, globToRegExp } from '../../runner/policyset/manifest.ts';

describe('.manifest', () => {
  it('manifest globs: * crosses folders, as OPA globs without separators; the default applies without a manifest', async () => {
    expect(globToRegExp('*/v1/*.rego').test('a/b/v1/c/d.rego')).toBe(true);
    expect(globToRegExp('{a,b}.rego').test('b.rego')).toBe(true);
    expect(globToRegExp('[!x]?.rego').test('ab.rego')).toBe(true);
    const r = await withRegoVersions([{ file: 'p/q.rego', text: '' }], async () => undefined, { v0: true });
    expect(r.ok && r.value[0]!.regoVersion).toBe(0);
  });
});
