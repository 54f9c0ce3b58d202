import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../runner/action/command-line.ts';

describe("the action's command input → argv", () => {
  it('splits on whitespace like a shell, with quotes and backslashes, and no expansion', () => {
    expect(splitCommandLine('  check --base abc123\n --head def456  ')).toEqual({ ok: true, value: ['check', '--base', 'abc123', '--head', 'def456'] });
    expect(splitCommandLine(`gitops rego eval -d policies 'data.x == "y z"' "a \\"b\\" c" d\\ e $HOME`)).toEqual({
      ok: true,
      value: ['rego', 'eval', '-d', 'policies', 'data.x == "y z"', 'a "b" c', 'd e', '$HOME'],
    });
    expect(splitCommandLine("--actor ''")).toEqual({ ok: true, value: ['--actor', ''] });
  });

  it('rejects an unterminated quote (with its column) and an empty command', () => {
    const r = splitCommandLine('check --actor "bob');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.diagnostics[0]).toMatchObject({ code: 'action_command_unterminated_quote', col: 15 });
    expect(splitCommandLine("check 'x")).toMatchObject({ ok: false, diagnostics: [{ code: 'action_command_unterminated_quote', col: 7 }] });
    expect(splitCommandLine('   ')).toMatchObject({ ok: false, diagnostics: [{ code: 'action_command_missing' }] });
    expect(splitCommandLine('gitops')).toMatchObject({ ok: false, diagnostics: [{ code: 'action_command_missing' }] });
  });
});
