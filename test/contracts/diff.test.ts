import { describe, expect, it } from 'vitest';
import { diffSchemas } from '../../runner/contracts/diff.ts';

const obj = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) => ({ type: 'object', properties, required, ...extra });
const kinds = (b: Record<string, unknown>, h: Record<string, unknown>) => diffSchemas(b, h).map((c) => [c.kind, c.compatibility, c.field]);

describe('diffSchemas', () => {
  it('finds no change between identical schemas and ignores annotations', () => {
    const s = obj({ a: { type: 'string', description: 'x' } }, ['a']);
    expect(diffSchemas(s, structuredClone(s))).toEqual([]);
    expect(diffSchemas(s, obj({ a: { type: 'string', description: 'y', title: 'A', examples: ['q'] } }, ['a']))).toEqual([]);
  });

  it('optional field added is compatible; required field added is breaking', () => {
    expect(kinds(obj({ a: { type: 'string' } }), obj({ a: { type: 'string' }, b: { type: 'number' } }))).toEqual([['field_added_optional', 'compatible', 'b']]);
    expect(kinds(obj({ a: { type: 'string' } }), obj({ a: { type: 'string' }, b: { type: 'number' } }, ['b']))).toEqual([['field_added_required', 'breaking', 'b']]);
  });

  it('field removed, newly required and no longer required are breaking', () => {
    expect(kinds(obj({ a: {}, b: {} }, ['a']), obj({ b: {} }))).toEqual([['field_removed', 'breaking', 'a']]);
    expect(kinds(obj({ a: {} }), obj({ a: {} }, ['a']))).toEqual([['field_newly_required', 'breaking', 'a']]);
    expect(kinds(obj({ a: {} }, ['a']), obj({ a: {} }))).toEqual([['field_no_longer_required', 'breaking', 'a']]);
  });

  it('type: widened compatible, narrowed or changed breaking (integer ⊂ number)', () => {
    const t = (type: unknown) => obj({ a: type === undefined ? {} : { type } });
    expect(kinds(t('integer'), t('number'))).toEqual([['type_widened', 'compatible', 'a']]);
    expect(kinds(t('number'), t('integer'))).toEqual([['type_narrowed', 'breaking', 'a']]);
    expect(kinds(t(['string', 'number']), t('string'))).toEqual([['type_narrowed', 'breaking', 'a']]);
    expect(kinds(t('string'), t(['string', 'null']))).toEqual([['type_widened', 'compatible', 'a']]);
    expect(kinds(t('string'), t('number'))).toEqual([['type_changed', 'breaking', 'a']]);
    expect(kinds(t(undefined), t('string'))).toEqual([['type_narrowed', 'breaking', 'a']]);
  });

  it('enum: widened compatible, narrowed/changed breaking; const counts as a one-value enum', () => {
    const e = (v: unknown[]) => obj({ s: { enum: v } });
    expect(kinds(e(['a', 'b']), e(['a', 'b', 'c']))).toEqual([['enum_widened', 'compatible', 's']]);
    expect(kinds(e(['a', 'b']), e(['a']))).toEqual([['enum_narrowed', 'breaking', 's']]);
    expect(kinds(e(['a', 'b']), e(['a', 'c']))).toEqual([['enum_changed', 'breaking', 's']]);
    expect(kinds(obj({ s: { type: 'string' } }), obj({ s: { type: 'string', enum: ['a'] } }))).toEqual([['enum_narrowed', 'breaking', 's']]);
    expect(kinds(obj({ s: { const: 'a' } }), obj({ s: { enum: ['a', 'b'] } }))).toEqual([['enum_widened', 'compatible', 's']]);
  });

  it('unit changed is breaking', () => {
    expect(kinds(obj({ t: { type: 'integer', 'x-unit': 's' } }), obj({ t: { type: 'integer', 'x-unit': 'ms' } }))).toEqual([['unit_changed', 'breaking', 't']]);
  });

  it('bounds: tightened breaking, loosened compatible', () => {
    expect(kinds(obj({ n: { minimum: 1 } }), obj({ n: { minimum: 2 } }))).toEqual([['range_narrowed', 'breaking', 'n']]);
    expect(kinds(obj({ n: { maximum: 10 } }), obj({ n: { maximum: 20 } }))).toEqual([['range_widened', 'compatible', 'n']]);
    expect(kinds(obj({ n: {} }), obj({ n: { maxItems: 3 } }))).toEqual([['range_narrowed', 'breaking', 'n']]);
    expect(kinds(obj({ n: { minLength: 3 } }), obj({ n: {} }))).toEqual([['range_widened', 'compatible', 'n']]);
  });

  it('additionalProperties false is breaking; other constraints are conservative', () => {
    expect(kinds(obj({}), obj({}, [], { additionalProperties: false }))).toEqual([['additional_properties_forbidden', 'breaking', '(root)']]);
    expect(kinds(obj({ p: { pattern: 'a' } }), obj({ p: { pattern: 'b' } }))).toEqual([['constraint_changed', 'breaking', 'p']]);
  });

  it('recurses through items, $defs and oneOf alternatives with readable field paths', () => {
    const base = {
      type: 'array',
      items: { oneOf: [{ $ref: '#/$defs/lb' }, { $ref: '#/$defs/vm' }] },
      $defs: {
        lb: obj({ action: { const: 'lb' }, config: obj({ type: { enum: ['application'] }, scheme: { type: 'string' } }, ['type', 'scheme']) }, ['action', 'config']),
        vm: obj({ action: { const: 'vm' }, config: obj({ count: { type: 'integer' } }, ['count']) }, ['action', 'config']),
      },
    };
    const head = structuredClone(base) as typeof base;
    const lbConfig = head.$defs.lb.properties.config as { properties: Record<string, unknown>; required: string[] };
    delete lbConfig.properties.scheme;
    lbConfig.required = ['type'];
    head.items.oneOf.pop();
    delete (head.$defs as Record<string, unknown>).vm;
    const changes = diffSchemas(base, head);
    expect(changes.map((c) => [c.kind, c.field])).toEqual([
      ['alternative_removed', '[]'],
      ['field_removed', 'lb.config.scheme'],
      ['definition_removed', 'vm'],
    ]);
    const removed = changes.find((c) => c.kind === 'field_removed')!;
    expect(removed.schemaPath).toEqual(['schema', '$defs', 'lb', 'properties', 'config', 'properties', 'scheme']);
    expect(removed.message).toBe('field lb.config.scheme removed (it was required)');
  });
});
