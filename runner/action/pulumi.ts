/**
 * Pulumi for the action's apply path and the pull-request check's plan
 * preview. The bundle leaves @pulumi/pulumi and @pulumi/aws out (hundreds of
 * MB); `apply` and a previewing `check` import them from node_modules beside
 * the bundle, so on first use the action installs
 * the versions this runner was built and tested with (package.json's
 * devDependencies, injected at build time) into `dist/node_modules` of the
 * action's own checkout — never into the user's repository. The `pulumi` CLI
 * itself comes from pulumi/actions in the workflow (the real engine checks it).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Result, diag, fail, ok } from '../core/diagnostics.ts';
import { checkPreviews, missingPulumiPackages } from '../infra/pulumi-packages.ts';

/**
 * `apply` (with or without --preview) runs the Pulumi program, and so does a
 * `check` that previews (the pull-request path judges the plan: same rule as
 * the CLI, runner/infra/pulumi-packages.ts); nothing else loads Pulumi.
 */
export function needsPulumi(argv: readonly string[]): boolean {
  if (argv[0] === 'apply') return true;
  if (argv[0] !== 'check') return false;
  const has = (flag: string) => argv.includes(flag);
  const base = argv.some((a) => a === '--base' || a.startsWith('--base='));
  return checkPreviews({ preview: has('--preview') ? true : undefined, noPreview: has('--no-preview'), base: base ? 'given' : undefined, all: has('--all') });
}

export async function ensurePulumi(command: string, install: boolean, log: (t: string) => void): Promise<Result<void>> {
  // Resolved the way the bundle's require("@pulumi/…") will be: from the bundle's own folder.
  if (missingPulumiPackages().length === 0) return ok(undefined);
  const packages = (process.env.GITOPS_PULUMI_PACKAGES ?? '@pulumi/pulumi @pulumi/aws').split(' ');
  if (!install)
    return fail(diag('pulumi_not_installed', `gitops ${command} needs ${packages.join(' and ')} beside the action (install-pulumi is false); install them with npm, or set install-pulumi: true`));
  // dist/action/index.cjs → dist/: Node's resolution from the bundle walks up through dist/node_modules.
  const prefix = join(dirname(fileURLToPath(import.meta.url)), '..');
  log(`::group::Installing ${packages.join(' ')} for gitops ${command}\n`);
  const code = await new Promise<number>((done) => {
    const child = spawn('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, ...packages], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', () => done(-1));
    child.on('close', (c) => done(c ?? -1));
  });
  log('::endgroup::\n');
  if (code !== 0) return fail(diag('pulumi_install_failed', `npm install ${packages.join(' ')} failed (exit ${code}); gitops ${command} needs them`));
  return ok(undefined);
}
