/**
 * The AWS SDK's default credential chain as the runner describes it: which
 * link would answer (the apply preflight reports it) and what to configure
 * when none does (the apply preflight and the CloudWatch metrics source say
 * the same thing, because both go through that chain).
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

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

