/**
 * Translated actions in the shapes the translator (runner/translate/deployment.ts)
 * produces for the sample intent, with an explicit region per deploy_instances, for tests that must not depend on the
 * translator. The e2e tests use the real translator through the CLI.
 */
import type { Action } from '../../runner/model/report.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../../runner/core/context.ts';
import { parseIamTable, type IamTable } from '../../runner/core/iam-table.ts';

export const SEED_TRIGGERS = [
  { condition: "health_status == 'failed'", action: 'restart_instance' },
  { condition: 'error_rate > 5%', action: 'restart_service' },
  { condition: 'latency_p95 > 200ms', action: 'scale_out' },
];

export function seedActions(opts: { regions?: Record<string, string[]>; selfHealing?: boolean } = {}): Action[] {
  const regions = opts.regions ?? { 'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'] };
  const actions: Action[] = [
    {
      action: 'create_load_balancer',
      config: {
        type: 'application',
        scheme: 'internet-facing',
        listeners: [
          { protocol: 'HTTPS', port: 443, ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', tls_versions: ['TLSv1.2', 'TLSv1.3'] },
          { protocol: 'HTTP', port: 80, redirect_to_https: true },
        ],
        authentication: { method: 'oidc', required: true },
      },
    },
    ...Object.entries(regions).map(([region, zones]): Action => ({ action: 'deploy_instances', config: { count: 3, instance_type: 't3.medium', availability_zones: zones, region } })),
    { action: 'configure_auto_scaling', config: { min: 3, max: 10, target_cpu: 70 } },
    { action: 'setup_health_checks', config: { interval: 30, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3, path: '/health' } },
  ];
  if (opts.selfHealing !== false) {
    actions.push({ action: 'enable_self_healing', config: { recovery_policy: { strategy: 'restart', max_attempts: 3, timeout_seconds: 60 }, triggers: SEED_TRIGGERS } });
  }
  return actions;
}

/** The three agents of docs/agents.md (scaling with AGENT-AUDIT-001's write:audit_logs) plus one runner agent. */
export const SEED_AGENTS: Agent[] = [
  { agent_id: 'monitoring-agent-001', type: 'monitoring', version: '2.1.0', permissions: ['read:metrics', 'write:health_status'] },
  { agent_id: 'self-healing-agent-001', type: 'self-healing', version: '1.5.0', permissions: ['read:health_status', 'execute:recovery', 'write:audit_logs'] },
  { agent_id: 'scaling-agent-001', type: 'auto-scaling', version: '1.3.0', permissions: ['read:metrics', 'execute:scale_operations', 'write:audit_logs'] },
  { agent_id: 'policy-engine', type: 'policy', version: '1.0.0', permissions: ['read:intents', 'read:policies', 'write:audit_logs'] },
];

/** The sample repository's IAM table (agents/iam-permissions.yaml): the roles are built from it. */
export const IAM_TABLE: IamTable = (() => {
  const r = parseIamTable(readFileSync(join(import.meta.dirname, '../../agents/iam-permissions.yaml'), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
})();

/** What stackSpecs / previewPlan take as `agents`. */
export const SEED_AGENT_INPUT = { registry: SEED_AGENTS, iamTable: IAM_TABLE };
