/**
 * The one builtin declaration table: every builtin the engine knows, by name,
 * with its infix operator and typed signature. Families are listed explicitly
 * (no folder scanning); each family file exports its declarations.
 *
 * Every implementation is wrapped once here so that any BuiltinError it
 * throws carries the builtin's name as OPA prints it
 * (`concat: operand 2 must be one of {set, array} but got number`).
 */
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
import { TYPES } from './typenames.ts';
import { CASTS } from './casts.ts';
import { ENCODING } from './encoding.ts';
import { JSON_DOCS } from './json.ts';
import { UNITS_FAMILY } from './units.ts';
import { TIME } from './time.ts';
import { SEMVER_FAMILY } from './semver.ts';
import { NET } from './net.ts';
import { CRYPTO } from './crypto.ts';
import { MISC } from './misc.ts';
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
  TYPES,
  CASTS,
  ENCODING,
  JSON_DOCS,
  UNITS_FAMILY,
  TIME,
  SEMVER_FAMILY,
  NET,
  CRYPTO,
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

export function lookupBuiltin(name: string): BuiltinDecl | undefined {
  return BUILTINS.get(name);
}

/** Infix operator → builtin name (the parser rewrites `a + b` to `plus(a, b)`). */
export const INFIX: ReadonlyMap<string, string> = new Map(
  [...BUILTINS.values()].filter((d) => d.infix !== undefined).map((d) => [d.infix!, d.name] as [string, string]),
);
