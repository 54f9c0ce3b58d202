import { describe, expect, it } from 'vitest';
import { commandEnvironment, readInputs } from '../../runner/action/inputs.ts';

const env = {
  INPUT_COMMAND: 'apply --base a --head b',
  INPUT_TOKEN: 'ghs_secret',
  'INPUT_WORKING-DIRECTORY': 'infra',
  'INPUT_INSTALL-PULUMI': 'true',
  GITHUB_WORKSPACE: '/home/runner/work/repo/repo',
  PULUMI_BACKEND_URL: 's3://state',
};

describe("the action's inputs", () => {
  it('reads the command, the working directory (against GITHUB_WORKSPACE) and install-pulumi', () => {
    expect(readInputs(env, '/elsewhere')).toEqual({
      ok: true,
      value: { argv: ['apply', '--base', 'a', '--head', 'b'], cwd: '/home/runner/work/repo/repo/infra', token: 'ghs_secret', installPulumi: true },
    });
    const r = readInputs({ ...env, 'INPUT_WORKING-DIRECTORY': '/abs', 'INPUT_INSTALL-PULUMI': 'false', GITHUB_WORKSPACE: undefined }, '/here');
    expect(r.ok && r.value.cwd).toBe('/abs');
    expect(r.ok && r.value.installPulumi).toBe(false);
    expect(readInputs({ ...env, 'INPUT_WORKING-DIRECTORY': '', GITHUB_WORKSPACE: undefined }, '/here')).toMatchObject({ ok: true, value: { cwd: '/here' } });
    expect(readInputs({ INPUT_COMMAND: '' }, '/')).toMatchObject({ ok: false, diagnostics: [{ code: 'action_command_missing' }] });
  });

  it('the token reaches publish and feedback as GITHUB_TOKEN, and no other command; no INPUT_* variable reaches any', () => {
    const apply = readInputs(env, '/');
    const applyEnv = commandEnvironment(env, apply.ok ? apply.value : (undefined as never));
    expect(applyEnv.GITHUB_TOKEN).toBeUndefined();
    expect(Object.keys(applyEnv).filter((k) => k.startsWith('INPUT_'))).toEqual([]);
    expect(Object.values(applyEnv)).not.toContain('ghs_secret');
    expect(applyEnv.PULUMI_BACKEND_URL).toBe('s3://state');
    for (const command of ['publish --report report.json', 'feedback --dry-run']) {
      const e = { ...env, INPUT_COMMAND: command };
      const r = readInputs(e, '/');
      const out = commandEnvironment(e, r.ok ? r.value : (undefined as never));
      expect(out.GITHUB_TOKEN, command).toBe('ghs_secret');
      expect(out.INPUT_TOKEN, command).toBeUndefined();
    }
  });
});
