import { describe, expect, it } from 'vitest';
import { loadContractsFromMap } from '../../runner/contracts/load.ts';
import { metricCatalogue } from '../../runner/contracts/metric-catalogue.ts';
import { parseTrigger, parseTriggers } from '../../runner/contracts/triggers.ts';
import { repoContractFiles } from '../contracts/fixtures.ts';

const at = { file: 'intents/web.yaml', line: 12, col: 22 };
const catalogue = metricCatalogue(loadContractsFromMap(repoContractFiles()).contracts.get('contract.monitoring.v1')!);

describe('metricCatalogue', () => {
  it('reads metric names and units from the monitoring contract', () => {
    expect(Object.fromEntries([...catalogue].map(([k, v]) => [k, v.kind === 'number' ? v.unit : v.values]))).toEqual({
      health_status: ['healthy', 'degraded', 'failed', 'unknown'],
      availability: '%',
      latency_p50: 'ms',
      latency_p95: 'ms',
      latency_p99: 'ms',
      throughput: 'req/s',
      error_rate: '%',
      cpu_utilization: '%',
    });
  });
});

describe('parseTrigger', () => {
  it.each([
    ["health_status == 'failed'", { metric: 'health_status', operator: '==', threshold: { value: 'failed', unit: null } }],
    ['error_rate > 5%', { metric: 'error_rate', operator: '>', threshold: { value: 5, unit: '%' }, normalized: { value: 5, unit: '%' } }],
    ['latency_p95 > 200ms', { metric: 'latency_p95', operator: '>', threshold: { value: 200, unit: 'ms' }, normalized: { value: 200, unit: 'ms' } }],
    ['latency_p95>=0.2s', { metric: 'latency_p95', operator: '>=', threshold: { value: 0.2, unit: 's' }, normalized: { value: 200, unit: 'ms' } }],
    ['throughput < 1000 req/s', { metric: 'throughput', operator: '<', threshold: { value: 1000, unit: 'req/s' } }],
    ['availability <= 99.9%', { metric: 'availability', operator: '<=', threshold: { value: 99.9, unit: '%' } }],
    ['health_status != "healthy"', { metric: 'health_status', operator: '!=', threshold: { value: 'healthy', unit: null } }],
  ])('parses %s', (condition, expected) => {
    const r = parseTrigger(condition, at, catalogue);
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ ...expected, source: condition }) });
  });

  it('parses syntax without a catalogue (no validation)', () => {
    expect(parseTrigger('anything > 3furlongs', at)).toMatchObject({ ok: false });
    expect(parseTrigger('anything > 3ms', at)).toEqual({ ok: true, value: { metric: 'anything', operator: '>', threshold: { value: 3, unit: 'ms' }, source: 'anything > 3ms' } });
  });

  it.each([
    ['error_rate >', 'trigger_syntax_error'],
    ['error_rate => 5%', 'trigger_syntax_error'],
    ["health_status == 'failed", 'trigger_syntax_error'],
    ['error_rate > 5% or 6', 'trigger_syntax_error'],
    ['error_rate > 5 %%', 'trigger_unknown_unit'],
    ['cpu > 90%', 'trigger_unknown_metric'],
    ['latency_p95 > 200 parsecs', 'trigger_unknown_unit'],
    ['latency_p95 > 5%', 'trigger_unit_mismatch'],
    ['error_rate > 5', 'trigger_unit_missing'],
    ["error_rate > 'high'", 'trigger_type_mismatch'],
    ['health_status == 3', 'trigger_type_mismatch'],
    ["health_status > 'failed'", 'trigger_operator_invalid'],
    ["health_status == 'on_fire'", 'trigger_unknown_value'],
  ])('rejects %s with %s at file:line', (condition, code) => {
    const r = parseTrigger(condition, at, catalogue);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.diagnostics).toEqual([expect.objectContaining({ code, file: 'intents/web.yaml', line: 12, col: 22 })]);
  });
});

describe('parseTriggers', () => {
  it('collects expressions and per-trigger diagnostics at their own lines', () => {
    const out = parseTriggers(
      [{ condition: 'error_rate > 5%' }, { condition: 'nonsense' }, { condition: 42 }],
      (i) => ({ file: 'f.yaml', line: 10 + i, col: 5 }),
      catalogue,
    );
    expect(out.exprs).toHaveLength(1);
    expect(out.diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['trigger_syntax_error', 11],
      ['trigger_syntax_error', 12],
    ]);
  });
});
