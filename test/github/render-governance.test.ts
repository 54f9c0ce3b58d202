/**
 * The governed files' results (report.governance) on GitHub: the check run's
 * title, summary and annotations, as pure functions of hand-built reports.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../check/helpers.ts';
import type { PolicyResult } from '../../runner/model/report.ts';
import { annotationsOf, conclusionOf, summaryOf, titleOf } from '../../runner/github/render.ts';
import { intent, report } from './fixtures.ts';

const wildcard: PolicyResult = {
  policy: 'AGENT-WILDCARD-001',
  title: 'No wildcard agent permissions',
  status: 'failed',
  severity: 'deny',
  message: "agent monitoring-agent-001 holds the wildcard permission 'execute:*'",
  file: 'agents/agents.yaml',
  line: 19,
  path: 'agents[0].permissions[2]',
};
const passed: PolicyResult = { ...wildcard, policy: 'AGENT-IAM-003', status: 'passed', message: 'No escalation', line: 1 };

describe('governance on GitHub', () => {
  it('a PR with no intent but a denied governed file fails, with the finding as title, table row and annotation', () => {
    const r = report([], { governance: { files: ['agents/agents.yaml'], needs_review: true, results: [passed, wildcard] } });
    expect(conclusionOf(r)).toBe('failure');
    expect(titleOf(r)).toBe('Governed files denied: 1 finding');
    const summary = summaryOf(r);
    expect(summary).toContain('| `agents/agents.yaml:19` | AGENT-WILDCARD-001 | ❌ failed |');
    expect(summary).toContain('Governance changes (owner review needed, CODEOWNERS): `agents/agents.yaml`');
    expect(annotationsOf(r)).toEqual([
      expect.objectContaining({ path: 'agents/agents.yaml', start_line: 19, annotation_level: 'failure', title: 'AGENT-WILDCARD-001: No wildcard agent permissions', message: `${wildcard.message} (at agents[0].permissions[2])` }),
    ]);
  });

  it('a repository-wide finding also on every intent is annotated once', () => {
    const r = report([intent([wildcard]), intent([wildcard], { id: 'API-001', file: 'intents/API-001.yaml' })], { governance: { files: [], needs_review: false, results: [wildcard] } });
    expect(annotationsOf(r).filter((a) => a.path === 'agents/agents.yaml')).toHaveLength(1);
    expect(titleOf(r)).toBe('Governed files denied: 1 finding; 2 intents: 2 not allowed');
  });

  it('governance that only passed changes nothing: no intent is neutral', () => {
    const r = report([], { governance: { files: [], needs_review: false, results: [passed] } });
    expect(conclusionOf(r)).toBe('neutral');
    expect(titleOf(r)).toBe('No intent changed');
    expect(annotationsOf(r)).toEqual([]);
  });
});

describe('gitops publish on a report whose governance is malformed', () => {
  it('refuses it naming the file (exit 2), since governance findings decide the verdict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitops-gov-'));
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ ...report([]), governance: { files: [], results: 'denied' } }));
    const r = await runCli(['publish', '--report', 'report.json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('report.json: report_invalid: not a gitops check report (expected governance.results[] and governance.files[] (when governance is present))');
  });
});
