/**
 * Builds the RunContext for a CLI run: the agent registry of the repository,
 * the audit sink, the trace id and the human behind the run. The one place a
 * command decides where its audit events go.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Agent, AgentDirectory, RunContext } from '../core/context.ts';
import { MemorySink, newTraceId, type AuditSink } from '../core/events.ts';
import { GitopsError, diag } from '../core/diagnostics.ts';

export const AGENTS_FILE = 'agents/agents.yaml';

/** Minimal registry loader; runner/agents/registry.ts validates the file fully. */
export function loadAgentDirectory(repoDir: string): AgentDirectory {
  const file = join(repoDir, AGENTS_FILE);
  let doc: { agents?: Agent[] };
  try {
    doc = parseYaml(readFileSync(file, 'utf8')) as { agents?: Agent[] };
  } catch (err) {
    throw new GitopsError(diag('agents_unreadable', `cannot read agent registry: ${(err as Error).message}`, { file: AGENTS_FILE }));
  }
  const agents = doc?.agents ?? [];
  const byId = new Map(agents.map((a) => [a.agent_id, a]));
  return { get: (id) => byId.get(id), list: () => agents };
}

export interface ContextOptions {
  repoDir: string;
  kind: 'check' | 'apply' | 'feedback' | 'report';
  human?: string;
  commit?: string;
  sink?: AuditSink;
  traceId?: string;
  agents?: AgentDirectory;
}

export function createRunContext(o: ContextOptions): RunContext {
  return {
    traceId: o.traceId ?? newTraceId(o.kind),
    audit: o.sink ?? new MemorySink(),
    agents: o.agents ?? loadAgentDirectory(o.repoDir),
    human: o.human ?? 'local-user',
    ...(o.commit ? { commit: o.commit } : {}),
    now: () => new Date(),
  };
}
