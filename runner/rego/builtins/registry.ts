/**
 * The one builtin declaration table: every builtin the engine knows, by name,
 * with its typed signature (the infix operators that call some of them are
 * the AST's table, ast/operators.ts). Families are listed explicitly (no
 * folder scanning); each family file exports its declarations.
 *
 * Every implementation is wrapped once here so that any BuiltinError it
 * throws carries the builtin's name as OPA prints it
 * (`concat: operand 2 must be one of {set, array} but got number`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { BuiltinError, type BuiltinDecl, type BuiltinImpl } from './types.ts';
import type { Value } from '../value.ts';
import { COMPARISON } from './comparison.ts';
import { ARITHMETIC } from './arithmetic.ts';
import { SETS } from './sets.ts';
import { AGGREGATES } from './aggregates.ts';
import { ARRAYS } from './arrays.ts';
import { OBJECTS } from './objects.ts';
import { STRINGS } from './strings.ts';
import { REGEX } from './regex.ts';
import { GLOB } from './glob.ts';
import { TYPE_OF } from './typeof.ts';
import { CASTS } from './casts.ts';
import { ENCODING } from './encoding.ts';
import { JSON_DOCS } from './json.ts';
import { JSON_SCHEMA } from './jsonschema.ts';
import { UNITS_FAMILY } from './units.ts';
import { TIME } from './time.ts';
import { SEMVER_FAMILY } from './semver.ts';
import { NET } from './net.ts';
import { CRYPTO } from './crypto.ts';
import { JWT } from './jwt.ts';
import { X509 } from './x509.ts';
import { PROVIDERS } from './providers.ts';
import { GRAPHQL } from './graphql.ts';
import { MISC } from './misc.ts';
import { REGO_AST } from './regoast.ts';
import { UNSUPPORTED } from './unsupported.ts';
import { DEPRECATED } from './deprecated.ts';

/** Every family, in the order of OPA's builtin reference. */
const FAMILIES: ReadonlyArray<readonly BuiltinDecl[]> = [
  COMPARISON,
  ARITHMETIC,
  SETS,
  AGGREGATES,
  ARRAYS,
  OBJECTS,
  STRINGS,
  REGEX,
  GLOB,
  TYPE_OF,
  CASTS,
  ENCODING,
  JSON_DOCS,
  JSON_SCHEMA,
  UNITS_FAMILY,
  TIME,
  SEMVER_FAMILY,
  NET,
  CRYPTO,
  JWT,
  X509,
  PROVIDERS,
  GRAPHQL,
  REGO_AST,
  MISC,
  UNSUPPORTED,
  // v0 modules only: v1 modules calling them fail to compile (compiler/deprecated.ts)
  DEPRECATED,
];

function named(name: string, e: unknown): unknown {
  if (e instanceof BuiltinError) return new BuiltinError(e.code, `${name}: ${e.message}`);
  // A bug or a host failure inside an implementation must not surface as a
  // stack trace to policy authors; it is an operational builtin error.
  if (e instanceof RangeError || e instanceof TypeError) return new BuiltinError('eval_builtin_error', `${name}: ${e.message}`);
  return e;
}

function wrap(decl: BuiltinDecl): BuiltinDecl {
  const { name, impl, iter } = decl;
  const wrappedImpl: BuiltinImpl = (args, ctx) => {
    try {
      return impl(args, ctx);
    } catch (e) {
      throw named(name, e);
    }
  };
  const out: BuiltinDecl = { ...decl, impl: wrappedImpl };
  if (iter) {
    out.iter = function* (args, ctx): Iterable<Value> {
      try {
        yield* iter(args, ctx);
      } catch (e) {
        throw named(name, e);
      }
    };
  }
  return out;
}

function build(): Map<string, BuiltinDecl> {
  const m = new Map<string, BuiltinDecl>();
  for (const family of FAMILIES) {
    for (const decl of family) {
      if (m.has(decl.name)) throw new Error(`duplicate builtin declaration: ${decl.name}`);
      m.set(decl.name, wrap(decl));
    }
  }
  return m;
}

export const BUILTINS: ReadonlyMap<string, BuiltinDecl> = build();

/**
 * Custom builtins (an embedder's, like OPA's `rego.Function`, or a
 * `--builtins` module's) are not added to the table: they are in force for
 * the duration of a call (`withCustomBuiltins`), async continuations
 * included, so two policies prepared with different custom builtins in one
 * process never see each other's. The compiler and the evaluator look
 * builtins up when they compile (prepare time), through `lookupBuiltin`.
 */
const customScope = new AsyncLocalStorage<ReadonlyMap<string, BuiltinDecl>>();
const NO_CUSTOM: ReadonlyMap<string, BuiltinDecl> = new Map();

export function lookupBuiltin(name: string): BuiltinDecl | undefined {
  const custom = customScope.getStore();
  return (custom !== undefined ? custom.get(name) : undefined) ?? BUILTINS.get(name);
}

/** The custom builtins in force here (empty outside `withCustomBuiltins`). */
export function customBuiltins(): ReadonlyMap<string, BuiltinDecl> {
  return customScope.getStore() ?? NO_CUSTOM;
}

/**
 * Check custom declarations and wrap them like the table's (error messages
 * prefixed with the name). A name of the table, or one given twice, is refused:
 * a custom builtin adds to OPA's, it never silently replaces one.
 */
export function customBuiltinTable(decls: readonly BuiltinDecl[]): { table: ReadonlyMap<string, BuiltinDecl> } | { error: string } {
  const m = new Map<string, BuiltinDecl>();
  for (const d of decls) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(d.name)) return { error: `builtin name '${d.name}' is not a Rego reference (name or dotted names)` };
    if (BUILTINS.has(d.name)) return { error: `builtin ${d.name} is already one of OPA's builtins` };
    if (m.has(d.name)) return { error: `builtin ${d.name} is defined twice` };
    m.set(d.name, wrap(d));
  }
  return { table: m };
}

/** Run `fn` with `table`'s builtins (and any already in force) visible to the compiler and evaluator. */
export function withCustomBuiltins<T>(table: ReadonlyMap<string, BuiltinDecl>, fn: () => T): T {
  if (table.size === 0) return fn();
  const outer = customScope.getStore();
  return customScope.run(outer === undefined ? table : new Map([...outer, ...table]), fn);
}
