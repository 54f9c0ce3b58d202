/**
 * `--builtins <module>`: custom builtins from an ES module, for the commands
 * that compile Rego (`policy test`, `rego eval`, `check`) — what a build of
 * OPA that registers its own builtins does (Trivy's and Regal's `opa`).
 *
 * The module exports its definitions (runner/rego/api.ts `BuiltinDefinition`:
 * `{name, decl: {args, result}, impl}`) as `export const builtins = [...]` or
 * as the default export. TypeScript modules work too (the CLI runs through
 * tsx). Anything wrong with the module — missing, throwing on import, no
 * such export, a bad definition — is a runner error (exit 2) naming the file.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GitopsError, diag } from '../core/diagnostics.ts';
import { builtinTable, withBuiltins } from '../rego/api.ts';
import type { BuiltinDecl } from '../rego/builtins/types.ts';

export const BUILTINS_OPTION = { builtins: { type: 'string', multiple: true } } as const;

export const BUILTINS_USAGE = `      --builtins <module>  ES module exporting custom builtins ({name, decl: {args,
                           result}, impl}) as \`builtins\` or default; repeatable`;

/** Load and check every module's definitions; one table (a name defined twice across modules is refused). */
export async function loadBuiltinModules(paths: readonly string[], cwd: string): Promise<ReadonlyMap<string, BuiltinDecl>> {
  const defs: unknown[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const err = (message: string) => new GitopsError(diag('builtins_module_error', message, { file: p }), 2);
    if (!existsSync(abs)) throw err(`no such builtins module: ${p}`);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
    } catch (e) {
      throw err(`cannot load builtins module: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
    const list = mod.builtins ?? mod.default;
    if (!Array.isArray(list)) throw err('the module must export its builtin definitions as an array: `export const builtins = [...]` or `export default [...]`');
    defs.push(...list);
  }
  const t = builtinTable(defs);
  if (!t.ok) throw new GitopsError(t.diagnostics.map((d) => ({ ...d, message: `${paths.join(', ')}: ${d.message}` })), 2);
  return t.value;
}

/** Run a command body with the `--builtins` modules' builtins in force. */
export async function withBuiltinModules<T>(paths: readonly string[] | undefined, cwd: string, fn: () => Promise<T>): Promise<T> {
  if (!paths || paths.length === 0) return fn();
  const table = await loadBuiltinModules(paths, cwd);
  return withBuiltins(table, fn);
}
