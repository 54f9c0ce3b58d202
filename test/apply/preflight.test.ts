import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPulumi, preflightProblems } from '../../runner/apply/preflight.ts';
import { awsCredentialSource } from '../../runner/core/aws-credentials.ts';

const empty = mkdtempSync(join(tmpdir(), 'gitops-preflight-empty-'));
function fakeCli(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-preflight-bin-'));
  writeFileSync(join(dir, 'pulumi'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'pulumi'), 0o755);
  return dir;
}
const file = { url: 'file:///tmp/state' };

describe('preflightProblems', () => {
  it('names everything missing and how to get it', () => {
    const problems = preflightProblems({ PATH: empty, HOME: empty }, file);
    expect(problems.map((p) => p.code)).toEqual(['apply_pulumi_missing', 'apply_aws_credentials_missing', 'apply_passphrase_missing']);
    expect(problems[0]!.message).toContain('https://get.pulumi.com');
    expect(problems[1]!.message).toContain('aws-actions/configure-aws-credentials');
    expect(problems[1]!.message).toMatch(/AWS_PROFILE, incl\. SSO.*AWS_WEB_IDENTITY_TOKEN_FILE.*ECS.*instance profile/);
  });

  it('sees each link of the SDK default credential chain that is visible without calling AWS', () => {
    const home = mkdtempSync(join(tmpdir(), 'gitops-preflight-home-'));
    expect(awsCredentialSource({ HOME: home })).toBeUndefined();
    expect(awsCredentialSource({ HOME: home, AWS_PROFILE: 'sso-dev' })).toBe('profile sso-dev (shared config/credentials, incl. SSO)');
    const config = join(home, 'config-sso');
    writeFileSync(config, '[default]\nsso_session = corp\n');
    expect(awsCredentialSource({ HOME: home, AWS_CONFIG_FILE: config })).toBe(`shared config file ${config} (default profile, incl. SSO)`);
    expect(awsCredentialSource({ HOME: home, AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' })).toBe('web identity token file (OIDC)');
    expect(awsCredentialSource({ HOME: home, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' })).toBe('ECS container credentials');
    expect(awsCredentialSource({ HOME: home, GITOPS_AWS_CREDENTIALS: 'instance-profile' })).toMatch(/^EC2 instance metadata/);
    expect(awsCredentialSource({ HOME: home, GITOPS_AWS_CREDENTIALS: 'instance-profile', AWS_EC2_METADATA_DISABLED: 'true' })).toBeUndefined();
  });

  it('is satisfied by a CLI on PATH, credentials and a passphrase', () => {
    const bin = fakeCli();
    expect(findPulumi({ PATH: bin })).toBe(join(bin, 'pulumi'));
    expect(preflightProblems({ PATH: bin, HOME: empty, AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', PULUMI_CONFIG_PASSPHRASE: '' }, file)).toEqual([]);
    // OIDC in GitHub Actions and a KMS secrets provider on an S3 backend.
    expect(preflightProblems({ PATH: bin, AWS_WEB_IDENTITY_TOKEN_FILE: '/t', AWS_ROLE_ARN: 'arn:aws:iam::1:role/r' }, { url: 's3://state/gitops', secretsProvider: 'awskms://alias/gitops' })).toEqual([]);
  });

  it('needs a token for Pulumi Cloud and rejects unknown backends', () => {
    const env = { PATH: fakeCli(), AWS_PROFILE: 'ci' };
    expect(preflightProblems(env, { url: 'https://api.pulumi.com' }).map((p) => p.code)).toEqual(['apply_pulumi_token_missing']);
    expect(preflightProblems(env, { url: 'ftp://x' }).map((p) => p.code)).toEqual(['apply_backend_unknown']);
  });
});
