/**
 * The OPA-wasm adapter, tested WITHOUT the OPA compiler (the `opa` binary is
 * not available here): the module below is hand-written WebAssembly TEXT that
 * implements the OPA wasm ABI 1.2 surface the @open-policy-agent/opa-wasm SDK
 * uses (memory import, abi globals, builtins/entrypoints, opa_malloc,
 * opa_json_parse/dump, heap pointer, opa_eval) for a FIXED decision. Its
 * "values" are simply addresses of NUL-terminated JSON text. The decision
 * calls one host builtin, `units.parse_bytes("10KB")`, which the SDK does not
 * implement itself, so the answer can only come from our builtin table.
 * Assembled with the `wabt` npm package.
 */
import { describe, expect, it } from 'vitest';
import { assembleWat, tarGz } from '../support/opa-bundle.ts';
import { entrypointName, loadWasmPolicy, readTarGz } from '../../runner/rego/wasm/adapter.ts';
import { prepare } from '../../runner/rego/api.ts';

const WAT = String.raw`
(module
  (import "env" "memory" (memory 2))
  (import "env" "opa_abort" (func $abort (param i32)))
  (import "env" "opa_builtin1" (func $builtin1 (param i32 i32 i32) (result i32)))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 16) "{\"units.parse_bytes\":0}\00")
  (data (i32.const 64) "{\"fixed/decision\":0}\00")
  (data (i32.const 96) "\"10KB\"\00")
  (data (i32.const 128) "[{\"result\":{\"allow\":true,\"bytes\":\00")
  (data (i32.const 192) "}}]\00")
  (func (export "builtins") (result i32) (i32.const 16))
  (func (export "entrypoints") (result i32) (i32.const 64))
  (func (export "opa_heap_ptr_get") (result i32) (global.get $heap))
  (func (export "opa_heap_ptr_set") (param i32) (global.set $heap (local.get 0)))
  (func $malloc (export "opa_malloc") (param $n i32) (result i32) (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (i32.add (local.get $n) (i32.const 1))))
    (i32.store8 (i32.add (local.get $p) (local.get $n)) (i32.const 0))
    (local.get $p))
  (func (export "opa_json_parse") (param $a i32) (param $n i32) (result i32) (local.get $a))
  (func (export "opa_json_dump") (param $a i32) (result i32) (local.get $a))
  (func $append (param $dst i32) (param $src i32) (result i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (local.get $src))))
        (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (br $next)))
    (local.get $dst))
  (func (export "opa_eval") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
    (local $r i32) (local $out i32) (local $end i32)
    (global.set $heap (local.get 5))
    (local.set $r (call $builtin1 (i32.const 0) (i32.const 0) (i32.const 96)))
    (if (i32.eqz (local.get $r)) (then (call $abort (i32.const 96))))
    (local.set $out (call $malloc (i32.const 256)))
    (local.set $end (call $append (local.get $out) (i32.const 128)))
    (local.set $end (call $append (local.get $end) (local.get $r)))
    (local.set $end (call $append (local.get $end) (i32.const 192)))
    (i32.store8 (local.get $end) (i32.const 0))
    (local.get $out)))
`;

const assemble = () => assembleWat(WAT, 'fixed.wat');

describe('OPA wasm adapter (hand-written WAT module, no OPA compiler)', () => {
  it('evaluates the fixed decision, answering the host builtin from our table', async () => {
    const r = await loadWasmPolicy(await assemble());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.entrypoints).toEqual(['fixed/decision']);
    expect(r.value.evaluate('data.fixed.decision', { any: 'input' })).toEqual({ allow: true, bytes: 10000 });
    expect([...r.value.hostBuiltinsUsed]).toEqual(['units.parse_bytes']);
  });

  it('returns the same decision shape as the in-process engine for the equivalent policy', async () => {
    const r = await loadWasmPolicy(await assemble());
    if (!r.ok) throw new Error('load failed');
    const p = prepare([{ file: 'fixed.rego', text: 'package fixed\nimport rego.v1\ndecision := {"allow": true, "bytes": units.parse_bytes("10KB")}\n' }]);
    if (!p.ok) throw new Error(JSON.stringify(p.diagnostics));
    expect(r.value.evaluate('fixed/decision', {})).toEqual(p.value.evalRef(['fixed', 'decision'], { input: {} }));
  });

  it('reads policy.wasm and data.json out of a bundle.tar.gz', async () => {
    const wasm = await assemble();
    const files = readTarGz(tarGz({ '/policy.wasm': wasm, '/data.json': Buffer.from('{"a":1}') }));
    expect(files.get('policy.wasm')).toEqual(Buffer.from(wasm));
    expect(JSON.parse(Buffer.from(files.get('data.json')!).toString())).toEqual({ a: 1 });
  });

  it('rejects a module that is not OPA wasm with a diagnostic, not a crash', async () => {
    const r = await loadWasmPolicy(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]!.code).toBe('wasm_load_error');
  });

  it('maps data refs to OPA entrypoint names', () => {
    expect(entrypointName('data.gitops.policies')).toBe('gitops/policies');
    expect(entrypointName('x/allow')).toBe('x/allow');
  });
});
