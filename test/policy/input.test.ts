import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { loadIntent } from '../../runner/intent/load.ts';
import { translate } from '../../runner/translate/registry.ts';
import { estimateCost } from '../../runner/translate/cost.ts';
import { buildPolicyInput } from '../../runner/policy/input.ts';
import { prepare } from '../../runner/rego/api.ts';
import { REPO_ROOT, SEED_INTENT, intentWith } from '../check/helpers.ts';

function inputFor(id: string, text: string) {
  const doc = loadIntent(`intents/${id}.yaml`, text);
  if (!doc.ok) throw new Error(JSON.stringify(doc.diagnostics));
  const t = translate(doc.value);
  if (!t.ok) throw new Error(JSON.stringify(t.diagnostics));
  const c = estimateCost(t.value.actions, t.value.region);
  if (!c.ok) throw new Error(JSON.stringify(c.diagnostics));
  return buildPolicyInput(doc.value, t.value, c.value);
}

const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'policies/input.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('policy input', () => {
  it('matches policies/input.schema.json for the seed and for intents using every option', () => {
    const all = intentWith(
      'ALL-001',
      {},
      [
        '  owner: team-web',
        '  placement: {instance_type: t3.large, zones: 2}',
        '  health_check: {path: /healthz, interval: 10, timeout: 3, healthy_threshold: 3, unhealthy_threshold: 2}',
        '  self_healing:',
        '    recovery_policy: {strategy: replace, max_attempts: 2, timeout_seconds: 90}',
        "    triggers: [{condition: 'error_rate > 2%', action: notify}]",
        '  security: {protocol: https, tls_policy: tls12, authentication: {method: cognito, issuer: "https://id.example.com"}}',
        '',
      ].join('\n'),
    );
    for (const input of [inputFor('DEPLOY-WEB-001', SEED_INTENT), inputFor('ALL-001', all)]) {
      expect(validate(input), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('the Rego test fixture policies/lib/fixtures_test.rego is exactly what the runner builds for the seed', () => {
    const text = readFileSync(join(REPO_ROOT, 'policies/lib/fixtures_test.rego'), 'utf8');
    const r = prepare([{ file: 'policies/lib/fixtures_test.rego', text }]);
    if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
    expect(r.value.evalRef(['gitops', 'testing', 'fixtures', 'seed'])).toEqual(inputFor('DEPLOY-WEB-001', SEED_INTENT));
  });
});
