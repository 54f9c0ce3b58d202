/** When the action makes Pulumi available first: apply, and a check that previews (the PR path judges the plan). */
import { describe, expect, it } from 'vitest';
import { needsPulumi } from '../../runner/action/pulumi.ts';
import { checkPreviews } from '../../runner/infra/pulumi-packages.ts';

describe('needsPulumi (the action) and checkPreviews (the CLI): one rule', () => {
  it('apply always; a pull-request check (--base without --all) unless --no-preview; --preview always', () => {
    expect(needsPulumi(['apply', '--base', 'a', '--head', 'b'])).toBe(true);
    expect(needsPulumi(['check', '--base', 'a', '--head', 'b'])).toBe(true);
    expect(needsPulumi(['check', '--base=a', '--head=b'])).toBe(true);
    expect(needsPulumi(['check', '--base', 'a', '--head', 'b', '--no-preview'])).toBe(false);
    expect(needsPulumi(['check', '--all'])).toBe(false);
    expect(needsPulumi(['check', '--all', '--preview'])).toBe(true);
    expect(needsPulumi(['check'])).toBe(false);
    expect(needsPulumi(['publish', '--report', 'r.json'])).toBe(false);
    expect(needsPulumi(['policy', 'test'])).toBe(false);
  });

  it('the CLI default is the same', () => {
    expect(checkPreviews({ base: 'a' })).toBe(true);
    expect(checkPreviews({ base: 'a', noPreview: true })).toBe(false);
    expect(checkPreviews({ base: 'a', all: true })).toBe(false);
    expect(checkPreviews({})).toBe(false);
    expect(checkPreviews({ preview: true })).toBe(true);
  });
});
