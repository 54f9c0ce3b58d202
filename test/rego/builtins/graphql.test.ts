import { describe, expect, it } from 'vitest';
import { call, expectErrors, show, v } from './helpers.ts';

// Expected ASTs and error texts are OPA's test cases (v1/test/cases/testdata/v1/graphql/*.yaml).
const EHD = { ExpectedTypeHasDefault: false };
const astOf = (name: string, text: string): string => show(call(name, [text]));

describe('graphql.parse_query', () => {
  it("gqlparser's AST shape", () => {
    const rows: [string, unknown][] = [
      ['{hero {name}}', { Operations: [{ Name: '', Operation: 'query', SelectionSet: [{ Alias: 'hero', Name: 'hero', SelectionSet: [{ Alias: 'name', Name: 'name' }] }] }] }],
      [
        'query HeroForEpisode($ep: Episode!) { hero(episode: $ep) { name ... on Droid { primaryFunction } } }',
        {
          Operations: [
            {
              Name: 'HeroForEpisode',
              Operation: 'query',
              SelectionSet: [
                {
                  Alias: 'hero',
                  Arguments: [{ Name: 'episode', Value: { ...EHD, Kind: 0, Raw: 'ep' } }],
                  Name: 'hero',
                  SelectionSet: [{ Alias: 'name', Name: 'name' }, { SelectionSet: [{ Alias: 'primaryFunction', Name: 'primaryFunction' }], TypeCondition: 'Droid' }],
                },
              ],
              VariableDefinitions: [{ Type: { NamedType: 'Episode', NonNull: true }, Used: false, Variable: 'ep' }],
            },
          ],
        },
      ],
      [
        '{ field(complex: { a: { b: [ $var ] } }) }',
        {
          Operations: [
            {
              Name: '',
              Operation: 'query',
              SelectionSet: [
                {
                  Alias: 'field',
                  Arguments: [
                    {
                      Name: 'complex',
                      Value: { ...EHD, Children: [{ Name: 'a', Value: { ...EHD, Children: [{ Name: 'b', Value: { ...EHD, Children: [{ Name: '', Value: { ...EHD, Kind: 0, Raw: 'var' } }], Kind: 8, Raw: '' } }], Kind: 9, Raw: '' } }], Kind: 9, Raw: '' },
                    },
                  ],
                  Name: 'field',
                },
              ],
            },
          ],
        },
      ],
      [
        'query ($withDirective: String @first @second, $withoutDirective: String) { f }',
        {
          Operations: [
            {
              Name: '',
              Operation: 'query',
              SelectionSet: [{ Alias: 'f', Name: 'f' }],
              VariableDefinitions: [
                { Directives: [{ Location: '', Name: 'first' }, { Location: '', Name: 'second' }], Type: { NamedType: 'String', NonNull: false }, Used: false, Variable: 'withDirective' },
                { Type: { NamedType: 'String', NonNull: false }, Used: false, Variable: 'withoutDirective' },
              ],
            },
          ],
        },
      ],
      [
        'fragment a($v: Boolean = false) on t { f(v: $v) }',
        {
          Fragments: [
            {
              Name: 'a',
              SelectionSet: [{ Alias: 'f', Arguments: [{ Name: 'v', Value: { ...EHD, Kind: 0, Raw: 'v' } }], Name: 'f' }],
              TypeCondition: 't',
              VariableDefinition: [{ DefaultValue: { ...EHD, Kind: 5, Raw: 'false' }, Type: { NamedType: 'Boolean', NonNull: false }, Used: false, Variable: 'v' }],
            },
          ],
        },
      ],
      [
        '{ f(long: """long""", short: "short", n: null, id: [1,2], e: RED, x: 1.5) }',
        {
          Operations: [
            {
              Name: '',
              Operation: 'query',
              SelectionSet: [
                {
                  Alias: 'f',
                  Arguments: [
                    { Name: 'long', Value: { ...EHD, Kind: 4, Raw: 'long' } },
                    { Name: 'short', Value: { ...EHD, Kind: 3, Raw: 'short' } },
                    { Name: 'n', Value: { ...EHD, Kind: 6, Raw: 'null' } },
                    { Name: 'id', Value: { ...EHD, Children: [{ Name: '', Value: { ...EHD, Kind: 1, Raw: '1' } }, { Name: '', Value: { ...EHD, Kind: 1, Raw: '2' } }], Kind: 8, Raw: '' } },
                    { Name: 'e', Value: { ...EHD, Kind: 7, Raw: 'RED' } },
                    { Name: 'x', Value: { ...EHD, Kind: 2, Raw: '1.5' } },
                  ],
                  Name: 'f',
                },
              ],
            },
          ],
        },
      ],
      [
        'query ($arr: [Arr], $notnull: [Arr!]!) { f }',
        {
          Operations: [
            {
              Name: '',
              Operation: 'query',
              SelectionSet: [{ Alias: 'f', Name: 'f' }],
              VariableDefinitions: [
                { Type: { Elem: { NamedType: 'Arr', NonNull: false }, NamedType: '', NonNull: false }, Used: false, Variable: 'arr' },
                { Type: { Elem: { NamedType: 'Arr', NonNull: true }, NamedType: '', NonNull: true }, Used: false, Variable: 'notnull' },
              ],
            },
          ],
        },
      ],
      ['subscription Foo { subscriptionField }', { Operations: [{ Name: 'Foo', Operation: 'subscription', SelectionSet: [{ Alias: 'subscriptionField', Name: 'subscriptionField' }] }] }],
    ];
    for (const [text, want] of rows) expect(astOf('graphql.parse_query', text), text).toBe(show(v(want)));
  });
  it('syntax errors in gqlparser wording with OPA locations', () => {
    const err = (text: string, msg: string): [string, unknown[], 'eval_builtin_error', string] => ['graphql.parse_query', [text], 'eval_builtin_error', `graphql.parse_query: ${msg}`];
    expectErrors([
      err('{', 'Expected Name, found <EOF> in GraphQL string at location 1:2'),
      err('\n  { ...MissingOn }\n  fragment MissingOn Type\n', 'Expected "on", found Name "Type" in GraphQL string at location 3:22'),
      err('{ field: {} }', 'Expected Name, found { in GraphQL string at location 1:10'),
      err('notanoperation Foo { field }', 'Unexpected Name "notanoperation" in GraphQL string at location 1:1'),
      err('...', 'Unexpected ... in GraphQL string at location 1:1'),
      err('query Foo($x: Complex = { a: { b: [ $var ] } }) { field }', 'Unexpected $ in GraphQL string at location 1:37'),
      err('fragment on on on { on }', 'Unexpected Name "on" in GraphQL string at location 1:10'),
      err('{ ...on }', 'Expected Name, found } in GraphQL string at location 1:9'),
      err('type Query { a: Int }', 'Unexpected Name "type" in GraphQL string at location 1:1'),
    ]);
  });
});

describe('graphql.parse_schema', () => {
  it("gqlparser's AST shape", () => {
    const field = (name: string, type: string, extra: object = {}) => ({ Description: '', Name: name, Type: { NamedType: type, NonNull: false }, ...extra });
    const rows: [string, unknown][] = [
      ['"""\nDescription\n"""\ntype Hello { world: String }', { Definitions: [{ BuiltIn: false, Description: 'Description', Fields: [field('world', 'String')], Kind: 'OBJECT', Name: 'Hello' }] }],
      [
        'type Hello { world(flag: Boolean = true): String }',
        { Definitions: [{ BuiltIn: false, Description: '', Fields: [field('world', 'String', { Arguments: [{ DefaultValue: { ...EHD, Kind: 5, Raw: 'true' }, Description: '', Name: 'flag', Type: { NamedType: 'Boolean', NonNull: false } }] })], Kind: 'OBJECT', Name: 'Hello' }] },
      ],
      ['extend type Hello implements Greeting', { Extensions: [{ BuiltIn: false, Description: '', Interfaces: ['Greeting'], Kind: 'OBJECT', Name: 'Hello' }] }],
      ['schema { query: Query }', { Schema: [{ Description: '', OperationTypes: [{ Operation: 'query', Type: 'Query' }] }] }],
      ['extend schema @directive', { SchemaExtension: [{ Description: '', Directives: [{ Location: '', Name: 'directive' }] }] }],
      ['type Hello implements & Wo & rld { field: String }', { Definitions: [{ BuiltIn: false, Description: '', Fields: [field('field', 'String')], Interfaces: ['Wo', 'rld'], Kind: 'OBJECT', Name: 'Hello' }] }],
      ['enum Hello { WO, RLD }', { Definitions: [{ BuiltIn: false, Description: '', EnumValues: [{ Description: '', Name: 'WO' }, { Description: '', Name: 'RLD' }], Kind: 'ENUM', Name: 'Hello' }] }],
      ['union U = A | B', { Definitions: [{ BuiltIn: false, Description: '', Kind: 'UNION', Name: 'U', Types: ['A', 'B'] }] }],
      ['directive @foo(a: Int) repeatable on FIELD | QUERY', { Directives: [{ Arguments: [{ Description: '', Name: 'a', Type: { NamedType: 'Int', NonNull: false } }], Description: '', IsRepeatable: true, Locations: ['FIELD', 'QUERY'], Name: 'foo' }] }],
    ];
    for (const [text, want] of rows) expect(astOf('graphql.parse_schema', text), text).toBe(show(v(want)));
  });
  it('syntax errors in gqlparser wording', () => {
    const err = (text: string, msg: string): [string, unknown[], 'eval_builtin_error', string] => ['graphql.parse_schema', [text], 'eval_builtin_error', `graphql.parse_schema: ${msg}`];
    expectErrors([
      err('type Hello {}', 'expected at least one definition, found } in GraphQL string at location 1:13'),
      err('interface Hello {}', 'expected at least one definition, found } in GraphQL string at location 1:18'),
      err('extend type Hello', 'Unexpected <EOF> in GraphQL string at location 1:18'),
      err('extend schema', 'Unexpected <EOF> in GraphQL string at location 1:14'),
      err('"Description"\nextend type Hello { world: String }', 'Unexpected String "Description" in GraphQL string at location 1:1'),
      err('extend "Description" type Hello { world: String }', 'Unexpected String "Description" in GraphQL string at location 1:8'),
    ]);
  });
});

describe('graphql schema and query validation', () => {
  const schema = 'type Employee { id: String! salary: Int! } schema { query: Query } type Query { employeeByID(id: String): Employee }';
  it('schema_is_valid as gqlparser decides', () => {
    const rows: [string, boolean][] = [
      ['extend type User { id: ID! } extend type Product { upc: String! } union _Entity = Product | User extend type Query { entity: _Entity }', true],
      ['type Hello { world: String }', true],
      ['type DeprecatedType { deprecatedField: String @deprecated } enum DeprecatedEnum { ALPHA @deprecated }', true],
      ['type Query { x: Int } directive @directive(a: String = "b") on SCHEMA extend schema @directive', true],
      ['extend type Hello implements Greeting', false],
      ['extend scalar Foo @deprecated', false],
      ['schema { query: Query }', false],
      ['interface IA { id: ID! } interface IIA implements IA { id: ID! } type A implements IIA { id: ID! }', false],
      ['union Hello = World', false],
      ['input Hello { world(foo: Int): String }', false],
      ['type Hello {}', false],
    ];
    for (const [text, want] of rows) expect(call('graphql.schema_is_valid', [text]), text).toBe(want);
    // AST objects are accepted too
    expect(call('graphql.schema_is_valid', [call('graphql.parse_schema', [schema])])).toBe(true);
    expect(call('graphql.schema_is_valid', [1])).toBe(false);
  });
  it('is_valid, parse_and_verify and parse', () => {
    const ok = '{ employeeByID(id: "1") { id salary } }';
    const bad = '{ employeeByID(id: "1") { id nope } }';
    expect(call('graphql.is_valid', [ok, schema])).toBe(true);
    expect(call('graphql.is_valid', [bad, schema])).toBe(false);
    expect(call('graphql.is_valid', [call('graphql.parse_query', [ok]), call('graphql.parse_schema', [schema])])).toBe(true);
    expect(call('graphql.is_valid', [ok, 1])).toBe(false);
    // OPA's cases: an empty query is valid; a missing required argument is not; AST objects without defaults
    expect(call('graphql.is_valid', ['', 'type DeprecatedType { deprecatedField: String @deprecated }'])).toBe(true);
    expect(show(call('graphql.parse_query', [' # nothing\n']))).toBe('{}');
    const locale = 'extend type Query { myAction(myEnum: Locale!): SomeResult! } type SomeResult { id: String } enum Locale { EN LT DE }';
    expect(call('graphql.is_valid', ['query SomeOperation { myAction { id } }', locale])).toBe(false);
    expect(call('graphql.is_valid', ['query SomeOperation ($locale: Locale! = DE) { myAction(myEnum: $locale) { id } }', locale])).toBe(true);
    expect(call('graphql.is_valid', ['query Foo($flag: Boolean!) { ...Bar } fragment Bar on Query { bar @include(if: $flag) }', 'type Query { bar: String! }'])).toBe(true);
    const twoRoots = {
      Definitions: [
        { BuiltIn: false, Description: '', Fields: [{ Description: '', Name: 'bar', Type: { NamedType: 'String', NonNull: true } }], Kind: 'OBJECT', Name: 'Query' },
        { BuiltIn: false, Description: '', Fields: [{ Description: '', Name: 'x', Type: { NamedType: 'String', NonNull: true } }], Kind: 'OBJECT', Name: 'Mutation' },
      ],
    };
    const mutation = { Operations: [{ Name: '', Operation: 'mutation', SelectionSet: [{ Alias: 'x', Arguments: [{ Name: 'a', Value: { Kind: 7, Raw: 'b' } }], Name: 'x' }] }] };
    expect(call('graphql.is_valid', [mutation, twoRoots])).toBe(false);
    expect(call('graphql.is_valid', [{ ...mutation, Operations: [{ ...mutation.Operations[0]!, SelectionSet: [{ Alias: 'x', Name: 'x' }] }] }, twoRoots])).toBe(true);
    const [valid, q, sch] = call('graphql.parse_and_verify', [ok, schema]) as [boolean, unknown, unknown];
    expect(valid).toBe(true);
    expect(show(q as never)).toBe(astOf('graphql.parse_query', ok));
    expect(show(sch as never)).toBe(astOf('graphql.parse_schema', schema));
    expect(show(call('graphql.parse_and_verify', [bad, schema]))).toBe(show(v([false, {}, {}])));
    expect(show(call('graphql.parse', [ok, schema]))).toBe(show(v([call('graphql.parse_query', [ok]), call('graphql.parse_schema', [schema])])));
    expectErrors([
      ['graphql.parse', [bad, schema], 'eval_builtin_error', 'graphql.parse: Cannot query field "nope" on type "Employee" in GraphQL query string at location 1:30'],
      [
        'graphql.parse',
        ['\n  query SomeOperation {\n    # Note: Not providing mandatory parameter: (myEnum: Locale!)\n    myAction {\n      id\n    }\n  }\n', locale],
        'eval_builtin_error',
        'graphql.parse: Field "myAction" argument "myEnum" of type "Locale!" is required, but it was not provided in GraphQL query string at location 4:5',
      ],
      ['graphql.parse', ['mutation { a }', schema], 'eval_builtin_error', 'graphql.parse: Schema does not support operation type "mutation" in GraphQL query string at location 1:1'],
      ['graphql.parse', [1, schema], 'eval_type_error', 'graphql.parse: operand 0 must be one of {string, object} but got number'],
    ]);
  });
});
