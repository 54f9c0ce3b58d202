/**
 * Builds the RunContext for a CLI run: the agent registry of the repository,
 * the audit sink, the trace id and the human behind the run. The one place a
 * command decides where its audit events go.
 */
import { readRepoTextSync } from './files.ts';
import type { AgentDirectory, RunContext } from './context.ts';
import { AGENTS_FILE, parseAgentRegistry } from './agent-registry.ts';
import { MemorySink, newTraceId, type AuditSink } from './events.ts';
import { GitopsError, diag } from './diagnostics.ts';

/**
 * The repository's agent registry, validated (schema, duplicate ids, file:line
 * errors) by runner/core/agent-registry.ts: every action of the run is performed
 * as one of these agents, so a malformed registry stops the run (exit 2).
 */
export function loadAgentRegistry(repoDir: string): AgentDirectory {
  let text: string;
  try {
    text = readRepoTextSync(repoDir, AGENTS_FILE);
  } catch (err) {
    if (err instanceof GitopsError) throw err; // a symlink or not UTF-8: already says so with the file
    throw new GitopsError(diag('agents_unreadable', `cannot read the agent registry: ${(err as Error).message}`, { file: AGENTS_FILE }));
  }
  const r = parseAgentRegistry(text, AGENTS_FILE);
  if (!r.ok) throw new GitopsError(r.diagnostics);
  return r.value;
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
    agents: o.agents ?? loadAgentRegistry(o.repoDir),
    human: o.human ?? 'local-user',
    ...(o.commit ? { commit: o.commit } : {}),
    now: () => new Date(),
  };
}
