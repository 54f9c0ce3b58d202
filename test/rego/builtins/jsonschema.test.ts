import { describe, expect, it } from 'vitest';
import { call, expectErrors, expectRows, show, v } from './helpers.ts';

const err = (field: string, type: string, desc: string): object => ({ desc, error: `${field}: ${desc}`, field, type });

describe('json.match_schema', () => {
  it("OPA's test cases (v1/test/cases/testdata/v1/jsonschema)", () => {
    const schema = { properties: { id: { type: 'integer' } }, required: ['id'] };
    expectRows([
      ['json.match_schema', [{ id: 5 }, schema], [true, []]],
      ['json.match_schema', ['{"id": 5}', schema], [true, []]],
      ['json.match_schema', [{ id: 5 }, JSON.stringify(schema)], [true, []]],
      ['json.match_schema', [{ id: 'foo' }, schema], [false, [err('id', 'invalid_type', 'Invalid type. Expected: integer, given: string')]]],
    ]);
    expect(show((call('json.match_schema', [{ value: 'allow' }, { enum: [] }]) as unknown[])[0] as never)).toBe('false');
    expectErrors([
      [
        'json.match_schema',
        [{ id: 'foo' }, { properties: { id: { type: 'unknown' } }, required: ['id'] }],
        'eval_builtin_error',
        'json.match_schema: has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]',
      ],
    ]);
  });
  it("gojsonschema's error types, descriptions and fields", () => {
    const rows: [unknown, object | boolean, object][] = [
      [{}, { required: ['name'] }, err('(root)', 'required', 'name is required')],
      [{ a: { b: [1, 'x'] } }, { properties: { a: { properties: { b: { items: { type: 'number' } } } } } }, err('a.b.1', 'invalid_type', 'Invalid type. Expected: number, given: string')],
      [1.5, { type: 'integer' }, err('(root)', 'invalid_type', 'Invalid type. Expected: integer, given: number')],
      [true, { type: ['string', 'null'] }, err('(root)', 'invalid_type', 'Invalid type. Expected: [string,null], given: boolean')],
      [{ c: 'z' }, { properties: { c: { enum: ['x', 1, { k: true }] } } }, err('c', 'enum', 'c must be one of the following: "x", 1, {"k":true}')],
      ['b', { const: 'a' }, err('(root)', 'const', '(root) does not match: "a"')],
      [3, { minimum: 5 }, err('(root)', 'number_gte', 'Must be greater than or equal to 5')],
      [5, { exclusiveMinimum: 5 }, err('(root)', 'number_gt', 'Must be greater than 5')],
      [7, { maximum: 6.5 }, err('(root)', 'number_lte', 'Must be less than or equal to 6.5')],
      [7, { exclusiveMaximum: 7 }, err('(root)', 'number_lt', 'Must be less than 7')],
      [7, { multipleOf: 2 }, err('(root)', 'multiple_of', 'Must be a multiple of 2')],
      ['ab', { minLength: 3 }, err('(root)', 'string_gte', 'String length must be greater than or equal to 3')],
      ['abcd', { maxLength: 3 }, err('(root)', 'string_lte', 'String length must be less than or equal to 3')],
      ['abc', { pattern: '^x' }, err('(root)', 'pattern', "Does not match pattern '^x'")],
      ['nope', { format: 'email' }, err('(root)', 'format', "Does not match format 'email'")],
      [[], { minItems: 1 }, err('(root)', 'array_min_items', 'Array must have at least 1 items')],
      [[1, 2], { maxItems: 1 }, err('(root)', 'array_max_items', 'Array must have at most 1 items')],
      [[1, 2, 1], { uniqueItems: true }, err('(root)', 'unique', 'array items[0,2] must be unique')],
      [[1, 2], { items: [{}], additionalItems: false }, err('(root)', 'array_no_additional_items', 'No additional items allowed on array')],
      [[1], { contains: { type: 'string' } }, err('(root)', 'contains', 'At least one of the items must match')],
      [{}, { minProperties: 1 }, err('(root)', 'array_min_properties', 'Must have at least 1 properties')],
      [{ a: 1, b: 2 }, { properties: { a: {} }, additionalProperties: false }, err('(root)', 'additional_property_not_allowed', 'Additional property b is not allowed')],
      [{ a: 1 }, { dependencies: { a: ['b'] } }, err('(root)', 'missing_dependency', 'Has a dependency on b')],
      [1, { not: { type: 'integer' } }, err('(root)', 'number_not', 'Must not validate the schema (not)')],
      [1, false, err('(root)', 'false', 'False always fails validation')],
    ];
    for (const [doc, schema, want] of rows) {
      const schemaArg = typeof schema === 'boolean' ? JSON.stringify(schema) : schema;
      const docArg = typeof doc === 'object' && doc !== null ? doc : JSON.stringify(doc);
      expect(show(call('json.match_schema', [docArg, schemaArg])), JSON.stringify(schema)).toBe(show(v([false, [want]])));
    }
  });
  it('anyOf: the combinator error, then the closest branch', () => {
    const schema = { anyOf: [{ type: 'string' }, { type: 'object', required: ['a', 'b'] }] };
    expect(show(call('json.match_schema', ['1', schema]))).toBe(
      show(v([false, [err('(root)', 'number_any_of', 'Must validate at least one schema (anyOf)'), err('(root)', 'invalid_type', 'Invalid type. Expected: string, given: integer')]])),
    );
    expect(show(call('json.match_schema', ['"x"', { oneOf: [{ type: 'string' }, { minLength: 1 }] }]))).toBe(
      show(v([false, [err('(root)', 'number_one_of', 'Must validate one and only one schema (oneOf)')]])),
    );
  });
  it("several errors: gojsonschema's order, nothing more after a type mismatch", () => {
    const schema = {
      required: ['c'],
      minProperties: 4,
      properties: { a: { type: 'string', minLength: 3, enum: ['zzz'] }, b: { minimum: 5, enum: [7] }, s: { enum: ['abc'], minLength: 5 } },
    };
    const got = call('json.match_schema', [{ b: 1, a: 1, s: 'x' }, schema]) as [boolean, unknown[]];
    expect(show(got[1] as never)).toBe(
      show(
        v([
          err('(root)', 'array_min_properties', 'Must have at least 4 properties'),
          err('(root)', 'required', 'c is required'),
          err('a', 'invalid_type', 'Invalid type. Expected: string, given: integer'),
          err('b', 'enum', 'b must be one of the following: 7'),
          err('b', 'number_gte', 'Must be greater than or equal to 5'),
          err('s', 'enum', 's must be one of the following: "abc"'),
          err('s', 'string_gte', 'String length must be greater than or equal to 5'),
        ]),
      ),
    );
  });
  it('patterns are RE2, as in Go', () => {
    // \z is RE2's end of text (JS RegExp has no \z); lookahead is not RE2.
    expectRows([['json.match_schema', ['"abc"', { pattern: '^a.c\\z' }], [true, []]]]);
    const [ok, msg] = call('json.verify_schema', [{ pattern: '^(?=a)' }]) as [boolean, string];
    expect([ok, msg.startsWith('jsonschema: invalid regular expression')]).toEqual([false, true]);
  });
  it('draft-04 schemas (boolean exclusiveMinimum)', () => {
    const schema = { $schema: 'http://json-schema.org/draft-04/schema#', type: 'number', minimum: 5, exclusiveMinimum: true };
    expectRows([
      ['json.match_schema', ['6', schema], [true, []]],
      ['json.match_schema', ['5', schema], [false, [err('(root)', 'number_gt', 'Must be greater than 5')]]],
    ]);
  });
  it('operands that are not JSON are builtin errors', () => {
    expectErrors([
      ['json.match_schema', ['{', {}], 'eval_builtin_error', 'json.match_schema: invalid JSON string'],
      ['json.match_schema', [1, {}], 'eval_builtin_error', 'json.match_schema: wrong type, expected string or object'],
    ]);
  });
});

describe('json.verify_schema', () => {
  it('[true, null] or [false, "jsonschema: …"]', () => {
    expectRows([
      ['json.verify_schema', [{ type: 'object', properties: { a: { type: 'string' } } }], [true, null]],
      ['json.verify_schema', ['{"type": "string"}'], [true, null]],
      ['json.verify_schema', ['{'], [false, 'jsonschema: invalid JSON string']],
      ['json.verify_schema', [1], [false, 'jsonschema: wrong type, expected string or object']],
      [
        'json.verify_schema',
        [{ type: 'objekt' }],
        [false, 'jsonschema: has a primitive type that is NOT VALID -- given: /objekt/ Expected valid values are:[array boolean integer number null object string]'],
      ],
    ]);
    const [ok, msg] = call('json.verify_schema', [{ minimum: 'five' }]) as [boolean, string];
    expect(ok).toBe(false);
    expect(msg.startsWith('jsonschema: ')).toBe(true);
  });
});
