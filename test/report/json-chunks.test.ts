/** The JSON report written in pieces is byte for byte JSON.stringify(report, null, 2). */
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../runner/model/report.ts';
import { jsonChunks, renderJson } from '../../runner/report/json.ts';
import { renderChunks } from '../../runner/report/index.ts';

const intent = (id: string) => ({
  id,
  file: `intents/${id}.yaml`,
  type: 'deployment',
  description: '部署高可用性 Web 服務\nline two "quoted"',
  change: 'added' as const,
  decision: 'allow' as const,
  results: [{ policy: 'SEC-AUTH-001', title: 't', status: 'passed' as const, severity: 'deny' as const, message: 'm', file: `intents/${id}.yaml`, line: 3 }],
  actions: [{ action: 'deploy_instances', config: { count: 3, zones: ['a', 'b'], nested: { empty: [], obj: {} } } }],
  diagnostics: [],
});

function report(n: number, over: Partial<CheckReport> = {}): CheckReport {
  return {
    version: 1,
    trace_id: 'trace-x',
    base: 'main@abc',
    intents: Array.from({ length: n }, (_, i) => intent(`A-${i + 1}`)),
    deleted: ['intents/OLD-001.yaml'],
    policy_changes: { files: [], needs_review: false },
    diagnostics: [],
    summary: { intents: n, allowed: n, denied: 0, invalid: 0, warnings: 0 },
    ...over,
  };
}

describe('jsonChunks', () => {
  for (const [name, r] of [
    ['three intents', report(3)],
    ['one intent, no base', { ...report(1), base: undefined } as unknown as CheckReport],
    ['no intents', report(0)],
  ] as const) {
    it(`${name}: identical to JSON.stringify(report, null, 2)`, () => {
      expect(renderJson(r)).toBe(JSON.stringify(r, null, 2) + '\n');
      expect([...renderChunks('json', r)].join('')).toBe(JSON.stringify(r, null, 2) + '\n');
    });
  }

  it('comes one intent per piece', () => {
    const pieces = [...jsonChunks(report(5))];
    expect(pieces.filter((p) => p.includes('"id": "A-'))).toHaveLength(5);
    expect(pieces.every((p) => (p.match(/"id": "A-/g) ?? []).length <= 1)).toBe(true);
  });
});
