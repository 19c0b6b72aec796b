// What every CloudWatch alarm path shares (EventBridge events, Lambda alarm actions, classic
// SNS notifications): the state vocabulary, where the alarm lives and its key, the console link.
import { sha256Hex } from '../hash';
import type { Alert, Severity, Status } from '../model/alert';
import { partitionOf, REGION_ID, regionCode } from './aws-regions';
import { fail, wellFormed } from './fields';

export const CLOUDWATCH_SOURCE = 'aws.cloudwatch';

/** CloudWatch alarms carry no severity; the same for every status of an alarm. */
export const CLOUDWATCH_DEFAULT_SEVERITY: Severity = 'error';

export const STATE_STATUS = {
  ALARM: 'firing',
  OK: 'resolved',
  INSUFFICIENT_DATA: 'insufficient-data',
} as const satisfies Record<string, Status>;

/** An AWS account id is always 12 digits; one with fewer (its leading zeros lost) would give a key no other path of the alarm gives. */
const ACCOUNT_ID = /^\d{12}$/;
const PARTITION = /^aws[a-z-]*$/;

/** Where the alarm lives, and its ARN: the key every event of the alarm shares. */
export interface AlarmLocation {
  arn: string;
  partition: string;
  region: string;
  account: string;
}

/**
 * A CloudWatch alarm ARN, with the blanks public fixtures copy into its first fields
 * (`us-east-1: 111122223333`) taken out; the alarm name after `alarm:` is kept as written.
 */
export function parseAlarmArn(value: string): AlarmLocation | null {
  const parts = value.split(':');
  if (parts.length < 7) return null;
  let blanks = false;
  for (let i = 0; i < 6; i += 1) {
    const part = parts[i] ?? '';
    const trimmed = part.trim();
    if (trimmed !== part) {
      parts[i] = trimmed;
      blanks = true;
    }
  }
  const [arn, partition, service, region, account, type] = parts as [string, string, string, string, string, string];
  if (arn !== 'arn' || !PARTITION.test(partition) || service !== 'cloudwatch' || type !== 'alarm') return null;
  if (!REGION_ID.test(region) || !ACCOUNT_ID.test(account)) return null;
  // The name is everything after the sixth colon, as written.
  if (parts.length === 7 && parts[6] === '') return null;
  return { arn: blanks ? parts.join(':') : value, partition, region, account };
}

export interface AlarmWhereabouts {
  /** ARNs that may be the alarm's (EventBridge resources, AlarmArn, alarmArn): the first one readable wins. */
  arns: readonly string[];
  /** The region the event names, as a code or a display name; null when it names none. */
  region: string | null;
  regionPath: string;
  account: string | null;
  accountPath: string;
  name: string;
}

/**
 * The event's region and account, with the alarm ARN filling in what they lack. Without a
 * readable ARN the key is built from account, region code and name, the ARN CloudWatch
 * gives the alarm; a part that cannot be known refuses the event (it decides identity).
 */
export function locateAlarm(where: AlarmWhereabouts): AlarmLocation {
  const parsed = where.arns.map(parseAlarmArn).find((arn) => arn !== null);
  const named = where.region === null ? null : regionCode(where.region);
  const region =
    named ??
    parsed?.region ??
    fail(
      where.regionPath,
      `${where.region === null ? 'is missing' : `${JSON.stringify(where.region)} is not a region`} and there is no readable CloudWatch alarm ARN to take it from`,
    );
  const account =
    where.account ?? parsed?.account ?? fail(where.accountPath, 'is missing and there is no readable CloudWatch alarm ARN to take it from');
  if (parsed) return { ...parsed, region, account };
  if (!ACCOUNT_ID.test(account)) {
    fail(where.accountPath, `${JSON.stringify(account)} is not an AWS account id (12 digits) and there is no readable CloudWatch alarm ARN`);
  }
  const partition = partitionOf(region);
  return { arn: `arn:${partition}:cloudwatch:${region}:${account}:alarm:${where.name}`, partition, region, account };
}

export function consoleLinks(location: AlarmLocation, name: string): Alert['links'] {
  // The console host of the other partitions differs; no link beats a wrong one.
  if (location.partition !== 'aws') return [];
  const { region } = location;
  return [
    {
      title: 'CloudWatch console',
      url: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(wellFormed(name))}`,
    },
  ];
}

/**
 * The id of a delivery that carries none (a Lambda alarm action, a bare SNS message): the
 * same for a retry of the same notification, different for the next state change.
 */
export function derivedId(dedupKey: string, status: Status, when: string | null): string {
  return sha256Hex(`${dedupKey}\n${status}\n${when ?? ''}`).slice(0, 32);
}

/** The alarm's description, then the reason of its state, each when there is one. */
export function alarmDescription(description: string | null, reason: string | null): string {
  if (description === null) return reason ?? '';
  return reason === null ? description : `${description}\n\n${reason}`;
}

/** The entries whose value is present (not null). */
export function present(entries: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in entries) {
    const value = entries[key];
    if (value !== null) out[key] = value as string;
  }
  return out;
}

/**
 * The dimensions of all metrics merged. A dimension the metrics disagree on is left out:
 * a label holding one of several values would route the alarm as if it were only that one.
 */
export function mergeDimensions(maps: Array<Record<string, string>>): Record<string, string> {
  const merged: Record<string, string> = {};
  let conflicting: Set<string> | undefined;
  for (const map of maps) {
    for (const key in map) {
      const value = map[key];
      if (value === undefined) continue;
      if (!Object.hasOwn(merged, key)) merged[key] = value;
      else if (merged[key] !== value) (conflicting ??= new Set()).add(key);
    }
  }
  if (!conflicting) return merged;
  const agreed: Record<string, string> = {};
  for (const key in merged) {
    const value = merged[key];
    if (value !== undefined && !conflicting.has(key)) agreed[key] = value;
  }
  return agreed;
}
