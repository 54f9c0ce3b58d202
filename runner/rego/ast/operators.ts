/**
 * The one infix operator table: each operator and the builtin it calls,
 * grouped by precedence level as in OPA's grammar (loosest first; `in` binds
 * looser still and is parsed on its own as `internal.member_2`). The parser
 * rewrites `a + b` to `plus(a, b)` with it and `termText` prints the call
 * back as `a + b`; the builtin declarations do not repeat it.
 */
export const INFIX_LEVELS = {
  relation: { '==': 'equal', '!=': 'neq', '<': 'lt', '<=': 'lte', '>': 'gt', '>=': 'gte' },
  or: { '|': 'or' },
  and: { '&': 'and' },
  arith: { '+': 'plus', '-': 'minus' },
  factor: { '*': 'mul', '/': 'div', '%': 'rem' },
} as const satisfies Record<string, Readonly<Record<string, string>>>;

/** Infix operator → builtin name, every level. */
export const INFIX: ReadonlyMap<string, string> = new Map(Object.values(INFIX_LEVELS).flatMap((level) => Object.entries(level)));
