/**
 * The GitHub Action (action.yml, `runs.main: dist/action/index.cjs`, built from
 * this file by scripts/build.ts): runs one gitops command line in the job's
 * working directory with no `npm ci` — the bundle carries the runner and its
 * dependencies, except Pulumi, which only `apply` and a previewing `check`
 * import and which is installed beside the bundle on first use
 * (runner/action/pulumi.ts).
 *
 * Inputs arrive as INPUT_<NAME> environment variables (the runner upper-cases
 * the name, keeps dashes). This file is the Actions edge: it reads the
 * environment once, hands the command an explicit CommandIO, writes the step
 * outputs, and sets the exit code (0 allowed, 1 denied/invalid, 2 runner error).
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { main } from '../cli/main.ts';
import { formatDiagnostic } from '../core/diagnostics.ts';
import { commandEnvironment, readInputs } from './inputs.ts';
import { ensurePulumi, needsPulumi } from './pulumi.ts';

/** One step output, in the multi-line form (a random delimiter: the value cannot end it early). */
function setOutput(env: NodeJS.ProcessEnv, name: string, value: string): void {
  if (!env.GITHUB_OUTPUT) return;
  const eof = `gitops_${randomUUID()}`;
  appendFileSync(env.GITHUB_OUTPUT, `${name}<<${eof}\n${value}\n${eof}\n`);
}

async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const inputs = readInputs(env, process.cwd());
  if (!inputs.ok) {
    for (const d of inputs.diagnostics) process.stderr.write(`::error title=gitops::${formatDiagnostic(d)}\n`);
    return 2;
  }
  const { argv, cwd, installPulumi } = inputs.value;
  const commandEnv = commandEnvironment(env, inputs.value);
  // The inputs are read: nothing below sees INPUT_TOKEN, not even a child process inheriting this
  // process's environment (the Pulumi CLI under the Automation API).
  for (const k of Object.keys(env)) if (k.startsWith('INPUT_')) delete env[k];

  if (needsPulumi(argv)) {
    const ready = await ensurePulumi(argv[0]!, installPulumi, (t) => process.stdout.write(t));
    if (!ready.ok) {
      for (const d of ready.diagnostics) process.stderr.write(`::error title=gitops::${formatDiagnostic(d)}\n`);
      return 2;
    }
  }

  let stdout = '';
  const code = await main(argv, {
    stdout: (t) => {
      stdout += t;
      process.stdout.write(t);
    },
    stderr: (t) => process.stderr.write(t),
    cwd,
    env: commandEnv,
  });
  setOutput(env, 'exit-code', String(code));
  setOutput(env, 'stdout', stdout.replace(/\n$/, ''));
  return code;
}

void runAction().then((code) => (process.exitCode = code));
