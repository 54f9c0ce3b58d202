/**
 * The GitHub Action (action.yml, `runs.main: dist/action/index.cjs`, built from
 * this file by scripts/build.ts): runs one gitops command line in the job's
 * working directory with no `npm ci` — the bundle carries the runner and its
 * dependencies, except Pulumi, which only `apply` imports and which is
 * installed beside the bundle on first use (runner/action/pulumi.ts).
 *
 * Inputs arrive as INPUT_<NAME> environment variables (the runner upper-cases
 * the name, keeps dashes). This file is the Actions edge: it reads the
 * environment once, hands the command an explicit CommandIO, writes the step
 * outputs, and sets the exit code (0 allowed, 1 denied/invalid, 2 runner error).
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { main } from '../cli/main.ts';
import { formatDiagnostic } from '../core/diagnostics.ts';
import { splitCommandLine } from './command-line.ts';
import { ensurePulumi, needsPulumi } from './pulumi.ts';

/** Commands that call the GitHub API get the `token` input as GITHUB_TOKEN; no other command sees it (the Pulumi program never does). */
const TOKEN_COMMANDS = new Set(['publish', 'feedback']);

function input(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
}

/** One step output, in the multi-line form (a random delimiter: the value cannot end it early). */
function setOutput(env: NodeJS.ProcessEnv, name: string, value: string): void {
  if (!env.GITHUB_OUTPUT) return;
  const eof = `gitops_${randomUUID()}`;
  appendFileSync(env.GITHUB_OUTPUT, `${name}<<${eof}\n${value}\n${eof}\n`);
}

export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const argv = splitCommandLine(input(env, 'command'));
  if (!argv.ok) {
    for (const d of argv.diagnostics) process.stderr.write(`::error title=gitops::${formatDiagnostic(d)}\n`);
    return 2;
  }
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const wd = input(env, 'working-directory') || '.';
  const cwd = isAbsolute(wd) ? wd : resolve(workspace, wd);
  const token = input(env, 'token');
  const installPulumi = input(env, 'install-pulumi') !== 'false';
  // The inputs are read; nothing below (the Pulumi CLI included, which inherits the process
  // environment) sees INPUT_TOKEN. Only the commands that call GitHub get the token.
  for (const k of Object.keys(env)) if (k.startsWith('INPUT_')) delete env[k];
  const commandEnv: Record<string, string | undefined> = { ...env };
  if (token && TOKEN_COMMANDS.has(argv.value[0]!)) commandEnv.GITHUB_TOKEN = token;

  if (needsPulumi(argv.value)) {
    const ready = await ensurePulumi(installPulumi, (t) => process.stdout.write(t));
    if (!ready.ok) {
      for (const d of ready.diagnostics) process.stderr.write(`::error title=gitops::${formatDiagnostic(d)}\n`);
      return 2;
    }
  }

  let stdout = '';
  const code = await main(argv.value, {
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
