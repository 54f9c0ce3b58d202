/**
 * Stage `rewriteRegoMetadataCalls`: `rego.metadata.chain()` and
 * `rego.metadata.rule()` are answered at compile time, as OPA's compiler
 * does (ast/compile.go rewriteRegoMetadataCalls): each call becomes the
 * constant its rule's METADATA gives.
 *
 * - `rule()`: the rule's own `rule`-scope annotations (the block closest
 *   above it), `{}` when it has none.
 * - `chain()`: `[{path, annotations?}]` from the rule outward — the rule's
 *   rule-scope blocks (closest first; one entry without `annotations` when
 *   there are none), the `document` block of its path, the `package` block
 *   of its package, then `subpackages` blocks from the nearest package up.
 *   `path` is the node's path without `data` (`["pkg", "rule"]`).
 *
 * An annotation is the object OPA builds (Annotations.toObject): `scope`,
 * and when set `title`, `entrypoint`, `description`, `organizations`,
 * `related_resources` ([{ref, description?}]), `authors` ([{name?, email?}]),
 * `schemas` ([{path, schema | definition}]) and `custom`.
 */
import type { AnnotationBlock, Body, Rule, Term } from '../ast/nodes.ts';
import { fromJS, type Value } from '../value.ts';
import { cerr } from './errors.ts';
import type { CompileState, IndexedRule } from './state.ts';
import { bodyAny, mapExpr, mapTerm, termAny } from './walk.ts';

const CHAIN = 'rego.metadata.chain';
const RULE = 'rego.metadata.rule';

/** `input.x["y"]` / `schema["dockerfile"]` as OPA's Ref.toArray: ["input", "x", "y"]. */
function refArray(s: string): string[] {
  const out: string[] = [];
  const re = /^\s*([A-Za-z_][A-Za-z0-9_]*)|\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*"((?:[^"\\]|\\.)*)"\s*\]/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  re.lastIndex = 0;
  while (at < s.length && (m = re.exec(s)) !== null) {
    out.push(m[1] ?? m[2] ?? JSON.parse(`"${m[3]}"`));
    at = re.lastIndex;
  }
  return out;
}

function authorOf(a: unknown): Record<string, string> | undefined {
  if (typeof a === 'string') {
    const parts = a.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) return undefined;
    const last = parts[parts.length - 1]!;
    const out: Record<string, string> = {};
    if (last.length >= 2 && last.startsWith('<') && last.endsWith('>')) {
      parts.pop();
      if (last.length > 2) out.email = last.slice(1, -1);
    }
    if (parts.length) out.name = parts.join(' ');
    return out;
  }
  if (a && typeof a === 'object' && !Array.isArray(a)) {
    const o = a as Record<string, unknown>;
    const out: Record<string, string> = {};
    if (typeof o.name === 'string' && o.name.trim()) out.name = o.name.trim();
    if (typeof o.email === 'string' && o.email.trim()) out.email = o.email.trim();
    return Object.keys(out).length ? out : undefined;
  }
  return undefined;
}

function resourceOf(r: unknown): Record<string, string> | undefined {
  if (typeof r === 'string') return r ? { ref: r } : undefined;
  if (r && typeof r === 'object' && !Array.isArray(r)) {
    const o = r as Record<string, unknown>;
    const ref = typeof o.ref === 'string' ? o.ref.trim() : '';
    if (!ref) return undefined;
    const out: Record<string, string> = { ref };
    if (typeof o.description === 'string' && o.description.trim()) out.description = o.description.trim();
    return out;
  }
  return undefined;
}

/** The annotation object OPA gives for one METADATA block. */
export function annotationObject(b: AnnotationBlock): Record<string, unknown> {
  const d = b.data;
  const out: Record<string, unknown> = { scope: d.scope };
  if (typeof d.title === 'string' && d.title) out.title = d.title;
  if (d.entrypoint === true) out.entrypoint = true;
  if (typeof d.description === 'string' && d.description) out.description = d.description;
  if (Array.isArray(d.organizations) && d.organizations.length) out.organizations = d.organizations.map(String);
  if (Array.isArray(d.related_resources)) {
    const rr = d.related_resources.map(resourceOf).filter((x) => x !== undefined);
    if (rr.length) out.related_resources = rr;
  }
  if (Array.isArray(d.authors)) {
    const as = d.authors.map(authorOf).filter((x) => x !== undefined);
    if (as.length) out.authors = as;
  }
  if (Array.isArray(d.schemas) && d.schemas.length) {
    out.schemas = d.schemas.flatMap((pair) => {
      if (!pair || typeof pair !== 'object' || Array.isArray(pair)) return [];
      return Object.entries(pair as Record<string, unknown>).slice(0, 1).map(([k, v]) => {
        const s: Record<string, unknown> = { path: refArray(k) };
        if (typeof v === 'string') s.schema = refArray(v);
        else if (v !== undefined && v !== null) s.definition = v;
        return s;
      });
    });
  }
  if (d.custom && typeof d.custom === 'object' && !Array.isArray(d.custom) && Object.keys(d.custom).length) out.custom = d.custom;
  return out;
}

const key = (path: string[]): string => path.join('\u0000');
const byLocDesc = (a: AnnotationBlock, b: AnnotationBlock): number => b.loc.line - a.loc.line || b.loc.col - a.loc.col;

/**
 * Stage `checkAnnotations` (OPA's SetAnnotationSet): one `package` block per
 * package, one `subpackages` block per package, one `document` block per rule
 * path, over all modules; a second one is a rego_type_error at it naming the
 * first (`package annotation redeclared: a.rego:1`).
 */
export function checkAnnotations(st: CompileState): void {
  const seen = new Map<string, AnnotationBlock>();
  const add = (scope: string, path: string[], b: AnnotationBlock): void => {
    // package and document blocks share OPA's path tree with subpackages blocks only for subpackages/document;
    // the package scope has its own table.
    const k = (scope === 'package' ? 'p\u0001' : 't\u0001') + key(path);
    const first = seen.get(k);
    if (first) st.errors.push(cerr('rego_type_error', `${scope} annotation redeclared: ${first.loc.file}:${first.loc.line}`, b.loc));
    else seen.set(k, b);
  };
  for (const m of st.modules) for (const b of m.annotations) add(String(b.data.scope), ['data', ...m.package], b);
  for (const ir of st.rules) for (const b of ir.rule.annotations) if (b.data.scope === 'document') add('document', ir.anchor, b);
}

export function rewriteRegoMetadataCalls(st: CompileState): void {
  // Only policies that call them pay for the tables.
  // Compared segment by segment: this runs on every call term of every policy (no string per call).
  const uses = (t: Term): boolean => t.type === 'call' && t.op.length === 3 && t.op[0] === 'rego' && t.op[1] === 'metadata' && (t.op[2] === 'chain' || t.op[2] === 'rule');
  const anyInChain = (r: Rule | undefined): boolean => r !== undefined && (ruleMentions(r, uses) || anyInChain(r.else));
  if (!st.rules.some((ir) => anyInChain(ir.rule))) return;
  const documents = new Map<string, AnnotationBlock>();
  for (const ir of st.rules) for (const b of ir.rule.annotations) if (b.data.scope === 'document') documents.set(key(ir.anchor), b);
  const packages = new Map<string, AnnotationBlock>();
  const subpackages = new Map<string, AnnotationBlock>();
  for (const m of st.modules) {
    for (const b of m.annotations) (b.data.scope === 'subpackages' ? subpackages : packages).set(key(m.package), b);
  }
  const chainOf = (ir: IndexedRule, rule: Rule): Value => {
    const path = ir.anchor.slice(1);
    const pkg = ir.module.package;
    const entries: Array<Record<string, unknown>> = [];
    const own = rule.annotations.filter((b) => b.data.scope === 'rule').sort(byLocDesc);
    if (own.length) for (const b of own) entries.push({ path, annotations: annotationObject(b) });
    else entries.push({ path });
    const doc = documents.get(key(ir.anchor));
    if (doc) entries.push({ path, annotations: annotationObject(doc) });
    const p = packages.get(key(pkg));
    if (p) entries.push({ path: pkg, annotations: annotationObject(p) });
    for (let n = pkg.length; n > 0; n--) {
      const s = subpackages.get(key(pkg.slice(0, n)));
      if (s) entries.push({ path: pkg.slice(0, n), annotations: annotationObject(s) });
    }
    return fromJS(entries);
  };
  const ruleOf = (rule: Rule): Value => {
    const own = rule.annotations.filter((b) => b.data.scope === 'rule').sort(byLocDesc);
    return fromJS(own.length ? annotationObject(own[0]!) : {});
  };
  for (const ir of st.rules) {
    // else branches are rules of their own to OPA, with no annotations of their own
    for (let r: Rule | undefined = ir.rule; r; r = r.else) {
      if (!ruleMentions(r, uses)) continue;
      let chain: Value | undefined;
      let own: Value | undefined;
      const f = (t: Term): Term => {
        if (t.type !== 'call') return t;
        const name = t.op.join('.');
        if (name !== CHAIN && name !== RULE) return t;
        if (t.args.length > 0) {
          st.errors.push(cerr('rego_type_error', `${name}: too many arguments`, t.loc));
          return t;
        }
        const value = name === CHAIN ? (chain ??= chainOf(ir, r!)) : (own ??= ruleOf(r!));
        return { type: 'value', value, loc: t.loc };
      };
      rewriteRule(r, f);
    }
  }
}

/** Whether any term of the rule (head, body, closures, `with` values) satisfies `pred`. */
export function ruleMentions(r: Rule, pred: (t: Term) => boolean): boolean {
  const p = { term: pred };
  const t = (x: Term): boolean => termAny(x, p);
  const h = r.head;
  return h.ref.some(t) || (h.args?.some(t) ?? false) || (h.key !== undefined && t(h.key)) || (h.value !== undefined && t(h.value)) || bodyAny(r.body, p);
}

function rewriteRule(r: Rule, f: (t: Term) => Term): void {
  const b = (body: Body): Body => body.map((e) => mapExpr(e, f, b));
  const t = (x: Term): Term => mapTerm(x, f, b);
  r.head = {
    ...r.head,
    ref: r.head.ref.map(t),
    ...(r.head.args ? { args: r.head.args.map(t) } : {}),
    ...(r.head.key ? { key: t(r.head.key) } : {}),
    ...(r.head.value ? { value: t(r.head.value) } : {}),
  };
  r.body = b(r.body);
}
