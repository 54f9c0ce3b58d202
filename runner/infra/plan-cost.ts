/**
 * The cost estimate recomputed from the resource plan (not from the actions):
 * what the program actually builds, in every region it builds it, priced
 * with the translator's dated price table (runner/translate/cost.ts) and
 * Infracost's convention of 730 hours a month. Instances are priced at the
 * autoscaling group's minimum and maximum size.
 *
 * Resources the table has no price for, and usage-priced items, are listed as
 * assumptions rather than guessed.
 */
import type { CostEstimate, CostItem } from '../model/report.ts';
import { ASSUMED_LCU, PRICE_TABLE, type PriceTable } from '../model/prices.ts';
import type { IntentPlan, PlannedResource } from '../model/plan.ts';

const cents = (n: number) => Math.round(n * 100) / 100;

/** Billed by the hour but absent from the price table: named, not guessed. */
const HOURLY_UNPRICED: Record<string, string> = {
  'aws:ec2/natGateway:NatGateway': 'NAT gateway (hourly plus per GB processed)',
  'aws:ec2/eip:Eip': 'public IPv4 address (hourly)',
};

/** Priced by usage only: stated as assumptions. */
const USAGE_PRICED: Record<string, string> = {
  'aws:cloudwatch/metricAlarm:MetricAlarm': 'CloudWatch alarms: billed per alarm metric per month (a metric-math alarm counts each metric it reads); not in the price table',
  'aws:cloudwatch/logGroup:LogGroup': 'CloudWatch Logs: per GB ingested and stored (agent audit logs; volume depends on recovery activity)',
  'aws:ssm/document:Document': 'SSM Run Command on EC2: no charge; EventBridge delivery of AWS service events: no charge',
  'aws:lb/loadBalancer:LoadBalancer': 'data transfer out of AWS and EBS volumes (8 GiB gp3 per instance) are not included',
};

export function planCost(plan: IntentPlan, prices: PriceTable = PRICE_TABLE): CostEstimate {
  const h = prices.hours_per_month;
  const items: CostItem[] = [];
  const assumptions = new Set<string>(prices.assumptions);
  const byName = (stackRes: PlannedResource[], type: string) => stackRes.filter((r) => r.type === type);

  for (const stack of plan.stacks) {
    const rp = prices.regions[stack.region];
    const templates = new Map(byName(stack.resources, 'aws:ec2/launchTemplate:LaunchTemplate').map((t) => [t.id, t]));
    for (const g of byName(stack.resources, 'aws:autoscaling/group:Group')) {
      const lt = templates.get(String((g.inputs.launchTemplate as { id?: string } | undefined)?.id));
      const type = String(lt?.inputs.instanceType ?? 'unknown');
      const hourly = rp?.instances[type];
      const min = Number(g.inputs.minSize ?? 0);
      const max = Number(g.inputs.maxSize ?? min);
      if (hourly === undefined) {
        assumptions.add(`${stack.region}: no price for ${type} in the price table (${prices.date}); ${g.name} (${min}..${max} instances) is not included`);
        continue;
      }
      items.push({ resource: `${stack.region}/ec2:${type}`, quantity: min, unit_price: hourly, monthly_min: cents(min * h * hourly), monthly_max: cents(max * h * hourly) });
    }
    for (const lb of byName(stack.resources, 'aws:lb/loadBalancer:LoadBalancer')) {
      if (!rp) {
        assumptions.add(`${stack.region}: no load balancer price in the price table (${prices.date}); ${lb.name} is not included`);
        continue;
      }
      const fixed = cents(h * rp.alb_hour);
      items.push({ resource: `${stack.region}/elb:application`, quantity: 1, unit_price: rp.alb_hour, monthly_min: fixed, monthly_max: fixed });
      const lcu = cents(h * rp.alb_lcu_hour * ASSUMED_LCU);
      items.push({ resource: `${stack.region}/elb:lcu`, quantity: ASSUMED_LCU, unit_price: rp.alb_lcu_hour, monthly_min: lcu, monthly_max: lcu });
    }
    for (const [type, what] of Object.entries(HOURLY_UNPRICED)) {
      const n = byName(stack.resources, type).length;
      if (n) assumptions.add(`${stack.region}: ${n} × ${what} not priced (not in the price table ${prices.date}); add it for a complete figure`);
    }
  }
  for (const [type, what] of Object.entries(USAGE_PRICED)) {
    if (plan.stacks.some((s) => s.resources.some((r) => r.type === type))) assumptions.add(what);
  }
  return {
    currency: 'USD',
    hours_per_month: h,
    monthly_min: cents(items.reduce((s, i) => s + i.monthly_min, 0)),
    monthly_max: cents(items.reduce((s, i) => s + i.monthly_max, 0)),
    items,
    price_table: { source: prices.source, date: prices.date, region: plan.stacks.map((s) => s.region).join(', ') },
    assumptions: [...assumptions],
  };
}
