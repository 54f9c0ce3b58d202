/**
 * Stage `checkDeprecatedBuiltins`: OPA 1.x keeps the builtins deprecated
 * before 1.0 (builtins/deprecated.ts) for Rego v0 modules only. In a v1
 * module, or a v0 module that imports rego.v1 (OPA's "rego v1 compatible"),
 * each call to one is a rego_type_error at the call, as OPA's
 * checkDeprecatedBuiltins reports it. A user function of the same name is
 * not a builtin call (its name was qualified to `data.…` by resolveRefs).
 */
import type { Module, Rule } from '../ast/nodes.ts';
import { DEPRECATED_NAMES } from '../builtins/deprecated.ts';
import { cerr } from './errors.ts';
import { ruleMentions } from './metadata.ts';
import type { CompileState } from './state.ts';

/** OPA's "rego v1 compatible": a v1 module, or a v0 module importing rego.v1 — the modules OPA 1.x holds to v1's stricter checks. */
export function requiresV1(m: Module): boolean {
  if (m.regoVersion !== 0) return true;
  return m.imports.some((i) => i.path.type === 'ref' && i.path.head.type === 'var' && i.path.head.name === 'rego' && i.path.path.length === 1 && i.path.path[0]!.type === 'scalar' && i.path.path[0]!.value === 'v1');
}

export function checkDeprecatedBuiltins(st: CompileState): void {
  for (const ir of st.rules) {
    if (!requiresV1(ir.module)) continue;
    for (let r: Rule | undefined = ir.rule; r; r = r.else) {
      ruleMentions(r, (t) => {
        if (t.type === 'call' && t.op.length <= 2 && DEPRECATED_NAMES.has(t.op.length === 1 ? t.op[0]! : `${t.op[0]}.${t.op[1]}`)) {
          st.errors.push(cerr('rego_type_error', `deprecated built-in function calls in expression: ${t.op.join('.')}`, t.loc));
        }
        return false;
      });
    }
  }
}
