/**
 * `gitops rego eval` reports each expression's value as `opa eval` does
 * (OPA's rego.go rewriteQueryToCaptureValue): a term or a call is its value;
 * with several expressions or iteration a false value also fails the row.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../runner/cli/main.ts';

async function evalQ(query: string, ...extra: string[]): Promise<unknown> {
  const d = mkdtempSync(join(tmpdir(), 'rego-cap-'));
  writeFileSync(join(d, 'p.rego'), 'package ex\nf(x) := x * 2\nflag := false\nxs := [1, 2, 3]\n');
  let stdout = '';
  let stderr = '';
  const code = await main(['rego', 'eval', '-d', 'p.rego', ...extra, query], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: d, env: {} });
  if (code !== 0) throw new Error(stderr);
  return JSON.parse(stdout);
}

const values = (out: unknown): unknown[][] =>
  ((out as { result?: Array<{ expressions: Array<{ value: unknown }> }> }).result ?? []).map((r) => r.expressions.map((e) => e.value));

describe('rego eval expression values', () => {
  it('a call is its value, not true', async () => {
    expect(values(await evalQ('count([1,2])'))).toEqual([[2]]);
    expect(values(await evalQ('data.ex.f(4)'))).toEqual([[8]]);
  });
  it('a single non-iterating expression reports false rather than failing', async () => {
    expect(values(await evalQ('1 > 2'))).toEqual([[false]]);
    expect(values(await evalQ('data.ex.flag'))).toEqual([[false]]);
  });
  it('with several expressions or iteration, a false value fails the row', async () => {
    expect(await evalQ('1 > 2; true')).toEqual({});
    expect(values(await evalQ('x := data.ex.xs[_]; x > 1'))).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(values(await evalQ('data.ex.xs[_] > 2'))).toEqual([[true]]);
  });
  it('assignments, negations and calls given an output report true', async () => {
    expect(values(await evalQ('x := 1; x + 2'))).toEqual([[true, 3]]);
    expect(values(await evalQ('not data.ex.flag'))).toEqual([[true]]);
    const out = await evalQ('plus(1, 2, y)');
    expect(out).toMatchObject({ result: [{ bindings: { y: 3 }, expressions: [{ value: true }] }] });
  });
  it('an undefined value is still no result', async () => {
    expect(await evalQ('data.ex.nope')).toEqual({});
  });
});
