import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action } from '../../runner/check/types.ts';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The repository's own contracts/ files, as a path → text map (tests mutate copies). */
export function repoContractFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(join(REPO, 'contracts'))) out[`contracts/${f}`] = readFileSync(join(REPO, 'contracts', f), 'utf8');
  return out;
}

export const SEED_TRIGGERS = [
  { condition: "health_status == 'failed'", action: 'restart_instance' },
  { condition: 'error_rate > 5%', action: 'restart_service' },
  { condition: 'latency_p95 > 200ms', action: 'scale_out' },
];

/** Seed §3 translation, with the seed §8 triggers the translator adds by default. */
export function seedActions(): Action[] {
  return [
    { action: 'create_load_balancer', config: { type: 'application', scheme: 'internet-facing' } },
    { action: 'deploy_instances', config: { count: 3, instance_type: 't3.medium', availability_zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'] } },
    { action: 'configure_auto_scaling', config: { min: 3, max: 10, target_cpu: 70 } },
    { action: 'setup_health_checks', config: { interval: 30, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3 } },
    {
      action: 'enable_self_healing',
      config: { recovery_policy: { strategy: 'restart', max_attempts: 3, timeout_seconds: 60 }, triggers: structuredClone(SEED_TRIGGERS) },
    },
  ];
}
