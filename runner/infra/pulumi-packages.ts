/**
 * Whether the Pulumi packages the preview and apply import are installed,
 * answered without loading them (module resolution only). The check path
 * never loads Pulumi unless it previews; the pull-request check previews (it judges the plan),
 * so it needs them installed beside the runner — the package declares them
 * as optional peers and the action installs them on demand (docs/adopt.md).
 */
import { createRequire } from 'node:module';

export const PULUMI_PACKAGES = ['@pulumi/pulumi', '@pulumi/aws'] as const;

/** The Pulumi packages that do not resolve from this module's location (the bin, the action bundle, or runner/ in a clone). */
export function missingPulumiPackages(): string[] {
  const require = createRequire(import.meta.url);
  return PULUMI_PACKAGES.filter((p) => {
    try {
      require.resolve(p);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * Does a `check` with these flags preview the infrastructure? The pull-request
 * path (`--base` without `--all`) does unless `--no-preview`: the plan
 * policies judge every changed intent's plan before merge. One rule for the
 * CLI and for the action, which installs Pulumi first when this says yes.
 */
export function checkPreviews(o: { preview?: boolean | undefined; noPreview?: boolean | undefined; base?: string | undefined; all?: boolean | undefined }): boolean {
  return o.preview ?? (!!o.base && !o.all && !o.noPreview);
}
