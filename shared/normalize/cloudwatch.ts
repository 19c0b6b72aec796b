// CloudWatch alarm events, as EventBridge delivers them (source aws.cloudwatch), to one alert.
// docs/normalize-cloudwatch.md has the table of every alert field and where it comes from.
//
// - kind from detail-type; status from detail.state.value (ALARM firing, OK resolved,
//   INSUFFICIENT_DATA insufficient-data), or for a configuration change from detail.operation
//   (config-created/-updated/-deleted). A configuration change is not a state transition:
//   previousStatus is null and the alarm's current state goes to annotations.alarmState.
// - severity is CLOUDWATCH_DEFAULT_SEVERITY for every status: CloudWatch has none (router.yaml
//   severity rules set it in the enrich step), and a resolve must route like its firing event.
// - name is detail.alarmName, never parsed out of an ARN. region is event.region unless that
//   is no region id (the documented delete examples carry "us-east-*"): then the alarm ARN's.
// - dedupKey is the alarm ARN, plus "#contributor/<id>" for contributor events: every event of
//   one alarm shares it, configuration changes included, so a delete can close an open incident.
// - labels hold the alarm's metric dimensions (and namespace/metricName when the alarm has a
//   single metric) and a contributor's attributes (and contributorId).
// Unknown values are refused with InvalidEventError naming the field, never guessed.
import { SCHEMA_VERSION, type Alert, type Kind, type Severity, type Status } from '../model/alert';
import { UnsupportedEventError } from '../model/errors';
import {
  fail,
  object,
  oneLine,
  oneOf,
  optionalArray,
  optionalObject,
  optionalString,
  optionalUtc,
  requiredObject,
  requiredString,
  stringMap,
  toUtc,
  type RawObject,
} from './fields';

export const CLOUDWATCH_SOURCE = 'aws.cloudwatch';

export const CLOUDWATCH_DETAIL_TYPES = [
  'CloudWatch Alarm State Change',
  'CloudWatch Alarm Contributor State Change',
  'CloudWatch Alarm Configuration Change',
] as const;
export type CloudWatchDetailType = (typeof CLOUDWATCH_DETAIL_TYPES)[number];

/** CloudWatch alarms carry no severity; the same for every status of an alarm. */
export const CLOUDWATCH_DEFAULT_SEVERITY: Severity = 'error';

const KIND_OF: Record<CloudWatchDetailType, Kind> = {
  'CloudWatch Alarm State Change': 'state-change',
  'CloudWatch Alarm Contributor State Change': 'contributor-change',
  'CloudWatch Alarm Configuration Change': 'config-change',
};

const STATE_STATUS = {
  ALARM: 'firing',
  OK: 'resolved',
  INSUFFICIENT_DATA: 'insufficient-data',
} as const satisfies Record<string, Status>;

const OPERATION_STATUS = {
  create: 'config-created',
  update: 'config-updated',
  delete: 'config-deleted',
} as const satisfies Record<string, Status>;

/** A plausible region id (us-east-1, us-gov-west-1, eusc-de-east-1); "us-east-*" is not one. */
const REGION_ID = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;
const ALARM_ARN = /^arn:(aws[a-z-]*):cloudwatch:([^:]+):(\d+):alarm:(.+)$/;

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

function isDetailType(value: string): value is CloudWatchDetailType {
  return Object.hasOwn(KIND_OF, value);
}

/** Where the alarm lives, and its ARN: the key every event of the alarm shares. */
interface AlarmLocation {
  arn: string;
  partition: string;
  region: string;
  account: string;
}

function parseAlarmArn(value: string): AlarmLocation | null {
  const m = ALARM_ARN.exec(value);
  if (!m || !REGION_ID.test(m[2]!)) return null;
  return { arn: value, partition: m[1]!, region: m[2]!, account: m[3]! };
}

function partitionOf(region: string): string {
  return PARTITION_BY_REGION_PREFIX.find(([prefix]) => region.startsWith(prefix))?.[1] ?? 'aws';
}

function readResources(event: RawObject): string[] {
  return optionalArray(event, 'resources', '').map((value, i) => {
    if (typeof value !== 'string') {
      fail(`resources[${i}]`, `expected a string, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`);
    }
    return value;
  });
}

/**
 * event.region and event.account, with the alarm ARN of resources filling in what they lack.
 * Without that ARN it is built from its parts; a part that cannot be known is refused.
 */
function locateAlarm(event: RawObject, resources: string[], name: string): AlarmLocation {
  const parsed = resources.map(parseAlarmArn).find((arn) => arn !== null);
  const eventRegion = optionalString(event, 'region', '');
  const region =
    eventRegion !== null && REGION_ID.test(eventRegion)
      ? eventRegion
      : (parsed?.region ??
        fail(
          'region',
          `${eventRegion === null ? 'is missing' : `${JSON.stringify(eventRegion)} is not a region id`} and resources holds no CloudWatch alarm ARN`,
        ));
  const account =
    optionalString(event, 'account', '') ??
    parsed?.account ??
    fail('account', 'is missing and resources holds no CloudWatch alarm ARN');
  const partition = parsed?.partition ?? partitionOf(region);
  const arn = parsed?.arn ?? `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`;
  return { arn, partition, region, account };
}

interface MetricStat {
  dimensions: Record<string, string>;
  namespace: string | null;
  name: string | null;
}

/** The metricStat of one entry of configuration.metrics, or null for an expression. */
function readMetricStat(value: unknown, path: string): MetricStat | null {
  const metricStat = optionalObject(object(value, path), 'metricStat', path);
  if (metricStat === undefined) return null;
  const at = `${path}.metricStat.metric`;
  const metric = requiredObject(metricStat, 'metric', `${path}.metricStat`);
  return {
    dimensions: stringMap(metric, 'dimensions', at),
    namespace: optionalString(metric, 'namespace', at),
    name: optionalString(metric, 'name', at),
  };
}

/**
 * The dimensions of all metrics merged. A dimension the metrics disagree on is left out:
 * a label holding one of several values would route the alarm as if it were only that one.
 */
function mergeDimensions(maps: Array<Record<string, string>>): Record<string, string> {
  const merged: Record<string, string> = {};
  const conflicting = new Set<string>();
  for (const map of maps) {
    for (const [key, value] of Object.entries(map)) {
      if (Object.hasOwn(merged, key) && merged[key] !== value) conflicting.add(key);
      else merged[key] = value;
    }
  }
  for (const key of conflicting) delete merged[key];
  return merged;
}

function metricLabels(configuration: RawObject | undefined): Record<string, string> {
  if (configuration === undefined) return {};
  const path = 'detail.configuration';
  const stats = optionalArray(configuration, 'metrics', path)
    .map((entry, i) => readMetricStat(entry, `${path}.metrics[${i}]`))
    .filter((stat): stat is MetricStat => stat !== null);
  const labels = mergeDimensions(stats.map((stat) => stat.dimensions));
  const [only] = stats;
  if (stats.length === 1 && only) {
    Object.assign(labels, present({ namespace: only.namespace, metricName: only.name }));
  }
  return labels;
}

interface Contributor {
  id: string;
  attributes: Record<string, string>;
}

function readContributor(detail: RawObject): Contributor {
  const path = 'detail.alarmContributor';
  const contributor = requiredObject(detail, 'alarmContributor', 'detail');
  return {
    id: requiredString(contributor, 'id', path),
    attributes: stringMap(contributor, 'attributes', path),
  };
}

/** "DynamoDBInsightsAlarm [TableName=orders]": which contributor of the alarm this is. */
function contributorSubject(name: string, contributor: Contributor): string {
  const attributes = Object.entries(contributor.attributes).map(([key, value]) => `${key}=${value}`);
  return `${name} [${attributes.length > 0 ? attributes.join(', ') : `contributor ${contributor.id}`}]`;
}

function readMute(detail: RawObject, observedAt: string): Alert['muted'] {
  const path = 'detail.muteDetail';
  const mute = optionalObject(detail, 'muteDetail', 'detail');
  if (mute === undefined) return null;
  const by = requiredString(mute, 'mutedByArn', path);
  const startsAt = optionalUtc(mute, 'muteWindowStart', path);
  const endsAt = optionalUtc(mute, 'muteWindowEnd', path);
  // All three are toUtc output of one fixed format, so text order is time order. A window
  // with a missing bound is reported but never taken as active: that would be a guess.
  const active = startsAt !== null && endsAt !== null && startsAt <= observedAt && observedAt < endsAt;
  return { by, startsAt, endsAt, active };
}

/** The entries whose value is present (not null). */
function present(entries: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) if (value !== null) out[key] = value;
  return out;
}

function consoleLinks(location: AlarmLocation, name: string): Alert['links'] {
  // The console host of the other partitions differs; no link beats a wrong one.
  if (location.partition !== 'aws') return [];
  const { region } = location;
  return [
    {
      title: 'CloudWatch console',
      url: `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(name)}`,
    },
  ];
}

/** What the event says happened: status, the status before it, one human line. */
interface Transition {
  status: Status;
  previousStatus: Status | null;
  summary: string;
  annotations: Record<string, string>;
}

/** A configuration change is no state transition: the alarm's state is only annotated. */
function configChange(detail: RawObject, name: string, alarmState: Status): Transition {
  const operation = requiredString(detail, 'operation', 'detail');
  const status = oneOf(operation, OPERATION_STATUS, 'detail.operation');
  return {
    status,
    previousStatus: null,
    summary: `${name} configuration ${status.slice('config-'.length)}`,
    annotations: { operation, alarmState },
  };
}

/** Contributor events carry no previousState: their previousStatus is null. */
function stateChange(
  detail: RawObject,
  subject: string,
  state: { value: string; status: Status; reason: string | null },
): Transition {
  const previous = optionalObject(detail, 'previousState', 'detail');
  return {
    status: state.status,
    previousStatus: previous
      ? oneOf(requiredString(previous, 'value', 'detail.previousState'), STATE_STATUS, 'detail.previousState.value')
      : null,
    summary: `${subject} is ${state.value}${state.reason ? `: ${state.reason}` : ''}`,
    annotations: {},
  };
}

export function normalizeCloudWatchEvent(raw: unknown): Alert {
  const event = object(raw, '');
  const source = requiredString(event, 'source', '');
  if (source !== CLOUDWATCH_SOURCE) {
    throw new UnsupportedEventError(`source ${JSON.stringify(source)}`, `source "${CLOUDWATCH_SOURCE}"`);
  }
  const detailType = requiredString(event, 'detail-type', '');
  if (!isDetailType(detailType)) throw new UnsupportedEventError(detailType, CLOUDWATCH_DETAIL_TYPES.join(' | '));
  const kind = KIND_OF[detailType];

  const id = requiredString(event, 'id', '');
  const time = toUtc(requiredString(event, 'time', ''), 'time');
  const resources = readResources(event);
  const detail = requiredObject(event, 'detail', '');
  const name = requiredString(detail, 'alarmName', 'detail');
  const location = locateAlarm(event, resources, name);

  const stateObject = requiredObject(detail, 'state', 'detail');
  const stateValue = requiredString(stateObject, 'value', 'detail.state');
  const state = {
    value: stateValue,
    status: oneOf(stateValue, STATE_STATUS, 'detail.state.value'),
    reason: optionalString(stateObject, 'reason', 'detail.state'),
  };
  const observedAt = optionalUtc(stateObject, 'timestamp', 'detail.state') ?? time;

  const configuration = optionalObject(detail, 'configuration', 'detail');
  const description = configuration ? optionalString(configuration, 'description', 'detail.configuration') : null;
  const alarmRule = configuration ? optionalString(configuration, 'alarmRule', 'detail.configuration') : null;
  const contributor = kind === 'contributor-change' ? readContributor(detail) : null;
  const transition =
    kind === 'config-change'
      ? configChange(detail, name, state.status)
      : stateChange(detail, contributor ? contributorSubject(name, contributor) : name, state);
  const { status } = transition;

  return {
    schemaVersion: SCHEMA_VERSION,
    id,
    dedupKey: contributor ? `${location.arn}#contributor/${contributor.id}` : location.arn,
    cloud: 'aws',
    provider: CLOUDWATCH_SOURCE,
    kind,
    status,
    previousStatus: transition.previousStatus,
    severity: CLOUDWATCH_DEFAULT_SEVERITY,
    sourceSeverity: null,
    name,
    summary: oneLine(transition.summary),
    description: [description, state.reason].filter((text) => text !== null).join('\n\n'),
    account: location.account,
    region: location.region,
    resources,
    labels: {
      ...metricLabels(configuration),
      ...(contributor ? { ...contributor.attributes, contributorId: contributor.id } : {}),
    },
    annotations: {
      ...present({
        reason: state.reason,
        description,
        alarmRule,
        actionsSuppressedBy: optionalString(stateObject, 'actionsSuppressedBy', 'detail.state'),
        actionsSuppressedReason: optionalString(stateObject, 'actionsSuppressedReason', 'detail.state'),
      }),
      ...transition.annotations,
    },
    alerts: [],
    startsAt: status === 'firing' ? observedAt : null,
    endsAt: status === 'resolved' ? observedAt : null,
    observedAt,
    actor: null,
    comment: null,
    solution: null,
    muted: readMute(detail, observedAt),
    links: consoleLinks(location, name),
    source: { id, type: detailType, source, bus: null, time },
  };
}
