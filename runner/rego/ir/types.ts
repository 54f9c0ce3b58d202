/**
 * The intermediate representation (IR) of a compiled Rego policy: the plan.
 *
 * The compiler's output (checked, resolved, safety-ordered rules) is lowered
 * to this small, explicit language; the evaluator (topdown/) turns it into
 * closures, and a later backend is meant to compile it to OPA-ABI WebAssembly
 * (the shape mirrors OPA's own `ir` package: blocks of statements over local
 * slots, with rules as separately callable units).
 *
 * Invariants a backend can rely on:
 *  - Statements of a block are in evaluation order, and that order is
 *    *safe*: by the time a statement runs, every local it reads is bound,
 *    except locals that the statement binds itself. Whether an occurrence of
 *    a local binds or reads is therefore decidable statically by walking the
 *    block once, left to right (that is what topdown/compile.ts does).
 *  - A block is a conjunction with backtracking: each statement may succeed
 *    zero or more times (iteration), binding locals; the block succeeds once
 *    per combination. A rule's block runs to exhaustion (conflict detection).
 *  - Locals are numbered slots in one frame per rule invocation; nested
 *    blocks (`not`, comprehensions, `every`, `with`) share the frame.
 *    Comprehensions and `with` use an extra scratch slot (`acc`/`save`).
 *  - Operands are side-effect free; `call` operands are deterministic except
 *    for builtins declared nondeterministic.
 *  - `data` operands address the data document: the rule tree (virtual
 *    documents, `RuleIR.anchor`) merged over the base data.
 */
import type { Loc } from '../ast/nodes.ts';
import type { Value } from '../value.ts';

export type Operand =
  /** A constant (scalars and fully constant composites are folded). */
  | { k: 'const'; v: Value }
  /** A local variable (frame slot). `name` is for messages and query bindings. */
  | { k: 'local'; slot: number; name: string }
  /** The input document. */
  | { k: 'input' }
  /** `data[path…]`: elements that are unbound locals/patterns iterate. */
  | { k: 'data'; path: Operand[]; loc: Loc }
  /** `head[path…]` for any other head (input, locals, composites, call results). */
  | { k: 'ref'; head: Operand; path: Operand[]; loc: Loc }
  | { k: 'array'; items: Operand[] }
  | { k: 'set'; items: Operand[] }
  | { k: 'object'; items: Array<[Operand, Operand]> }
  /** Function call in value position: builtin name or `data.pkg.f`; undefined result makes the statement fail. */
  | { k: 'call'; fn: string; args: Operand[]; loc: Loc }
  /** Comprehension: runs `block`, collecting `value` (and `key`) into the scratch slot `acc`. */
  | { k: 'comp'; kind: 'array' | 'set' | 'object'; key?: Operand; value: Operand; block: Block; acc: number; loc: Loc };

export type WithTarget =
  | { kind: 'input'; path: string[] }
  | { kind: 'data'; path: string[] }
  /** Replace a function (builtin name or `data.pkg.f`). */
  | { kind: 'function'; name: string };

export interface WithIR {
  target: WithTarget;
  /** Replacement value, or a function name when mocking a function with another function. */
  value: Operand | { k: 'fnref'; name: string };
}

export type Stmt =
  /** Unification `a = b` / `a := b`: binds unbound locals on either side. */
  | { s: 'unify'; a: Operand; b: Operand; loc: Loc }
  /** Call as a statement. With `out`: the result is unified with `out`; without: the result must be defined and not false. */
  | { s: 'call'; fn: string; args: Operand[]; out?: Operand; loc: Loc }
  /** A bare term: succeeds for every value that is defined and not `false`. */
  | { s: 'test'; t: Operand; loc: Loc }
  /** Negation: succeeds once iff `block` has no solution; binds nothing outside. */
  | { s: 'not'; block: Block; loc: Loc }
  /** `some key, value in domain`: iterates a collection, binding the patterns. */
  | { s: 'scan'; key?: Operand; value: Operand; domain: Operand; loc: Loc }
  /** `every key, value in domain { block }`: succeeds once iff block holds for every element; binds nothing outside. */
  | { s: 'every'; key?: Operand; value: Operand; domain: Operand; block: Block; loc: Loc }
  /** `block` evaluated with input/data/functions replaced; bindings flow out. `save` is a scratch slot. */
  | { s: 'with'; mods: WithIR[]; block: Block; save: number; loc: Loc };

export type Block = Stmt[];

export type RuleKind = 'complete' | 'partial_set' | 'partial_object' | 'function';

export interface RuleIR {
  kind: RuleKind;
  /** Ground prefix of the head ref, including `data` and the package. */
  anchor: string[];
  /** `data.pkg.p` */
  name: string;
  /** Dynamic head ref terms after the anchor (`p[q].r` → [q, "r"]); evaluated after the block. */
  suffix: Operand[];
  /** Function parameters (patterns bound from the arguments before the block runs). */
  params?: Operand[];
  /** Member added by a multi-value (`contains`) rule. */
  key?: Operand;
  /** Value of the head (`true` when the rule has none). */
  value: Operand;
  block: Block;
  nslots: number;
  isDefault: boolean;
  /** Next rule of an `else` chain, tried when this one's block has no solution. */
  else?: RuleIR;
  loc: Loc;
}

export interface QueryIR {
  block: Block;
  nslots: number;
  /** Query vars reported as bindings, by user name. */
  vars: Array<{ name: string; slot: number }>;
  /** The query's expressions in source order: `slot` holds a bare term's value; others evaluate to true. */
  exprs: Array<{ text: string; loc: Loc; slot?: number }>;
}

export interface Plan {
  rules: RuleIR[];
}
