/**
 * The metric-source registry (explicit map, no scanning) and its
 * configuration, `metrics/sources.yaml`:
 *
 *   source: file            # file | prometheus | cloudwatch
 *   period: 7d
 *   services:               # intent id → the `service` label metrics carry
 *     DEPLOY-WEB-001: web-service-001
 *   file:
 *     path: metrics/sample/{intent_id}.csv
 *   prometheus:
 *     url: http://127.0.0.1:9090
 *     queries: { availability: '…' }   # optional overrides, see prometheus.ts
 *   cloudwatch:
 *     region: us-west-2
 *     endpoint: http://…    # optional; else AWS_ENDPOINT_URL_CLOUDWATCH, else AWS
 *     resources:
 *       DEPLOY-WEB-001: { load_balancer: app/…, target_group: targetgroup/…, autoscaling_group: … }
 *
 * AWS credentials never live in the file: the CloudWatch client takes them
 * from the AWS SDK's default credential chain (env, profiles incl. SSO, web
 * identity/OIDC, ECS/EC2 metadata); tests may pass explicit ones.
 */
import { readRepoTextSync } from '../../core/files.ts';
import { isMap } from 'yaml';
import { parseYaml } from '../../core/yaml.ts';
import { diag, GitopsError, type Diagnostic } from '../../core/diagnostics.ts';
import { parseDuration } from '../period.ts';
import type { MetricSource } from '../types.ts';
import { createCloudWatchSource, type CloudWatchCredentials, type CloudWatchResources } from './cloudwatch.ts';
import { createFileSource, type FileSourceConfig } from './file.ts';
import { createPrometheusSource, DEFAULT_PROMETHEUS_QUERIES, type PrometheusQueries } from './prometheus.ts';

export const SOURCES_FILE = 'metrics/sources.yaml';

export interface SourcesConfig {
  source: SourceId;
  period: string;
  services: Record<string, string>;
  file: FileSourceConfig;
  prometheus?: { url: string; queries?: Partial<PrometheusQueries> };
  cloudwatch?: { region: string; endpoint?: string; resources: Record<string, CloudWatchResources> };
}

/** What only the edge knows (environment), handed to the factories. */
export interface SourceEnv {
  repoDir: string;
  /** Explicit AWS credentials (tests); default: the SDK's default credential chain. */
  aws?: CloudWatchCredentials;
  fetch?: typeof fetch;
}

export const METRIC_SOURCES = {
  file: (cfg: SourcesConfig, env: SourceEnv): MetricSource => createFileSource(env.repoDir, cfg.file),
  prometheus: (cfg: SourcesConfig, env: SourceEnv): MetricSource => {
    if (!cfg.prometheus?.url) throw new GitopsError(diag('metrics_config_error', 'source prometheus needs prometheus.url (or --prometheus-url)', { file: SOURCES_FILE }));
    return createPrometheusSource({ url: cfg.prometheus.url, ...(cfg.prometheus.queries ? { queries: cfg.prometheus.queries } : {}), ...(env.fetch ? { fetch: env.fetch } : {}) });
  },
  cloudwatch: (cfg: SourcesConfig, env: SourceEnv): MetricSource => {
    if (!cfg.cloudwatch?.region) throw new GitopsError(diag('metrics_config_error', 'source cloudwatch needs cloudwatch.region', { file: SOURCES_FILE }));
    return createCloudWatchSource({
      region: cfg.cloudwatch.region,
      ...(env.aws ? { credentials: env.aws } : {}),
      resources: cfg.cloudwatch.resources,
      ...(cfg.cloudwatch.endpoint ? { endpoint: cfg.cloudwatch.endpoint } : {}),
    });
  },
} satisfies Record<string, (cfg: SourcesConfig, env: SourceEnv) => MetricSource>;

export type SourceId = keyof typeof METRIC_SOURCES;

export const DEFAULT_SOURCES_CONFIG: SourcesConfig = {
  source: 'file',
  period: '7d',
  services: {},
  file: { path: 'metrics/sample/{intent_id}.csv' },
};

export function isSourceId(s: string): s is SourceId {
  return Object.hasOwn(METRIC_SOURCES, s);
}

/** Parse metrics/sources.yaml; every problem names the line. Absent file → the embedded defaults. */
export function parseSourcesConfig(text: string, file = SOURCES_FILE): SourcesConfig {
  const read = parseYaml(text, { file, code: 'metrics_config_error', maxAliasCount: 100 });
  if (!read.ok) throw new GitopsError(read.diagnostics);
  const { doc, lc } = read.value;
  const problems: Diagnostic[] = [];
  const at = (path: string[]) => {
    const n = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return { file, line: n?.range ? lc.linePos(n.range[0]).line : 1, path: path.join('.') };
  };
  if (!isMap(doc.contents)) throw new GitopsError(diag('metrics_config_error', 'expected a mapping (source, period, services, file, prometheus, cloudwatch)', { file, line: 1 }));
  const raw = read.value.data as Record<string, unknown>;
  const known = new Set(['source', 'period', 'services', 'file', 'prometheus', 'cloudwatch']);
  for (const k of Object.keys(raw)) if (!known.has(k)) problems.push(diag('metrics_config_error', `unknown key '${k}'`, at([k])));
  const cfg: SourcesConfig = structuredClone(DEFAULT_SOURCES_CONFIG);
  if (raw.source !== undefined) {
    if (typeof raw.source !== 'string' || !isSourceId(raw.source)) problems.push(diag('metrics_config_error', `source must be one of ${Object.keys(METRIC_SOURCES).join(', ')}`, at(['source'])));
    else cfg.source = raw.source;
  }
  if (raw.period !== undefined) {
    if (typeof raw.period !== 'string' || parseDuration(raw.period) === null) problems.push(diag('metrics_config_error', 'period must be a duration like 7d', at(['period'])));
    else cfg.period = raw.period;
  }
  if (raw.services !== undefined) {
    const s = raw.services as Record<string, unknown>;
    if (!s || typeof s !== 'object' || Object.values(s).some((v) => typeof v !== 'string')) problems.push(diag('metrics_config_error', 'services maps intent ids to service names (strings)', at(['services'])));
    else cfg.services = s as Record<string, string>;
  }
  const f = raw.file as { path?: unknown } | undefined;
  if (f !== undefined) {
    if (typeof f?.path !== 'string') problems.push(diag('metrics_config_error', 'file.path must be a string', at(['file'])));
    else cfg.file = { path: f.path };
  }
  const p = raw.prometheus as { url?: unknown; queries?: Record<string, unknown> } | undefined;
  if (p !== undefined) {
    if (typeof p?.url !== 'string') problems.push(diag('metrics_config_error', 'prometheus.url must be a string', at(['prometheus'])));
    const queries = p?.queries ?? {};
    for (const [k, v] of Object.entries(queries)) {
      if (!(k in DEFAULT_PROMETHEUS_QUERIES)) problems.push(diag('metrics_config_error', `unknown query '${k}' (known: ${Object.keys(DEFAULT_PROMETHEUS_QUERIES).join(', ')})`, at(['prometheus', 'queries', k])));
      else if (typeof v !== 'string') problems.push(diag('metrics_config_error', `query '${k}' must be a string`, at(['prometheus', 'queries', k])));
    }
    if (typeof p?.url === 'string') cfg.prometheus = { url: p.url, queries: queries as Partial<PrometheusQueries> };
  }
  const c = raw.cloudwatch as { region?: unknown; endpoint?: unknown; resources?: Record<string, CloudWatchResources> } | undefined;
  if (c !== undefined) {
    if (typeof c?.region !== 'string') problems.push(diag('metrics_config_error', 'cloudwatch.region must be a string', at(['cloudwatch'])));
    for (const [id, r] of Object.entries(c?.resources ?? {})) {
      for (const k of ['load_balancer', 'target_group', 'autoscaling_group'] as const) {
        if (typeof r?.[k] !== 'string') problems.push(diag('metrics_config_error', `cloudwatch.resources.${id}.${k} must be a string`, at(['cloudwatch', 'resources', id])));
      }
    }
    if (typeof c?.region === 'string') cfg.cloudwatch = { region: c.region, ...(typeof c.endpoint === 'string' ? { endpoint: c.endpoint } : {}), resources: c.resources ?? {} };
  }
  if (problems.length > 0) throw new GitopsError(problems);
  return cfg;
}

export function loadSourcesConfig(repoDir: string, path = SOURCES_FILE): SourcesConfig {
  let text: string;
  try {
    text = readRepoTextSync(repoDir, path);
  } catch (err) {
    if (err instanceof GitopsError) throw err; // a symlink or not UTF-8: refused, not defaulted
    if (path !== SOURCES_FILE) throw new GitopsError(diag('metrics_config_missing', 'metrics configuration not found', { file: path }));
    return structuredClone(DEFAULT_SOURCES_CONFIG);
  }
  return parseSourcesConfig(text, path);
}

export function createSource(cfg: SourcesConfig, env: SourceEnv): MetricSource {
  return METRIC_SOURCES[cfg.source](cfg, env);
}
