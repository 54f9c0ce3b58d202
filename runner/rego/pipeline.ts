/**
 * The pipeline end to end: sources → AST → compiler stages → IR → Program.
 * `api.ts` (the embedding contract), the CLI and the conformance runner all
 * go through here.
 */
import { parseModule, parseQuery, ParseError, type RegoVersion } from './ast/parser.ts';
import type { Module } from './ast/nodes.ts';
import { compileModules, compileQuery } from './compiler/index.ts';
import type { CompileError } from './compiler/errors.ts';
import type { CompileState } from './compiler/state.ts';
import { plan, planQuery } from './ir/planner.ts';
import type { Plan, QueryIR } from './ir/types.ts';
import { Program, type CompiledQueryProgram } from './topdown/program.ts';

export interface Source {
  file: string;
  text: string;
  /** Syntax of this file: 1 (default) or 0 (OPA's v0, as `--v0-compatible` or a bundle manifest's rego_version). */
  regoVersion?: RegoVersion;
}

export interface Compiled {
  modules: Module[];
  state: CompileState;
  plan: Plan;
  program: Program;
}

export type CompileOutcome = { ok: true; compiled: Compiled } | { ok: false; errors: CompileError[] };

export function compileSources(sources: Source[]): CompileOutcome {
  const modules: Module[] = [];
  const errors: CompileError[] = [];
  for (const s of sources) {
    try {
      modules.push(parseModule(s.file, s.text, s.regoVersion === undefined ? {} : { regoVersion: s.regoVersion }));
    } catch (e) {
      if (e instanceof ParseError) errors.push({ code: 'rego_parse_error', message: e.message, loc: e.loc });
      else throw e;
    }
  }
  if (errors.length) return { ok: false, errors };
  const { state, errors: cerrs } = compileModules(modules);
  if (cerrs.length) return { ok: false, errors: cerrs };
  const p = plan(state);
  return { ok: true, compiled: { modules, state, plan: p, program: new Program(p) } };
}

export type QueryOutcome = { ok: true; ir: QueryIR; program: CompiledQueryProgram } | { ok: false; errors: CompileError[] };

/** `capture`: expressions report their values as `opa eval` does (see compileQuery). */
export function compileQueryText(c: Compiled, text: string, opts: { regoVersion?: RegoVersion; capture?: boolean } = {}): QueryOutcome {
  let q;
  try {
    q = parseQuery(text, 'query', opts);
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, errors: [{ code: 'rego_parse_error', message: e.message, loc: e.loc }] };
    throw e;
  }
  const r = compileQuery(c.state, q, opts.capture ? { capture: true } : {});
  if (!r.query) return { ok: false, errors: r.errors };
  const ir = planQuery(c.state, r.query);
  return { ok: true, ir, program: c.program.compileQuery(ir) };
}
