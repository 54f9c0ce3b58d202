/**
 * `gitops rego eval|conformance` — the Rego engine's own tools.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import type { Command, CommandIO } from './command.ts';
import { parse, usageError } from './args.ts';
import { parse as parseYAML } from 'yaml';
import { GitopsError, diag, type Diagnostic } from '../core/diagnostics.ts';
import { compileQueryText, compileSources, type Source } from '../rego/pipeline.ts';
import type { CompileError } from '../rego/compiler/errors.ts';
import { RegoEvalError } from '../rego/topdown/errors.ts';
import { RObject, fromJS, stringifyJSON, toJS, type Value } from '../rego/value.ts';
import { runConformance } from '../rego/conformance/runner.ts';
import { readManifest, withRegoVersions } from '../policyset/manifest.ts';
import { buildBundleWithOpa, loadWasmPolicy, readBundle } from '../rego/wasm/adapter.ts';
import { BUILTINS_OPTION, withBuiltinModules } from './builtins.ts';

const USAGE = `Usage: gitops rego <eval|conformance> [options]

  eval [options] <query>
      -d, --data-path <file-or-dir>  .rego files (and *.json data) to load; repeatable
      -i, --input <file.json>        input document (JSON or YAML)
      --data <file.json>             base data document (JSON or YAML)
      --format json|pretty           output format (default json)
      --strict-builtin-errors        builtin errors abort evaluation
      --engine interp|wasm           evaluator (default interp, wasm when --bundle is given)
      --bundle <bundle.tar.gz>       OPA wasm bundle (opa build -t wasm); with --engine wasm
                                     and no bundle, \`opa\` on PATH builds one from -d
      --v0-compatible                read policies and the query as Rego v0 (OPA's flag); a
                                     .manifest with rego_version / file_rego_versions in a
                                     policy folder decides for the files under it
      --builtins <module>            ES module exporting custom builtins (both engines); repeatable
    Prints OPA-style results: {"result":[{"expressions":[…],"bindings":{…}}]}
    ({} when the query is undefined). Exit 0, or 2 on compile/evaluation errors.

  conformance <dir> [--filter <substr>] [--verbose] [--v0-compatible]
    Runs OPA-format YAML test cases; prints each failure and one JSON summary
    line {"total","passed","failed","skipped"}. Exit 0 only when none failed.`;

function readDoc(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new GitopsError(diag('input_error', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file: path }), 2);
  }
  try {
    return JSON.parse(text);
  } catch {
    // not JSON: YAML (a superset), with the parser the intents use
    try {
      return parseYAML(text, { intAsBigInt: true });
    } catch (e) {
      throw new GitopsError(diag('input_error', `cannot parse ${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { file: path }), 2);
    }
  }
}

function collect(paths: string[], cwd: string): { sources: Source[]; data: unknown[] } {
  const sources: Source[] = [];
  const data: unknown[] = [];
  const visit = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const n of readdirSync(p).sort()) visit(join(p, n));
      return;
    }
    const rel = relative(cwd, p) || p;
    if (p.endsWith('.rego')) sources.push({ file: rel, text: readFileSync(p, 'utf8') });
    else if (p.endsWith('.json') && !p.endsWith('.schema.json')) data.push(readDoc(p));
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new GitopsError(diag('input_error', `no such file or directory: ${p}`), 2);
    visit(abs);
  }
  return { sources, data };
}

function toDiag(e: CompileError): Diagnostic {
  return diag(e.code, e.message, { file: e.loc.file, line: e.loc.line, col: e.loc.col });
}

function mergeAll(docs: unknown[]): Value {
  let out: Value = new RObject();
  for (const d of docs) out = merge(out, fromJS(d));
  return out;
}
function merge(a: Value, b: Value): Value {
  if (!(a instanceof RObject) || !(b instanceof RObject)) return b;
  const o = RObject.fromEntries(a.entries());
  for (const [k, v] of b.entries()) {
    const x = o.get(k);
    o.set(k, x === undefined ? v : merge(x, v));
  }
  return o;
}

function print(io: CommandIO, doc: Value, format: string): void {
  io.stdout(stringifyJSON(doc, format === 'pretty' ? 2 : undefined) + '\n');
}

interface EvalValues {
  'data-path'?: string[];
  input?: string;
  data?: string;
  format?: string;
  'strict-builtin-errors'?: boolean;
  engine?: string;
  bundle?: string;
  'v0-compatible'?: boolean;
}

async function evalCmd(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse('rego eval', argv, {
    'data-path': { type: 'string', short: 'd', multiple: true },
    input: { type: 'string', short: 'i' },
    data: { type: 'string' },
    format: { type: 'string' },
    'strict-builtin-errors': { type: 'boolean' },
    engine: { type: 'string' },
    bundle: { type: 'string' },
    'v0-compatible': { type: 'boolean' },
    ...BUILTINS_OPTION,
  });
  return withBuiltinModules(values.builtins, io.cwd, () => evalParsed(values, positionals, io));
}

async function evalParsed(values: EvalValues, positionals: string[], io: CommandIO): Promise<number> {
  if (positionals.length !== 1) throw usageError('rego eval', 'expected exactly one query');
  const query = positionals[0]!;
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'pretty') throw usageError('rego eval', `--format must be json or pretty, got ${format}`);
  const engine = values.engine ?? (values.bundle ? 'wasm' : 'interp');
  if (engine !== 'interp' && engine !== 'wasm') throw usageError('rego eval', `--engine must be interp or wasm, got ${engine}`);
  const input = values.input ? readDoc(resolve(io.cwd, values.input)) : undefined;
  const collected = collect(values['data-path'] ?? [], io.cwd);
  const { data } = collected;
  const v0 = values['v0-compatible'] === true;
  const versioned = await withRegoVersions(collected.sources, readManifest(io.cwd), { v0 });
  if (!versioned.ok) throw new GitopsError(versioned.diagnostics, 2);
  const sources: Source[] = versioned.value;
  if (values.data) data.push(readDoc(resolve(io.cwd, values.data)));
  const strict = values['strict-builtin-errors'] === true;

  if (engine === 'wasm') return evalWasm(io, query, values.bundle, values['data-path'] ?? [], input, data, strict, format);

  const c = compileSources(sources);
  if (!c.ok) throw new GitopsError(c.errors.map(toDiag), 2);
  const q = compileQueryText(c.compiled, query, { regoVersion: v0 ? 0 : 1, capture: true });
  if (!q.ok) throw new GitopsError(q.errors.map(toDiag), 2);
  let rows;
  try {
    rows = c.compiled.program.runQuery(q.program, {
      input: input === undefined ? undefined : fromJS(input),
      data: mergeAll(data),
      strict,
      print: (msg) => io.stderr(msg + '\n'),
    });
  } catch (e) {
    if (e instanceof RegoEvalError) {
      throw new GitopsError(diag(e.code, e.detail, e.loc ? { file: e.loc.file, line: e.loc.line, col: e.loc.col } : undefined), 2);
    }
    throw e;
  }
  if (rows.length === 0) {
    io.stdout(format === 'pretty' ? '{}\n' : '{}\n');
    return 0;
  }
  const result = rows.map((r) => {
    const o = new RObject();
    o.set(
      'expressions',
      q.ir.exprs.map((e, i) =>
        RObject.fromEntries([
          ['value', r.expressions[i]!],
          ['text', e.text],
          ['location', RObject.fromEntries([['row', e.loc.line], ['col', e.loc.col]])],
        ]),
      ),
    );
    if (Object.keys(r.bindings).length > 0) o.set('bindings', RObject.fromEntries(Object.entries(r.bindings)));
    return o;
  });
  print(io, RObject.fromEntries([['result', result]]), format);
  return 0;
}

async function evalWasm(io: CommandIO, query: string, bundlePath: string | undefined, dirs: string[], input: unknown, data: unknown[], strict: boolean, format: string): Promise<number> {
  let path = bundlePath ? resolve(io.cwd, bundlePath) : undefined;
  let tmp: string | undefined;
  try {
    if (!path) {
      if (dirs.length !== 1) throw usageError('rego eval', '--engine wasm needs --bundle, or exactly one -d directory for `opa build`');
      tmp = mkdtempSync(join(tmpdir(), 'gitops-opa-'));
      const built = buildBundleWithOpa(resolve(io.cwd, dirs[0]!), [query], join(tmp, 'bundle.tar.gz'));
      if (!built.ok) throw new GitopsError(built.diagnostics, 2);
      path = built.value;
    }
    const b = readBundle(path);
    if (!b.ok) throw new GitopsError(b.diagnostics, 2);
    const baseData = toJS(mergeAll(b.value.data === undefined ? data : [b.value.data, ...data]));
    const p = await loadWasmPolicy(b.value.wasm, { data: baseData, strictBuiltinErrors: strict });
    if (!p.ok) throw new GitopsError(p.diagnostics, 2);
    let v: unknown;
    try {
      v = p.value.evaluate(query, input);
    } catch (e) {
      throw new GitopsError(diag('eval_builtin_error', e instanceof Error ? e.message : String(e)), 2);
    }
    if (v === undefined) {
      io.stdout('{}\n');
      return 0;
    }
    const expr = RObject.fromEntries([
      ['value', fromJS(v)],
      ['text', query],
      ['location', RObject.fromEntries([['row', 1], ['col', 1]])],
    ]);
    print(io, RObject.fromEntries([['result', [RObject.fromEntries([['expressions', [expr]]])]]]), format);
    return 0;
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

function conformanceCmd(argv: string[], io: CommandIO): number {
  const { values, positionals } = parse('rego conformance', argv, {
    filter: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    'v0-compatible': { type: 'boolean' },
  });
  if (positionals.length !== 1) throw usageError('rego conformance', 'expected the directory of YAML cases');
  const dir = resolve(io.cwd, positionals[0]!);
  if (!existsSync(dir)) throw new GitopsError(diag('input_error', `no such directory: ${positionals[0]}`), 2);
  const opts = { ...(values.filter ? { filter: values.filter } : {}), regoVersion: values['v0-compatible'] ? (0 as const) : (1 as const) };
  const { summary, outcomes } = runConformance(dir, opts);
  for (const o of outcomes) {
    if (o.status === 'failed') io.stdout(`FAIL ${o.file}: ${o.note}\n  wanted: ${o.wanted}\n  got:    ${o.got}\n`);
    else if (values.verbose) io.stdout(`${o.status === 'passed' ? 'PASS' : 'SKIP'} ${o.file}: ${o.note}\n`);
  }
  io.stdout(JSON.stringify(summary) + '\n');
  return summary.failed === 0 ? 0 : 1;
}

export const command: Command = {
  name: 'rego',
  summary: 'Rego engine tools: eval, conformance',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'eval') return evalCmd(rest, io);
    if (sub === 'conformance') return conformanceCmd(rest, io);
    throw usageError('rego', sub ? `unknown subcommand '${sub}'` : 'expected a subcommand: eval or conformance');
  },
};
