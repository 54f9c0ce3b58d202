/** The pure parts of the governance judgement (runner/check/governance.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_LOG_DIR, GOVERNED_PATHS, auditLogResults, governedFiles, isGoverned } from '../../runner/check/governance.ts';

describe('governed paths', () => {
  it('covers the workflows, the runner and its packages, policies, agents and contracts — not intents or look-alikes', () => {
    for (const p of ['.github/workflows/check.yml', '.github/CODEOWNERS', 'runner/cli/check.ts', 'package.json', 'package-lock.json', 'policies/plan/x.rego', 'agents/agents.yaml', 'contracts/requirements.yaml']) expect(isGoverned(p), p).toBe(true);
    for (const p of ['intents/DEPLOY-WEB-001.yaml', 'docs/github.md', 'runner-notes.md', 'sub/package.json', 'package.json.bak', 'metrics/sample/x.json', 'distribution.md', 'dist', 'action.yml.bak', 'sub/.npmrc', 'docs/CODEOWNERS.md']) expect(isGoverned(p), p).toBe(false);
  });

  it('covers the judge beyond runner/: the action and its bundle, the build, where npm installs from, CODEOWNERS wherever GitHub reads it', () => {
    for (const p of ['action.yml', 'dist/action/index.cjs', 'dist/cli/gitops.js', 'scripts/build.ts', 'tsconfig.json', '.npmrc', 'CODEOWNERS', 'docs/CODEOWNERS']) expect(isGoverned(p), p).toBe(true);
  });

  it("the repository's .github/CODEOWNERS names exactly the governed paths (and the audit log)", () => {
    const owned = readFileSync(new URL('../../.github/CODEOWNERS', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/)[0]!.replace(/^\//, ''));
    const expected = [...GOVERNED_PATHS, `${AUDIT_LOG_DIR}/`];
    expect(new Set(owned)).toEqual(new Set([...expected, 'policies/agents/']));
  });

  it('lists a rename into or out of a governed path as old → new, sorted and unique', () => {
    expect(
      governedFiles([
        { status: 'modified', path: 'runner/a.ts' },
        { status: 'renamed', path: 'notes/old-policy.rego', from: 'policies/x.rego' },
        { status: 'added', path: 'intents/A.yaml' },
        { status: 'deleted', path: '.github/workflows/audit-ingest.yml' },
        { status: 'modified', path: 'runner/a.ts' },
      ]),
    ).toEqual(['.github/workflows/audit-ingest.yml', 'policies/x.rego → notes/old-policy.rego', 'runner/a.ts']);
  });
});

describe('AUDIT-LOG-001', () => {
  it('passes when audit-log/ is untouched', () => {
    expect(auditLogResults([{ status: 'modified', path: 'intents/A.yaml' }])).toEqual([expect.objectContaining({ policy: 'AUDIT-LOG-001', status: 'passed' })]);
  });

  it('denies every touched file, a rename out of the log at its old path', () => {
    const r = auditLogResults([
      { status: 'modified', path: 'audit-log/HEAD.json' },
      { status: 'renamed', path: 'tmp/2026-11-28.jsonl', from: 'audit-log/2026-11-28.jsonl' },
    ]);
    expect(r.map((x) => [x.status, x.file, x.line])).toEqual([
      ['failed', 'audit-log/HEAD.json', 1],
      ['failed', 'audit-log/2026-11-28.jsonl', 1],
    ]);
    expect(r[1]!.message).toBe('audit_log_modified: tmp/2026-11-28.jsonl is renamed from audit-log/2026-11-28.jsonl by the pull request; only the runner writes audit-log/ (its records are committed by the check and apply workflows): drop this change');
  });
});
