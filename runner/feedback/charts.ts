/**
 * The metrics as charts (Mermaid `xychart-beta`, which GitHub renders): each
 * metric per day over the period with the intent's target as a flat second
 * line, for the weekly report and the recommendation PR body. Pure.
 */
import { metricChart, mermaidBlock } from '../report/mermaid.ts';
import type { DailyFigures, IntentTargets, ServiceMetrics } from './types.ts';
import { round } from './period.ts';

/** The figures to draw: the source's own daily figures, else availability per day from its up/down series. */
export function dailyFigures(m: ServiceMetrics): DailyFigures[] {
  if (m.daily?.length) return m.daily;
  const days = new Map<string, number[]>();
  for (const [t, up] of m.series.availability) {
    const day = new Date((t - 1) * 1000).toISOString().slice(0, 10);
    (days.get(day) ?? days.set(day, []).get(day)!).push(up);
  }
  return [...days.entries()].map(([day, ups]) => ({ day, availability: (ups.reduce((a, b) => a + b, 0) / ups.length) * 100, latency_p95: null, error_rate: null }));
}

export interface ChartTargets {
  availability: number | null;
  latency_p95: number | null;
}

/**
 * Markdown: one chart per metric that has data on every day (a gap would
 * misalign the x axis), each titled with its target. Empty with fewer than
 * two days (a single point is not a trend; the table has the figure).
 */
export function metricCharts(daily: readonly DailyFigures[], targets: ChartTargets | Pick<IntentTargets, 'availability' | 'latency_p95'>, label = ''): string[] {
  if (daily.length < 2) return [];
  const x = daily.map((d) => d.day.slice(5));
  const prefix = label ? `${label}: ` : '';
  const out: string[] = [];
  const add = (title: string, values: Array<number | null>, target: number | null, unit: string) => {
    if (values.some((v) => v === null)) return;
    out.push(mermaidBlock(metricChart(`${prefix}${title}${target !== null ? `, target ${target} ${unit} (flat line)` : ''}`, x, values.map((v) => round(v!, 3)), target ?? undefined, unit)), '');
  };
  add('availability per day', daily.map((d) => d.availability), targets.availability, '%');
  add('p95 latency per day', daily.map((d) => d.latency_p95), targets.latency_p95, 'ms');
  add('5xx error rate per day', daily.map((d) => d.error_rate), null, '%');
  return out;
}
