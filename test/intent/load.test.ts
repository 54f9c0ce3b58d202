import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadIntent } from '../../runner/intent/load.ts';
import { MAX_INTENT_BYTES } from '../../runner/intent/paths.ts';
import { INTENT_SCHEMA } from '../../runner/intent/schema.ts';
import { TRANSLATORS } from '../../runner/translate/registry.ts';
import { PRICE_TABLE } from '../../runner/model/prices.ts';
import { REPO_ROOT, SEED_INTENT } from '../check/helpers.ts';
import { MALFORMED } from './malformed.ts';

describe('loadIntent', () => {
  it('accepts the seed intent verbatim, Chinese description included', () => {
    const file = 'intents/DEPLOY-WEB-001.yaml';
    const bytes = readFileSync(join(REPO_ROOT, file));
    const r = loadIntent(file, bytes);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.value.id).toBe('DEPLOY-WEB-001');
    expect(r.value.intent.description).toBe('部署高可用性 Web 服務，保證 99.9% 可用性');
    expect(r.value.quantities).toEqual({
      requirements: {
        availability: { value: 99.9, unit: '%', op: '=', text: '99.9%' },
        performance: { latency_p95: { value: 100, unit: 'ms', op: '<', text: '<100ms' }, throughput: { value: 1000, unit: 'req/s', op: '>', text: '>1000 req/s' } },
      },
      constraints: { budget: { value: 500, unit: 'USD/month', op: '=', text: '$500/month' } },
    });
  });

  it('the repository seed file is the seed of the worked example, byte for byte in content', () => {
    expect(readFileSync(join(REPO_ROOT, 'intents/DEPLOY-WEB-001.yaml'), 'utf8')).toBe(SEED_INTENT);
  });

  it('locates field paths at their key, and unwritten paths at the nearest written ancestor', () => {
    const r = loadIntent('intents/DEPLOY-WEB-001.yaml', SEED_INTENT);
    if (!r.ok) throw new Error('seed must load');
    expect(r.value.locate(['intent', 'constraints', 'budget'])).toEqual({ line: 17, col: 5 });
    expect(r.value.locate(['intent', 'constraints', 'region', 1])).toEqual({ line: 18, col: 25 });
    expect(r.value.locate(['intent', 'requirements', 'scalability', 'min_instances'])).toEqual({ line: 13, col: 7 });
    expect(r.value.locate(['intent', 'security', 'authentication'])).toEqual({ line: 2, col: 1 });
  });

  it('names file, line, column and field path in plain words for a wrong type', () => {
    const text = SEED_INTENT.replace('min_instances: 3', "min_instances: 'three'");
    const r = loadIntent('intents/DEPLOY-WEB-001.yaml', text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics).toEqual([
      {
        code: 'intent_schema_error',
        message: 'intent.requirements.scalability.min_instances must be a whole number, not the text "three"',
        file: 'intents/DEPLOY-WEB-001.yaml',
        line: 13,
        col: 7,
        path: 'intent.requirements.scalability.min_instances',
      },
    ]);
  });

  it('lists the allowed fields for an unknown one', () => {
    const r = loadIntent('intents/DEPLOY-WEB-001.yaml', SEED_INTENT.replace("  constraints:\n", '  constraints:\n    bugdet: 1\n'));
    expect(r.ok ? [] : r.diagnostics.map((d) => [d.line, d.message])).toEqual([
      [17, "unknown field 'bugdet' in intent.constraints; allowed fields: budget, region"],
    ]);
  });

  for (const m of MALFORMED.filter((x) => !x.e2eOnly && x.code !== 'translate_unknown_region')) {
    it(`rejects: ${m.name} → ${m.code} at line ${m.line}`, () => {
      const r = loadIntent(m.file, m.content);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.diagnostics[0]).toMatchObject({ code: m.code, file: m.file, line: m.line });
      expect(r.diagnostics[0]!.message.length).toBeGreaterThan(10);
      if (m.message) expect(r.diagnostics[0]!.message).toMatch(m.message);
    });
  }

  it('documents its size limit as 64 KiB', () => {
    expect(MAX_INTENT_BYTES).toBe(65536);
  });
});

describe('intent schema', () => {
  it('lists exactly the registered intent types', () => {
    expect(INTENT_SCHEMA.properties.intent.properties.type.enum).toEqual(Object.keys(TRANSLATORS));
  });

  it('offers only instance types the price table prices in every region', () => {
    const offered = INTENT_SCHEMA.properties.intent.properties.placement.properties.instance_type.enum;
    for (const [region, prices] of Object.entries(PRICE_TABLE.regions)) {
      for (const t of offered) expect(prices.instances[t], `${t} in ${region}`).toBeTypeOf('number');
    }
  });
});
