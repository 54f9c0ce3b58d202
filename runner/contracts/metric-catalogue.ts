/**
 * The metric catalogue a trigger may name, read from the monitoring contract
 * (contract.monitoring.v1): `schema.properties.metrics.properties.*` plus every
 * top-level property marked `x-metric: true` (health_status). Numeric metrics
 * carry their unit in `x-unit`; enumerated ones list their values in `enum`.
 * Deriving it from the contract (not a list in code) means a contract change
 * is what changes which triggers are valid.
 */
import type { ContractDoc } from './load.ts';

export type MetricSpec =
  | { kind: 'number'; unit: string | null; path: string[] }
  | { kind: 'enum'; values: string[]; path: string[] };

export type MetricCatalogue = ReadonlyMap<string, MetricSpec>;

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function specOf(schema: Record<string, unknown>, path: string[]): MetricSpec | undefined {
  if (Array.isArray(schema.enum)) return { kind: 'enum', values: schema.enum.map(String), path };
  const type = schema.type;
  const numeric = type === 'number' || type === 'integer' || (Array.isArray(type) && type.every((t) => t === 'number' || t === 'integer'));
  if (numeric) return { kind: 'number', unit: typeof schema['x-unit'] === 'string' ? schema['x-unit'] : null, path };
  return undefined;
}

export function metricCatalogue(monitoring: Pick<ContractDoc, 'schema'>): MetricCatalogue {
  const out = new Map<string, MetricSpec>();
  const props = obj(monitoring.schema.properties) ?? {};
  for (const [name, s] of Object.entries(props)) {
    const schema = obj(s);
    if (schema?.['x-metric'] === true) {
      const spec = specOf(schema, ['schema', 'properties', name]);
      if (spec) out.set(name, spec);
    }
  }
  const metrics = obj(obj(obj(props.metrics)?.properties)) ?? {};
  for (const [name, s] of Object.entries(metrics)) {
    const schema = obj(s);
    const spec = schema && specOf(schema, ['schema', 'properties', 'metrics', 'properties', name]);
    if (spec) out.set(name, spec);
  }
  return out;
}
