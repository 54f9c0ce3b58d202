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
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
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

/**
 * A second fixed decision that calls two host builtins:
 * `sprintf("%v has %d", [["a"], 2])` — a name the SDK implements itself
 * (with sprintf-js, which has no `%v`), so only our table gives OPA's answer —
 * and `time.parse_ns("2006-01-02", "2026-12-06")`, whose nanoseconds are a
 * bigint in our table (the SDK's bridge threw `Do not know how to serialize a
 * BigInt` on it).
 */
const WAT2 = String.raw`
(module
  (import "env" "memory" (memory 2))
  (import "env" "opa_abort" (func $abort (param i32)))
  (import "env" "opa_builtin2" (func $builtin2 (param i32 i32 i32 i32) (result i32)))
  (global (export "opa_wasm_abi_version") i32 (i32.const 1))
  (global (export "opa_wasm_abi_minor_version") i32 (i32.const 2))
  (global $heap (mut i32) (i32.const 4096))
  (data (i32.const 16) "{\"sprintf\":0,\"time.parse_ns\":1}\00")
  (data (i32.const 64) "{\"fixed/calls\":0}\00")
  (data (i32.const 96) "\"%v has %d\"\00")
  (data (i32.const 112) "[[\"a\"],2]\00")
  (data (i32.const 128) "\"2006-01-02\"\00")
  (data (i32.const 144) "\"2026-12-06\"\00")
  (data (i32.const 160) "[{\"result\":{\"s\":\00")
  (data (i32.const 192) ",\"ns\":\00")
  (data (i32.const 208) "}}]\00")
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
    (local $s i32) (local $ns i32) (local $out i32) (local $end i32)
    (global.set $heap (local.get 5))
    (local.set $s (call $builtin2 (i32.const 0) (i32.const 0) (i32.const 96) (i32.const 112)))
    (local.set $ns (call $builtin2 (i32.const 1) (i32.const 0) (i32.const 128) (i32.const 144)))
    (if (i32.eqz (local.get $s)) (then (call $abort (i32.const 96))))
    (if (i32.eqz (local.get $ns)) (then (call $abort (i32.const 128))))
    (local.set $out (call $malloc (i32.const 256)))
    (local.set $end (call $append (local.get $out) (i32.const 160)))
    (local.set $end (call $append (local.get $end) (local.get $s)))
    (local.set $end (call $append (local.get $end) (i32.const 192)))
    (local.set $end (call $append (local.get $end) (local.get $ns)))
    (local.set $end (call $append (local.get $end) (i32.const 208)))
    (i32.store8 (local.get $end) (i32.const 0))
    (local.get $out)))
`;

/** The SDK's own builtin table (the object its host-call dispatch reads first), for spying on. */
function sdkBuiltins(): Record<string, (...a: unknown[]) => unknown> {
  const req = createRequire(import.meta.url);
  const main = req.resolve('@open-policy-agent/opa-wasm');
  return req(join(dirname(main), 'builtins', 'index.js')) as Record<string, (...a: unknown[]) => unknown>;
}

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

  it('answers every host call from our table — also the names the SDK implements — and returns bigint nanoseconds', async () => {
    const table = sdkBuiltins();
    const spies = Object.keys(table).map((k) => vi.spyOn(table, k));
    try {
      const r = await loadWasmPolicy(await assembleWat(WAT2, 'calls.wat'));
      if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
      const got = r.value.evaluate('fixed/calls', {});
      const p = prepare([{ file: 'calls.rego', text: 'package fixed\ncalls := {"s": sprintf("%v has %d", [["a"], 2]), "ns": time.parse_ns("2006-01-02", "2026-12-06")}\n' }]);
      if (!p.ok) throw new Error(JSON.stringify(p.diagnostics));
      expect(got).toEqual({ s: '["a"] has 2', ns: 1796515200000000000 });
      // The interpreter keeps the nanoseconds a bigint; the SDK reads the module's result with JSON.parse (a number).
      const want = p.value.evalRef(['fixed', 'calls']) as { s: string; ns: bigint };
      expect(want.ns).toBe(1796515200000000000n);
      expect(got).toEqual({ ...want, ns: Number(want.ns) });
      r.value.evaluate('fixed/calls', {});
      expect(Object.fromEntries(r.value.hostCalls)).toEqual({ sprintf: 2, 'time.parse_ns': 2 });
      for (const s of spies) expect(s).not.toHaveBeenCalled();
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('refuses, at load, a module that needs a host builtin no table has (naming it), and answers it once registered', async () => {
    const wat = WAT.replace('{\\"units.parse_bytes\\":0}', '{\\"acme.size\\":0}');
    const r = await loadWasmPolicy(await assembleWat(wat, 'missing.wat'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics[0]).toMatchObject({ code: 'wasm_builtin_missing', message: expect.stringContaining('acme.size') });
    const withCustom = await loadWasmPolicy(await assembleWat(wat, 'custom.wat'), {
      builtins: [{ name: 'acme.size', args: ['string'], result: 'number', impl: ([s]) => (typeof s === 'string' ? s.length : undefined) }],
    });
    if (!withCustom.ok) throw new Error(JSON.stringify(withCustom.diagnostics));
    expect(withCustom.value.evaluate('fixed/decision', {})).toEqual({ allow: true, bytes: 4 });
    expect(Object.fromEntries(withCustom.value.hostCalls)).toEqual({ 'acme.size': 1 });
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
