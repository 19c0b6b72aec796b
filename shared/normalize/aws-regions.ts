// AWS regions: the names classic SNS alarm notifications carry (`"Region": "US East (N.
// Virginia)"`, older `EU - Ireland`, relays' `AsiaPacific(Tokyo)`) to region codes, and the
// partition of a region. Every commercial, China and GovCloud region.

/** A plausible region id (us-east-1, us-gov-west-1, eusc-de-east-1); "us-east-*" is not one. */
export const REGION_ID = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;

/** Region code -> its display name, then older names SNS notifications have carried. */
const REGION_NAMES: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['US East (N. Virginia)', 'US - N. Virginia', 'US (Virginia)', 'US Standard'],
  'us-east-2': ['US East (Ohio)'],
  'us-west-1': ['US West (N. California)'],
  'us-west-2': ['US West (Oregon)'],
  'af-south-1': ['Africa (Cape Town)'],
  'ap-east-1': ['Asia Pacific (Hong Kong)'],
  'ap-east-2': ['Asia Pacific (Taipei)'],
  'ap-south-1': ['Asia Pacific (Mumbai)'],
  'ap-south-2': ['Asia Pacific (Hyderabad)'],
  'ap-southeast-1': ['Asia Pacific (Singapore)'],
  'ap-southeast-2': ['Asia Pacific (Sydney)'],
  'ap-southeast-3': ['Asia Pacific (Jakarta)'],
  'ap-southeast-4': ['Asia Pacific (Melbourne)'],
  'ap-southeast-5': ['Asia Pacific (Malaysia)'],
  'ap-southeast-6': ['Asia Pacific (New Zealand)'],
  'ap-southeast-7': ['Asia Pacific (Thailand)'],
  'ap-northeast-1': ['Asia Pacific (Tokyo)'],
  'ap-northeast-2': ['Asia Pacific (Seoul)'],
  'ap-northeast-3': ['Asia Pacific (Osaka)', 'Asia Pacific (Osaka-Local)'],
  'ca-central-1': ['Canada (Central)'],
  'ca-west-1': ['Canada West (Calgary)'],
  'eu-central-1': ['Europe (Frankfurt)'],
  'eu-central-2': ['Europe (Zurich)'],
  'eu-west-1': ['Europe (Ireland)'],
  'eu-west-2': ['Europe (London)'],
  'eu-west-3': ['Europe (Paris)'],
  'eu-south-1': ['Europe (Milan)'],
  'eu-south-2': ['Europe (Spain)'],
  'eu-north-1': ['Europe (Stockholm)'],
  'il-central-1': ['Israel (Tel Aviv)'],
  'me-south-1': ['Middle East (Bahrain)'],
  'me-central-1': ['Middle East (UAE)'],
  'mx-central-1': ['Mexico (Central)'],
  'sa-east-1': ['South America (São Paulo)'],
  'cn-north-1': ['China (Beijing)'],
  'cn-northwest-1': ['China (Ningxia)'],
  'us-gov-west-1': ['AWS GovCloud (US-West)', 'AWS GovCloud (US)'],
  'us-gov-east-1': ['AWS GovCloud (US-East)'],
};

/**
 * The comparable form of a region name: letters and digits only, lower case, accents off,
 * `EU` read as `Europe` and a leading `AWS` dropped (`EU - Ireland` = `Europe (Ireland)`).
 */
function nameKey(name: string): string {
  const key = name
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  return key.replace(/^aws/, '').replace(/^eu(?!rope)/, 'europe');
}

const CODE_BY_NAME: ReadonlyMap<string, string> = new Map(
  Object.entries(REGION_NAMES).flatMap(([code, names]) => names.map((name) => [nameKey(name), code] as const)),
);

/** Display names already looked up, as written (a few per account): their code, or null. */
const CODE_BY_TEXT = new Map<string, string | null>();
/** Enough for every name of the table in a few spellings; odd text past it is looked up each time. */
const MAX_REMEMBERED_NAMES = 256;

/** The region code of a code or a display name; null for a name not in the table. */
export function regionCode(value: string): string | null {
  const trimmed = value.trim();
  if (REGION_ID.test(trimmed)) return trimmed;
  const known = CODE_BY_TEXT.get(trimmed);
  if (known !== undefined) return known;
  const code = CODE_BY_NAME.get(nameKey(trimmed)) ?? null;
  if (CODE_BY_TEXT.size < MAX_REMEMBERED_NAMES) CODE_BY_TEXT.set(trimmed, code);
  return code;
}

/** Every region code of the table (for tests and docs). */
export const REGION_CODES: readonly string[] = Object.keys(REGION_NAMES);

/** Partitions of the regions outside the standard one (the AWS SDK's partition table). */
const PARTITION_BY_REGION_PREFIX: ReadonlyArray<readonly [string, string]> = [
  ['cn-', 'aws-cn'],
  ['us-gov-', 'aws-us-gov'],
  ['us-iso-', 'aws-iso'],
  ['us-isob-', 'aws-iso-b'],
  ['us-isof-', 'aws-iso-f'],
  ['eu-isoe-', 'aws-iso-e'],
  ['eusc-', 'aws-eusc'],
];

export function partitionOf(region: string): string {
  return PARTITION_BY_REGION_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}
