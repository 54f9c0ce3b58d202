/**
 * Region names users write → AWS regions and the availability zones the
 * translator spreads instances over.
 *
 * Users may write a short geography (`us-west`) or an AWS region
 * (`us-west-2`). Short names map to the region a platform team would pick:
 * `us-west` → us-west-2 (Oregon: more zones and lower prices than
 * us-west-1), `us-east` → us-east-1, and so on. Zone lists are the zones
 * generally open to new accounts (us-west-1 has two; ap-northeast-1 has no
 * usable `b`).
 */
export const REGION_ALIASES: Record<string, string> = {
  'us-west': 'us-west-2',
  'us-east': 'us-east-1',
  'ca-central': 'ca-central-1',
  'eu-west': 'eu-west-1',
  'eu-central': 'eu-central-1',
  'ap-southeast': 'ap-southeast-1',
  'ap-northeast': 'ap-northeast-1',
  'sa-east': 'sa-east-1',
};

export const REGION_ZONES: Record<string, readonly string[]> = {
  'us-east-1': ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  'us-east-2': ['us-east-2a', 'us-east-2b', 'us-east-2c'],
  'us-west-1': ['us-west-1a', 'us-west-1c'],
  'us-west-2': ['us-west-2a', 'us-west-2b', 'us-west-2c'],
  'ca-central-1': ['ca-central-1a', 'ca-central-1b', 'ca-central-1d'],
  'eu-west-1': ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  'eu-central-1': ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
  'ap-southeast-1': ['ap-southeast-1a', 'ap-southeast-1b', 'ap-southeast-1c'],
  'ap-northeast-1': ['ap-northeast-1a', 'ap-northeast-1c', 'ap-northeast-1d'],
  'sa-east-1': ['sa-east-1a', 'sa-east-1b', 'sa-east-1c'],
};

/** `us-west` → `us-west-2`; `us-west-2` → itself; unknown → undefined. */
export function resolveRegion(name: string): string | undefined {
  if (name in REGION_ZONES) return name;
  return REGION_ALIASES[name];
}

/** The region an availability zone belongs to: `us-west-2a` → `us-west-2`. */
export function regionOfZone(zone: string): string | undefined {
  const r = zone.replace(/[a-z]$/, '');
  return r in REGION_ZONES ? r : undefined;
}
