/**
 * Stages `checkImports`, `indexRules` and `checkRuleConflicts`: place every
 * rule in the data tree (its anchor = the ground prefix of its head ref) and
 * reject what OPA rejects at compile time — rules of different kinds or
 * arities at one path, several defaults, non-ground function names, defaults
 * on multi-value rules.
 */
import type { Module, Rule, Term } from '../ast/nodes.ts';
import { cerr } from './errors.ts';
import { requiresV1 } from './deprecated.ts';
import { dataName, type CompileState, type IndexedRule, type RuleKind } from './state.ts';

export function checkImports(st: CompileState): void {
  for (const m of st.modules) {
    const seen = new Map<string, number>();
    for (const imp of m.imports) {
      const parts = importPath(imp.path);
      const root = parts[0];
      if (root === 'future') {
        if (parts[1] !== 'keywords' || (parts.length > 2 && !['in', 'every', 'if', 'contains'].includes(parts[2]!)) || parts.length > 3) {
          st.errors.push(cerr('rego_parse_error', `unexpected import path, must be future.keywords or future.keywords.<keyword>`, imp.loc));
        }
        continue;
      }
      if (root === 'rego') {
        if (parts.length !== 2 || parts[1] !== 'v1') st.errors.push(cerr('rego_parse_error', `invalid import ${parts.join('.')}, must be rego.v1`, imp.loc));
        continue;
      }
      const alias = imp.alias ?? parts[parts.length - 1]!;
      if (imp.alias && parts.length === 1) st.errors.push(cerr('rego_compile_error', `import ${parts[0]} cannot be aliased`, imp.loc));
      // OPA checks duplicate imports in v1 (and rego.v1-importing) modules only
      if (seen.has(alias) && requiresV1(m)) st.errors.push(cerr('rego_compile_error', `import must not shadow import ${alias}`, imp.loc));
      seen.set(alias, 1);
    }
  }
}

export function importPath(t: Term): string[] {
  if (t.type === 'var') return [t.name];
  if (t.type === 'ref' && t.head.type === 'var') {
    return [t.head.name, ...t.path.map((p) => (p.type === 'scalar' ? String(p.value) : '?'))];
  }
  return ['?'];
}

function ruleKind(r: Rule): RuleKind {
  if (r.head.args) return 'function';
  if (r.head.key) return 'partial_set';
  return 'complete';
}

export function indexRules(st: CompileState): void {
  for (const m of st.modules) {
    for (const r of m.rules) {
      const ref = r.head.ref;
      const anchor = ['data', ...m.package, (ref[0] as Term & { type: 'var' }).name];
      let i = 1;
      for (; i < ref.length; i++) {
        const t = ref[i]!;
        if (t.type === 'scalar' && typeof t.value === 'string') anchor.push(t.value);
        else break;
      }
      const suffix = ref.slice(i);
      let kind = ruleKind(r);
      if (kind === 'complete' && suffix.length > 0) kind = 'partial_object';
      if (kind === 'function' && suffix.length > 0) {
        st.errors.push(cerr('rego_parse_error', 'function name must be a ground reference', r.head.loc));
        continue;
      }
      if (r.isDefault && suffix.length > 0) {
        st.errors.push(cerr('rego_parse_error', `default rules must have a ground reference head: ${dataName(anchor)}`, r.loc));
        continue;
      }
      // A partial set with a dynamic ref (`p[x] contains y`) keeps kind partial_set; the set is the leaf.
      const ir: IndexedRule = { module: m, rule: r, kind, anchor, suffix, name: dataName(anchor) };
      if (kind === 'function') {
        ir.arity = r.head.args!.length;
        st.functions.set(anchor.join('.'), ir.arity);
      }
      st.rules.push(ir);
    }
  }
}

export function checkRuleConflicts(st: CompileState): void {
  const byAnchor = new Map<string, IndexedRule[]>();
  for (const r of st.rules) {
    const k = r.anchor.join('\u0000');
    const list = byAnchor.get(k);
    if (list) list.push(r);
    else byAnchor.set(k, [r]);
  }
  for (const list of byAnchor.values()) {
    const first = list[0]!;
    // Same anchor: all rules must agree on kind (dynamic suffixes may differ in depth, as in OPA's ref heads).
    const kinds = new Set(list.map((r) => (r.suffix.length > 0 ? 'dynamic' : r.kind)));
    const fn = list.filter((r) => r.kind === 'function');
    if (kinds.size > 1 || (fn.length > 0 && fn.length !== list.length)) {
      st.errors.push(cerr('rego_type_error', `conflicting rules ${first.name} found`, list[list.length - 1]!.rule.loc));
      continue;
    }
    if (fn.length > 0 && new Set(fn.map((r) => r.arity)).size > 1) {
      st.errors.push(cerr('rego_type_error', `conflicting rules ${first.name} found`, list[list.length - 1]!.rule.loc));
      continue;
    }
    const defaults = list.filter((r) => r.rule.isDefault);
    if (defaults.length > 1) st.errors.push(cerr('rego_type_error', `multiple default rules ${first.name} found`, defaults[1]!.rule.loc));
    for (const r of list) {
      if (r.rule.isDefault && r.kind === 'partial_set') st.errors.push(cerr('rego_parse_error', 'default rules cannot be multi-value', r.rule.loc));
      if (r.kind === 'partial_set' && r.rule.head.value) st.errors.push(cerr('rego_parse_error', 'multi-value rules cannot have a value', r.rule.loc));
    }
  }
  // A complete/function rule whose path is a strict prefix of another rule's anchor: OPA rejects the overlap.
  const leafs = st.rules.filter((r) => (r.kind === 'complete' || r.kind === 'function') && r.suffix.length === 0);
  const leafKeys = new Map(leafs.map((r) => [r.anchor.join('\u0000'), r] as const));
  for (const r of st.rules) {
    for (let n = r.anchor.length - 1; n >= 2; n--) {
      const hit = leafKeys.get(r.anchor.slice(0, n).join('\u0000'));
      if (hit) {
        st.errors.push(cerr('rego_type_error', `rule ${hit.name} conflicts with [${r.name}]`, hit.rule.loc));
        leafKeys.delete(hit.anchor.join('\u0000'));
      }
    }
  }
}

export type { Module };
