/**
 * Builtins through real Rego: each case in fixtures/queries.yaml is compiled
 * and evaluated by the engine (type checks against the declared signatures,
 * strict/non-strict builtin errors, `with` mocking of a declared builtin) and
 * compared with OPA's conformance rules.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCases, runCase } from '../../../runner/rego/conformance/runner.ts';

// The runner's loader keeps big integers exact (9007199254740993 stays itself).
const cases = loadCases(fileURLToPath(new URL('./fixtures/queries.yaml', import.meta.url)));

describe('builtins in Rego queries', () => {
  for (const c of cases) {
    it(c.note, () => {
      const out = runCase(c, 'queries.yaml');
      expect(out.status === 'failed' ? { wanted: out.wanted, got: out.got } : out.status).toBe('passed');
    });
  }
});
