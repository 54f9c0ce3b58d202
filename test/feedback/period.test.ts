import { describe, expect, it } from 'vitest';
import { histogramQuantile, parseDuration, periodEnding, periodText } from '../../runner/feedback/period.ts';

describe('period', () => {
  it('parses durations and rejects unknown units', () => {
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('90m')).toBe(5400);
    expect(parseDuration('7 days')).toBeNull();
    expect(parseDuration('7y')).toBeNull();
    expect(() => periodEnding('soon', 0)).toThrow(/bad_period/);
    expect(periodText(periodEnding('7d', 1_000_000))).toBe('7 days');
  });

  it('interpolates quantiles like PromQL histogram_quantile', () => {
    const b: Array<[number, number]> = [[0.025, 400], [0.05, 1000], [0.1, 1200], [Infinity, 1200]];
    expect(histogramQuantile(0.95, b)).toBeCloseTo(0.085, 12);
    // rank inside the first bucket interpolates from 0
    expect(histogramQuantile(0.1, b)).toBeCloseTo(0.0075, 12);
    // rank in +Inf returns the highest finite bound, as Prometheus does
    expect(histogramQuantile(0.99, [[0.1, 10], [Infinity, 20]])).toBe(0.1);
    expect(histogramQuantile(0.5, [[0.1, 0], [Infinity, 0]])).toBeNull();
    expect(histogramQuantile(0.5, [[0.1, 5]])).toBeNull();
  });
});
