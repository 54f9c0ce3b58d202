/**
 * The targets an intent sets (seed §1), read for the feedback comparison.
 *
 * The check's loader (runner/intent/) validates intents fully; the feedback
 * loop only runs on intents already merged through that check, so it reads
 * just the fields it compares against and reports anything unparseable at its
 * line instead of guessing.
 */
import { isScalar, LineCounter, parseDocument } from 'yaml';
import { diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import type { IntentTargets } from './types.ts';

/** '99.9%' → 99.9; '<100ms' → 100; '0.1s' → 100; '>1000 req/s' → 1000; '$500/month' → 500. */
const QUANTITIES = {
  availability: { re: /^(\d+(?:\.\d+)?)\s*%$/, scale: () => 1, example: "'99.9%'" },
  latency_p95: { re: /^<?=?\s*(\d+(?:\.\d+)?)\s*(ms|s)$/, scale: (u?: string) => (u === 's' ? 1000 : 1), example: "'<100ms'" },
  throughput: { re: /^>?=?\s*(\d+(?:\.\d+)?)\s*(req\/s|rps)$/, scale: () => 1, example: "'>1000 req/s'" },
  budget: { re: /^\$\s*(\d+(?:\.\d+)?)\s*\/\s*month$/, scale: () => 1, example: "'$500/month'" },
} as const;

const PATHS = {
  availability: ['intent', 'requirements', 'availability'],
  latency_p95: ['intent', 'requirements', 'performance', 'latency_p95'],
  throughput: ['intent', 'requirements', 'performance', 'throughput'],
  budget: ['intent', 'constraints', 'budget'],
  min_instances: ['intent', 'requirements', 'scalability', 'min_instances'],
  max_instances: ['intent', 'requirements', 'scalability', 'max_instances'],
} as const;

export const MIN_INSTANCES_PATH = [...PATHS.min_instances];

export function readTargets(text: string, file: string, services: Readonly<Record<string, string>> = {}): Result<IntentTargets> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    return fail(diag('intent_yaml_error', e.message.split('\n')[0]!, { file, line: e.linePos?.[0]?.line ?? 1 }));
  }
  const problems: Diagnostic[] = [];
  const at = (path: readonly string[]) => {
    const node = doc.getIn(path, true);
    const pos = isScalar(node) && node.range ? lc.linePos(node.range[0]) : undefined;
    return { node, line: pos?.line, col: pos?.col };
  };
  const quantity = (k: keyof typeof QUANTITIES): number | null => {
    const { node, line, col } = at(PATHS[k]);
    if (node === undefined) return null;
    const v = isScalar(node) ? node.value : undefined;
    const m = typeof v === 'string' ? QUANTITIES[k].re.exec(v.trim()) : null;
    if (!m) {
      problems.push(diag('intent_bad_quantity', `${PATHS[k].join('.')} must look like ${QUANTITIES[k].example}, got ${JSON.stringify(v ?? null)}`, { file, line, col, path: PATHS[k].join('.') }));
      return null;
    }
    return Number(m[1]) * QUANTITIES[k].scale(m[2]);
  };
  const integer = (k: 'min_instances' | 'max_instances'): number | null => {
    const { node, line, col } = at(PATHS[k]);
    if (node === undefined) return null;
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      problems.push(diag('intent_bad_quantity', `${PATHS[k].join('.')} must be a non-negative integer`, { file, line, col, path: PATHS[k].join('.') }));
      return null;
    }
    return v;
  };
  const id = doc.getIn(['intent', 'id']);
  if (typeof id !== 'string') return fail(diag('intent_missing_id', 'intent.id is missing', { file, line: 1, path: 'intent.id' }));
  const t: IntentTargets = {
    id,
    file,
    availability: quantity('availability'),
    latency_p95: quantity('latency_p95'),
    throughput: quantity('throughput'),
    budget: quantity('budget'),
    min_instances: integer('min_instances'),
    max_instances: integer('max_instances'),
    service: services[id] ?? id,
  };
  return problems.length > 0 ? fail(problems) : ok(t);
}
