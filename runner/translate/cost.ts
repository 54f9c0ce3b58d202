/**
 * Monthly cost of translated actions, at minimum and at maximum capacity:
 * instances × 730 h × hourly price + the load balancer (hourly + an assumed
 * LCU rate), from a dated price table in the repository.
 *
 * Reused by the feedback loop for recommendation cost deltas
 * (`estimateCost(actions)` before and after).
 */
import type { Action, CostDelta, CostEstimate, CostItem } from '../model/report.ts';
import { diag, fail, ok, type Result } from '../core/diagnostics.ts';
import { regionOfZone } from '../model/regions.ts';
import { ASSUMED_LCU, PRICE_TABLE, type PriceTable } from '../model/prices.ts';

const cents = (n: number) => Math.round(n * 100) / 100;

function cfg(actions: readonly Action[], name: string): Record<string, unknown> | undefined {
  return actions.find((a) => a.action === name)?.config;
}

/**
 * Estimate the monthly cost. The region is taken from `region`, else from the
 * first availability zone of `deploy_instances`. Minimum capacity uses
 * `configure_auto_scaling.min` (else `deploy_instances.count`), maximum uses
 * `configure_auto_scaling.max` (else the same count).
 */
export function estimateCost(actions: readonly Action[], region?: string, prices: PriceTable = PRICE_TABLE): Result<CostEstimate> {
  const deploy = cfg(actions, 'deploy_instances');
  const scaling = cfg(actions, 'configure_auto_scaling');
  const lb = cfg(actions, 'create_load_balancer');
  const zones = (deploy?.availability_zones as string[] | undefined) ?? [];
  const where = region ?? (zones[0] ? regionOfZone(zones[0]) : undefined);
  if (!where) return fail(diag('cost_unknown_region', 'cannot tell the region of the deployment (no region given and no known availability zone)'));
  const rp = prices.regions[where];
  if (!rp) return fail(diag('cost_unknown_region', `the price table (${prices.date}) has no prices for region ${where}`));
  const h = prices.hours_per_month;
  const items: CostItem[] = [];
  if (deploy) {
    const type = String(deploy.instance_type);
    const hourly = rp.instances[type];
    if (hourly === undefined) return fail(diag('cost_unknown_instance_type', `the price table (${prices.date}) has no price for ${type} in ${where}`));
    const count = Number(deploy.count);
    const min = Number(scaling?.min ?? count);
    const max = Number(scaling?.max ?? count);
    items.push({ resource: `ec2:${type}`, quantity: min, unit_price: hourly, monthly_min: cents(min * h * hourly), monthly_max: cents(max * h * hourly) });
  }
  if (lb) {
    const fixed = cents(h * rp.alb_hour);
    items.push({ resource: `elb:${String(lb.type ?? 'application')}`, quantity: 1, unit_price: rp.alb_hour, monthly_min: fixed, monthly_max: fixed });
    const lcu = cents(h * rp.alb_lcu_hour * ASSUMED_LCU);
    items.push({ resource: 'elb:lcu', quantity: ASSUMED_LCU, unit_price: rp.alb_lcu_hour, monthly_min: lcu, monthly_max: lcu });
  }
  return ok({
    currency: 'USD',
    hours_per_month: h,
    monthly_min: cents(items.reduce((s, i) => s + i.monthly_min, 0)),
    monthly_max: cents(items.reduce((s, i) => s + i.monthly_max, 0)),
    items,
    price_table: { source: prices.source, date: prices.date, region: where },
    assumptions: [...prices.assumptions],
  });
}

/**
 * The cost of a deployment to several regions: each region is a full copy
 * (load balancer + instances at the same min/max), priced with that region's
 * prices; items are prefixed with their region when there is more than one.
 */
export function estimateCostAcross(actions: readonly Action[], regions: readonly string[], prices: PriceTable = PRICE_TABLE): Result<CostEstimate> {
  if (regions.length <= 1) return estimateCost(actions, regions[0], prices);
  const parts: CostEstimate[] = [];
  for (const region of regions) {
    const r = estimateCost(actions, region, prices);
    if (!r.ok) return r;
    parts.push(r.value);
  }
  const items = parts.flatMap((p) => p.items.map((i) => ({ ...i, resource: `${p.price_table.region}/${i.resource}` })));
  return ok({
    ...parts[0]!,
    monthly_min: cents(parts.reduce((s, p) => s + p.monthly_min, 0)),
    monthly_max: cents(parts.reduce((s, p) => s + p.monthly_max, 0)),
    items,
    price_table: { ...parts[0]!.price_table, region: regions.join(', ') },
  });
}

const pct = (from: number, to: number) => (from === 0 ? null : Math.round(((to - from) / from) * 1000) / 10);

/**
 * Base → head monthly cost at minimum and maximum capacity (absolute and
 * percent, like Infracost's "monthly cost will increase by $60.74 (+18%)"),
 * and the budget headroom left at maximum capacity after the change.
 * A missing side counts as $0 (an added or a deleted intent).
 */
export function costDelta(base: CostEstimate | undefined, head: CostEstimate | undefined): CostDelta {
  const [bMin, bMax, hMin, hMax] = [base?.monthly_min ?? 0, base?.monthly_max ?? 0, head?.monthly_min ?? 0, head?.monthly_max ?? 0];
  const budget = head?.budget ?? base?.budget;
  return {
    base_min: bMin,
    base_max: bMax,
    head_min: hMin,
    head_max: hMax,
    delta_min: cents(hMin - bMin),
    delta_max: cents(hMax - bMax),
    pct_min: pct(bMin, hMin),
    pct_max: pct(bMax, hMax),
    ...(budget !== undefined ? { budget, headroom: cents(budget - (head ? hMax : 0)) } : {}),
  };
}

/** The PR's total: the sum of the intents' deltas (deleted intents count with their base cost gone). */
export function totalDelta(deltas: readonly CostDelta[]): CostDelta {
  const sum = (k: 'base_min' | 'base_max' | 'head_min' | 'head_max') => cents(deltas.reduce((s, d) => s + d[k], 0));
  const [bMin, bMax, hMin, hMax] = [sum('base_min'), sum('base_max'), sum('head_min'), sum('head_max')];
  return { base_min: bMin, base_max: bMax, head_min: hMin, head_max: hMax, delta_min: cents(hMin - bMin), delta_max: cents(hMax - bMax), pct_min: pct(bMin, hMin), pct_max: pct(bMax, hMax) };
}
