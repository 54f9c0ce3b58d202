/**
 * runner/generated/*.validator.js are ajv's standalone code for the runner's
 * JSON Schemas, committed so no run compiles a schema. They must be what the
 * generator makes of the schemas as they are now (on a failure:
 * `node scripts/build.ts validators`), and they must judge like ajv compiling
 * the schema at run time.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/build.ts';
import { generateValidators } from '../../scripts/validators.ts';
import validateIntent from '../../runner/generated/intent.validator.js';
import validateRecord from '../../runner/generated/audit-record.validator.js';
import intentSchema from '../../runner/intent/intent.schema.json' with { type: 'json' };
import { RECORD_SCHEMA } from '../../runner/audit/record.schema.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { checkSchema, loadContractsFromMap, newAjv, precompiledKey, schemaPointers, schemaUri } from '../../runner/contracts/load.ts';
import { PRECOMPILED } from '../../runner/generated/contracts.validators.js';
import { repoContractFiles, seedActions } from '../contracts/fixtures.ts';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

describe('precompiled schema validators', () => {
  it('are up to date with the schemas (node scripts/build.ts validators)', () => {
    const generated = generateValidators();
    const committed = readdirSync(join(ROOT, 'runner/generated')).map((f) => `runner/generated/${f}`).sort();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [path, text] of generated) expect(readFileSync(join(ROOT, path), 'utf8') === text, `${path} differs from a fresh generation`).toBe(true);
  });

  it('judge like ajv compiling the schema at run time (errors included)', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
    ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });
    addFormats(ajv);
    const runtime = ajv.compile(intentSchema);
    const seed = { intent: { id: 'DEPLOY-WEB-001', type: 'deployment', requirements: { scalability: { min_instances: 3, max_instances: 10 } }, constraints: { budget: '$500/month', region: ['us-west'] } } };
    const bad = { intent: { ...seed.intent, id: 'web 1', type: 'batch', extra: 1, requirements: { scalability: { min_instances: '3' } } } };
    for (const doc of [seed, bad, [], { intent: null }]) {
      expect(validateIntent(doc)).toBe(runtime(doc));
      const strip = (es: typeof runtime.errors) => (es ?? []).map(({ instancePath, keyword, params, message }) => ({ instancePath, keyword, params, message }));
      expect(strip(validateIntent.errors)).toEqual(strip(runtime.errors));
    }
    const rec = new Ajv({ strict: true });
    addFormats(rec);
    const runtimeRecord = rec.compile(RECORD_SCHEMA);
    for (const doc of [{}, { seq: 0, timestamp: 'yesterday' }]) {
      expect(validateRecord(doc)).toBe(runtimeRecord(doc));
      expect(validateRecord.errors?.[0]?.keyword).toBe(runtimeRecord.errors?.[0]?.keyword);
    }
  });

  it('the contracts are checked against the 2020-12 meta-schema as ajv itself would (same verdict, same message)', () => {
    const message = (f: () => void) => {
      try {
        f();
        return 'valid';
      } catch (e) {
        return (e as Error).message;
      }
    };
    const builtin = () => new Ajv2020({ allErrors: true, discriminator: true, strict: true, allowUnionTypes: true });
    const schemas = [{ type: 'object', properties: { a: { type: 'string', minLength: 1 } } }, { type: 'strin' }, { properties: 5, required: 'a' }, { $defs: { x: { enum: [] } }, items: [1] }];
    for (const schema of schemas) expect(message(() => checkSchema(newAjv(), schema)), JSON.stringify(schema)).toBe(message(() => builtin().validateSchema(schema, true)));
    expect(message(() => checkSchema(newAjv(), { type: 'strin' }))).toMatch(/^schema is invalid: data\/type must be equal to one of the allowed values/);
  });

  it('the shipped contracts, precompiled for each pointer, judge like their ajv compiling them at run time (errors included)', () => {
    const loaded = loadContractsFromMap(repoContractFiles());
    expect(loaded.diagnostics).toEqual([]);
    const ajv = newAjv();
    for (const c of loaded.contracts.values()) ajv.addSchema({ ...c.schema, $id: schemaUri(c.id) });
    const actions = seedActions();
    const broken = seedActions();
    delete broken[0]!.config.scheme;
    (broken[1]!.config as Record<string, unknown>).count = -1;
    (broken[4]!.config.recovery_policy as Record<string, unknown>).strategy = 'pray';
    const values: unknown[] = [actions, broken, [], [{ action: 'drop_database', config: {} }], ...actions.map((a) => a.config), ...broken.map((a) => a.config), {}, null, 'x', 7, { extra: 1 }];
    let compared = 0;
    for (const c of loaded.contracts.values()) {
      const pre = PRECOMPILED[precompiledKey(c.id, c.schema)];
      expect(pre, `${c.file} has no precompiled validators: node scripts/build.ts validators`).toBeDefined();
      expect(Object.keys(pre!)).toEqual(schemaPointers(c.schema));
      for (const pointer of schemaPointers(c.schema)) {
        const runtime = pointer === '#' ? ajv.getSchema(schemaUri(c.id))! : ajv.compile({ $ref: schemaUri(c.id) + pointer });
        const precompiled = pre![pointer]!;
        for (const v of values) {
          expect(precompiled(v), `${c.id}${pointer} on ${JSON.stringify(v)}`).toBe(runtime(v));
          expect(precompiled.errors ?? null).toEqual(runtime.errors ?? null);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
