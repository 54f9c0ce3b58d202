/**
 * JSON Schema (OPA topdown/jsonschema.go): json.verify_schema and
 * json.match_schema. OPA validates with gojsonschema (drafts 4, 6 and 7);
 * the runner validates with Ajv (draft 7; draft-4/6 schemas are brought to
 * draft 7 first) and rewrites each Ajv error into gojsonschema's
 * `{error, type, field, desc}` object: the same type names, description
 * templates and field paths (`(root)`, `a.0.b`). Differences (error order
 * when several fail, which anyOf branch is reported) are in
 * docs/rego-builtins.md.
 */
import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { BuiltinDecl, TypeSpec } from './types.ts';
import { RObject, fromJS, toJS, type Value } from '../value.ts';
import { builtinError } from './operands.ts';
import { marshal } from './encoding.ts';
import { compileRegex } from './regex.ts';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

const EMPTY_ENUM = 'x-opa-empty-enum';

/**
 * `pattern` and `patternProperties` are Go (RE2) regular expressions in
 * gojsonschema; Ajv is given the runner's RE2 engine instead of JS RegExp.
 */
const re2Engine = Object.assign(
  (pattern: string): { test: (s: string) => boolean } => {
    try {
      return compileRegex(pattern).re;
    } catch (e) {
      throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    }
  },
  { code: 're2' },
);

function newAjv(): Ajv {
  // strict: false — gojsonschema ignores unknown keywords and formats.
  const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true, verbose: true, code: { regExp: re2Engine } });
  addFormats(ajv);
  // gojsonschema accepts an empty enum (nothing validates); Ajv refuses to compile one.
  ajv.addKeyword({ keyword: EMPTY_ENUM, schemaType: 'boolean', validate: () => false });
  return ajv;
}

/** `enum: []` → the EMPTY_ENUM keyword, everywhere in the schema. */
function emptyEnums(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(emptyEnums);
  if (s === null || typeof s !== 'object') return s;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(s as Record<string, unknown>)) {
    if (k === 'enum' && Array.isArray(x) && x.length === 0) o[EMPTY_ENUM] = true;
    else o[k] = emptyEnums(x);
  }
  return o;
}

class LoaderError extends Error {}

/** OPA's astValueToJSONSchemaLoader: a JSON string, an object or an array. */
function load(v: Value): unknown {
  if (typeof v === 'string') {
    try {
      return JSON.parse(v);
    } catch {
      throw new LoaderError('invalid JSON string');
    }
  }
  if (v instanceof RObject || Array.isArray(v)) return toJS(v);
  throw new LoaderError('wrong type, expected string or object');
}

/** Draft 4/6 schemas as draft 7: boolean exclusive bounds become numeric ones, `id` becomes `$id`. */
function toDraft7(s: unknown, draft4: boolean): unknown {
  if (Array.isArray(s)) return s.map((x) => toDraft7(x, draft4));
  if (s === null || typeof s !== 'object') return s;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(s as Record<string, unknown>)) {
    if (k === '$schema') continue;
    if (draft4 && k === 'id' && typeof x === 'string') o.$id = x;
    else o[k] = toDraft7(x, draft4);
  }
  if (draft4) {
    if (o.exclusiveMinimum === true && typeof o.minimum === 'number') [o.exclusiveMinimum, o.minimum] = [o.minimum, undefined];
    else if (typeof o.exclusiveMinimum === 'boolean') delete o.exclusiveMinimum;
    if (o.exclusiveMaximum === true && typeof o.maximum === 'number') [o.exclusiveMaximum, o.maximum] = [o.maximum, undefined];
    else if (typeof o.exclusiveMaximum === 'boolean') delete o.exclusiveMaximum;
    for (const k of ['minimum', 'maximum']) if (o[k] === undefined) delete o[k];
  }
  return o;
}

const PRIMITIVE_TYPES = '[array boolean integer number null object string]';

/** gojsonschema's text for the schema errors policies meet most; Ajv's otherwise. */
function compileErrorText(ajv: Ajv, schema: unknown, e: Error): string {
  const bad = (ajv.errors ?? []).find((x) => x.keyword === 'enum' && /\/type(\/\d+)?$/.test(x.instancePath));
  if (bad) {
    const given = bad.instancePath.split('/').reduce<unknown>((acc, k) => (k === '' ? acc : (acc as Record<string, unknown>)[k]), schema);
    return `has a primitive type that is NOT VALID -- given: /${String(given)}/ Expected valid values are:${PRIMITIVE_TYPES}`;
  }
  return e.message;
}

function compile(schemaValue: unknown): ValidateFunction {
  const ajv = newAjv();
  let schema = schemaValue;
  if (schema !== null && typeof schema === 'object' && !Array.isArray(schema)) {
    const id = (schema as Record<string, unknown>).$schema;
    const draft4 = typeof id === 'string' && id.includes('draft-04');
    if (typeof id === 'string' && (draft4 || id.includes('draft-06') || id.includes('draft-07'))) schema = toDraft7(schema, draft4);
  }
  if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
    throw new LoaderError('schema must be an object or a boolean');
  }
  try {
    return ajv.compile(emptyEnums(schema) as AnySchema);
  } catch (e) {
    throw new LoaderError(compileErrorText(ajv, schema, e as Error));
  }
}

// ---------------------------------------------------------------------------
// Ajv errors → gojsonschema errors

interface GoError {
  type: string;
  field: string;
  desc: string;
}

/** `/a/0/b` → `a.0.b`; the document itself is `(root)`. */
function fieldOf(instancePath: string): string {
  if (instancePath === '') return '(root)';
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/** gojsonschema's type names: whole numbers are `integer`. */
function typeOfData(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  if (typeof x === 'number') return Number.isInteger(x) ? 'integer' : 'number';
  return typeof x;
}

/** Go's FormatFloat(f, 'f', -1, 64), as gojsonschema prints bounds. */
const num = (n: unknown): string => (typeof n === 'number' ? (Number.isInteger(n) || Math.abs(n) >= 1e-6 ? String(n) : n.toFixed(20).replace(/0+$/, '')) : String(n));

/** Go's json.Marshal of an enum/const value (sorted keys, HTML-safe). */
const goJSON = (x: unknown): string => marshal(fromJS(x), '', '', 0);

function at(data: unknown, instancePath: string): unknown {
  if (instancePath === '') return data;
  return instancePath
    .slice(1)
    .split('/')
    .reduce<unknown>((acc, k) => (acc as Record<string, unknown> | undefined)?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], data);
}

function translate(e: ErrorObject, data: unknown): GoError | undefined {
  const field = fieldOf(e.instancePath);
  const p = e.params as Record<string, unknown>;
  const mk = (type: string, desc: string): GoError => ({ type, field, desc });
  switch (e.keyword) {
    case 'required':
      return mk('required', `${String(p.missingProperty)} is required`);
    case 'type': {
      const t = e.schema as string | string[];
      const expected = Array.isArray(t) ? (t.length === 1 ? t[0]! : `[${t.join(',')}]`) : t;
      return mk('invalid_type', `Invalid type. Expected: ${expected}, given: ${typeOfData(at(data, e.instancePath))}`);
    }
    case 'enum':
      return mk('enum', `${field} must be one of the following: ${(e.schema as unknown[]).map(goJSON).join(', ')}`);
    case EMPTY_ENUM:
      return mk('enum', `${field} must be one of the following: `);
    case 'const':
      return mk('const', `${field} does not match: ${goJSON(e.schema)}`);
    case 'minimum':
      return mk('number_gte', `Must be greater than or equal to ${num(p.limit)}`);
    case 'exclusiveMinimum':
      return mk('number_gt', `Must be greater than ${num(p.limit)}`);
    case 'maximum':
      return mk('number_lte', `Must be less than or equal to ${num(p.limit)}`);
    case 'exclusiveMaximum':
      return mk('number_lt', `Must be less than ${num(p.limit)}`);
    case 'multipleOf':
      return mk('multiple_of', `Must be a multiple of ${num(p.multipleOf)}`);
    case 'minLength':
      return mk('string_gte', `String length must be greater than or equal to ${num(p.limit)}`);
    case 'maxLength':
      return mk('string_lte', `String length must be less than or equal to ${num(p.limit)}`);
    case 'pattern':
      return mk('pattern', `Does not match pattern '${String(p.pattern)}'`);
    case 'format':
      return mk('format', `Does not match format '${String(p.format)}'`);
    case 'minItems':
      return mk('array_min_items', `Array must have at least ${num(p.limit)} items`);
    case 'maxItems':
      return mk('array_max_items', `Array must have at most ${num(p.limit)} items`);
    case 'uniqueItems': {
      const [i, j] = [Number(p.j), Number(p.i)].sort((a, b) => a - b);
      return mk('unique', `array items[${i},${j}] must be unique`);
    }
    case 'additionalItems':
      return mk('array_no_additional_items', 'No additional items allowed on array');
    case 'contains':
      return mk('contains', 'At least one of the items must match');
    case 'minProperties':
      return mk('array_min_properties', `Must have at least ${num(p.limit)} properties`);
    case 'maxProperties':
      return mk('array_max_properties', `Must have at most ${num(p.limit)} properties`);
    case 'additionalProperties':
      return mk('additional_property_not_allowed', `Additional property ${String(p.additionalProperty)} is not allowed`);
    case 'propertyNames':
      return mk('invalid_property_name', `Property name of "${String(p.propertyName)}" does not match`);
    case 'dependencies':
      return mk('missing_dependency', `Has a dependency on ${String(p.missingProperty)}`);
    case 'anyOf':
      return mk('number_any_of', 'Must validate at least one schema (anyOf)');
    case 'oneOf':
      return mk('number_one_of', 'Must validate one and only one schema (oneOf)');
    case 'not':
      return mk('number_not', 'Must not validate the schema (not)');
    case 'if':
      return p.failingKeyword === 'then' ? mk('condition_then', 'Must validate "then" as "if" was valid') : mk('condition_else', 'Must validate "else" as "if" was not valid');
    case 'false schema':
      return mk('false', 'False always fails validation');
    default:
      return undefined;
  }
}

/**
 * Ajv reports every branch of a failed anyOf/oneOf; gojsonschema reports the
 * combinator's error followed by the errors of one branch (the closest
 * match). The runner keeps the branch with the fewest errors, first on ties.
 */
function selectBranches(all: ErrorObject[]): ErrorObject[] {
  // gojsonschema reports `contains` as one error, without the items' own errors.
  const containers = all.filter((e) => e.keyword === 'contains').map((e) => `${e.schemaPath}/`);
  const errors = all.filter((e) => !containers.some((c) => e.schemaPath.startsWith(c)));
  const out: ErrorObject[] = [];
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const dropped = new Set<ErrorObject>();
  for (const c of combinators) {
    const prefix = `${c.schemaPath}/`;
    const byBranch = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0]!;
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    let best: ErrorObject[] | undefined;
    for (const list of byBranch.values()) if (!best || list.length < best.length) best = list;
    for (const list of byBranch.values()) if (list !== best || (c.keyword === 'oneOf' && (c.params as { passingSchemas?: unknown }).passingSchemas)) for (const e of list) dropped.add(e);
  }
  // The combinator's own error goes before its branch's errors, as gojsonschema orders them.
  for (const e of errors) {
    if (dropped.has(e)) continue;
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') continue;
    const owner = combinators.find((c) => e.schemaPath.startsWith(`${c.schemaPath}/`) && !out.includes(c));
    if (owner) out.push(owner);
    out.push(e);
  }
  for (const c of combinators) if (!out.includes(c)) out.push(c);
  return out;
}

/**
 * gojsonschema stops validating a (sub)schema at a type mismatch: nothing
 * else of that subschema is reported for that value. Ajv reports the rest too.
 */
function dropAfterTypeErrors(errors: ErrorObject[]): ErrorObject[] {
  const typeErrors = errors.filter((e) => e.keyword === 'type');
  return errors.filter(
    (e) => e.keyword === 'type' || !typeErrors.some((t) => e.schemaPath.startsWith(`${t.schemaPath.slice(0, -'/type'.length)}/`) && (e.instancePath === t.instancePath || e.instancePath.startsWith(`${t.instancePath}/`))),
  );
}

// gojsonschema's validation order within one subschema: the type check,
// validateSchema (combinators, dependencies, if/then/else), the
// object/array checks, validateCommon (const, enum), then the properties'
// subschemas (objects) or the string/number checks.
const PHASE: Record<string, number> = {
  type: 0,
  anyOf: 1, oneOf: 1, allOf: 1, not: 1, dependencies: 1, if: 1, then: 1, else: 1,
  items: 2, additionalItems: 2, minProperties: 2, maxProperties: 2,
  minItems: 3, maxItems: 3, required: 3,
  uniqueItems: 4, additionalProperties: 4,
  contains: 5, patternProperties: 5,
  propertyNames: 6,
  const: 7, enum: 7, [EMPTY_ENUM]: 7,
  properties: 8,
};
const COMBINATOR: Record<string, number> = { anyOf: 0, oneOf: 1, allOf: 2, not: 3, dependencies: 4, if: 5, then: 6, else: 6 };
const LATE = 9; // validateString / validateNumber

const unescapeSegment = (seg: string): string => {
  try {
    return decodeURIComponent(seg).replace(/~1/g, '/').replace(/~0/g, '~');
  } catch {
    return seg;
  }
};

/** The position of an error in gojsonschema's walk, from its schema and instance paths. */
function orderKey(e: ErrorObject, schema: unknown): number[] {
  const segs = e.schemaPath.replace(/^#\/?/, '').split('/').filter((x) => x !== '').map(unescapeSegment);
  const inst = e.instancePath.split('/').slice(1);
  let depth = 0;
  let node = schema as Record<string, unknown> | undefined;
  const key: number[] = [];
  const sub = (k: string): Record<string, unknown> | undefined => (node && typeof node === 'object' ? (node[k] as Record<string, unknown> | undefined) : undefined);
  for (let i = 0; i < segs.length; i++) {
    const kw = segs[i]!;
    const phase = PHASE[kw] ?? LATE;
    if (kw === 'properties' || kw === 'patternProperties' || kw === 'dependencies') {
      const name = segs[++i] ?? '';
      const container = sub(kw) ?? {};
      key.push(phase, COMBINATOR[kw] ?? 0, Object.keys(container).indexOf(name));
      node = container[name] as Record<string, unknown> | undefined;
      if (kw !== 'dependencies') depth++;
    } else if (kw === 'anyOf' || kw === 'oneOf' || kw === 'allOf') {
      const idx = Number(segs[i + 1]);
      if (Number.isInteger(idx)) i++;
      key.push(phase, COMBINATOR[kw]!, Number.isInteger(idx) ? idx : -1);
      node = Number.isInteger(idx) ? ((sub(kw) as unknown as unknown[] | undefined)?.[idx] as Record<string, unknown> | undefined) : undefined;
    } else if (kw === 'items' && Array.isArray(sub('items')) && Number.isInteger(Number(segs[i + 1]))) {
      const idx = Number(segs[++i]);
      key.push(phase, 0, idx);
      node = (sub('items') as unknown as unknown[])[idx] as Record<string, unknown> | undefined;
      depth++;
    } else if (kw === 'items' || kw === 'additionalItems' || kw === 'additionalProperties') {
      const at = Number(inst[depth] ?? -1);
      key.push(phase, 0, Number.isInteger(at) ? at : -1);
      node = sub(kw);
      depth++;
    } else {
      key.push(phase, COMBINATOR[kw] ?? 0, -1);
      node = sub(kw);
    }
  }
  return key;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function goErrorValue(g: GoError): Value {
  return RObject.fromEntries([
    ['error', `${g.field}: ${g.desc}`],
    ['type', g.type],
    ['field', g.field],
    ['desc', g.desc],
  ]);
}

function matchSchema(args: Value[]): Value {
  let data: unknown;
  let validate: ValidateFunction;
  try {
    data = load(args[0]!);
    validate = compile(load(args[1]!));
  } catch (e) {
    if (e instanceof LoaderError) throw builtinError(e.message);
    throw e;
  }
  if (validate(data)) return [true, []];
  const keyed = dropAfterTypeErrors(selectBranches(validate.errors ?? [])).map((e) => ({ e, key: orderKey(e, validate.schema) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  const errors = keyed
    .map(({ e }) => e)
    .map((e) => translate(e, data))
    .filter((x): x is GoError => x !== undefined);
  return [false, errors.map(goErrorValue)];
}

function verifySchema(args: Value[]): Value {
  try {
    compile(load(args[0]!));
    return [true, null];
  } catch (e) {
    if (e instanceof LoaderError) return [false, `jsonschema: ${e.message}`];
    throw e;
  }
}

const DOC: TypeSpec = { oneOf: ['string', { object: ['any', 'any'] }] };

export const JSON_SCHEMA: BuiltinDecl[] = [
  { name: 'json.verify_schema', args: [DOC], result: { array: 'any' }, impl: verifySchema },
  { name: 'json.match_schema', args: [DOC, DOC], result: { array: 'any' }, impl: matchSchema },
];
