/**
 * The OPA-wasm adapter on modules built by the REAL OPA compiler (`opa build
 * -t wasm`), from ../shared/opa-wasm (see its SOURCE.md): opa-webassembly-ts
 * (OPA v0.29.4, wasm ABI 1.1, entrypoint example/allow, needs
 * data.user_roles and data.role_permissions) and opa-wasm-browser (ABI 1.2,
 * entrypoint test/p). Each decision is compared with the in-process
 * interpreter on the same source.
 *
 * The sources are Rego v0 (the OPA of 2021–22 that built them): the
 * interpreter reads exactly those files, as Rego v0 (`regoVersion: 0`, what
 * `--v0-compatible` and a `.manifest` rego_version select).
 *
 * Neither module delegates a builtin to the host (their `builtins()` export
 * is `{}`), which the tests assert through the adapter's per-name host call
 * count; host calls themselves (and the SDK's own builtins never answering)
 * are covered by the hand-written modules in wasm.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWasmPolicy } from '../../runner/rego/wasm/adapter.ts';
import { prepare } from '../../runner/rego/api.ts';
import { REPO_ROOT, runCli } from '../check/helpers.ts';
import { tarGz } from '../support/opa-bundle.ts';

const SHARED = join(REPO_ROOT, '..', 'shared', 'opa-wasm');
const absent = !existsSync(join(SHARED, 'opa-webassembly-ts', 'policy.wasm')) || !existsSync(join(SHARED, 'opa-wasm-browser', 'policy.wasm'));

/** data.example's test data (from the project's example_test.rego). */
const RBAC = {
  user_roles: { userA: ['editor'], userB: ['viewer', 'editor'], userC: [] },
  role_permissions: {
    editor: [
      { action: 'edit', object: 'article' },
      { action: 'create', object: 'article' },
    ],
    viewer: [{ action: 'read', object: 'article' }],
  },
};

/** The engine on the very source OPA compiled into the module, read as Rego v0. */
function interpreter(path: string, data: unknown) {
  const p = prepare([{ file: path, text: readFileSync(join(SHARED, path), 'utf8'), regoVersion: 0 }], { data });
  if (!p.ok) throw new Error(JSON.stringify(p.diagnostics));
  return p.value;
}

describe.skipIf(absent)('OPA wasm adapter on modules built by the real opa (../shared/opa-wasm; skipped when absent)', () => {
  it('opa-webassembly-ts (ABI 1.1, example/allow, RBAC over data): same answers as the interpreter', async () => {
    const r = await loadWasmPolicy(readFileSync(join(SHARED, 'opa-webassembly-ts', 'policy.wasm')), { data: RBAC });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    const wasm = r.value;
    expect(wasm.entrypoints).toEqual(['example/allow']);
    const interp = interpreter('opa-webassembly-ts/example.rego', RBAC);
    const inputs = [
      { user: 'userA', action: 'edit', object: 'article' },
      { user: 'userA', action: 'create', object: 'article' },
      { user: 'not exists', action: 'edit', object: 'article' },
      { user: 'userA', action: 'edit', object: 'management' },
      { user: 'userB', action: 'read', object: 'article' },
      { user: 'userB', action: 'delete', object: 'article' },
      { user: 'userC', action: 'read', object: 'article' },
      {},
    ];
    const got = inputs.map((i) => wasm.evaluate('data.example.allow', i));
    expect(got).toEqual(inputs.map((i) => interp.evalRef(['example', 'allow'], { input: i })));
    expect(got).toEqual([true, true, false, false, true, false, false, false]);
    // Data drives the decision: without a role mapping nobody is allowed.
    const bare = await loadWasmPolicy(readFileSync(join(SHARED, 'opa-webassembly-ts', 'policy.wasm')), { data: {} });
    if (!bare.ok) throw new Error('load failed');
    expect(bare.value.evaluate('example/allow', inputs[0])).toBe(false);
    expect([...wasm.hostBuiltinsUsed]).toEqual([]);
    expect(wasm.hostCalls.size).toBe(0);
  });

  it('opa-wasm-browser (ABI 1.2, test/p, no default): true or undefined, as the interpreter says', async () => {
    const r = await loadWasmPolicy(readFileSync(join(SHARED, 'opa-wasm-browser', 'policy.wasm')));
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.value.entrypoints).toEqual(['test/p']);
    const interp = interpreter('opa-wasm-browser/test.rego', {});
    const inputs: unknown[] = [{ fragment: 'moo' }, { fragment: 'baa' }, { other: 1 }, undefined, { fragment: 'moo', big: 12345678901234567890n }];
    const got = inputs.map((i) => r.value.evaluate('test/p', i));
    expect(got).toEqual(inputs.map((i) => interp.evalRef(['test', 'p'], { input: i })));
    expect(got).toEqual([true, undefined, undefined, undefined, true]);
    expect(r.value.hostCalls.size).toBe(0);
  });

  it('input and data holding integers beyond 2^53 load (written as JSON by the adapter; the SDK’s JSON.stringify throws on bigints)', async () => {
    // Input and data are written as JSON text by the adapter (bigints as numbers), not by the SDK's JSON.stringify.
    const r = await loadWasmPolicy(readFileSync(join(SHARED, 'opa-webassembly-ts', 'policy.wasm')), {
      data: { ...RBAC, sizes: { huge: 2n ** 70n } },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.value.evaluate('example/allow', { user: 'userA', action: 'edit', object: 'article', n: 2n ** 64n })).toBe(true);
  });

  it('gitops rego eval --bundle: the real module in a bundle with data.json, YAML input holding a big integer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-real-wasm-'));
    try {
      const wasm = readFileSync(join(SHARED, 'opa-webassembly-ts', 'policy.wasm'));
      await writeFile(join(dir, 'bundle.tar.gz'), tarGz({ '/policy.wasm': wasm, '/data.json': JSON.stringify(RBAC) }));
      await writeFile(join(dir, 'input.yaml'), 'user: userA\naction: edit\nobject: article\nrequest_id: 123456789012345678901234567890\n');
      const r = await runCli(['rego', 'eval', '--bundle', 'bundle.tar.gz', '-i', 'input.yaml', 'data.example.allow'], dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).result[0].expressions[0].value).toBe(true);
      await writeFile(join(dir, 'input.yaml'), 'user: userA\naction: delete\nobject: article\n');
      const denied = await runCli(['rego', 'eval', '--bundle', 'bundle.tar.gz', '-i', 'input.yaml', 'data.example.allow'], dir);
      expect(JSON.parse(denied.stdout).result[0].expressions[0].value).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
