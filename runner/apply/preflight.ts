/**
 * What a real apply needs before it may touch anything: the `pulumi` CLI (the
 * Automation API drives it), AWS credentials, and the settings of the state
 * backend. Pure over the environment it is given (the CLI passes `io.env`),
 * so it is tested without changing the machine.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { diag, type Diagnostic } from '../core/diagnostics.ts';
import { AWS_CREDENTIALS_HELP, awsCredentialSource } from '../core/aws-credentials.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export const INSTALL_PULUMI =
  'install it: `curl -fsSL https://get.pulumi.com | sh` (or `brew install pulumi/tap/pulumi`); in GitHub Actions add `pulumi/actions@v6` (or `pulumi/setup-pulumi`) before this step';

/** The `pulumi` executable on PATH (or in ~/.pulumi/bin, where the installer puts it), if any. */
export function findPulumi(env: Env): string | undefined {
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  if (env.HOME) dirs.push(join(env.HOME, '.pulumi', 'bin'));
  for (const d of dirs) {
    const candidate = join(d, 'pulumi');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}


export interface BackendSettings {
  /** `file://…` (default), `s3://bucket/prefix`, `https://api.pulumi.com` (Pulumi Cloud). */
  url: string;
  /** e.g. `awskms://alias/gitops`; default: passphrase for self-managed backends, the service's for Pulumi Cloud. */
  secretsProvider?: string;
}

export function preflightProblems(env: Env, backend: BackendSettings): Diagnostic[] {
  const problems: Diagnostic[] = [];
  if (!findPulumi(env)) problems.push(diag('apply_pulumi_missing', `the pulumi CLI is not installed (not on PATH); the Automation API runs it: ${INSTALL_PULUMI}`));
  if (!awsCredentialSource(env)) {
    problems.push(
      diag(
        'apply_aws_credentials_missing',
        `no AWS credentials: ${AWS_CREDENTIALS_HELP}`,
      ),
    );
  }
  const url = backend.url;
  if (url.startsWith('https://') || url === 'cloud') {
    if (!env.PULUMI_ACCESS_TOKEN) problems.push(diag('apply_pulumi_token_missing', `the Pulumi Cloud backend (${url}) needs PULUMI_ACCESS_TOKEN (a team or deployment token)`));
  } else if (url.startsWith('file://') || url.startsWith('s3://') || url.startsWith('gs://') || url.startsWith('azblob://')) {
    const passphrase = !backend.secretsProvider || backend.secretsProvider === 'passphrase';
    if (passphrase && env.PULUMI_CONFIG_PASSPHRASE === undefined && env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) {
      problems.push(diag('apply_passphrase_missing', `the self-managed backend ${url} encrypts stack secrets with a passphrase: set PULUMI_CONFIG_PASSPHRASE (or _FILE), or pass --secrets-provider awskms://…`));
    }
  } else {
    problems.push(diag('apply_backend_unknown', `unknown state backend '${url}': use file://<dir>, s3://<bucket>[/prefix] or https://api.pulumi.com`));
  }
  return problems;
}
