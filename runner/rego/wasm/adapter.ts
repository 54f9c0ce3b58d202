/**
 * The OPA-wasm path: evaluate a policy compiled by `opa build -t wasm`
 * through @open-policy-agent/opa-wasm, with every builtin the module
 * delegates to the host answered by this engine's builtin table.
 *
 * Why the module is instantiated here and not with the SDK's `loadPolicy`:
 * the SDK resolves a host call as `sdkBuiltins[name] || customBuiltins[name]`
 * (src/opa.js, `_builtinCall`), so for the names it implements itself
 * (`sprintf`, `regex.split`, `json.is_valid`, `yaml.*`) our implementations
 * would never be reached, and its JSON bridge (`JSON.stringify`) throws on
 * the bigints our builtins return for nanosecond times. So we build the
 * import object (memory, `opa_abort`, `opa_println`, `opa_builtin0..4`)
 * ourselves, dispatching every host call to the table, and hand the instance
 * to the SDK's own `LoadedPolicy` for what it does well: the ABI 1.1/1.2
 * evaluation protocol, data loading and memory growth.
 *
 * Values cross the boundary as JSON text: arguments are parsed with exact
 * integers (`parseJSON`), results, input and data are written with
 * `stringifyJSON` (bigints as JSON numbers), as OPA's own host would.
 *
 * Decision shape: `evaluate(entrypoint, input)` returns the entrypoint's
 * document as plain JSON, or undefined — exactly what `PreparedPolicy.evalRef`
 * returns for the same path, so callers can switch engines.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { BUILTINS, customBuiltins } from '../builtins/registry.ts';
import { parseJSON } from '../builtins/encoding.ts';
import { BuiltinError, type BuiltinContext, type BuiltinDecl } from '../builtins/types.ts';
import { RObject, fromJS, stringifyJSON, type Value } from '../value.ts';
import { diag, fail, ok, type Result } from '../../core/diagnostics.ts';

interface LoadedPolicy {
  evaluate(input: unknown, entrypoint?: number | string): Array<{ result: unknown }>;
  setData(data: unknown): void;
  entrypoints: Record<string, number>;
}
// The slice of the WebAssembly JS API used here (the project's lib has no DOM types).
interface WasmGlobal {
  value: unknown;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Memory: new (d: { initial: number }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<unknown>;
  instantiate(module: unknown, imports: Record<string, Record<string, unknown>>): Promise<WasmInstance>;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface OpaWasm {
  LoadedPolicy: new (instance: WasmInstance, memory: WasmMemory, minorVersion: number) => LoadedPolicy;
}
interface OpaExports {
  builtins(): number;
  opa_json_dump(addr: number): number;
  opa_json_parse(addr: number, len: number): number;
  opa_malloc(len: number): number;
  opa_wasm_abi_version?: WasmGlobal | number;
  opa_wasm_abi_minor_version?: WasmGlobal | number;
}


export interface WasmOptions {
  data?: unknown;
  strictBuiltinErrors?: boolean;
  /** Custom builtins (as registered for the interpreter), answered like the table's. */
  builtins?: readonly BuiltinDecl[];
  /** Receives the module's `opa_println` output (print() in policies built with it). */
  print?: (message: string) => void;
  /** Initial memory in 64 KiB pages (the SDK's default is 5). */
  memoryPages?: number;
}

export interface WasmPolicy {
  readonly entrypoints: string[];
  /** `entrypoint` as OPA names it (`x/allow`) or as a data path (`data.x.allow`). */
  evaluate(entrypoint: string, input?: unknown): unknown;
  /** Names the module asks the host for (its `builtins()` export), all answered from our table. */
  readonly hostBuiltinsUsed: Set<string>;
  /** Host calls answered so far, per builtin name (every call the module made went through here). */
  readonly hostCalls: Map<string, number>;
}

/** What a host builtin call needs from the evaluation it happens in. */
interface CallState {
  strict: boolean;
  /** Made per evaluation, so time.now_ns and uuid.rfc4122 are stable within one, as in OPA. */
  ctx: BuiltinContext;
}

function newContext(strict: boolean, print: (m: string) => void): BuiltinContext {
  return { strict, nowNs: BigInt(Date.now()) * 1_000_000n, cache: new Map(), print, runtime: new RObject() };
}

/**
 * Call one declaration with JSON-text arguments; JSON text of the result, or
 * undefined for an undefined result (a builtin error, when not strict).
 */
export function callHostBuiltin(decl: BuiltinDecl, argsJSON: string[], state: CallState): string | undefined {
  const vals: Value[] = argsJSON.map((a) => parseJSON(a));
  try {
    let r: Value | undefined;
    if (decl.iter) {
      for (const v of decl.iter(vals, state.ctx)) {
        r = v;
        break;
      }
    } else r = decl.impl(vals, state.ctx);
    return r === undefined ? undefined : stringifyJSON(r);
  } catch (e) {
    if (e instanceof BuiltinError && !state.strict) return undefined;
    throw e instanceof Error ? new Error(e.message) : e;
  }
}

/** The table the module's host calls are answered from: ours, the custom builtins in force (`--builtins`), the embedder's. */
function hostTable(custom: readonly BuiltinDecl[] | undefined): ReadonlyMap<string, BuiltinDecl> {
  const scoped = customBuiltins();
  if ((!custom || custom.length === 0) && scoped.size === 0) return BUILTINS;
  const m = new Map(BUILTINS);
  for (const [k, d] of scoped) m.set(k, d);
  for (const d of custom ?? []) m.set(d.name, d);
  return m;
}

/** `data.x.allow` → `x/allow`; `x/allow` unchanged. */
export function entrypointName(ref: string): string {
  if (ref.includes('/')) return ref;
  return ref.replace(/^data\./, '').split('.').join('/');
}

const globalValue = (g: WasmGlobal | number | undefined): number | undefined => (g === undefined ? undefined : typeof g === 'number' ? g : Number(g.value));

/** JSON text (already serialised) in the form the SDK writes verbatim into the module's memory. */
const jsonBuffer = (text: string): ArrayBuffer => {
  const bytes = new TextEncoder().encode(text);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
};

/** JS value (parsed JSON/YAML, bigints allowed) → JSON text, as the module reads it. */
const toJSONText = (x: unknown): string => stringifyJSON(fromJS(x));

export async function loadWasmPolicy(wasm: Uint8Array, opts: WasmOptions = {}): Promise<Result<WasmPolicy>> {
  // The SDK is CommonJS (its default export is module.exports), loaded only on the wasm path; a
  // dynamic import (not createRequire) so the package and action bundles carry it.
  const sdk = ((await import('@open-policy-agent/opa-wasm')) as unknown as { default: OpaWasm }).default;
  const table = hostTable(opts.builtins);
  const used = new Set<string>();
  const calls = new Map<string, number>();
  const strict = opts.strictBuiltinErrors === true;
  const print = opts.print ?? (() => {});
  const state: CallState = { strict, ctx: newContext(strict, print) };
  const memory = new WA.Memory({ initial: opts.memoryPages ?? 5 });
  let exports: OpaExports | undefined;
  /** builtin id (the module's numbering) → name; filled from the module's `builtins()` export. */
  const ids = new Map<number, string>();

  const text = (addr: number): string => {
    const buf = new Uint8Array(memory.buffer);
    let end = addr;
    while (buf[end] !== 0) end++;
    return new TextDecoder().decode(buf.subarray(addr, end));
  };
  const dump = (addr: number): string => text(exports!.opa_json_dump(addr));
  const load = (json: string): number => {
    const bytes = new TextEncoder().encode(json);
    const at = exports!.opa_malloc(bytes.byteLength);
    new Uint8Array(memory.buffer).set(bytes, at);
    const v = exports!.opa_json_parse(at, bytes.byteLength);
    if (v === 0) throw new Error('the module could not parse a builtin result');
    return v;
  };
  const call = (id: number, args: number[]): number => {
    const name = ids.get(id);
    const decl = name === undefined ? undefined : table.get(name);
    if (!decl || name === undefined) throw new Error(`not implemented: host builtin ${name ?? `#${id}`}`);
    calls.set(name, (calls.get(name) ?? 0) + 1);
    const out = callHostBuiltin(decl, args.map(dump), state);
    // 0 is how the ABI says "undefined" to the module
    return out === undefined ? 0 : load(out);
  };
  const imports = {
    env: {
      memory,
      opa_abort: (addr: number) => {
        throw new Error(`opa_abort: ${text(addr)}`);
      },
      opa_println: (addr: number) => print(text(addr)),
      opa_builtin0: (id: number) => call(id, []),
      opa_builtin1: (id: number, _c: number, a: number) => call(id, [a]),
      opa_builtin2: (id: number, _c: number, a: number, b: number) => call(id, [a, b]),
      opa_builtin3: (id: number, _c: number, a: number, b: number, c: number) => call(id, [a, b, c]),
      opa_builtin4: (id: number, _c: number, a: number, b: number, c: number, d: number) => call(id, [a, b, c, d]),
    },
  };

  let policy: LoadedPolicy;
  try {
    const instance = await WA.instantiate(await WA.compile(wasm), imports);
    exports = instance.exports as unknown as OpaExports;
    const major = globalValue(exports.opa_wasm_abi_version);
    const minor = globalValue(exports.opa_wasm_abi_minor_version);
    if (major !== 1) return fail(diag('wasm_load_error', `policy.wasm: unsupported OPA wasm ABI version ${major ?? '(none)'} (this runner speaks 1.x)`));
    const declared = parseJSON(dump(exports.builtins()));
    if (declared instanceof RObject) {
      for (const [k, v] of declared.entries()) if (typeof k === 'string' && typeof v === 'number') ids.set(v, k);
    }
    const missing = [...ids.values()].filter((n) => !table.has(n)).sort();
    if (missing.length) {
      return fail(diag('wasm_builtin_missing', `policy.wasm needs host builtins this runner does not have: ${missing.join(', ')} (register them with --builtins)`));
    }
    for (const n of ids.values()) used.add(n);
    policy = new sdk.LoadedPolicy(instance, memory, minor ?? 0);
    if (opts.data !== undefined) policy.setData(jsonBuffer(toJSONText(opts.data)));
  } catch (e) {
    return fail(diag('wasm_load_error', `policy.wasm: ${e instanceof Error ? e.message : String(e)}`));
  }
  const names = Object.keys(policy.entrypoints);
  return ok({
    entrypoints: names,
    hostBuiltinsUsed: used,
    hostCalls: calls,
    evaluate(entrypoint: string, input?: unknown): unknown {
      const name = entrypointName(entrypoint);
      if (!(name in policy.entrypoints)) throw new Error(`entrypoint ${name} is not in the bundle (have: ${names.join(', ')})`);
      state.ctx = newContext(strict, print);
      // Input as pre-serialised JSON: the SDK would JSON.stringify it, which rejects bigints.
      const rs = policy.evaluate(input === undefined ? undefined : jsonBuffer(toJSONText(input)), name);
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
