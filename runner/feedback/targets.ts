/**
 * The targets an intent sets (its `requirements`, docs/intents.md), read for the feedback comparison with
 * the check's own loader (runner/intent/load.ts): the same schema, the same
 * quantity parser, the same file:line errors — the feedback loop compares
 * against exactly what the check judged.
 */
import { fail, ok, type Result } from '../core/diagnostics.ts';
import { loadIntent } from '../intent/load.ts';
import type { Quantity } from '../model/quantity.ts';
import type { QuantityTree } from '../model/intent.ts';
import type { IntentTargets } from './types.ts';

export const MIN_INSTANCES_PATH = ['intent', 'requirements', 'scalability', 'min_instances'];

function quantity(tree: QuantityTree, path: readonly string[]): number | null {
  let node: unknown = tree;
  for (const k of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[k] : undefined;
  return node && typeof (node as Quantity).value === 'number' ? (node as Quantity).value : null;
}

export function readTargets(text: string, file: string, services: Readonly<Record<string, string>> = {}): Result<IntentTargets> {
  const loaded = loadIntent(file, text);
  if (!loaded.ok) return fail(loaded.diagnostics);
  const doc = loaded.value;
  const q = doc.quantities;
  return ok({
    id: doc.id,
    file,
    availability: quantity(q, ['requirements', 'availability']),
    latency_p95: quantity(q, ['requirements', 'performance', 'latency_p95']),
    throughput: quantity(q, ['requirements', 'performance', 'throughput']),
    budget: quantity(q, ['constraints', 'budget']),
    min_instances: doc.intent.requirements.scalability.min_instances,
    max_instances: doc.intent.requirements.scalability.max_instances,
    service: services[doc.id] ?? doc.id,
  });
}
