/** Shared helpers for the builtin tests: call through the registry, build values, compare by Rego text. */
import { expect } from 'vitest';
import { lookupBuiltin } from '../../../runner/rego/builtins/registry.ts';
import { BuiltinError, type BuiltinContext } from '../../../runner/rego/builtins/types.ts';
import { fromJS, RSet, RObject, type Value } from '../../../runner/rego/value.ts';
import { regoString } from '../../../runner/rego/builtins/format.ts';

export function ctx(over: Partial<BuiltinContext> = {}): BuiltinContext & { printed: string[] } {
  const printed: string[] = [];
  return {
    strict: false,
    nowNs: 1_700_000_000_123_456_789n,
    cache: new Map(),
    runtime: fromJS({ env: {}, version: 'test' }),
    print: (m: string) => printed.push(m),
    printed,
    ...over,
  };
}

export function call(name: string, args: unknown[], c: BuiltinContext = ctx()): Value | undefined {
  const decl = lookupBuiltin(name);
  if (!decl) throw new Error(`no builtin ${name}`);
  return decl.impl(args.map(v), c);
}

/** JS → Value; RSet/RObject/bigint pass through. */
export function v(x: unknown): Value {
  return fromJS(x);
}

export function set(...xs: unknown[]): RSet {
  return RSet.of(xs.map(v));
}

export function obj(entries: [unknown, unknown][]): RObject {
  return RObject.fromEntries(entries.map(([k, x]) => [v(k), v(x)] as [Value, Value]));
}

export function show(x: Value | undefined): string {
  return x === undefined ? '<undefined>' : regoString(x);
}

export type Row = [name: string, args: unknown[], want: unknown];

/** Table-driven: each row calls the builtin and compares Rego text (so sets, arrays, 1 vs 1.0 are exact). */
export function expectRows(rows: Row[], c?: BuiltinContext): void {
  for (const [name, args, want] of rows) {
    const got = call(name, args, c);
    expect({ call: `${name}(${args.map((a) => show(v(a))).join(', ')})`, got: show(got) }).toEqual({
      call: `${name}(${args.map((a) => show(v(a))).join(', ')})`,
      got: want === undefined ? '<undefined>' : show(v(want)),
    });
  }
}

export type ErrRow = [name: string, args: unknown[], code: BuiltinError['code'], message: string];

export function expectErrors(rows: ErrRow[]): void {
  for (const [name, args, code, message] of rows) {
    let err: unknown;
    try {
      call(name, args);
    } catch (e) {
      err = e;
    }
    expect(err, `${name} should fail`).toBeInstanceOf(BuiltinError);
    expect({ code: (err as BuiltinError).code, message: (err as BuiltinError).message }).toEqual({ code, message });
  }
}
