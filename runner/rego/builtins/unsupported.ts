/**
 * Builtins the runner deliberately does not implement (see
 * docs/rego-builtins.md for why). They are still declared, with OPA's arity,
 * so that policies mentioning them compile and their unit tests can replace
 * them with `with http.send as mock` — the common way such policies are
 * tested. Called for real, they fail with an eval_builtin_error: undefined
 * unless strict builtin errors are on, the same outcome OPA gives for a
 * failed request or lookup.
 */
import { BuiltinError, type BuiltinDecl, type TypeSpec } from './types.ts';

const unsupported = (name: string, args: TypeSpec[], result: TypeSpec, why: string): BuiltinDecl => ({
  name,
  args,
  result,
  nondeterministic: true,
  impl: () => {
    throw new BuiltinError('eval_builtin_error', `not supported by the gitops runner (${why}); replace it in tests with \`with ${name} as …\``);
  },
});

const NET_IO = 'no network access from policy decisions';
const S: TypeSpec = 'string';
const OBJ: TypeSpec = { object: ['any', 'any'] };

export const UNSUPPORTED: BuiltinDecl[] = [
  unsupported('http.send', [OBJ], OBJ, NET_IO),
  unsupported('net.lookup_ip_addr', [S], { set: S }, NET_IO),
];
