/**
 * What a real apply needs before it may touch anything: the `pulumi` CLI (the
 * Automation API drives it), AWS credentials, and the settings of the state
 * backend. Pure over the environment it is given (the CLI passes `io.env`),
 * so it is tested without changing the machine.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { diag, type Diagnostic } from '../core/diagnostics.ts';

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

function exists(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Which link of the AWS SDK's default credential chain (fromNodeProviderChain,
 * the one Pulumi's AWS provider and the CloudWatch source use) would answer,
 * as far as can be seen without calling AWS. The links, in the SDK's order:
 * environment keys; shared config/credentials profiles (AWS_PROFILE, else the
 * default profile; SSO and credential_process profiles live there too); web
 * identity token file (OIDC); ECS container credentials; EC2 instance metadata.
 */
export function awsCredentialSource(env: Env): string | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'environment (AWS_ACCESS_KEY_ID)';
  if (env.AWS_PROFILE) return `profile ${env.AWS_PROFILE} (shared config/credentials, incl. SSO)`;
  const home = (f: string) => (env.HOME ? join(env.HOME, '.aws', f) : undefined);
  const shared = env.AWS_SHARED_CREDENTIALS_FILE ?? home('credentials');
  if (shared && exists(shared)) return `shared credentials file ${shared}`;
  // The default profile may live only in the config file (SSO, role, credential_process profiles do).
  const config = env.AWS_CONFIG_FILE ?? home('config');
  if (config && exists(config)) return `shared config file ${config} (default profile, incl. SSO)`;
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return 'web identity token file (OIDC)';
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return 'ECS container credentials';
  // EC2 instance profiles cannot be detected without calling the metadata service: opt in explicitly.
  if (env.GITOPS_AWS_CREDENTIALS === 'instance-profile' && env.AWS_EC2_METADATA_DISABLED !== 'true') return 'EC2 instance metadata (declared by GITOPS_AWS_CREDENTIALS)';
  return undefined;
}

/** What to configure, one entry per link of the SDK's default chain. */
export const AWS_CREDENTIALS_HELP =
  'the AWS SDK default chain found nothing: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; or a shared config/credentials profile (AWS_PROFILE, incl. SSO after `aws sso login`); or AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (OIDC; in GitHub Actions aws-actions/configure-aws-credentials with a role); or run with an ECS task role / EC2 instance profile (the apply preflight cannot see instance metadata without calling it: declare it with GITOPS_AWS_CREDENTIALS=instance-profile)';

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
