/**
 * JSON Schema validation of intent documents (ajv), with ajv's errors turned
 * into plain sentences that name the field, plus the field path so the loader
 * can point at the line.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import schema from './intent.schema.json' with { type: 'json' };
import type { YamlPath } from '../model/intent.ts';
import { schemaErrorPath, shownPath } from '../core/schema-errors.ts';
// The schema compiled at build time (ajv standalone: strict, allErrors, verbose, formats, the
// `x-hint` keyword — plain-words help for pattern errors; scripts/validators.ts): no ajv
// compilation at start-up.
import compiled from '../generated/intent.validator.js';

export const INTENT_SCHEMA = schema;

function validator(): ValidateFunction {
  return compiled;
}

export interface SchemaProblem {
  path: YamlPath;
  message: string;
}

function describe(v: unknown): string {
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  // JSON.stringify prints NaN and ±Infinity as `null`: name YAML's .nan / .inf as what they are.
  if (typeof v === 'number' && Number.isNaN(v)) return '.nan (not a number)';
  if (typeof v === 'number' && !Number.isFinite(v)) return `${v > 0 ? '' : '-'}.inf (infinity)`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a text value (quote it)',
  integer: 'a whole number',
  number: 'a number',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  boolean: 'true or false',
};

function show(path: YamlPath): string {
  return shownPath(path, 'the document');
}

function sentence(e: ErrorObject): SchemaProblem {
  const { path, at } = schemaErrorPath(e);
  const field = show(path);
  const p = e.params as Record<string, unknown>;
  const hint = (e.parentSchema as Record<string, unknown> | undefined)?.['x-hint'] as string | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const allowed = Object.keys(((e.parentSchema as Record<string, unknown>)?.properties as object) ?? {});
      return { path: at, message: `unknown field '${name}' in ${field}; allowed fields: ${allowed.join(', ')}` };
    }
    case 'required':
      return { path, message: `${field} is missing the required field '${String(p.missingProperty)}'` };
    case 'type':
      return { path, message: `${field} must be ${TYPE_WORDS[String(p.type)] ?? String(p.type)}, not ${describe(e.data)}` };
    case 'enum':
      return { path, message: `${field} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${describe(e.data)}` };
    case 'pattern':
    case 'format':
      return { path, message: `${field}: ${describe(e.data)} is not valid: ${hint ?? `expected ${e.keyword} ${String(p.pattern ?? p.format)}`}` };
    case 'minimum':
    case 'maximum':
      return { path, message: `${field} must be ${e.keyword === 'minimum' ? 'at least' : 'at most'} ${String(p.limit)}, not ${typeof e.data === 'number' && !Number.isFinite(e.data) ? describe(e.data) : String(e.data)}` };
    case 'minItems':
      return { path, message: `${field} must list at least ${String(p.limit)} item(s)` };
    case 'maxItems':
      return { path, message: `${field} may list at most ${String(p.limit)} items` };
    case 'uniqueItems':
      return { path, message: `${field} lists the same value twice (items ${String(p.j)} and ${String(p.i)})` };
    case 'minLength':
      return { path, message: `${field} must not be empty${hint ? `: ${hint}` : ''}` };
    case 'maxLength':
      return { path, message: `${field} is longer than ${String(p.limit)} characters` };
    default:
      return { path, message: `${field} ${e.message ?? 'is not valid'}` };
  }
}

/** Problems of a parsed document, in document order of their paths; empty when valid. */
export function validateSchema(data: unknown): SchemaProblem[] {
  const v = validator();
  if (v(data)) return [];
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of v.errors ?? []) {
    const s = sentence(e);
    const key = JSON.stringify(s);
    if (!seen.has(key)) (seen.add(key), out.push(s));
  }
  return out;
}
