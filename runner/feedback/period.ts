/**
 * Periods (`7d`, `24h`, `90m`) and the arithmetic every source shares.
 */
import { GitopsError, diag } from '../core/diagnostics.ts';
import type { Period, Sample } from './types.ts';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

/** `7d` → 604800. Unknown units are errors, never guesses. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * UNIT_SECONDS[m[2] as keyof typeof UNIT_SECONDS];
}

export function periodEnding(label: string, end: number): Period {
  const seconds = parseDuration(label);
  if (seconds === null || seconds <= 0) {
    throw new GitopsError(diag('bad_period', `period '${label}' is not a duration like 7d, 24h or 90m`));
  }
  return { start: end - seconds, end, label };
}

export function periodSeconds(p: Period): number {
  return p.end - p.start;
}

/** Human label for reports: `7d` → `7 days` (the analysis document's `period: 7 days`, docs/feedback.md). */
export function periodText(p: Period): string {
  const s = periodSeconds(p);
  if (s % 86_400 === 0) return `${s / 86_400} day${s === 86_400 ? '' : 's'}`;
  if (s % 3600 === 0) return `${s / 3600} hour${s === 3600 ? '' : 's'}`;
  return `${Math.round(s / 60)} minutes`;
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function maxSample(series: readonly Sample[]): Sample | null {
  let best: Sample | null = null;
  for (const s of series) if (best === null || s[1] > best[1]) best = s;
  return best;
}

export function mean(series: readonly Sample[]): number {
  if (series.length === 0) return 0;
  return series.reduce((a, s) => a + s[1], 0) / series.length;
}

/**
 * The φ-quantile of a cumulative histogram, interpolated linearly inside the
 * bucket the rank falls in — the same rule as PromQL's histogram_quantile, so
 * the file source and Prometheus agree on the same data.
 * `buckets`: [upper bound, cumulative count], sorted, last bound +Inf.
 */
export function histogramQuantile(q: number, buckets: ReadonlyArray<readonly [number, number]>): number | null {
  if (buckets.length < 2 || buckets[buckets.length - 1]![0] !== Infinity) return null;
  const total = buckets[buckets.length - 1]![1];
  if (total <= 0) return null;
  const rank = q * total;
  let i = buckets.findIndex((b) => b[1] >= rank);
  if (i === buckets.length - 1) return buckets[buckets.length - 2]![0];
  const [upper, count] = buckets[i]!;
  const [lower, below] = i === 0 ? [0, 0] : buckets[i - 1]!;
  if (count === below) return upper;
  return lower + (upper - lower) * ((rank - below) / (count - below));
}
