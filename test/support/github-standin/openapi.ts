/**
 * GitHub's contract, enforced: request parameters, request bodies and
 * response bodies of the stand-in are validated with ajv against the subset of
 * GitHub's published OpenAPI description (openapi-subset.json, cut by
 * cut-openapi.ts from @octokit/openapi). A stand-in that drifts from the real
 * API fails its own validation instead of silently teaching the client wrong
 * habits.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { OperationId } from './operations.ts';

// ajv-formats is CommonJS with a default export; under nodenext ESM its type is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const here = dirname(fileURLToPath(import.meta.url));
type Obj = Record<string, unknown>;

export interface DescriptionInfo {
  /** `info.version` of the description the subset was cut from (@octokit/openapi's version). */
  version: string;
  source: string;
  operations: readonly string[];
}

export interface Operation {
  id: OperationId;
  method: string;
  template: string;
  regex: RegExp;
  pathParams: string[];
  validatePath: ValidateFunction;
  validateQuery: ValidateFunction;
  queryNames: Set<string>;
  validateBody: ValidateFunction | undefined;
  bodyRequired: boolean;
  responses: Map<string, ValidateFunction | null>;
}

export interface Violation {
  operation: string;
  method: string;
  url: string;
  where: 'request.path' | 'request.query' | 'request.body' | 'response.body' | 'response.status' | 'route';
  status?: number;
  errors: string[];
}

/** OpenAPI 3.0 `nullable` is not JSON Schema: rewrite it to a null alternative ajv understands. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const src = node as Obj;
  const out: Obj = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'nullable' || k.startsWith('x-') || k === 'deprecated') continue;
    // Local refs become refs into the registered document, so any sub-schema compiles on its own.
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) {
      out[k] = 'gh' + v;
      continue;
    }
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Obj).map(([n, s]) => [n, toJsonSchema(s)])) : toJsonSchema(v);
  }
  if (src.nullable === true) {
    if (typeof out.type === 'string' && out.enum === undefined) out.type = [out.type, 'null'];
    else return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`);
}

export class OpenApiContract {
  readonly info: DescriptionInfo;
  readonly operations: Operation[];
  private readonly errorBody: ValidateFunction;

  constructor(file = join(here, 'openapi-subset.json')) {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Obj;
    const doc = toJsonSchema(raw) as Obj;
    const info = raw.info as Obj;
    this.info = { version: String(info.version), source: String(info['x-source']), operations: info['x-operations'] as string[] };
    // strict:false: the description carries OpenAPI-only keywords (title on
    // parameters, `in`, `content`) that are not JSON Schema vocabulary.
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    ajv.addFormat('repo.nwo', /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
    ajv.addSchema(doc, 'gh');
    // Query and path values arrive as strings; coerce them to the declared types like GitHub does.
    const coercing = new Ajv({ strict: false, allErrors: true, coerceTypes: true, validateSchema: false });
    addFormats(coercing);
    coercing.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    coercing.addSchema(doc, 'gh');

    const components = doc.components as Record<string, Obj>;
    const deref = (n: Obj): Obj => {
      const ref = n.$ref;
      if (typeof ref !== 'string') return n;
      const [, kind, name] = /^gh#\/components\/([^/]+)\/(.+)$/.exec(ref)!;
      return deref(components[kind!]![name!] as Obj);
    };
    this.errorBody = ajv.compile({ $ref: 'gh#/components/schemas/basic-error' });

    this.operations = [];
    for (const [template, item] of Object.entries(doc.paths as Record<string, Obj>)) {
      for (const [method, opRaw] of Object.entries(item)) {
        const op = opRaw as Obj;
        const params = ((op.parameters as Obj[] | undefined) ?? []).map(deref);
        const schemaOf = (where: string) => {
          const ps = params.filter((p) => p.in === where);
          return {
            type: 'object',
            properties: Object.fromEntries(ps.map((p) => [p.name as string, p.schema ?? {}])),
            required: ps.filter((p) => p.required === true).map((p) => p.name as string),
          };
        };
        const pathParams = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
        // Git refs are multi-segment (`heads/feature/x`): Octokit does not encode their slashes.
        const regex = new RegExp(
          '^' + template.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'ref' && template.includes('/git/') ? '(.+)' : '([^/]+)')) + '$',
        );
        const body = op.requestBody ? deref(op.requestBody as Obj) : undefined;
        const bodySchema = body ? ((body.content as Record<string, Obj>)['application/json']!.schema as Obj) : undefined;
        const responses = new Map<string, ValidateFunction | null>();
        for (const [status, resRaw] of Object.entries(op.responses as Record<string, Obj>)) {
          const res = deref(resRaw);
          const json = (res.content as Record<string, Obj> | undefined)?.['application/json'];
          if (!json) {
            responses.set(status, null);
            continue;
          }
          responses.set(status, ajv.compile(json.schema as Obj));
        }
        // A requestBody given through components/requestBodies is not used by the operations we serve.
        this.operations.push({
          id: op.operationId as OperationId,
          method: method.toUpperCase(),
          template,
          regex,
          pathParams,
          validatePath: coercing.compile(schemaOf('path')),
          validateQuery: coercing.compile(schemaOf('query')),
          queryNames: new Set(params.filter((p) => p.in === 'query').map((p) => p.name as string)),
          validateBody: bodySchema ? ajv.compile(bodySchema) : undefined,
          bodyRequired: body?.required === true,
          responses,
        });
      }
    }
    // Literal-heavy templates first, so `/issues/comments/{id}` wins over `/issues/{number}`.
    this.operations.sort((a, b) => literalWeight(b.template) - literalWeight(a.template));
  }

  route(method: string, pathname: string): { op: Operation; params: Record<string, string> } | undefined {
    for (const op of this.operations) {
      if (op.method !== method) continue;
      const m = op.regex.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      op.pathParams.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      return { op, params };
    }
    return undefined;
  }

  /** Problems with the request, as readable strings; empty when it conforms. */
  checkRequest(op: Operation, path: Record<string, unknown>, query: Record<string, unknown>, body: unknown): Array<{ where: Violation['where']; errors: string[] }> {
    const out: Array<{ where: Violation['where']; errors: string[] }> = [];
    if (!op.validatePath({ ...path })) out.push({ where: 'request.path', errors: formatErrors(op.validatePath.errors) });
    const unknown = Object.keys(query).filter((k) => !op.queryNames.has(k));
    if (unknown.length) out.push({ where: 'request.query', errors: unknown.map((k) => `unknown query parameter '${k}'`) });
    if (!op.validateQuery({ ...query })) out.push({ where: 'request.query', errors: formatErrors(op.validateQuery.errors) });
    if (op.validateBody) {
      if (body === undefined) {
        if (op.bodyRequired) out.push({ where: 'request.body', errors: ['request body is required'] });
      } else if (!op.validateBody(body)) out.push({ where: 'request.body', errors: formatErrors(op.validateBody.errors) });
    } else if (body !== undefined && op.method !== 'GET') {
      out.push({ where: 'request.body', errors: ['operation takes no request body'] });
    }
    return out;
  }

  /**
   * Problems with a response. Statuses the description lists are validated
   * against their schema; error statuses it does not list for the operation
   * (injected 5xx, secondary rate limits) against GitHub's generic error body.
   */
  checkResponse(op: Operation, status: number, body: unknown): Array<{ where: Violation['where']; errors: string[] }> {
    const key = String(status);
    if (op.responses.has(key)) {
      const v = op.responses.get(key);
      if (v === null || v === undefined) return body === undefined || body === '' ? [] : [{ where: 'response.body', errors: [`status ${status} is documented without a JSON body`] }];
      return v(body) ? [] : [{ where: 'response.body', errors: formatErrors(v.errors) }];
    }
    if (status >= 400) return this.errorBody(body) ? [] : [{ where: 'response.body', errors: formatErrors(this.errorBody.errors) }];
    return [{ where: 'response.status', errors: [`status ${status} is not documented for ${op.id}`] }];
  }
}

function literalWeight(template: string): number {
  return template.split('/').filter((s) => s && !s.startsWith('{')).length * 10 - (template.match(/\{/g)?.length ?? 0);
}
