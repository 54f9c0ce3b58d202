/**
 * Translator for `type: deployment` (docs/intents.md, "Translation"): a highly available web service
 * behind an application load balancer.
 *
 * Deterministic: the same intent always gives the same actions, in the same
 * order (the order of docs/intents.md, "Translation"), with the same keys.
 *
 * Defaults, and why:
 * - Instance type t3.medium: 2 vCPU / 4 GiB fits a typical
 *   web process with room for the runtime; burstable CPU suits spiky web
 *   traffic at the lowest price that still has 4 GiB. Sustained load near
 *   the 70 % scaling target exceeds t3's 20 % per-vCPU baseline, so services
 *   that run hot should set `placement.instance_type: m5.large`.
 * - Three availability zones of the first region the intent lists: an
 *   application load balancer needs at least two; 99.9 % allows 43 minutes of
 *   downtime a month, less than a typical zone outage, so losing a zone must
 *   not take the service down. With three zones a zone loss removes a third
 *   of capacity instead of half, and min_instances = 3 keeps one instance in
 *   each zone.
 * - Health checks 30 s / 5 s / 2 healthy / 3 unhealthy (AWS's usual
 *   defaults): an instance is replaced after ~90 s of failure.
 * - Self-healing: restart, 3 attempts, 60 s timeout, and the three default
 *   triggers (docs/intents.md, "Self-healing triggers").
 * - Secure defaults the security policies judge: HTTPS on 443 with the TLS 1.3
 *   security policy, port 80 only redirecting to HTTPS, and OIDC
 *   authentication on the listener. An intent may opt out (`security:`), and
 *   the policies then deny it with the reason.
 */
import type { Action } from '../model/report.ts';
import { diag, fail, ok, type Diagnostic, type Result } from '../core/diagnostics.ts';
import type { IntentDoc } from '../model/intent.ts';
import { REGION_ZONES, resolveRegion } from '../model/regions.ts';
import type { Translation } from '../model/stage.ts';

export const DEFAULT_INSTANCE_TYPE = 't3.medium';
export const DEFAULT_ZONES = 3;
export const DEFAULT_TARGET_CPU = 70;
export const DEFAULT_HEALTH_CHECK = { interval: 30, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3, path: '/health' } as const;
export const DEFAULT_RECOVERY_POLICY = { strategy: 'restart', max_attempts: 3, timeout_seconds: 60 } as const;
export const DEFAULT_TRIGGERS = [
  { condition: "health_status == 'failed'", action: 'restart_instance' },
  { condition: 'error_rate > 5%', action: 'restart_service' },
  { condition: 'latency_p95 > 200ms', action: 'scale_out' },
] as const;

/** AWS's ELB security policies: TLS 1.3 + 1.2 (recommended), or TLS 1.2 only. */
export const TLS_POLICIES = {
  tls13: { ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06', tls_versions: ['TLSv1.2', 'TLSv1.3'] },
  tls12: { ssl_policy: 'ELBSecurityPolicy-TLS-1-2-2017-01', tls_versions: ['TLSv1.2'] },
} as const;

export function translateDeployment(doc: IntentDoc): Result<Translation> {
  const it = doc.intent;
  const problems: Diagnostic[] = [];
  const resolved: string[] = [];
  it.constraints.region.forEach((name, i) => {
    const r = resolveRegion(name);
    if (r) resolved.push(r);
    else {
      const path = ['intent', 'constraints', 'region', i];
      problems.push(
        diag('translate_unknown_region', `unknown region '${name}'; known: ${Object.keys(REGION_ZONES).join(', ')} (or us-west, us-east, eu-west, …)`, { file: doc.file, ...doc.locate(path), path: `intent.constraints.region[${i}]` }),
      );
    }
  });
  const wanted = it.placement?.regions ?? 1;
  if (problems.length === 0 && wanted > resolved.length) {
    problems.push(
      diag('translate_too_many_regions', `placement.regions is ${wanted} but the intent allows only ${resolved.length} region(s) in constraints.region`, { file: doc.file, ...doc.locate(['intent', 'placement', 'regions']), path: 'intent.placement.regions' }),
    );
  }
  if (problems.length) return fail(problems);
  const region = resolved[0]!;
  const zones = REGION_ZONES[region]!.slice(0, it.placement?.zones ?? DEFAULT_ZONES);

  const https = (it.security?.protocol ?? 'https') === 'https';
  const tls = TLS_POLICIES[it.security?.tls_policy ?? 'tls13'];
  const auth = it.security?.authentication ?? { method: 'oidc' as const };
  const { min_instances, max_instances } = it.requirements.scalability;

  const listeners = https
    ? [
        { protocol: 'HTTPS', port: 443, ssl_policy: tls.ssl_policy, tls_versions: [...tls.tls_versions] },
        { protocol: 'HTTP', port: 80, redirect_to_https: true },
      ]
    : [{ protocol: 'HTTP', port: 80, redirect_to_https: false }];

  const actions: Action[] = [
    {
      action: 'create_load_balancer',
      config: {
        type: 'application',
        scheme: 'internet-facing',
        listeners,
        authentication: { method: auth.method, required: auth.method !== 'none', ...(auth.issuer ? { issuer: auth.issuer } : {}) },
      },
    },
    {
      action: 'deploy_instances',
      config: { count: min_instances, instance_type: it.placement?.instance_type ?? DEFAULT_INSTANCE_TYPE, availability_zones: zones },
    },
    {
      action: 'configure_auto_scaling',
      config: { min: min_instances, max: max_instances, target_cpu: it.requirements.scalability.target_cpu ?? DEFAULT_TARGET_CPU },
    },
  ];
  if (it.health_check?.enabled !== false) {
    const hc = it.health_check ?? {};
    actions.push({
      action: 'setup_health_checks',
      config: {
        interval: hc.interval ?? DEFAULT_HEALTH_CHECK.interval,
        timeout: hc.timeout ?? DEFAULT_HEALTH_CHECK.timeout,
        healthy_threshold: hc.healthy_threshold ?? DEFAULT_HEALTH_CHECK.healthy_threshold,
        unhealthy_threshold: hc.unhealthy_threshold ?? DEFAULT_HEALTH_CHECK.unhealthy_threshold,
        path: hc.path ?? DEFAULT_HEALTH_CHECK.path,
      },
    });
  }
  if (it.self_healing?.enabled !== false) {
    const sh = it.self_healing ?? {};
    actions.push({
      action: 'enable_self_healing',
      config: {
        recovery_policy: { ...(sh.recovery_policy ?? DEFAULT_RECOVERY_POLICY) },
        triggers: (sh.triggers ?? DEFAULT_TRIGGERS).map((t) => ({ condition: t.condition, action: t.action })),
      },
    });
  }
  return ok({ actions, region, regions: resolved, deploy_regions: resolved.slice(0, wanted) });
}
