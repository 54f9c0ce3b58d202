/**
 * `gitops audit <verify|show|push|export|ingest-recoveries>`.
 * Sub-subcommands are an explicit map; each parses its own flags.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command, CommandIO } from './command.ts';
import { parse, usageError } from './args.ts';
import { loadAgentRegistry } from '../core/run-context.ts';
import { GitopsError, diag, formatDiagnostic } from '../core/diagnostics.ts';
import { parseYaml } from '../core/yaml.ts';
import { readLogAtRef } from '../audit/git.ts';
import { readLocalFiles, readAuditLog, recordsToJsonl } from '../audit/store.ts';
import { parseFiles, type LogFile } from '../audit/layout.ts';
import { verifyAgainstBase, verifyLog } from '../audit/verify.ts';
import { queryAudit, trails } from '../audit/query.ts';
import { TRAIL_FORMATS, renderVerify, type TrailFormat } from '../audit/render.ts';
import { commitAndPush, findPending, type PushOptions, type PushResult } from '../audit/push.ts';
import { ingestRecoveries } from '../audit/ingest.ts';
import type { AuditRecord } from '../audit/record.ts';

const USAGE = `Usage: gitops audit <subcommand> [options]

The audit trail under audit-log/: one record per line (JSON Lines, one file per
UTC day), each carrying the sha256 of the record before it.

Subcommands:
  verify             Check the whole chain; name the first edited, deleted,
                     inserted or reordered record (file:line). Exit 1 if broken.
      --dir <path>       working copy (default: current directory)
      --ref <rev>        verify the log as committed at <rev> instead of the files
      --base <rev>       also require every record at <rev> unchanged (append-only
                         against history, e.g. --base origin/main in a PR)
      --format text|json
  show               Render audit trails (audit_trail: trace_id, events).
      --trace <id>  --action <a>  --resource <r>  --actor <a>
      --dir <path>  --ref <rev>  --format text|json|yaml (default text)
  push               Commit records not yet on the remote (bot identity,
                     [skip ci]) on top of the remote branch and push; on a
                     concurrent push, fetch, re-link and retry with backoff.
      --dir <path>  --remote <name> (origin)  --branch <name> (main)
      --max-attempts <n> (30)
      --export-on-denied <file>  when the remote refuses (read-only token),
                         write the pending records there (exit 0)
  export             Write the records the remote does not hold to a file
                     (JSON Lines), for a person to inspect when the token cannot
                     push. Exported records are never ingested back: a record a
                     job could write proves nothing about who wrote it.
      --out <file> (required)  --dir  --remote  --branch
      --base <rev>       compare with <rev> instead of the fetched remote branch
      --summary <file>   append a markdown table (default: $GITHUB_STEP_SUMMARY)
      --source <label> (required)  --dir  --push  --remote  --branch
  ingest-recoveries <file>
                     Append the platform's recovery reports (JSON or YAML list)
                     as report_recovery events of self-healing-agent-001.
      --dir  --trace <id>
`;

type Sub = (argv: string[], io: CommandIO) => Promise<number>;

const FORMAT_OPTS = { format: { type: 'string' } } as const;

async function loadFiles(dir: string, ref: string | undefined): Promise<{ files: LogFile[]; anchorText?: string }> {
  return ref ? readLogAtRef(dir, ref) : readLocalFiles(dir);
}

const verify: Sub = async (argv, io) => {
  const { values } = parse('audit verify', argv, { dir: { type: 'string' }, ref: { type: 'string' }, base: { type: 'string' }, ...FORMAT_OPTS }, false);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw usageError('audit verify', `unknown format '${format}' (text, json)`);
  const dir = workingCopy(io.cwd, values.dir);
  const log = await loadFiles(dir, values.ref);
  let result = verifyLog(log.files, log.anchorText);
  if (result.ok && values.base) {
    const base = await readLogAtRef(dir, values.base);
    result = verifyAgainstBase(base.files, log.files) ?? result;
  }
  const out = renderVerify(result, format);
  if (result.ok || format === 'json') io.stdout(out);
  else io.stderr(out);
  return result.ok ? 0 : 1;
};

const show: Sub = async (argv, io) => {
  const { values } = parse(
    'audit show',
    argv,
    {
      dir: { type: 'string' },
      ref: { type: 'string' },
      trace: { type: 'string' },
      action: { type: 'string' },
      resource: { type: 'string' },
      actor: { type: 'string' },
      ...FORMAT_OPTS,
    },
    false,
  );
  const format = (values.format ?? 'text') as TrailFormat;
  if (!(format in TRAIL_FORMATS)) throw usageError('audit show', `unknown format '${format}' (${Object.keys(TRAIL_FORMATS).join(', ')})`);
  const dir = workingCopy(io.cwd, values.dir);
  let records: AuditRecord[];
  if (values.ref) {
    const { entries } = parseFiles((await readLogAtRef(dir, values.ref)).files);
    const bad = entries.find((e) => e.kind === 'malformed');
    if (bad) throw new GitopsError(diag('audit_record_malformed', `audit record ${bad.kind === 'malformed' ? bad.reason : ''}`, { file: bad.file, line: bad.line }), 1);
    records = entries.flatMap((e) => (e.kind === 'record' ? [e.record] : []));
  } else {
    records = readAuditLog(dir);
  }
  const selected = queryAudit(records, {
    ...(values.trace ? { trace: values.trace } : {}),
    ...(values.action ? { action: values.action } : {}),
    ...(values.resource ? { resource: values.resource } : {}),
    ...(values.actor ? { actor: values.actor } : {}),
  });
  if (values.trace && selected.length === 0) {
    throw new GitopsError(diag('audit_trace_not_found', `no audit records with trace id ${values.trace}`), 1);
  }
  io.stdout(TRAIL_FORMATS[format](trails(selected)));
  return 0;
};

const PUSH_OPTS = { dir: { type: 'string' }, remote: { type: 'string' }, branch: { type: 'string' }, 'max-attempts': { type: 'string' } } as const;

function pushOptions(values: { remote?: string; branch?: string; 'max-attempts'?: string }, command: string): PushOptions {
  const o: PushOptions = {};
  if (values.remote) o.remote = values.remote;
  if (values.branch) o.branch = values.branch;
  if (values['max-attempts'] !== undefined) {
    const n = Number(values['max-attempts']);
    if (!Number.isInteger(n) || n < 1) throw usageError(command, `--max-attempts must be a positive integer, got '${values['max-attempts']}'`);
    o.maxAttempts = n;
  }
  return o;
}

function reportPush(r: PushResult, io: CommandIO, target: string): number {
  switch (r.status) {
    case 'pushed':
      io.stdout(`audit: pushed ${r.records} record${r.records === 1 ? '' : 's'} (seq ${r.firstSeq}–${r.lastSeq}) to ${target} in ${r.commit.slice(0, 12)} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}\n`);
      return 0;
    case 'up_to_date':
      io.stdout(`audit: nothing new to push to ${target}\n`);
      return 0;
    case 'denied':
      io.stderr(`audit_push_denied: ${target} refused the push (${r.message}); ${r.pending} record(s) stay pending on disk\n`);
      return 1;
    case 'gave_up':
      io.stderr(`audit_push_gave_up: ${target} still moving after ${r.attempts} attempts (${r.message}); ${r.pending} record(s) stay pending on disk and the next run pushes them\n`);
      return 1;
    case 'remote_broken':
      io.stderr(`audit_remote_chain_broken: the log on ${target} does not verify; nothing pushed\n${formatDiagnostic(r.problem)}\n`);
      return 1;
    case 'local_invalid':
      for (const d of r.problems) io.stderr(formatDiagnostic(d) + '\n');
      io.stderr('audit: the local log has invalid lines; nothing pushed\n');
      return 1;
  }
}

function summaryMarkdown(records: AuditRecord[], out: string): string {
  const rows = records.map((r) => `| ${r.event_id} | ${r.timestamp} | ${r.actor} | ${r.action} | ${r.resource} | ${r.outcome} |`);
  return [
    `### Audit records not pushed (${records.length})`,
    '',
    `This run could not push to the repository (the token cannot write). The records below were written to \`${out}\` for inspection; they are never ingested back (a record a job could write proves nothing about who wrote it). Give the job \`contents: write\`, or push to a branch the bot may write (\`--branch gitops-audit\`).`,
    '',
    '| event_id | timestamp | actor | action | resource | outcome |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

async function exportTo(dir: string, out: string, io: CommandIO, opts: { remote?: string; branch?: string; base?: string; summary?: string }): Promise<number> {
  const pending = await findPending(dir, opts);
  writeFileSync(out, recordsToJsonl(pending));
  const summary = opts.summary ?? io.env.GITHUB_STEP_SUMMARY;
  if (summary) appendFileSync(summary, summaryMarkdown(pending, out));
  io.stdout(`audit: exported ${pending.length} pending record${pending.length === 1 ? '' : 's'} to ${out}\n`);
  return pending.length;
}

const push: Sub = async (argv, io) => {
  const { values } = parse('audit push', argv, { ...PUSH_OPTS, 'export-on-denied': { type: 'string' } }, false);
  const dir = workingCopy(io.cwd, values.dir);
  const opts = pushOptions(values, 'audit push');
  const target = `${opts.remote ?? 'origin'}/${opts.branch ?? 'main'}`;
  const r = await commitAndPush(dir, opts);
  const code = reportPush(r, io, target);
  if (r.status === 'denied' && values['export-on-denied']) {
    await exportTo(dir, resolve(io.cwd, values['export-on-denied']), io, { ...opts });
    return 0;
  }
  return code;
};

const exportCmd: Sub = async (argv, io) => {
  const { values } = parse('audit export', argv, { out: { type: 'string' }, dir: { type: 'string' }, remote: { type: 'string' }, branch: { type: 'string' }, base: { type: 'string' }, summary: { type: 'string' } }, false);
  if (!values.out) throw usageError('audit export', '--out <file> is required');
  const dir = workingCopy(io.cwd, values.dir);
  const o: { remote?: string; branch?: string; base?: string; summary?: string } = {};
  if (values.remote) o.remote = values.remote;
  if (values.branch) o.branch = values.branch;
  if (values.base) o.base = values.base;
  if (values.summary) o.summary = resolve(io.cwd, values.summary);
  await exportTo(dir, resolve(io.cwd, values.out), io, o);
  return 0;
};

function readInput(io: CommandIO, command: string, file: string | undefined): { path: string; text: string } {
  if (!file) throw usageError(command, 'an input file is required');
  const path = resolve(io.cwd, file);
  try {
    return { path: file, text: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new GitopsError(diag('input_unreadable', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file }), 2);
  }
}

const ingestRecoveriesCmd: Sub = async (argv, io) => {
  const { values, positionals } = parse('audit ingest-recoveries', argv, { dir: { type: 'string' }, trace: { type: 'string' } });
  if (positionals.length !== 1) throw usageError('audit ingest-recoveries', 'exactly one input file');
  const dir = workingCopy(io.cwd, values.dir);
  const input = readInput(io, 'audit ingest-recoveries', positionals[0]);
  const read = parseYaml(input.text, { file: input.path, code: 'recovery_file_invalid', maxAliasCount: 100 });
  if (!read.ok) throw new GitopsError(read.diagnostics, 1);
  const doc = read.value.data;
  const list = Array.isArray(doc) ? doc : (doc as { recoveries?: unknown })?.recoveries;
  if (!Array.isArray(list)) throw new GitopsError(diag('recovery_file_invalid', 'expected a list of recovery reports (or {recoveries: [...]})', { file: input.path }), 1);
  const r = ingestRecoveries(dir, list, { agents: loadAgentRegistry(dir), source: input.path, ...(values.trace ? { traceId: values.trace } : {}) });
  for (const d of r.problems) io.stderr(formatDiagnostic(d) + '\n');
  io.stdout(`audit: ${r.ingested} recovery report(s) recorded, ${r.duplicates} already present, ${r.refused} refused, ${r.problems.length} invalid\n`);
  return r.problems.length > 0 || r.refused > 0 ? 1 : 0;
};

const SUBCOMMANDS: Record<string, Sub> = {
  verify,
  show,
  push,
  export: exportCmd,
  'ingest-recoveries': ingestRecoveriesCmd,
};

export const command: Command = {
  name: 'audit',
  summary: 'Audit trail: verify the chain, show a trail, push records',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'ingest') {
      // Removed on purpose, not forgotten: say why instead of "unknown subcommand".
      throw new GitopsError(
        diag('audit_ingest_removed', "gitops audit ingest was removed: exported records are not trusted (a job could write any self-hashed record); the check commits its own records under pull_request_target (docs/audit.md)"),
        2,
      );
    }
    if (!sub || !(sub in SUBCOMMANDS)) {
      io.stderr((sub ? `gitops audit: unknown subcommand '${sub}'\n\n` : '') + USAGE);
      return 2;
    }
    return SUBCOMMANDS[sub]!(rest, io);
  },
};

/** The working copy a subcommand acts on; a folder that does not exist is an error, not an empty log. */
function workingCopy(cwd: string, dir: string | undefined): string {
  const path = resolve(cwd, dir ?? '.');
  if (!existsSync(path)) throw new GitopsError(diag('dir_not_found', `no such directory: ${dir ?? path}`), 2);
  return path;
}
