/**
 * `gitops report`: the governance report (success metrics and time to value,
 * docs/feedback.md) from the audit log, the metrics and git history.
 */
import { readdir } from 'node:fs/promises';
import { readRepoText } from '../core/files.ts';
import { join } from 'node:path';
import type { Command } from './command.ts';
import { parse, usageError } from './args.ts';
import { readAuditLog } from '../audit/store.ts';
import { INTENTS_DIR, INTENT_EXT } from '../intent/paths.ts';
import { formatDiagnostic } from '../core/diagnostics.ts';
import { governanceReport, REPORT_FORMATS, type IntentCommit } from '../feedback/governance.ts';
import { parseDuration, periodEnding } from '../feedback/period.ts';
import { createSource, isSourceId, loadSourcesConfig, METRIC_SOURCES, SOURCES_FILE } from '../feedback/sources/registry.ts';
import { readTargets } from '../feedback/targets.ts';
import type { AuditRecord, IntentTargets, ServiceMetrics } from '../feedback/types.ts';
import { gitOk } from '../git/process.ts';

const USAGE = `Usage: gitops report [--period 7d] [--format text|markdown|json] [options]

The governance report: deployment success rate, availability vs target,
self-healing success rate, policy compliance, audit coverage, intent-to-
deployment time and recovery time, from audit-log/, the metrics and git.

Options:
  --period <d>            Window (default: the metric configuration's, 7d)
  --until <time>          End of the window, ISO 8601 (default: the metrics file's last row, else now)
  --format <f>            ${Object.keys(REPORT_FORMATS).join(' | ')} (default text)
  --source <s>            ${Object.keys(METRIC_SOURCES).join(' | ')} (default: ${SOURCES_FILE})
  --prometheus-url <url>  Prometheus base URL
  --metrics-config <f>    Metric source configuration (default ${SOURCES_FILE})
  --branch <name>         Default branch whose intent commits audit coverage checks (default HEAD)

Definitions: docs/feedback.md. Exit 0, or 2 on a usage or runner error.
`;

async function intentCommits(repoDir: string, branch: string, env: Readonly<Record<string, string | undefined>>): Promise<IntentCommit[] | null> {
  try {
    const out = await gitOk(repoDir, ['log', '--first-parent', '--format=%H %ct', branch, '--', INTENTS_DIR], { env });
    return out.split('\n').filter(Boolean).map((l) => {
      const [sha, time] = l.split(' ');
      return { sha: sha!, time: Number(time) };
    });
  } catch {
    return null;
  }
}

export const command: Command = {
  name: 'report',
  summary: 'Governance report: success rates, compliance, audit coverage',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parse('report', argv, {
      period: { type: 'string' },
      until: { type: 'string' },
      format: { type: 'string', default: 'text' },
      source: { type: 'string' },
      'prometheus-url': { type: 'string' },
      'metrics-config': { type: 'string' },
      branch: { type: 'string', default: 'HEAD' },
    }, false);
    const format = values.format!;
    if (!(format in REPORT_FORMATS)) throw usageError('report', `--format must be one of ${Object.keys(REPORT_FORMATS).join(', ')}`);
    const repoDir = io.cwd;
    const cfg = loadSourcesConfig(repoDir, values['metrics-config'] ?? SOURCES_FILE);
    if (values.source !== undefined) {
      if (!isSourceId(values.source)) throw usageError('report', `--source must be one of ${Object.keys(METRIC_SOURCES).join(', ')}`);
      cfg.source = values.source;
    }
    if (values['prometheus-url']) cfg.prometheus = { ...cfg.prometheus, url: values['prometheus-url'] };
    const periodLabel = values.period ?? cfg.period;
    if (parseDuration(periodLabel) === null) throw usageError('report', `--period '${periodLabel}' is not a duration like 7d`);
    let until: number | undefined;
    if (values.until !== undefined) {
      const ms = Date.parse(values.until);
      if (Number.isNaN(ms)) throw usageError('report', `--until '${values.until}' is not an ISO 8601 time`);
      // The window is kept in whole seconds: round up, so everything up to the given instant is in it
      // (rounding down left out what happened in that second's first milliseconds: the demo's own apply).
      until = Math.ceil(ms / 1000);
    }
    const source = createSource(cfg, { repoDir });

    const files = await readdir(join(repoDir, INTENTS_DIR)).catch(() => [] as string[]);
    const targets: IntentTargets[] = [];
    for (const f of files.filter((x) => x.endsWith(INTENT_EXT)).sort()) {
      const rel = `${INTENTS_DIR}/${f}`;
      const r = readTargets(await readRepoText(repoDir, rel), rel, cfg.services);
      if (r.ok) targets.push(r.value);
      else r.diagnostics.forEach((d) => io.stderr(formatDiagnostic(d) + '\n'));
    }
    // One period for the whole report: --until, else the latest end any source reports, else now.
    let end = until;
    if (end === undefined && source.latest) {
      const ends = (await Promise.all(targets.map((tg) => source.latest!({ intentId: tg.id, service: tg.service })))).filter((x): x is number => x !== null);
      if (ends.length) end = Math.max(...ends);
    }
    const period = periodEnding(periodLabel, end ?? Math.floor(Date.now() / 1000));
    const intents: Array<{ targets: IntentTargets; metrics: ServiceMetrics | null }> = [];
    for (const tg of targets) {
      const m = await source.collect({ intentId: tg.id, service: tg.service, period });
      if (!m.ok) m.diagnostics.forEach((d) => io.stderr(`${tg.id}: ${formatDiagnostic(d)}\n`));
      intents.push({ targets: tg, metrics: m.ok ? m.metrics : null });
    }
    const report = governanceReport({
      period,
      audit: readAuditLog(repoDir) as unknown as AuditRecord[],
      intents,
      intentCommits: await intentCommits(repoDir, values.branch!, io.env),
    });
    io.stdout(REPORT_FORMATS[format as keyof typeof REPORT_FORMATS](report));
    return 0;
  },
};
