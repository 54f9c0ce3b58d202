/**
 * Explicit registry of subcommands (no folder scanning). Loaded lazily so a
 * command only pays for what it uses: `check` must not load Pulumi, for one.
 */
import type { Command } from './command.ts';

export const COMMANDS = {
  init: () => import('./init.ts'),
  check: () => import('./check.ts'),
  policy: () => import('./policy.ts'),
  rego: () => import('./rego.ts'),
  apply: () => import('./apply.ts'),
  affected: () => import('./affected.ts'),
  publish: () => import('./publish.ts'),
  audit: () => import('./audit.ts'),
  feedback: () => import('./feedback.ts'),
  report: () => import('./report.ts'),
  demo: () => import('./demo.ts'),
  bench: () => import('./bench.ts'),
} satisfies Record<string, () => Promise<{ command: Command }>>;

export type CommandName = keyof typeof COMMANDS;

export const SUMMARIES: Record<CommandName, string> = {
  init: 'Lay out a governed repository here: intents, default policies, contracts, agents, audit log, workflows, CODEOWNERS',
  check: 'Check changed intents against schema, policies and contracts (the pull-request check)',
  policy: 'Policy tools: `gitops policy test` runs the *_test.rego unit tests',
  rego: 'Rego engine tools: eval, conformance',
  apply: 'Apply (or --preview) the Pulumi program for changed intents (on merge)',
  affected: 'List the stacks changed between two refs (for a GitHub Actions matrix)',
  publish: 'Publish a check report (check run, sticky comment, job summary) or a failed apply (comment on the merged PR) to GitHub',
  audit: 'Audit trail: verify the chain, show a trail',
  feedback: 'Collect metrics, analyse, and open or update recommendation PRs',
  report: 'Governance report: success rates, compliance, audit coverage',
  demo: 'The main job on the embedded defaults, end to end, no GitHub or cloud',
  bench: 'Benchmarks (check, rego); measures, never asserts',
};
