/**
 * GraphQL (OPA topdown/graphql.go): graphql.parse_query, parse_schema, parse,
 * parse_and_verify, is_valid, schema_is_valid. OPA parses and validates with
 * gqlparser and returns gqlparser's AST (Go structs as JSON, `Position`
 * fields, nulls and empty lists/objects pruned); the runner parses and
 * validates with graphql-js and converts its AST to that shape
 * (`Operations`/`Fragments`, `SelectionSet`, `Alias`, value `Kind` numbers,
 * `Definitions`/`Extensions`, `BuiltIn`, …). AST objects given instead of
 * strings are converted back. Parse errors are rewritten to gqlparser's
 * wording and OPA's `… in GraphQL string at location L:C`. Differences are in
 * docs/rego-builtins.md.
 */
import { createRequire } from 'node:module';
import type { ASTNode, DocumentNode, GraphQLError, OperationTypeNode, GraphQLSchema, TypeNode, ValueNode } from 'graphql';
// The kinds are small constant tables; the parser and validator (graphql-js, ~40 ms to load) are
// loaded on the first graphql.* call, not on every start of the runner.
import { Kind } from 'graphql/language/kinds.js';
import { TokenKind } from 'graphql/language/tokenKind.js';
import type { BuiltinDecl, TypeSpec } from './types.ts';
import { RObject, fromJS, toJS, type Value } from '../value.ts';
import { builtinError, str, typeError } from './operands.ts';

let graphqlLib: typeof import('graphql') | undefined;
/**
 * graphql-js, loaded once on first use. In the bundles (scripts/build.ts)
 * `require` is defined and esbuild inlines this call as a lazily initialised
 * module; run from source (ESM, no `require`) it resolves through node_modules.
 */
function gql(): typeof import('graphql') {
  return (graphqlLib ??= (typeof require === 'function' ? require('graphql') : createRequire(import.meta.url)('graphql')) as typeof import('graphql'));
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

class GqlError extends Error {}

// ---------------------------------------------------------------------------
// Parsing, with gqlparser's error wording

const PUNCTUATORS = new Set(['!', '$', '&', '(', ')', '...', ':', '=', '@', '[', ']', '{', '|', '}']);

/** graphql-js `Syntax Error: Expected Name, found "}".` → gqlparser `Expected Name, found }`. */
function gqlparserMessage(e: GraphQLError, source: string): string {
  let msg = e.message.replace(/^Syntax Error: /, '').replace(/\.$/, '');
  msg = msg.replace(/(found |Unexpected )"([^"]+)"$/, (all, lead: string, tok: string) => (PUNCTUATORS.has(tok) ? `${lead}${tok}` : all));
  // gqlparser stops at the `$` of a variable where only constants are allowed.
  if (/^Unexpected variable "\$[^"]*" in constant value$/.test(msg)) msg = 'Unexpected $';
  const loc = e.locations?.[0];
  if (loc && /^Unexpected description/.test(msg)) {
    // gqlparser reports the description token itself.
    const line = source.split('\n')[loc.line - 1] ?? '';
    const m = /^"""([\s\S]*?)"""|^"((?:[^"\\]|\\.)*)"/.exec(line.slice(loc.column - 1));
    msg = `Unexpected String "${m ? (m[1] ?? m[2] ?? '').trim() : ''}"`;
  }
  if (loc && msg === 'Expected Name, found }') {
    // An empty `{}` list: gqlparser's many() wording.
    const lines = source.split('\n');
    const offset = lines.slice(0, loc.line - 1).reduce((n, l) => n + l.length + 1, 0) + loc.column - 1;
    if (/\{\s*$/.test(source.slice(0, offset))) msg = 'expected at least one definition, found }';
  }
  return msg;
}

function parseDoc(text: string): DocumentNode {
  try {
    return gql().parse(text, { allowLegacyFragmentVariables: true });
  } catch (e) {
    // gqlparser accepts a document with no definitions at all; graphql-js does not.
    if (e instanceof gql().GraphQLError && isEmptyDocument(text)) return { kind: Kind.DOCUMENT, definitions: [] };
    if (e instanceof gql().GraphQLError) {
      const loc = e.locations?.[0];
      throw new GqlError(`${gqlparserMessage(e, text)} in GraphQL string at location ${loc?.line ?? 0}:${loc?.column ?? 0}`);
    }
    throw e;
  }
}

/** Only ignored tokens (whitespace, commas, comments) before the end. */
function isEmptyDocument(text: string): boolean {
  try {
    return new (gql().Lexer)(new (gql().Source)(text)).advance().kind === TokenKind.EOF;
  } catch {
    return false;
  }
}

const EXECUTABLE = new Set<string>([Kind.OPERATION_DEFINITION, Kind.FRAGMENT_DEFINITION]);

/** A definition of the other document kind: gqlparser stops at its first token. */
function unexpected(d: ASTNode): GqlError {
  const t = d.loc?.startToken;
  const what = !t ? '' : t.kind === 'String' || t.kind === 'BlockString' ? `String "${t.value ?? ''}"` : t.kind === 'Name' ? `Name "${t.value ?? ''}"` : t.kind;
  return new GqlError(`Unexpected ${what} in GraphQL string at location ${t?.line ?? 0}:${t?.column ?? 0}`);
}

function parseQueryText(text: string): DocumentNode {
  const doc = parseDoc(text);
  const bad = doc.definitions.find((d) => !EXECUTABLE.has(d.kind));
  if (bad) throw unexpected(bad);
  return doc;
}

function parseSchemaText(text: string): DocumentNode {
  const doc = parseDoc(text);
  const bad = doc.definitions.find((d) => EXECUTABLE.has(d.kind));
  if (bad) throw unexpected(bad);
  return doc;
}

// ---------------------------------------------------------------------------
// graphql-js AST → gqlparser AST (as OPA returns it)

const VALUE_KIND: Record<string, number> = {
  [Kind.VARIABLE]: 0,
  [Kind.INT]: 1,
  [Kind.FLOAT]: 2,
  [Kind.STRING]: 3,
  [Kind.BOOLEAN]: 5,
  [Kind.NULL]: 6,
  [Kind.ENUM]: 7,
  [Kind.LIST]: 8,
  [Kind.OBJECT]: 9,
};

function valueOut(v: ValueNode): Obj {
  const out: Obj = { ExpectedTypeHasDefault: false };
  switch (v.kind) {
    case Kind.VARIABLE:
      return { ...out, Kind: 0, Raw: v.name.value };
    case Kind.STRING:
      return { ...out, Kind: v.block ? 4 : 3, Raw: v.value };
    case Kind.NULL:
      return { ...out, Kind: 6, Raw: 'null' };
    case Kind.BOOLEAN:
      return { ...out, Kind: 5, Raw: String(v.value) };
    case Kind.LIST:
      return { ...out, Kind: 8, Raw: '', Children: v.values.map((x) => ({ Name: '', Value: valueOut(x) })) };
    case Kind.OBJECT:
      return { ...out, Kind: 9, Raw: '', Children: v.fields.map((f) => ({ Name: f.name.value, Value: valueOut(f.value) })) };
    default:
      return { ...out, Kind: VALUE_KIND[v.kind]!, Raw: v.value };
  }
}

function typeOut(t: TypeNode): Obj {
  if (t.kind === Kind.NON_NULL_TYPE) return { ...typeOut(t.type), NonNull: true };
  if (t.kind === Kind.LIST_TYPE) return { NamedType: '', Elem: typeOut(t.type), NonNull: false };
  return { NamedType: t.name.value, NonNull: false };
}

type Args = ReadonlyArray<{ name: { value: string }; value: ValueNode }> | undefined;
type Dirs = ReadonlyArray<{ name: { value: string }; arguments?: Args }> | undefined;

const argsOut = (a: Args): Json[] => (a ?? []).map((x) => ({ Name: x.name.value, Value: valueOut(x.value) }));
const dirsOut = (d: Dirs): Json[] => (d ?? []).map((x) => ({ Name: x.name.value, Arguments: argsOut(x.arguments), Location: '' }));

function selectionsOut(set: { selections: ReadonlyArray<ASTNode> } | undefined): Json[] {
  return (set?.selections ?? []).map((s): Json => {
    switch (s.kind) {
      case Kind.FIELD:
        return { Alias: (s.alias ?? s.name).value, Name: s.name.value, Arguments: argsOut(s.arguments), Directives: dirsOut(s.directives), SelectionSet: selectionsOut(s.selectionSet) };
      case Kind.FRAGMENT_SPREAD:
        return { Name: s.name.value, Directives: dirsOut(s.directives) };
      case Kind.INLINE_FRAGMENT:
        return { TypeCondition: s.typeCondition?.name.value ?? '', Directives: dirsOut(s.directives), SelectionSet: selectionsOut(s.selectionSet) };
      default:
        return null;
    }
  });
}

type VarDefs = ReadonlyArray<{ variable: { name: { value: string } }; type: TypeNode; defaultValue?: ValueNode; directives?: Dirs }> | undefined;
const varDefsOut = (v: VarDefs): Json[] =>
  (v ?? []).map((d) => ({ Variable: d.variable.name.value, Type: typeOut(d.type), DefaultValue: d.defaultValue ? valueOut(d.defaultValue) : null, Directives: dirsOut(d.directives), Used: false }));

function queryOut(doc: DocumentNode): Obj {
  const operations: Json[] = [];
  const fragments: Json[] = [];
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      operations.push({ Operation: d.operation, Name: d.name?.value ?? '', VariableDefinitions: varDefsOut(d.variableDefinitions), Directives: dirsOut(d.directives), SelectionSet: selectionsOut(d.selectionSet) });
    } else if (d.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.push({ Name: d.name.value, VariableDefinition: varDefsOut(d.variableDefinitions), TypeCondition: d.typeCondition.name.value, Directives: dirsOut(d.directives), SelectionSet: selectionsOut(d.selectionSet) });
    }
  }
  return { Operations: operations, Fragments: fragments };
}

type InputDefs = ReadonlyArray<{ description?: { value: string }; name: { value: string }; type: TypeNode; defaultValue?: ValueNode; directives?: Dirs }> | undefined;
const argDefsOut = (a: InputDefs): Json[] =>
  (a ?? []).map((x) => ({ Description: x.description?.value ?? '', Name: x.name.value, DefaultValue: x.defaultValue ? valueOut(x.defaultValue) : null, Type: typeOut(x.type), Directives: dirsOut(x.directives) }));

const DEFINITION_KIND: Record<string, string> = {
  [Kind.SCALAR_TYPE_DEFINITION]: 'SCALAR',
  [Kind.SCALAR_TYPE_EXTENSION]: 'SCALAR',
  [Kind.OBJECT_TYPE_DEFINITION]: 'OBJECT',
  [Kind.OBJECT_TYPE_EXTENSION]: 'OBJECT',
  [Kind.INTERFACE_TYPE_DEFINITION]: 'INTERFACE',
  [Kind.INTERFACE_TYPE_EXTENSION]: 'INTERFACE',
  [Kind.UNION_TYPE_DEFINITION]: 'UNION',
  [Kind.UNION_TYPE_EXTENSION]: 'UNION',
  [Kind.ENUM_TYPE_DEFINITION]: 'ENUM',
  [Kind.ENUM_TYPE_EXTENSION]: 'ENUM',
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: 'INPUT_OBJECT',
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: 'INPUT_OBJECT',
};

function schemaOut(doc: DocumentNode): Obj {
  const out = { Schema: [] as Json[], SchemaExtension: [] as Json[], Directives: [] as Json[], Definitions: [] as Json[], Extensions: [] as Json[] };
  for (const d of doc.definitions) {
    switch (d.kind) {
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION:
        (d.kind === Kind.SCHEMA_DEFINITION ? out.Schema : out.SchemaExtension).push({
          Description: d.kind === Kind.SCHEMA_DEFINITION ? (d.description?.value ?? '') : '',
          Directives: dirsOut(d.directives),
          OperationTypes: (d.operationTypes ?? []).map((o) => ({ Operation: o.operation, Type: o.type.name.value })),
        });
        break;
      case Kind.DIRECTIVE_DEFINITION:
        out.Directives.push({ Description: d.description?.value ?? '', Name: d.name.value, Arguments: argDefsOut(d.arguments), Locations: d.locations.map((l) => l.value), IsRepeatable: d.repeatable });
        break;
      default: {
        const kind = DEFINITION_KIND[d.kind];
        if (!kind) break;
        const t = d as unknown as {
          kind: string;
          description?: { value: string };
          name: { value: string };
          directives?: Dirs;
          interfaces?: ReadonlyArray<{ name: { value: string } }>;
          fields?: ReadonlyArray<{ description?: { value: string }; name: { value: string }; arguments?: InputDefs; type: TypeNode; defaultValue?: ValueNode; directives?: Dirs }>;
          types?: ReadonlyArray<{ name: { value: string } }>;
          values?: ReadonlyArray<{ description?: { value: string }; name: { value: string }; directives?: Dirs }>;
        };
        const def: Obj = {
          Kind: kind,
          Description: t.description?.value ?? '',
          Name: t.name.value,
          Directives: dirsOut(t.directives),
          Interfaces: (t.interfaces ?? []).map((i) => i.name.value),
          Fields: (t.fields ?? []).map((f) => ({
            Description: f.description?.value ?? '',
            Name: f.name.value,
            Arguments: argDefsOut(f.arguments),
            DefaultValue: f.defaultValue ? valueOut(f.defaultValue) : null,
            Type: typeOut(f.type),
            Directives: dirsOut(f.directives),
          })),
          Types: (t.types ?? []).map((x) => x.name.value),
          EnumValues: (t.values ?? []).map((v) => ({ Description: v.description?.value ?? '', Name: v.name.value, Directives: dirsOut(v.directives) })),
          BuiltIn: false,
        };
        (t.kind.endsWith('Extension') ? out.Extensions : out.Definitions).push(def);
      }
    }
  }
  return out;
}

/** OPA's pruneIrrelevantGraphQLASTNodes: no Position, no nulls, no empty lists/objects. */
function prune(x: Json): Json {
  if (Array.isArray(x)) {
    const out: Json[] = [];
    for (const v of x) {
      if (v === null) continue;
      const p = typeof v === 'object' ? prune(v) : v;
      if (p !== null && typeof p === 'object' && (Array.isArray(p) ? p.length === 0 : Object.keys(p).length === 0)) continue;
      out.push(p);
    }
    return out;
  }
  if (x === null || typeof x !== 'object') return x;
  const out: Obj = {};
  for (const [k, v] of Object.entries(x)) {
    if (k === 'Position' || v === null) continue;
    const p = typeof v === 'object' ? prune(v) : v;
    if (p !== null && typeof p === 'object' && (Array.isArray(p) ? p.length === 0 : Object.keys(p).length === 0)) continue;
    out[k] = p;
  }
  return out;
}

// ---------------------------------------------------------------------------
// gqlparser AST (an object operand) → graphql-js AST

const asList = (x: unknown): Record<string, unknown>[] => (Array.isArray(x) ? (x.filter((e) => e && typeof e === 'object') as Record<string, unknown>[]) : []);
const s = (x: unknown): string => (typeof x === 'string' ? x : '');
const nameNode = (v: unknown) => ({ kind: Kind.NAME, value: s(v) });

function valueIn(v: Record<string, unknown>): ValueNode {
  const raw = s(v.Raw);
  switch (v.Kind) {
    case 0:
      return { kind: Kind.VARIABLE, name: nameNode(raw) } as ValueNode;
    case 1:
      return { kind: Kind.INT, value: raw } as ValueNode;
    case 2:
      return { kind: Kind.FLOAT, value: raw } as ValueNode;
    case 3:
    case 4:
      return { kind: Kind.STRING, value: raw, block: v.Kind === 4 } as ValueNode;
    case 5:
      return { kind: Kind.BOOLEAN, value: raw === 'true' } as ValueNode;
    case 6:
      return { kind: Kind.NULL } as ValueNode;
    case 7:
      return { kind: Kind.ENUM, value: raw } as ValueNode;
    case 8:
      return { kind: Kind.LIST, values: asList(v.Children).map((c) => valueIn(c.Value as Record<string, unknown>)) } as ValueNode;
    case 9:
      return { kind: Kind.OBJECT, fields: asList(v.Children).map((c) => ({ kind: Kind.OBJECT_FIELD, name: nameNode(c.Name), value: valueIn(c.Value as Record<string, unknown>) })) } as ValueNode;
    default:
      throw new GqlError(`invalid value kind ${String(v.Kind)}`);
  }
}

function typeIn(t: Record<string, unknown>): TypeNode {
  const base: TypeNode = t.Elem && typeof t.Elem === 'object' ? ({ kind: Kind.LIST_TYPE, type: typeIn(t.Elem as Record<string, unknown>) } as TypeNode) : ({ kind: Kind.NAMED_TYPE, name: nameNode(t.NamedType) } as TypeNode);
  return t.NonNull === true ? ({ kind: Kind.NON_NULL_TYPE, type: base } as TypeNode) : base;
}

const argsIn = (a: unknown) => asList(a).map((x) => ({ kind: Kind.ARGUMENT, name: nameNode(x.Name), value: valueIn((x.Value ?? {}) as Record<string, unknown>) }));
const dirsIn = (d: unknown) => asList(d).map((x) => ({ kind: Kind.DIRECTIVE, name: nameNode(x.Name), arguments: argsIn(x.Arguments) }));
const optValue = (v: unknown) => (v && typeof v === 'object' ? valueIn(v as Record<string, unknown>) : undefined);
const desc = (d: unknown) => (s(d) ? { kind: Kind.STRING, value: s(d), block: false } : undefined);

function selectionsIn(x: unknown): { kind: Kind.SELECTION_SET; selections: unknown[] } {
  return {
    kind: Kind.SELECTION_SET,
    selections: asList(x).map((sel) => {
      if ('TypeCondition' in sel || ('SelectionSet' in sel && !('Name' in sel))) {
        return { kind: Kind.INLINE_FRAGMENT, typeCondition: s(sel.TypeCondition) ? { kind: Kind.NAMED_TYPE, name: nameNode(sel.TypeCondition) } : undefined, directives: dirsIn(sel.Directives), selectionSet: selectionsIn(sel.SelectionSet) };
      }
      if (!('Alias' in sel) && !('SelectionSet' in sel) && !('Arguments' in sel)) return { kind: Kind.FRAGMENT_SPREAD, name: nameNode(sel.Name), directives: dirsIn(sel.Directives) };
      const sub = asList(sel.SelectionSet);
      return {
        kind: Kind.FIELD,
        alias: s(sel.Alias) && s(sel.Alias) !== s(sel.Name) ? nameNode(sel.Alias) : undefined,
        name: nameNode(sel.Name),
        arguments: argsIn(sel.Arguments),
        directives: dirsIn(sel.Directives),
        selectionSet: sub.length ? selectionsIn(sub) : undefined,
      };
    }),
  };
}

const varDefsIn = (v: unknown) =>
  asList(v).map((d) => ({
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: nameNode(d.Variable) },
    type: typeIn((d.Type ?? {}) as Record<string, unknown>),
    defaultValue: optValue(d.DefaultValue),
    directives: dirsIn(d.Directives),
  }));

function queryIn(o: Record<string, unknown>): DocumentNode {
  const definitions: unknown[] = [];
  for (const op of asList(o.Operations)) {
    definitions.push({ kind: Kind.OPERATION_DEFINITION, operation: s(op.Operation) || 'query', name: s(op.Name) ? nameNode(op.Name) : undefined, variableDefinitions: varDefsIn(op.VariableDefinitions), directives: dirsIn(op.Directives), selectionSet: selectionsIn(op.SelectionSet) });
  }
  for (const f of asList(o.Fragments)) {
    definitions.push({ kind: Kind.FRAGMENT_DEFINITION, name: nameNode(f.Name), variableDefinitions: varDefsIn(f.VariableDefinition), typeCondition: { kind: Kind.NAMED_TYPE, name: nameNode(f.TypeCondition) }, directives: dirsIn(f.Directives), selectionSet: selectionsIn(f.SelectionSet) });
  }
  return { kind: Kind.DOCUMENT, definitions } as unknown as DocumentNode;
}

const inputDefsIn = (a: unknown, kind: Kind) =>
  asList(a).map((x) => ({ kind, description: desc(x.Description), name: nameNode(x.Name), type: typeIn((x.Type ?? {}) as Record<string, unknown>), defaultValue: optValue(x.DefaultValue), directives: dirsIn(x.Directives) }));

const KIND_NODES: Record<string, [Kind, Kind]> = {
  SCALAR: [Kind.SCALAR_TYPE_DEFINITION, Kind.SCALAR_TYPE_EXTENSION],
  OBJECT: [Kind.OBJECT_TYPE_DEFINITION, Kind.OBJECT_TYPE_EXTENSION],
  INTERFACE: [Kind.INTERFACE_TYPE_DEFINITION, Kind.INTERFACE_TYPE_EXTENSION],
  UNION: [Kind.UNION_TYPE_DEFINITION, Kind.UNION_TYPE_EXTENSION],
  ENUM: [Kind.ENUM_TYPE_DEFINITION, Kind.ENUM_TYPE_EXTENSION],
  INPUT_OBJECT: [Kind.INPUT_OBJECT_TYPE_DEFINITION, Kind.INPUT_OBJECT_TYPE_EXTENSION],
};

function definitionIn(d: Record<string, unknown>, extension: boolean): unknown {
  const kinds = KIND_NODES[s(d.Kind)];
  if (!kinds) throw new GqlError(`invalid definition kind ${JSON.stringify(d.Kind)}`);
  const isInput = d.Kind === 'INPUT_OBJECT';
  return {
    kind: kinds[extension ? 1 : 0],
    description: extension ? undefined : desc(d.Description),
    name: nameNode(d.Name),
    directives: dirsIn(d.Directives),
    interfaces: ((d.Interfaces as unknown[] | undefined) ?? []).map((i) => ({ kind: Kind.NAMED_TYPE, name: nameNode(i) })),
    fields: isInput
      ? inputDefsIn(d.Fields, Kind.INPUT_VALUE_DEFINITION)
      : asList(d.Fields).map((f) => ({ kind: Kind.FIELD_DEFINITION, description: desc(f.Description), name: nameNode(f.Name), arguments: inputDefsIn(f.Arguments, Kind.INPUT_VALUE_DEFINITION), type: typeIn((f.Type ?? {}) as Record<string, unknown>), directives: dirsIn(f.Directives) })),
    types: ((d.Types as unknown[] | undefined) ?? []).map((t) => ({ kind: Kind.NAMED_TYPE, name: nameNode(t) })),
    values: asList(d.EnumValues).map((v) => ({ kind: Kind.ENUM_VALUE_DEFINITION, description: desc(v.Description), name: nameNode(v.Name), directives: dirsIn(v.Directives) })),
  };
}

function schemaIn(o: Record<string, unknown>): DocumentNode {
  const definitions: unknown[] = [];
  const schemaNode = (x: Record<string, unknown>, kind: Kind) => ({
    kind,
    description: kind === Kind.SCHEMA_DEFINITION ? desc(x.Description) : undefined,
    directives: dirsIn(x.Directives),
    operationTypes: asList(x.OperationTypes).map((t) => ({ kind: Kind.OPERATION_TYPE_DEFINITION, operation: s(t.Operation), type: { kind: Kind.NAMED_TYPE, name: nameNode(t.Type) } })),
  });
  for (const x of asList(o.Schema)) definitions.push(schemaNode(x, Kind.SCHEMA_DEFINITION));
  for (const x of asList(o.SchemaExtension)) definitions.push(schemaNode(x, Kind.SCHEMA_EXTENSION));
  for (const x of asList(o.Directives)) {
    definitions.push({ kind: Kind.DIRECTIVE_DEFINITION, description: desc(x.Description), name: nameNode(x.Name), arguments: inputDefsIn(x.Arguments, Kind.INPUT_VALUE_DEFINITION), repeatable: x.IsRepeatable === true, locations: ((x.Locations as unknown[]) ?? []).map((l) => nameNode(l)) });
  }
  for (const x of asList(o.Definitions)) definitions.push(definitionIn(x, false));
  for (const x of asList(o.Extensions)) definitions.push(definitionIn(x, true));
  return { kind: Kind.DOCUMENT, definitions } as unknown as DocumentNode;
}

// ---------------------------------------------------------------------------
// Validation

/**
 * gqlparser builds a schema even when an extended type is never defined (the
 * extension defines it) and without a Query type; graphql-js does neither,
 * so extensions of undefined types become definitions first and the missing
 * root type is not reported.
 */
function buildSchema(doc: DocumentNode): GraphQLSchema {
  const defined = new Set(doc.definitions.filter((d) => 'name' in d && d.name && !d.kind.endsWith('Extension')).map((d) => (d as { name: { value: string } }).name.value));
  const definitions = doc.definitions.map((d) => {
    if (!d.kind.endsWith('TypeExtension')) return d;
    const name = (d as unknown as { name: { value: string } }).name.value;
    if (defined.has(name)) return d;
    defined.add(name);
    return { ...d, kind: d.kind.replace('TypeExtension', 'TypeDefinition') } as typeof d;
  });
  let schema: GraphQLSchema;
  try {
    schema = gql().buildASTSchema({ ...doc, definitions } as DocumentNode);
  } catch (e) {
    throw new GqlError(`Error in gqlparser SchemaDocument to Schema conversion: ${(e as Error).message.split('\n')[0]}`);
  }
  const errors = gql().validateSchema(schema).filter((e) => !/^Query root type must be provided/.test(e.message));
  if (errors.length) throw new GqlError(`Error in gqlparser SchemaDocument to Schema conversion: ${errors[0]!.message}`);
  // Checked above with the missing-root exception; graphql-js's validate() would re-check without it.
  return gql().buildASTSchema({ ...doc, definitions } as DocumentNode, { assumeValid: true, assumeValidSDL: true });
}

/** OPA keeps gqlparser's whole error list text after the first location, minus the final period. */
function validateQuery(schema: GraphQLSchema, query: DocumentNode, source: string | undefined): void {
  // gqlparser's KnownRootType rule; graphql-js leaves a missing root type to execution.
  const rootless = query.definitions.flatMap((d) =>
    d.kind === Kind.OPERATION_DEFINITION && !schema.getRootType(d.operation as OperationTypeNode)
      ? [new (gql().GraphQLError)(`Schema does not support operation type "${d.operation}"`, { nodes: d })]
      : [],
  );
  const errors = [...rootless, ...gql().validate(schema, query)];
  if (errors.length === 0) return;
  const loc = (e: GraphQLError): string => {
    const l = source !== undefined ? e.locations?.[0] : undefined;
    return l ? `${l.line}:${l.column}` : '0:0';
  };
  const list = errors.map((e, i) => (i === 0 ? e.message : `input:${loc(e)}: ${e.message}`)).join('\n');
  const msg = `${list}\n`.replace(/\.\n$/, '').replace(/\n$/, '');
  throw new GqlError(`${msg} in GraphQL query string at location ${loc(errors[0]!)}`);
}

// ---------------------------------------------------------------------------

interface Parsed {
  doc: DocumentNode;
  /** The text, when the operand was a string (locations refer to it). */
  source: string | undefined;
}

function queryOperand(v: Value, pos: number): Parsed {
  if (typeof v === 'string') return { doc: parseQueryText(v), source: v };
  if (v instanceof RObject) return { doc: queryIn(toJS(v) as Record<string, unknown>), source: undefined };
  throw typeError(pos, v, 'string', 'object');
}

function schemaOperand(v: Value, pos: number): Parsed {
  if (typeof v === 'string') return { doc: parseSchemaText(v), source: v };
  if (v instanceof RObject) return { doc: schemaIn(toJS(v) as Record<string, unknown>), source: undefined };
  throw typeError(pos, v, 'string', 'object');
}

const astValue = (o: Obj): Value => fromJS(prune(o));

/** Parse and validate both operands; GqlError on any failure. */
function parseAndValidate(args: Value[]): [Value, Value] {
  // OPA reports these operands as 0 and 1.
  const q = queryOperand(args[0]!, 0);
  const sch = schemaOperand(args[1]!, 1);
  const out: [Value, Value] = [astValue(queryOut(q.doc)), astValue(schemaOut(sch.doc))];
  validateQuery(buildSchema(sch.doc), q.doc, q.source);
  return out;
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GqlError) throw builtinError(e.message);
    throw e;
  }
}

function orFalse<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GqlError || (e instanceof Error && 'code' in e)) return fallback;
    throw e;
  }
}

const DOC: TypeSpec = { oneOf: ['string', { object: ['any', 'any'] }] };
const OBJ: TypeSpec = { object: ['any', 'any'] };

export const GRAPHQL: BuiltinDecl[] = [
  { name: 'graphql.parse_query', args: ['string'], result: OBJ, impl: (args) => wrap(() => astValue(queryOut(parseQueryText(str(args, 0))))) },
  { name: 'graphql.parse_schema', args: ['string'], result: OBJ, impl: (args) => wrap(() => astValue(schemaOut(parseSchemaText(str(args, 0))))) },
  { name: 'graphql.parse', args: [DOC, DOC], result: { array: OBJ }, impl: (args) => wrap(() => parseAndValidate(args)) },
  {
    name: 'graphql.parse_and_verify',
    args: [DOC, DOC],
    result: { array: 'any' },
    impl: (args) => orFalse(() => [true, ...parseAndValidate(args)] as Value, [false, new RObject(), new RObject()] as Value),
  },
  { name: 'graphql.is_valid', args: [DOC, DOC], result: 'boolean', impl: (args) => orFalse(() => (parseAndValidate(args), true), false) },
  {
    name: 'graphql.schema_is_valid',
    args: [DOC],
    result: 'boolean',
    impl: (args) => orFalse(() => (buildSchema(schemaOperand(args[0]!, 0).doc), true), false),
  },
];
