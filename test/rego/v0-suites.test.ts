/**
 * Defect classes found by running real Rego v0 suites (Gatekeeper's library,
 * conftest's examples) through `gitops policy test --v0-compatible`, each
 * reduced to an inline policy with the answer OPA gives. See docs/rego.md,
 * "Other real suites".
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepare } from '../../runner/rego/api.ts';
import { main } from '../../runner/cli/main.ts';

function evalV0(text: string, path: string[], input?: unknown): unknown {
  const r = prepare([{ file: 't.rego', text, regoVersion: 0 }]);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`).join('\n'));
  return r.value.evalRef(path, input === undefined ? {} : { input });
}

async function gitops(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('zero-argument heads (Gatekeeper test fixtures: `review_x() = {...}` read as `review_x`)', () => {
  const POL = `package t
fixture() = {"kind": "Pod"}
as_value = v { v := fixture }
as_call = v { v := fixture() }
`;
  it('`f() = v` is a complete rule (OPA: a function needs args): the bare name reads its value', () => {
    expect(evalV0(POL, ['t', 'as_value'])).toEqual({ kind: 'Pod' });
    expect(evalV0(POL, ['t', 'fixture'])).toEqual({ kind: 'Pod' });
  });
  it('and `f()` still calls it', () => {
    expect(evalV0(POL, ['t', 'as_call'])).toEqual({ kind: 'Pod' });
  });
});

describe('policy test paths', () => {
  it('an absolute path is read as given, as `opa test /abs/dir` does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'v0s-'));
    writeFileSync(join(dir, 'p.rego'), 'package p\nallow { input.x == 1 }\ntest_allow { allow with input as {"x": 1} }\n');
    const elsewhere = mkdtempSync(join(tmpdir(), 'v0s-cwd-'));
    const r = await gitops(elsewhere, 'policy', 'test', '--v0-compatible', join(dir, 'p.rego'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS: 1/1');
  });
});
