/**
 * Regal's custom builtins, for running Regal's own test suite (`opa test
 * bundle` through Regal's build of OPA). Ported: `regal.last` (from Regal's
 * `internal/builtins`: the last element of an array, an "out of bounds"
 * error for an empty one). Not ported: `regal.parse_module` (OPA's AST as
 * JSON with Regal's location encoding: start and end of every node, which
 * this engine's AST does not record — OPA's location-free
 * `rego.parse_module` is built in) and `regal.is_formatted` (needs `opa fmt`).
 *
 * Load with `gitops policy test --builtins test/suites/builtins/regal.ts`.
 */
import type { BuiltinDefinition, TypeSpec } from '../../../runner/rego/api.ts';

export const builtins: BuiltinDefinition[] = [
  {
    name: 'regal.last',
    decl: { args: [{ array: 'any' }], result: 'any' },
    impl: (arr: unknown[]) => {
      if (arr.length === 0) throw new Error('out of bounds');
      return arr[arr.length - 1];
    },
  },
];

/** Regal's builtins this module does not provide, with upstream's declarations (a test calling one cannot pass here). */
export const unported: Array<{ name: string; args: TypeSpec[]; result: TypeSpec }> = [
  { name: 'regal.parse_module', args: ['string', 'string'], result: { object: ['string', 'any'] } },
  { name: 'regal.is_formatted', args: ['string', { object: ['string', 'any'] }], result: 'boolean' },
];
