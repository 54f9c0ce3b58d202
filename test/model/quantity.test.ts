import { describe, expect, it } from 'vitest';
import { parseQuantity, parseTriggerCondition } from '../../runner/model/quantity.ts';

describe('parseQuantity', () => {
  it('parses the seed quantities into numbers with canonical units', () => {
    expect(parseQuantity('99.9%', 'percent')).toEqual({ ok: true, quantity: { value: 99.9, unit: '%', op: '=', text: '99.9%' } });
    expect(parseQuantity('<100ms', 'duration')).toEqual({ ok: true, quantity: { value: 100, unit: 'ms', op: '<', text: '<100ms' } });
    expect(parseQuantity('>1000 req/s', 'rate')).toEqual({ ok: true, quantity: { value: 1000, unit: 'req/s', op: '>', text: '>1000 req/s' } });
    expect(parseQuantity('$500/month', 'money')).toEqual({ ok: true, quantity: { value: 500, unit: 'USD/month', op: '=', text: '$500/month' } });
  });

  it('converts other units to the canonical one', () => {
    const v = (t: string, k: Parameters<typeof parseQuantity>[1]) => {
      const r = parseQuantity(t, k);
      if (!r.ok) throw new Error(r.message);
      return r.quantity.value;
    };
    expect(v('<0.2s', 'duration')).toBe(200);
    expect(v('<= 1.5 s', 'duration')).toBe(1500);
    expect(v('>6000 req/min', 'rate')).toBe(100);
    expect(v('$6000/year', 'money')).toBe(500);
    expect(v('1200 USD/month', 'money')).toBe(1200);
  });

  it('rejects unknown units instead of guessing', () => {
    const r = parseQuantity('<100 parsecs', 'duration');
    expect(r).toEqual({ ok: false, message: expect.stringContaining("unknown unit 'parsecs'") });
    expect(parseQuantity('$500/fortnight', 'money').ok).toBe(false);
    expect(parseQuantity('99.9', 'percent')).toEqual({ ok: false, message: expect.stringContaining('has no unit') });
    expect(parseQuantity('500/month', 'money')).toEqual({ ok: false, message: expect.stringContaining('US dollars') });
    expect(parseQuantity('$100ms', 'duration').ok).toBe(false);
    expect(parseQuantity('101%', 'percent')).toEqual({ ok: false, message: expect.stringContaining('more than 100%') });
    expect(parseQuantity('fast', 'duration')).toEqual({ ok: false, message: expect.stringContaining('not a duration quantity') });
  });
});

describe('parseTriggerCondition', () => {
  it('parses the seed §8 triggers', () => {
    expect(parseTriggerCondition("health_status == 'failed'")).toEqual({ ok: true, condition: { metric: 'health_status', op: '==', value: 'failed' } });
    expect(parseTriggerCondition('error_rate > 5%')).toEqual({ ok: true, condition: { metric: 'error_rate', op: '>', value: 5, unit: '%' } });
    expect(parseTriggerCondition('latency_p95 > 200ms')).toEqual({ ok: true, condition: { metric: 'latency_p95', op: '>', value: 200, unit: 'ms' } });
  });

  it('rejects unknown metrics, statuses and units', () => {
    expect(parseTriggerCondition('moon_phase > 3%').ok).toBe(false);
    expect(parseTriggerCondition("health_status == 'sleepy'").ok).toBe(false);
    expect(parseTriggerCondition("health_status > 'failed'").ok).toBe(false);
    expect(parseTriggerCondition('latency_p95 > 200 furlongs').ok).toBe(false);
    expect(parseTriggerCondition('restart everything').ok).toBe(false);
  });
});
