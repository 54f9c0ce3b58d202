/**
 * Stages `checkImports`, `indexRules` and `checkRuleConflicts`: place every
 * rule in the data tree (its anchor = the ground prefix of its head ref) and
 * reject what OPA rejects at compile time — rules of different kinds or
 * arities at one path, several defaults, non-ground function names, defaults
 * on multi-value rules.
 */
import { termText, type Module, type Rule, type Term } from '../ast/nodes.ts';
import { cerr } from './errors.ts';
import { requiresV1 } from './deprecated.ts';
import { dataName, type CompileState, type IndexedRule, type RuleKind } from './state.ts';

export function checkImports(st: CompileState): void {
  for (const m of st.modules) {
    /** alias → the import that introduced it (OPA names it in the shadowing error). */
    const seen = new Map<string, string>();
    for (const imp of m.imports) {
      const parts = importPath(imp.path);
      const root = parts[0];
      if (root === 'future') {
        if (parts[1] !== 'keywords' || (parts.length > 2 && !['in', 'every', 'if', 'contains', 'not'].includes(parts[2]!)) || parts.length > 3) {
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
      const first = seen.get(alias);
      if (first !== undefined) {
        if (requiresV1(m)) st.errors.push(cerr('rego_compile_error', `import must not shadow ${first}`, imp.loc));
      } else seen.set(alias, `import ${parts.join('.')}${imp.alias ? ` as ${imp.alias}` : ''}`);
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
  // OPA: a rule is a function only with args (len(Head.Args) > 0); `f() = v` is a complete rule
  // that `f` reads as a value (Gatekeeper's tests do) and `f()` calls.
  if (r.head.args && r.head.args.length > 0) return 'function';
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
      } else if (r.head.args?.length === 0 && suffix.length === 0) st.functions.set(anchor.join('.'), 0);
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
  // Errors are at the group's first rule (OPA: node.Values[0]); a conflict
  // names the last rule's full ref (`data.x.p[k]`), defaults list where they are.
  for (const list of byAnchor.values()) {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    // Same anchor: all rules must agree on kind (dynamic suffixes may differ in depth, as in OPA's ref heads).
    const kinds = new Set(list.map((r) => (r.suffix.length > 0 ? 'dynamic' : r.kind)));
    const fn = list.filter((r) => r.kind === 'function');
    if (kinds.size > 1 || (fn.length > 0 && fn.length !== list.length)) {
      st.errors.push(cerr('rego_type_error', `conflicting rules ${refName(last)} found`, first.rule.loc));
      continue;
    }
    if (fn.length > 0 && new Set(fn.map((r) => r.arity)).size > 1) {
      st.errors.push(cerr('rego_type_error', `conflicting rules ${refName(last)} found`, first.rule.loc));
      continue;
    }
    const defaults = list.filter((r) => r.rule.isDefault);
    if (defaults.length > 1) {
      const at = defaults.map((r) => `${r.rule.loc.file}:${r.rule.loc.line}`).join(', ');
      st.errors.push(cerr('rego_type_error', `multiple default rules ${first.name} found at ${at}`, first.rule.loc));
    }
    for (const r of list) {
      if (r.rule.isDefault && r.kind === 'partial_set') st.errors.push(cerr('rego_parse_error', 'default rules cannot be multi-value', r.rule.loc));
      if (r.kind === 'partial_set' && r.rule.head.value) st.errors.push(cerr('rego_parse_error', 'multi-value rules cannot have a value', r.rule.loc));
    }
  }
  // A complete, multi-value or function rule whose path is a strict prefix of other rules' refs: OPA rejects the
  // overlap, naming every rule below it (sorted, OPA's flattenChildren).
  const leafs = st.rules.filter((r) => (r.kind === 'complete' || r.kind === 'function' || r.kind === 'partial_set') && r.suffix.length === 0);
  const leafKeys = new Map<string, IndexedRule>();
  for (const r of leafs) if (!leafKeys.has(r.anchor.join('\u0000'))) leafKeys.set(r.anchor.join('\u0000'), r);
  const below = new Map<IndexedRule, Set<string>>();
  for (const r of st.rules) {
    for (let n = r.anchor.length - 1; n >= 2; n--) {
      const hit = leafKeys.get(r.anchor.slice(0, n).join('\u0000'));
      if (hit) {
        let set = below.get(hit);
        if (!set) below.set(hit, (set = new Set()));
        set.add(refName(r));
      }
    }
  }
  for (const [hit, refs] of below) st.errors.push(cerr('rego_type_error', `rule ${hit.name} conflicts with [${[...refs].sort().join(' ')}]`, hit.rule.loc));
  // A rule whose ground path is another module's package (OPA's module-tree check).
  const packages = new Map<string, Module[]>();
  for (const m of st.modules) {
    const k = ['data', ...m.package].join('\u0000');
    const l = packages.get(k);
    if (l) l.push(m);
    else packages.set(k, [m]);
  }
  for (const r of st.rules) {
    if (r.suffix.length > 0) continue; // a rule with a dynamic ref may extend into a package
    for (const m of packages.get(r.anchor.join('\u0000')) ?? []) {
      if (m === r.module) continue;
      const ref = r.rule.head.ref.map((t, i) => (i === 0 ? termText(t) : segText(t))).join('');
      st.errors.push(cerr('rego_type_error', `package ${m.package.join('.')} conflicts with rule ${ref} defined at ${r.rule.loc.file}:${r.rule.loc.line}`, m.packageLoc));
    }
  }
}

/** One ref segment as OPA prints it: `.name` for identifiers, `[term]` otherwise. */
function segText(t: Term): string {
  return t.type === 'scalar' && typeof t.value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.value) ? `.${t.value}` : `[${termText(t)}]`;
}

/** A rule's full ref with its dynamic part as written (`data.x.p[k]`), as OPA names it in conflicts. */
function refName(r: IndexedRule): string {
  return r.name + r.suffix.map(segText).join('');
}

export type { Module };
