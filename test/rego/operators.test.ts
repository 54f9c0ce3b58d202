/**
 * The infix operator table (ast/operators.ts) drives both directions: the
 * parser rewrites each operator to its builtin call at its precedence level,
 * and exprText prints the call back as the operator.
 */
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../runner/rego/ast/parser.ts';
import { exprText, type Term } from '../../runner/rego/ast/nodes.ts';
import { INFIX, INFIX_LEVELS } from '../../runner/rego/ast/operators.ts';

/** The call tree of a term as nested arrays: `a + b * c` → ['plus', 'a', ['mul', 'b', 'c']]. */
function shape(t: Term): unknown {
  if (t.type === 'var') return t.name;
  if (t.type === 'call') return [t.op.join('.'), ...t.args.map(shape)];
  throw new Error(`unexpected ${t.type}`);
}

function parse(text: string): { tree: unknown; text: string } {
  const [e] = parseQuery(text).body;
  if (!e || e.type !== 'term') throw new Error(`not a term expression: ${text}`);
  return { tree: shape(e.term), text: exprText(e) };
}

describe('infix operators', () => {
  it('parse to their builtin and print back as written', () => {
    for (const [op, name] of INFIX) {
      expect(parse(`a ${op} b`)).toEqual({ tree: [name, 'a', 'b'], text: `a ${op} b` });
    }
  });

  it('bind by level, tighter levels first, each level left-associative', () => {
    const levels = Object.values(INFIX_LEVELS).map((l) => Object.entries(l)[0]!);
    // Each adjacent pair of levels: `a LOOSE b TIGHT c` groups as `a LOOSE (b TIGHT c)`.
    for (let i = 0; i + 1 < levels.length; i++) {
      const [loose, looseName] = levels[i]!;
      const [tight, tightName] = levels[i + 1]!;
      expect(parse(`a ${loose} b ${tight} c`).tree).toEqual([looseName, 'a', [tightName, 'b', 'c']]);
      expect(parse(`a ${tight} b ${loose} c`).tree).toEqual([looseName, [tightName, 'a', 'b'], 'c']);
    }
    expect(parse('a - b - c').tree).toEqual(['minus', ['minus', 'a', 'b'], 'c']);
  });

  it('the parser rewrites := = and in print back too', () => {
    expect(parse('x := a + b').text).toBe('x := a + b');
    expect(parse('x = a').text).toBe('x = a');
    expect(parse('a in b').text).toBe('a in b');
  });
});
