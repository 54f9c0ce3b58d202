/**
 * The OPA-wasm path: evaluate a policy compiled by `opa build -t wasm`
 * through @open-policy-agent/opa-wasm, with every builtin the module
 * delegates to the host supplied from this engine's builtin table.
 *
 * The SDK resolves a host builtin by name, first in its own small JS table
 * (json/strings/regex/yaml helpers) and then in the `customBuiltins` object
 * we pass; we pass the whole declaration table, so any builtin OPA's wasm
 * compiler leaves to the host (sprintf, time.*, net.*, units.*, …) is
 * answered by the same implementations the in-process evaluator uses.
 *
 * Decision shape: `evaluate(entrypoint, input)` returns the entrypoint's
 * document as plain JSON, or undefined — exactly what `PreparedPolicy.evalRef`
 * returns for the same path, so callers can switch engines.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { BUILTINS } from '../builtins/registry.ts';
import { BuiltinError, type BuiltinContext } from '../builtins/types.ts';
import { RObject, fromJS, toJS, type Value } from '../value.ts';
import { diag, fail, ok, type Result } from '../../core/diagnostics.ts';

interface LoadedPolicy {
  evaluate(input: unknown, entrypoint?: number | string): Array<{ result: unknown }>;
  setData(data: unknown): void;
  entrypoints: Record<string, number>;
}
interface OpaWasm {
  loadPolicy(wasm: Uint8Array, memory?: number | { initial?: number; maximum?: number }, customBuiltins?: Record<string, (...args: unknown[]) => unknown>): Promise<LoadedPolicy>;
}


export interface WasmOptions {
  data?: unknown;
  strictBuiltinErrors?: boolean;
}

export interface WasmPolicy {
  readonly entrypoints: string[];
  /** `entrypoint` as OPA names it (`x/allow`) or as a data path (`data.x.allow`). */
  evaluate(entrypoint: string, input?: unknown): unknown;
  /** Names the module asks the host for (its `builtins()` export), all answered from our table. */
  readonly hostBuiltinsUsed: Set<string>;
}

/** Host implementations for every builtin in the table, converting JSON in/out. */
export function hostBuiltins(strict: boolean, used: Set<string>): Record<string, (...args: unknown[]) => unknown> {
  const ctx: BuiltinContext = {
    strict,
    nowNs: BigInt(Date.now()) * 1_000_000n,
    cache: new Map(),
    print: () => {},
    runtime: new RObject(),
  };
  const out: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, decl] of BUILTINS) {
    out[name] = (...args: unknown[]) => {
      used.add(name);
      const vals: Value[] = args.map((a) => fromJS(a));
      try {
        if (decl.iter) {
          for (const v of decl.iter(vals, ctx)) return toJS(v);
          return undefined;
        }
        const r = decl.impl(vals, ctx);
        // undefined → the SDK writes address 0, which the module reads as an undefined result
        return r === undefined ? undefined : toJS(r);
      } catch (e) {
        if (e instanceof BuiltinError && !strict) return undefined;
        throw e instanceof Error ? e.message : e;
      }
    };
  }
  return out;
}

/** `data.x.allow` → `x/allow`; `x/allow` unchanged. */
export function entrypointName(ref: string): string {
  if (ref.includes('/')) return ref;
  return ref.replace(/^data\./, '').split('.').join('/');
}

export async function loadWasmPolicy(wasm: Uint8Array, opts: WasmOptions = {}): Promise<Result<WasmPolicy>> {
  // The SDK is CommonJS (its default export is module.exports), loaded only on the wasm path; a
  // dynamic import (not createRequire) so the package and action bundles carry it.
  const sdk = ((await import('@open-policy-agent/opa-wasm')) as unknown as { default: OpaWasm }).default;
  const used = new Set<string>();
  let policy: LoadedPolicy;
  try {
    policy = await sdk.loadPolicy(wasm, undefined, hostBuiltins(opts.strictBuiltinErrors === true, used));
    if (opts.data !== undefined) policy.setData(opts.data);
  } catch (e) {
    return fail(diag('wasm_load_error', `policy.wasm: ${e instanceof Error ? e.message : String(e)}`));
  }
  const names = Object.keys(policy.entrypoints);
  return ok({
    entrypoints: names,
    hostBuiltinsUsed: used,
    evaluate(entrypoint: string, input?: unknown): unknown {
      const name = entrypointName(entrypoint);
      if (!(name in policy.entrypoints)) throw new Error(`entrypoint ${name} is not in the bundle (have: ${names.join(', ')})`);
      const rs = policy.evaluate(input, name);
      return Array.isArray(rs) && rs.length > 0 ? rs[0]!.result : undefined;
    },
  });
}

/** Files of a (gzipped) tar archive, by path without a leading `/` or `./`. Plain ustar, which is what `opa build` writes. */
export function readTarGz(bytes: Uint8Array): Map<string, Uint8Array> {
  const tar = gunzipSync(bytes);
  const files = new Map<string, Uint8Array>();
  let off = 0;
  const text = (a: number, n: number): string => {
    let end = a;
    while (end < a + n && tar[end] !== 0) end++;
    return Buffer.from(tar.subarray(a, end)).toString('utf8');
  };
  while (off + 512 <= tar.length) {
    const name = text(off, 100);
    if (!name) break;
    const size = parseInt(text(off + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[off + 156] ?? 48);
    const prefix = text(off + 345, 155);
    const full = (prefix ? prefix + '/' : '') + name;
    if (type === '0' || type === '\0') files.set(full.replace(/^\.?\//, ''), tar.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

export interface Bundle {
  wasm: Uint8Array;
  data?: unknown;
}

export function readBundle(path: string): Result<Bundle> {
  let files: Map<string, Uint8Array>;
  try {
    files = readTarGz(readFileSync(path));
  } catch (e) {
    return fail(diag('bundle_error', `cannot read bundle: ${e instanceof Error ? e.message : String(e)}`, { file: path }));
  }
  const wasm = files.get('policy.wasm');
  if (!wasm) return fail(diag('bundle_error', 'bundle has no /policy.wasm (build it with `opa build -t wasm`)', { file: path }));
  const b: Bundle = { wasm };
  const data = files.get('data.json');
  if (data) b.data = JSON.parse(Buffer.from(data).toString('utf8'));
  return ok(b);
}

/** When `opa` is on PATH: `opa build -t wasm -e <entrypoint>… -o <out> <dir>`. */
export function buildBundleWithOpa(dir: string, entrypoints: string[], out: string): Result<string> {
  const args = ['build', '-t', 'wasm', ...entrypoints.flatMap((e) => ['-e', entrypointName(e)]), '-o', out, dir];
  const r = spawnSync('opa', args, { encoding: 'utf8' });
  if (r.error) return fail(diag('opa_not_found', `opa is not on PATH (${r.error.message}); pass --bundle <bundle.tar.gz> built elsewhere`));
  if (r.status !== 0) return fail(diag('opa_build_error', (r.stderr || r.stdout).trim()));
  return ok(out);
}
