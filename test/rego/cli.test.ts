/** `gitops rego eval|conformance` through main() with captured IO, on temp dirs. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../runner/cli/main.ts';

async function gitops(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

function workspace(): string {
  const d = mkdtempSync(join(tmpdir(), 'rego-cli-'));
  mkdirSync(join(d, 'pol'));
  writeFileSync(join(d, 'pol', 'a.rego'), 'package ex\nimport rego.v1\nallow if input.user == data.admins[_]\nnames contains n if some n in input.names\n');
  writeFileSync(join(d, 'input.json'), '{"user": "alice", "names": ["b", "a"]}');
  writeFileSync(join(d, 'data.yaml'), 'admins: [alice]\n');
  return d;
}

describe('gitops rego eval', () => {
  it('prints OPA-style results with expressions and bindings', async () => {
    const d = workspace();
    const r = await gitops(d, 'rego', 'eval', '-d', 'pol', '-i', 'input.json', '--data', 'data.yaml', 'x := data.ex.names[_]; data.ex.allow');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.result).toHaveLength(2);
    expect(out.result.map((x: { bindings: { x: string } }) => x.bindings.x).sort()).toEqual(['a', 'b']);
    expect(out.result[0].expressions).toEqual([
      { value: true, text: 'x := data.ex.names[_]', location: { row: 1, col: 1 } },
      { value: true, text: 'data.ex.allow', location: { row: 1, col: 24 } },
    ]);
  });

  it('a missing --data or -i file is an input error naming it (exit 2), not an internal error', async () => {
    const d = workspace();
    const r = await gitops(d, 'rego', 'eval', '-d', 'pol', '--data', 'missing.json', 'data.ex');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('input_error: cannot read');
    expect(r.stderr).toContain('missing.json: ENOENT');
  });

  it('prints {} for an undefined query', async () => {
    const d = workspace();
    expect((await gitops(d, 'rego', 'eval', '-d', 'pol', 'data.ex.allow')).stdout).toBe('{}\n');
  });

  it('reports compile errors with file:line:col and exit 2', async () => {
    const d = workspace();
    writeFileSync(join(d, 'pol', 'bad.rego'), 'package bad\nimport rego.v1\np if {\n  q := r\n}\n');
    const r = await gitops(d, 'rego', 'eval', '-d', 'pol', 'data.ex');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pol/bad.rego:4:3: rego_unsafe_var_error: var r is unsafe\n');
  });

  it('--engine wasm without a bundle or opa on PATH is a clear error', async () => {
    const d = workspace();
    const r = await gitops(d, 'rego', 'eval', '--engine', 'wasm', '--bundle', 'missing.tar.gz', 'data.ex.allow');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bundle_error: cannot read bundle/);
  });
});

describe('gitops rego conformance', () => {
  it('prints failures and one JSON summary line; exit 1 when a case fails', async () => {
    const d = mkdtempSync(join(tmpdir(), 'rego-conf-'));
    writeFileSync(join(d, 'c.yaml'), 'cases:\n  - note: ok\n    query: x = 1\n    want_result: [{x: 1}]\n  - note: bad\n    query: x = 1\n    want_result: [{x: 2}]\n');
    const r = await gitops(d, 'rego', 'conformance', '.');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('FAIL c.yaml: bad');
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({ total: 2, passed: 1, failed: 1, skipped: 0 });
    const only = await gitops(d, 'rego', 'conformance', '.', '--filter', 'ok');
    expect(only.code).toBe(0);
  });
});
