/**
 * Classifies the differences between two versions of a contract's JSON Schema.
 *
 * The contract is a promise in both directions (the producer emits what the
 * schema allows, consumers rely on what it requires), so the rules are:
 *   compatible: an optional field added, an enum / type / range widened, an
 *               alternative (e.g. a new action) added;
 *   breaking:   a field removed, a field newly required (added as required or
 *               made required), a required field made optional (consumers
 *               relied on it), a type / enum / range narrowed or changed, a
 *               unit (`x-unit`) changed, an alternative removed, any other
 *               validation keyword changed (we cannot prove it safe).
 * Annotations (title, description, examples, …) never count.
 *
 * Each change carries the field path a human recognises
 * (`create_load_balancer.config.scheme`) and the schema path inside the
 * contract file (for file:line).
 */
import { canonicalJSON } from '../core/hash.ts';
import type { PathSeg } from '../core/yaml.ts';

export type ChangeKind =
  | 'field_added_optional'
  | 'field_added_required'
  | 'field_removed'
  | 'field_newly_required'
  | 'field_no_longer_required'
  | 'type_widened'
  | 'type_narrowed'
  | 'type_changed'
  | 'enum_widened'
  | 'enum_narrowed'
  | 'enum_changed'
  | 'unit_changed'
  | 'range_widened'
  | 'range_narrowed'
  | 'alternative_added'
  | 'alternative_removed'
  | 'definition_added'
  | 'definition_removed'
  | 'additional_properties_allowed'
  | 'additional_properties_forbidden'
  | 'constraint_added'
  | 'constraint_removed'
  | 'constraint_changed';

export type Compatibility = 'compatible' | 'breaking';

export interface SchemaChange {
  kind: ChangeKind;
  compatibility: Compatibility;
  /** Field path, e.g. `create_load_balancer.config.scheme`, `triggers[].action`. */
  field: string;
  /** Path inside the contract file, starting at `schema`. */
  schemaPath: PathSeg[];
  message: string;
}

const COMPAT: Record<ChangeKind, Compatibility> = {
  field_added_optional: 'compatible',
  field_added_required: 'breaking',
  field_removed: 'breaking',
  field_newly_required: 'breaking',
  field_no_longer_required: 'breaking',
  type_widened: 'compatible',
  type_narrowed: 'breaking',
  type_changed: 'breaking',
  enum_widened: 'compatible',
  enum_narrowed: 'breaking',
  enum_changed: 'breaking',
  unit_changed: 'breaking',
  range_widened: 'compatible',
  range_narrowed: 'breaking',
  alternative_added: 'compatible',
  alternative_removed: 'breaking',
  definition_added: 'compatible',
  definition_removed: 'breaking',
  additional_properties_allowed: 'compatible',
  additional_properties_forbidden: 'breaking',
  constraint_added: 'breaking',
  constraint_removed: 'compatible',
  constraint_changed: 'breaking',
};

/** Keywords that document but do not constrain. */
const ANNOTATIONS = new Set(['title', 'description', '$comment', 'examples', 'default', 'deprecated', 'readOnly', 'writeOnly', '$schema', '$id']);
/** Keywords handled structurally below; everything else is compared as an opaque constraint. */
const STRUCTURAL = new Set(['type', 'enum', 'const', 'x-unit', 'required', 'properties', 'items', '$defs', 'definitions', 'oneOf', 'anyOf', 'allOf', 'additionalProperties', 'discriminator']);
/** Lower bounds: raising one narrows. Upper bounds: lowering one narrows. */
const LOWER = new Set(['minimum', 'exclusiveMinimum', 'minItems', 'minLength', 'minProperties']);
const UPPER = new Set(['maximum', 'exclusiveMaximum', 'maxItems', 'maxLength', 'maxProperties']);

type Schema = Record<string, unknown>;

function isObj(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fieldText(field: string[]): string {
  let s = '';
  for (const f of field) s += f === '[]' ? '[]' : s ? `.${f}` : f;
  return s || '(root)';
}

class Differ {
  readonly changes: SchemaChange[] = [];

  add(kind: ChangeKind, field: string[], schemaPath: PathSeg[], message: string): void {
    this.changes.push({ kind, compatibility: COMPAT[kind], field: fieldText(field), schemaPath: ['schema', ...schemaPath], message });
  }

  walk(b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    this.types(b, h, path, field);
    this.enums(b, h, path, field);
    if (b['x-unit'] !== h['x-unit']) {
      this.add('unit_changed', field, [...path, 'x-unit'], `unit of ${fieldText(field)} changed from ${String(b['x-unit'] ?? 'none')} to ${String(h['x-unit'] ?? 'none')}`);
    }
    this.properties(b, h, path, field);
    this.subschema('items', b, h, path, [...field, '[]']);
    this.additional(b, h, path, field);
    for (const defs of ['$defs', 'definitions']) this.definitions(defs, b, h, path);
    for (const kw of ['oneOf', 'anyOf']) this.alternatives(kw, b, h, path, field);
    this.allOf(b, h, path, field);
    this.bounds(b, h, path, field);
    this.opaque(b, h, path, field);
  }

  private types(b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    const bt = typeSet(b);
    const ht = typeSet(h);
    if (sameSet(bt, ht)) return;
    const f = fieldText(field);
    const desc = (s: Set<string> | null) => (s ? [...s].sort().join('|') : 'any');
    // `null` stands for "no type keyword": every type.
    const covers = (outer: Set<string> | null, inner: Set<string> | null) =>
      outer === null || (inner !== null && [...inner].every((t) => outer.has(t) || (t === 'integer' && outer.has('number'))));
    const kind: ChangeKind = covers(ht, bt) ? 'type_widened' : covers(bt, ht) ? 'type_narrowed' : 'type_changed';
    this.add(kind, field, [...path, 'type'], `type of ${f} ${kind.slice(5)} from ${desc(bt)} to ${desc(ht)}`);
  }

  private enums(b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    const be = enumSet(b);
    const he = enumSet(h);
    if (be === null && he === null) return;
    const f = fieldText(field);
    const kw = 'enum' in h || !('const' in h) ? 'enum' : 'const';
    if (be === null) {
      this.add('enum_narrowed', field, [...path, kw], `${f} is now restricted to ${[...he!].join(', ')}`);
      return;
    }
    if (he === null) {
      this.add('enum_widened', field, path, `${f} is no longer restricted to ${[...be].join(', ')}`);
      return;
    }
    const removed = [...be].filter((x) => !he.has(x));
    const added = [...he].filter((x) => !be.has(x));
    if (removed.length === 0 && added.length === 0) return;
    if (removed.length === 0) this.add('enum_widened', field, [...path, kw], `${f} accepts more values: ${added.join(', ')} added`);
    else if (added.length === 0) this.add('enum_narrowed', field, [...path, kw], `${f} accepts fewer values: ${removed.join(', ')} removed`);
    else this.add('enum_changed', field, [...path, kw], `${f} values changed: ${removed.join(', ')} removed, ${added.join(', ')} added`);
  }

  private properties(b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    const bp = isObj(b.properties) ? b.properties : {};
    const hp = isObj(h.properties) ? h.properties : {};
    const br = new Set(Array.isArray(b.required) ? (b.required as string[]) : []);
    const hr = new Set(Array.isArray(h.required) ? (h.required as string[]) : []);
    for (const name of Object.keys(bp)) {
      const f = [...field, name];
      if (!(name in hp)) {
        this.add('field_removed', f, [...path, 'properties', name], `field ${fieldText(f)} removed${br.has(name) ? ' (it was required)' : ''}`);
        continue;
      }
      if (hr.has(name) && !br.has(name)) this.add('field_newly_required', f, [...path, 'required'], `field ${fieldText(f)} is now required`);
      if (br.has(name) && !hr.has(name)) this.add('field_no_longer_required', f, [...path, 'required'], `field ${fieldText(f)} is no longer required (consumers relied on it)`);
      const bs = bp[name];
      const hs = hp[name];
      if (isObj(bs) && isObj(hs)) this.walk(bs, hs, [...path, 'properties', name], f);
    }
    for (const name of Object.keys(hp)) {
      if (name in bp) continue;
      const f = [...field, name];
      if (hr.has(name)) this.add('field_added_required', f, [...path, 'properties', name], `required field ${fieldText(f)} added`);
      else this.add('field_added_optional', f, [...path, 'properties', name], `optional field ${fieldText(f)} added`);
    }
    // Required names without a property schema (allowed by JSON Schema).
    for (const name of hr) {
      if (!(name in hp) && !(name in bp) && !br.has(name)) this.add('field_newly_required', [...field, name], [...path, 'required'], `field ${fieldText([...field, name])} is now required`);
    }
    for (const name of br) {
      if (!(name in hp) && !(name in bp) && !hr.has(name)) this.add('field_no_longer_required', [...field, name], [...path, 'required'], `field ${fieldText([...field, name])} is no longer required`);
    }
  }

  private subschema(kw: string, b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    const bs = b[kw];
    const hs = h[kw];
    if (bs === undefined && hs === undefined) return;
    if (isObj(bs) && isObj(hs)) return this.walk(bs, hs, [...path, kw], field);
    if (canonicalJSON(bs) === canonicalJSON(hs)) return;
    if (bs === undefined) this.add('constraint_added', field, [...path, kw], `${fieldText(field)} gained an '${kw}' schema`);
    else if (hs === undefined) this.add('constraint_removed', field, path, `${fieldText(field)} lost its '${kw}' schema`);
    else this.add('constraint_changed', field, [...path, kw], `'${kw}' of ${fieldText(field)} changed`);
  }

  private additional(b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    const ba = b.additionalProperties;
    const ha = h.additionalProperties;
    if (isObj(ba) && isObj(ha)) return this.walk(ba, ha, [...path, 'additionalProperties'], [...field, '*']);
    if (canonicalJSON(ba) === canonicalJSON(ha)) return;
    const open = (v: unknown) => v === undefined || v === true;
    if (open(ba) && !open(ha)) this.add('additional_properties_forbidden', field, [...path, 'additionalProperties'], `${fieldText(field)} no longer accepts fields beyond those listed`);
    else if (!open(ba) && open(ha)) this.add('additional_properties_allowed', field, path, `${fieldText(field)} now accepts additional fields`);
    else this.add('constraint_changed', field, [...path, 'additionalProperties'], `additionalProperties of ${fieldText(field)} changed`);
  }

  private definitions(kw: string, b: Schema, h: Schema, path: PathSeg[]): void {
    const bd = isObj(b[kw]) ? (b[kw] as Schema) : {};
    const hd = isObj(h[kw]) ? (h[kw] as Schema) : {};
    for (const name of Object.keys(bd)) {
      // A definition is named by itself: `create_load_balancer.config.scheme`.
      if (!(name in hd)) this.add('definition_removed', [name], [...path, kw, name], `definition ${name} removed`);
      else if (isObj(bd[name]) && isObj(hd[name])) this.walk(bd[name] as Schema, hd[name] as Schema, [...path, kw, name], [name]);
    }
    for (const name of Object.keys(hd)) if (!(name in bd)) this.add('definition_added', [name], [...path, kw, name], `definition ${name} added`);
  }

  private alternatives(kw: string, b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    const ba = Array.isArray(b[kw]) ? (b[kw] as unknown[]) : undefined;
    const ha = Array.isArray(h[kw]) ? (h[kw] as unknown[]) : undefined;
    if (!ba && !ha) return;
    const bk = new Map((ba ?? []).map((s, i) => [altKey(s, i), i]));
    const hk = new Map((ha ?? []).map((s, i) => [altKey(s, i), i]));
    for (const [key, i] of bk) {
      const j = hk.get(key);
      if (j === undefined) this.add('alternative_removed', field, [...path, kw], `${kw} alternative ${key} removed from ${fieldText(field)}`);
      else if (isObj(ba![i]) && isObj(ha![j])) this.walk(ba![i] as Schema, ha![j] as Schema, [...path, kw, j], field);
    }
    for (const [key, j] of hk) if (!bk.has(key)) this.add('alternative_added', field, [...path, kw, j], `${kw} alternative ${key} added to ${fieldText(field)}`);
  }

  private allOf(b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    const ba = Array.isArray(b.allOf) ? (b.allOf as unknown[]) : [];
    const ha = Array.isArray(h.allOf) ? (h.allOf as unknown[]) : [];
    const n = Math.max(ba.length, ha.length);
    for (let i = 0; i < n; i++) {
      if (i >= ha.length) this.add('constraint_removed', field, [...path, 'allOf'], `allOf[${i}] removed from ${fieldText(field)}`);
      else if (i >= ba.length) this.add('constraint_added', field, [...path, 'allOf', i], `allOf[${i}] added to ${fieldText(field)}`);
      else if (isObj(ba[i]) && isObj(ha[i])) this.walk(ba[i] as Schema, ha[i] as Schema, [...path, 'allOf', i], field);
    }
  }

  private bounds(b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    for (const kw of [...LOWER, ...UPPER]) {
      const bv = b[kw];
      const hv = h[kw];
      if (bv === hv) continue;
      const lower = LOWER.has(kw);
      let narrowed: boolean;
      if (typeof bv === 'number' && typeof hv === 'number') narrowed = lower ? hv > bv : hv < bv;
      else narrowed = bv === undefined; // a bound added narrows; a bound removed widens
      const f = fieldText(field);
      this.add(narrowed ? 'range_narrowed' : 'range_widened', field, hv === undefined ? path : [...path, kw], `${kw} of ${f} changed from ${String(bv ?? 'none')} to ${String(hv ?? 'none')}`);
    }
  }

  private opaque(b: Schema, h: Schema, path: PathSeg[], field: string[]): void {
    const keys = new Set([...Object.keys(b), ...Object.keys(h)]);
    for (const kw of keys) {
      if (ANNOTATIONS.has(kw) || STRUCTURAL.has(kw) || LOWER.has(kw) || UPPER.has(kw)) continue;
      if (canonicalJSON(b[kw]) === canonicalJSON(h[kw])) continue;
      const f = fieldText(field);
      if (b[kw] === undefined) this.add('constraint_added', field, [...path, kw], `'${kw}' added to ${f}`);
      else if (h[kw] === undefined) this.add('constraint_removed', field, path, `'${kw}' removed from ${f}`);
      else this.add('constraint_changed', field, [...path, kw], `'${kw}' of ${f} changed`);
    }
  }
}

function typeSet(s: Schema): Set<string> | null {
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type as string[]);
  return null;
}

function enumSet(s: Schema): Set<string> | null {
  if (Array.isArray(s.enum)) return new Set((s.enum as unknown[]).map(canonicalJSON));
  if ('const' in s) return new Set([canonicalJSON(s.const)]);
  return null;
}

function sameSet(a: Set<string> | null, b: Set<string> | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** Identity of a oneOf/anyOf alternative: its $ref, else its discriminating const, else its content. */
function altKey(s: unknown, i: number): string {
  if (isObj(s)) {
    if (typeof s.$ref === 'string') return s.$ref;
    const props = isObj(s.properties) ? s.properties : {};
    for (const [k, v] of Object.entries(props)) if (isObj(v) && 'const' in v) return `${k}=${JSON.stringify(v.const)}`;
    return canonicalJSON(s);
  }
  return `#${i}`;
}

export function diffSchemas(base: Record<string, unknown>, head: Record<string, unknown>): SchemaChange[] {
  const d = new Differ();
  d.walk(base, head, [], []);
  return d.changes;
}
