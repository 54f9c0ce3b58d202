/**
 * Rego v0 syntax, as OPA 1.x reads it with --v0-compatible or a bundle
 * manifest's rego_version: the same AST as the v1 form, so the same results.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepare } from '../../runner/rego/api.ts';
import { main } from '../../runner/cli/main.ts';
import { readPolicyModules } from '../../runner/policy/load.ts';
import type { Tree } from '../../runner/git/tree.ts';

function evalV(text: string, regoVersion: 0 | 1, path = ['t'], input?: unknown): unknown {
  const r = prepare([{ file: 't.rego', text, regoVersion }]);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`).join('\n'));
  return r.value.evalRef(path, input === undefined ? {} : { input });
}

function errsV0(text: string): string[] {
  const r = prepare([{ file: 't.rego', text, regoVersion: 0 }]);
  if (r.ok) throw new Error('expected errors');
  return r.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`);
}

async function gitops(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

const V0 = `package t

default allow = false

allow {
  input.user == "admin"
}

allow {
  input.user == "root"
} {
  input.user == "toor"
}

deny[msg] {
  some i
  r := input.roles[i]
  r == "guest"
  msg := sprintf("guest at %d", [i])
}

labels[k] = v {
  v := input.labels[k]
}

f(x) = y {
  x > 10
  y := "big"
} else = y {
  y := "small"
}

size := f(count(input.roles))

names := {n | n := input.roles[_]}
has_contains {
  contains("abc", "b")
}
`;

const V1 = `package t

default allow := false

allow if {
  input.user == "admin"
}

allow if {
  input.user == "root"
}

allow if {
  input.user == "toor"
}

deny contains msg if {
  some i
  r := input.roles[i]
  r == "guest"
  msg := sprintf("guest at %d", [i])
}

labels[k] := v if {
  v := input.labels[k]
}

f(x) := y if {
  x > 10
  y := "big"
} else := y if {
  y := "small"
}

size := f(count(input.roles))

names := {n | n := input.roles[_]}
has_contains if {
  contains("abc", "b")
}
`;

describe('v0 modules mean what their v1 form means', () => {
  const inputs = [
    { user: 'admin', roles: ['guest', 'dev', 'guest'], labels: { a: '1' } },
    { user: 'toor', roles: [], labels: {} },
    { user: 'nobody', roles: Array.from({ length: 11 }, (_, i) => `r${i}`) },
  ];
  for (const [i, input] of inputs.entries()) {
    it(`same document for input ${i}`, () => {
      const v0 = evalV(V0, 0, ['t'], input);
      expect(v0).toEqual(evalV(V1, 1, ['t'], input));
    });
  }
  it('the documents are what OPA gives (partial set from deny[msg] { … }, chained bodies are alternatives)', () => {
    expect(evalV(V0, 0, ['t'], inputs[0])).toEqual({
      allow: true,
      deny: ['guest at 0', 'guest at 2'],
      labels: { a: '1' },
      size: 'small',
      names: ['dev', 'guest'],
      has_contains: true,
    });
    expect(evalV(V0, 0, ['t', 'allow'], inputs[1])).toBe(true);
  });
  it('the v0 text is not v1 (and the other way round)', () => {
    expect(() => evalV(V0, 1)).toThrow(/t\.rego:5:7: rego_parse_error: `if` keyword is required before rule body/);
    // OPA reads `allow` before v0's non-keyword `if` as a statement of its own, a bare name.
    expect(() => evalV(V1, 0)).toThrow(/t\.rego:5:1: rego_parse_error: var cannot be used for rule name/);
  });
});

describe('v0 keywords', () => {
  it('in, every, contains and if are plain names without an import', () => {
    expect(evalV('package t\np {\n  every := [1, 2]\n  in := 2\n  every[1] == in\n}\nif = 3\n', 0)).toEqual({ p: true, if: 3 });
  });
  it('`some x in xs` needs future.keywords.in; the error keeps file:line:col', () => {
    expect(errsV0('package t\np {\n  some x in [1]\n}\n')).toEqual([
      't.rego:3:10: rego_parse_error: unexpected ident token: expected \\n or ; or } (hint: `import future.keywords.in` for `some x in xs` expressions)',
    ]);
    expect(errsV0('package t\np {\n  every x in [1] { x }\n}\n')).toEqual([
      't.rego:3:9: rego_parse_error: unexpected ident token: expected \\n or ; or } (hint: `import future.keywords.every` for `every x in xs { ... }` expressions)',
    ]);
    expect(evalV('package t\nimport future.keywords.in\np[x] {\n  some x in [1, 2]\n}\n', 0)).toEqual({ p: [1, 2] });
  });
  it('a keyword is on from its import on, also when the import comes after rules', () => {
    expect(evalV('package t\nin := 5\nimport future.keywords.in\nq { 1 in [1] }\n', 0)).toEqual({ in: 5, q: true });
  });
  it('import future.keywords turns on all four; contains and if may then be used without requiring them', () => {
    const text = 'package t\nimport future.keywords\nd contains x if { some x in [1] }\ne[x] { x := 2 }\nall_pos { every x in [1, 2] { x > 0 } }\n';
    expect(evalV(text, 0)).toEqual({ d: [1], e: [2], all_pos: true });
  });
  it('import rego.v1 requires v1 heads (OPA v0-compat-v1)', () => {
    expect(errsV0('package t\nimport rego.v1\np { true }\n')).toEqual(['t.rego:3:3: rego_parse_error: `if` keyword is required before rule body']);
    expect(evalV('package t\nimport rego.v1\np if { 1 in [1] }\n', 0)).toEqual({ p: true });
    // the whole module is held to it, also rules above the import
    expect(errsV0('package t\np { true }\nimport rego.v1\n')).toEqual(['t.rego:2:3: rego_parse_error: `if` keyword is required before rule body']);
    // also when a statement follows the import on its line; `rego.v1.x` is another path
    expect(errsV0('package t\np { true }\nimport rego.v1 q := 1\n')).toEqual(['t.rego:2:3: rego_parse_error: `if` keyword is required before rule body']);
    expect(errsV0('package t\np { true }\nimport rego.v1.x\n')).toEqual(['t.rego:3:8: rego_parse_error: invalid import `rego.v1.x`, must be `rego.v1`']);
  });
});

describe('v1-only compile checks', () => {
  it('duplicate imports are an error in v1 only; in v0 the last one counts (OPA resolves imports in order)', () => {
    const text = 'package t\nimport data.a.x\nimport input.x\np {\n  x\n}\n';
    expect(evalV(text, 0, ['t'], { x: true })).toEqual({ p: true });
    const v1 = prepare([{ file: 't.rego', text: text.replace('p {', 'p if {') }]);
    expect(v1.ok).toBe(false);
    if (!v1.ok) expect(v1.diagnostics[0]).toMatchObject({ code: 'rego_compile_error', message: 'import must not shadow import data.a.x', line: 3 });
  });
});

describe('builtins deprecated before OPA 1.0', () => {
  const text = 'package t\np := any([false, true])\nq := all(set())\nr := re_match("a+", "baa")\ns := set_diff({1, 2}, {2})\nc := cast_array({3, 1})\nd := cast_set([1, 1])\ne := cast_string("x")\nn := net.cidr_overlap("10.0.0.0/8", "10.1.2.3")\n';
  it('work in v0 modules, as in OPA 1.x', () => {
    expect(evalV(text, 0)).toEqual({ p: true, q: true, r: true, s: [1], c: [1, 3], d: [1], e: 'x', n: true });
    const strict = prepare([{ file: 't.rego', text: 'package t\nx := cast_string(1)\n', regoVersion: 0 }], { strictBuiltinErrors: true });
    if (!strict.ok) throw new Error('compiles');
    expect(() => strict.value.evalRef(['t', 'x'])).toThrow(/cast_string: operand 1 must be string but got number/);
  });
  it('are a type error at each call in v1 modules and in v0 modules importing rego.v1', () => {
    const r = prepare([{ file: 't.rego', text }]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.code}: ${d.message}`)).toEqual([
        '2:6: rego_type_error: deprecated built-in function calls in expression: any',
        '3:6: rego_type_error: deprecated built-in function calls in expression: all',
        '4:6: rego_type_error: deprecated built-in function calls in expression: re_match',
        '5:6: rego_type_error: deprecated built-in function calls in expression: set_diff',
        '6:6: rego_type_error: deprecated built-in function calls in expression: cast_array',
        '7:6: rego_type_error: deprecated built-in function calls in expression: cast_set',
        '8:6: rego_type_error: deprecated built-in function calls in expression: cast_string',
        '9:6: rego_type_error: deprecated built-in function calls in expression: net.cidr_overlap',
      ]);
    }
    expect(errsV0('package t\nimport rego.v1\np if any([true])\n')).toEqual(['t.rego:3:6: rego_type_error: deprecated built-in function calls in expression: any']);
  });
  it('a user function of the same name is not the builtin', () => {
    expect(evalV('package t\nany(xs) := count(xs) > 0\np := any([false])\n', 1)).toEqual({ p: true });
  });
});

describe('--v0-compatible and .manifest', () => {
  function ws(): string {
    const d = mkdtempSync(join(tmpdir(), 'rego-v0-'));
    mkdirSync(join(d, 'pol'));
    writeFileSync(join(d, 'pol', 'a.rego'), 'package a\nallow { input.x == 1 }\n');
    writeFileSync(join(d, 'pol', 'a_test.rego'), 'package a\ntest_allow { allow with input as {"x": 1} }\n');
    return d;
  }
  it('rego eval and policy test read v0 with the flag, and fail with file:line:col (exit 2) without it', async () => {
    const d = ws();
    const ok = await gitops(d, 'rego', 'eval', '--v0-compatible', '-d', 'pol', 'data.a.allow with input as {"x": 1}');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).result[0].expressions[0].value).toBe(true);
    const bad = await gitops(d, 'rego', 'eval', '-d', 'pol', 'data.a.allow');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('pol/a.rego:2:7: rego_parse_error: `if` keyword is required before rule body');
    expect((await gitops(d, 'policy', 'test', '--v0-compatible', 'pol')).stdout).toContain('PASS: 1/1');
    const t = await gitops(d, 'policy', 'test', 'pol');
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('pol/a.rego:2:7: rego_parse_error');
  });
  it('a .manifest rego_version decides for its folder; file_rego_versions for matching files', async () => {
    const d = ws();
    writeFileSync(join(d, 'pol', '.manifest'), JSON.stringify({ revision: '1', rego_version: 0 }));
    expect((await gitops(d, 'policy', 'test', 'pol')).stdout).toContain('PASS: 1/1');
    writeFileSync(join(d, 'pol', 'a_test.rego'), 'package a\nimport rego.v1\ntest_allow if { allow with input as {"x": 1} }\n');
    writeFileSync(join(d, 'pol', '.manifest'), JSON.stringify({ rego_version: 1, file_rego_versions: { '/a.rego': 0 } }));
    const r = await gitops(d, 'policy', 'test', 'pol');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('PASS: 1/1');
  });
  it('policy list reads v0 intent policies through the manifest', async () => {
    const d = mkdtempSync(join(tmpdir(), 'rego-v0l-'));
    mkdirSync(join(d, 'policies', 'x'), { recursive: true });
    writeFileSync(join(d, 'policies', '.manifest'), '{"rego_version": 0}');
    writeFileSync(join(d, 'policies', 'x', 'p.rego'), '# METADATA\n# title: Old style\n# custom:\n#   id: OLD-STYLE-001\npackage gitops.policies.old\ndeny[m] { m := input.x }\n');
    const r = await gitops(d, 'policy', 'list');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('OLD-STYLE-001  deny  Old style  (policies/x/p.rego:1)\n');
  });
  it('a malformed manifest is an error naming it (exit 2)', async () => {
    const d = ws();
    writeFileSync(join(d, 'pol', '.manifest'), JSON.stringify({ rego_version: 2 }));
    const r = await gitops(d, 'policy', 'test', 'pol');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pol/.manifest:1:1: rego_manifest_error: pol/.manifest: rego_version must be 0 or 1, got 2\n');
    const e = await gitops(d, 'rego', 'eval', '-d', 'pol', 'data.a');
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('rego_manifest_error');
  });
  it('rego conformance --v0-compatible reads the cases as v0', async () => {
    const d = mkdtempSync(join(tmpdir(), 'rego-v0c-'));
    writeFileSync(join(d, 'c.yaml'), 'cases:\n- note: v0 rule\n  modules:\n  - |\n    package x\n    p[y] { y := 1 }\n  query: data.x.p = z\n  want_result:\n  - z: [1]\n');
    const v0 = await gitops(d, 'rego', 'conformance', '--v0-compatible', '.');
    expect(v0.stdout.trim().split('\n').pop()).toBe('{"total":1,"passed":1,"failed":0,"skipped":0}');
    const v1 = await gitops(d, 'rego', 'conformance', '.');
    expect(v1.code).toBe(1);
  });
  it('the check reads policies/.manifest from the policy tree', async () => {
    const files = new Map<string, string>([
      ['policies/.manifest', '{"rego_version": 0, "file_rego_versions": {"new/*.rego": 1}}'],
      ['policies/old/a.rego', 'package gitops.policies.a\ndeny[m] { m := input.x }\n'],
      ['policies/new/b.rego', 'package gitops.policies.b\ndeny contains m if { m := input.y }\n'],
    ]);
    const tree: Tree = {
      label: 'mem',
      list: async () => [...files.keys()],
      read: async (paths) => new Map(paths.filter((p) => files.has(p)).map((p) => [p, new TextEncoder().encode(files.get(p)!)])),
      readFiles: async (paths) => new Map(paths.filter((p) => files.has(p)).map((p) => [p, { kind: 'file' as const, bytes: new TextEncoder().encode(files.get(p)!) }])),
    };
    const mods = await readPolicyModules(tree);
    expect(mods.map((m) => [m.file, m.regoVersion])).toEqual([
      ['policies/new/b.rego', 1],
      ['policies/old/a.rego', 0],
    ]);
    expect((await readPolicyModules(tree, { v0: true })).map((m) => m.regoVersion)).toEqual([1, 0]);
    files.set('policies/.manifest', '{"rego_version": "zero"}');
    await expect(readPolicyModules(tree)).rejects.toThrow(/rego_version must be 0 or 1/);
  });
});

const WASM = '../shared/opa-wasm';
describe.skipIf(!existsSync(WASM))('v0 sources from ../shared/opa-wasm (skipped: ../shared/opa-wasm is absent)', () => {
  it('the example policy and its tests pass under --v0-compatible', async () => {
    const r = await gitops(process.cwd(), 'policy', 'test', '--v0-compatible', '../shared/opa-wasm/opa-webassembly-ts');
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('PASS: 2/2');
  });
  it('the browser example evaluates as in its README', () => {
    const text = readFileSync(join(WASM, 'opa-wasm-browser', 'test.rego'), 'utf8');
    expect(evalV(text, 0, ['test', 'p'], { fragment: 'moo' })).toBe(true);
    expect(evalV(text, 0, ['test', 'p'], { fragment: 'x' })).toBeUndefined();
  });
});
