/**
 * The dated price table the cost estimates use (docs/intents.md, "Cost"):
 * the translator prices the actions with it (runner/translate/cost.ts) and
 * the preview prices the planned resources with it (runner/infra/plan-cost.ts).
 */
import table from './prices/aws-2026-11.json' with { type: 'json' };

export interface RegionPrices {
  instances: Record<string, number>;
  alb_hour: number;
  alb_lcu_hour: number;
}

export interface PriceTable {
  provider: string;
  date: string;
  currency: 'USD';
  source: string;
  notes?: string;
  hours_per_month: number;
  assumptions: string[];
  regions: Record<string, RegionPrices>;
}

/** The price table in use. To update prices, add a new dated file and point this at it. */
export const PRICE_TABLE = table as PriceTable;
/** Average Load Balancer Capacity Units per hour assumed for every load balancer (see the table's assumptions). */
export const ASSUMED_LCU = 1;

/** On-demand hourly USD price of an instance type in a region, or undefined when the table lacks it. */
export function instanceHourly(region: string, instanceType: string, prices: PriceTable = PRICE_TABLE): number | undefined {
  return prices.regions[region]?.instances[instanceType];
}
