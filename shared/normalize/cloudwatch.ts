// CloudWatch alarm events to one alert, from the two deliveries that carry the same alarm
// document: an EventBridge event (source aws.cloudwatch, the document in `detail`) and a
// Lambda alarm action (the document in `alarmData`). docs/normalize-cloudwatch.md has the
// table of every alert field and where it comes from.
//
// - kind from detail-type (a Lambda alarm action is a state change); status from
//   state.value (ALARM firing, OK resolved, INSUFFICIENT_DATA insufficient-data), or for a
//   configuration change from operation (config-created/-updated/-deleted). A configuration
//   change is not a state transition: previousStatus is null and the alarm's current state
//   goes to annotations.alarmState.
// - severity is CLOUDWATCH_DEFAULT_SEVERITY for every status: CloudWatch has none (router.yaml
//   severity rules set it in the enrich step), and a resolve must route like its firing event.
// - name is alarmName, never parsed out of an ARN. region is the event's unless that is no
//   region id (the documented delete examples carry "us-east-*"): then the alarm ARN's.
// - dedupKey is the alarm ARN, plus "#contributor/<id>" for contributor events: every event of
//   one alarm shares it, configuration changes included, so a delete can close an open incident.
// - startsAt/endsAt as Alertmanager: a firing starts at its state time; a resolve ends at its
//   state time and starts when the firing it ends began (previousState.timestamp, when the
//   previous state was ALARM).
// - labels hold the alarm's metric dimensions (and namespace/metricName when the alarm has a
//   single metric) and a contributor's attributes (and contributorId).
// Unknown states and operations are refused with InvalidEventError naming the field, never
// guessed; times are metadata: unreadable ones are null.
import { SCHEMA_VERSION, type Alert, type Kind, type Status } from '../model/alert';
import { UnsupportedEventError } from '../model/errors';
import {
  CLOUDWATCH_DEFAULT_SEVERITY,
  CLOUDWATCH_SOURCE,
  STATE_STATUS,
  alarmDescription,
  consoleLinks,
  derivedId,
  locateAlarm,
  mergeDimensions,
  present,
} from './aws-alarm';
import { unwrapAlarmAction } from './envelopes/alarm-action';
import { unwrapEventBridge } from './envelopes/eventbridge';
import type { Envelope } from './envelopes/types';
import {
  fail,
  metadataText,
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
  type RawObject,
} from './fields';

export { CLOUDWATCH_DEFAULT_SEVERITY, CLOUDWATCH_SOURCE } from './aws-alarm';

/** The EventBridge detail-types of CloudWatch alarm events. */
export const CLOUDWATCH_EVENT_TYPES = {
  stateChange: 'CloudWatch Alarm State Change',
  contributorStateChange: 'CloudWatch Alarm Contributor State Change',
  configurationChange: 'CloudWatch Alarm Configuration Change',
} as const;

/** The kind of alert each detail-type is. */
const KIND_OF = {
  [CLOUDWATCH_EVENT_TYPES.stateChange]: 'state-change',
  [CLOUDWATCH_EVENT_TYPES.contributorStateChange]: 'contributor-change',
  [CLOUDWATCH_EVENT_TYPES.configurationChange]: 'config-change',
} as const satisfies Record<string, Kind>;

export type CloudWatchDetailType = keyof typeof KIND_OF;
export const CLOUDWATCH_DETAIL_TYPES = Object.keys(KIND_OF) as readonly CloudWatchDetailType[];

const OPERATION_STATUS = {
  create: 'config-created',
  update: 'config-updated',
  delete: 'config-deleted',
} as const satisfies Record<string, Status>;

function isDetailType(value: string): value is CloudWatchDetailType {
  return Object.hasOwn(KIND_OF, value);
}

function readResources(event: RawObject): string[] {
  return optionalArray(event, 'resources', '').map((value, i) => {
    if (typeof value !== 'string') {
      fail(`resources[${i}]`, `expected a string, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`);
    }
    return value;
  });
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

function metricLabels(configuration: RawObject | undefined, path: string): Record<string, string> {
  if (configuration === undefined) return {};
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

function readContributor(detail: RawObject, path: string): Contributor {
  const at = `${path}.alarmContributor`;
  const contributor = requiredObject(detail, 'alarmContributor', path);
  return {
    id: requiredString(contributor, 'id', at),
    attributes: stringMap(contributor, 'attributes', at),
  };
}

/** "DynamoDBInsightsAlarm [TableName=orders]": which contributor of the alarm this is. */
function contributorSubject(name: string, contributor: Contributor): string {
  const attributes = Object.entries(contributor.attributes).map(([key, value]) => `${key}=${value}`);
  return `${name} [${attributes.length > 0 ? attributes.join(', ') : `contributor ${contributor.id}`}]`;
}

function readMute(detail: RawObject, path: string, observedAt: string | null): Alert['muted'] {
  const at = `${path}.muteDetail`;
  const mute = optionalObject(detail, 'muteDetail', path);
  if (mute === undefined) return null;
  const by = requiredString(mute, 'mutedByArn', at);
  const startsAt = optionalUtc(mute, 'muteWindowStart', at);
  const endsAt = optionalUtc(mute, 'muteWindowEnd', at);
  // All three are toUtc output of one fixed format, so text order is time order. A window
  // with a bound unknown (missing, unreadable, beyond year 9999) is reported but never taken
  // as active: that would be a guess, and it would hold the alert back.
  const active =
    startsAt !== null && endsAt !== null && observedAt !== null && startsAt <= observedAt && observedAt < endsAt;
  return { by, startsAt, endsAt, active };
}

/** What the event says happened: status, the status before it, one human line. */
interface Transition {
  status: Status;
  previousStatus: Status | null;
  /** When the previous state began, if the event says. */
  previousAt: string | null;
  summary: string;
  annotations: Record<string, string>;
}

/** A configuration change is no state transition: the alarm's state is only annotated. */
function configChange(detail: RawObject, path: string, name: string, alarmState: Status): Transition {
  const operation = requiredString(detail, 'operation', path);
  const status = oneOf(operation, OPERATION_STATUS, `${path}.operation`);
  return {
    status,
    previousStatus: null,
    previousAt: null,
    summary: `${name} configuration ${status.slice('config-'.length)}`,
    annotations: { operation, alarmState },
  };
}

/** Contributor events carry no previousState: their previousStatus is null. */
function stateChange(
  detail: RawObject,
  path: string,
  subject: string,
  state: { value: string; status: Status; reason: string | null },
): Transition {
  const at = `${path}.previousState`;
  const previous = optionalObject(detail, 'previousState', path);
  return {
    status: state.status,
    previousStatus: previous ? oneOf(requiredString(previous, 'value', at), STATE_STATUS, `${at}.value`) : null,
    previousAt: previous ? optionalUtc(previous, 'timestamp', at) : null,
    summary: `${subject} is ${state.value}${state.reason ? `: ${state.reason}` : ''}`,
    annotations: {},
  };
}

/** Where the delivery says the alarm lives, beside the alarm document. */
interface Delivery {
  kind: Kind;
  resources: string[];
  account: string | null;
  accountPath: string;
  region: string | null;
  regionPath: string;
}

/** The alarm document (EventBridge `detail`, alarm action `alarmData`) of one delivery. */
function normalizeAlarmDocument(envelope: Envelope, delivery: Delivery): Alert {
  const { kind } = delivery;
  const path = envelope.payloadPath;
  const detail = object(envelope.payload, path);
  const name = requiredString(detail, 'alarmName', path);
  const location = locateAlarm({
    arns: delivery.resources,
    region: delivery.region,
    regionPath: delivery.regionPath,
    account: delivery.account,
    accountPath: delivery.accountPath,
    name,
  });

  const statePath = `${path}.state`;
  const stateObject = requiredObject(detail, 'state', path);
  const stateValue = requiredString(stateObject, 'value', statePath);
  const state = {
    value: stateValue,
    status: oneOf(stateValue, STATE_STATUS, `${statePath}.value`),
    reason: optionalString(stateObject, 'reason', statePath),
  };
  const stateAt = optionalUtc(stateObject, 'timestamp', statePath);
  const observedAt = stateAt ?? envelope.time;

  const configPath = `${path}.configuration`;
  const configuration = optionalObject(detail, 'configuration', path);
  const description = configuration ? optionalString(configuration, 'description', configPath) : null;
  const alarmRule = configuration ? optionalString(configuration, 'alarmRule', configPath) : null;
  const contributor = kind === 'contributor-change' ? readContributor(detail, path) : null;
  const transition =
    kind === 'config-change'
      ? configChange(detail, path, name, state.status)
      : stateChange(detail, path, contributor ? contributorSubject(name, contributor) : name, state);
  const { status } = transition;
  const dedupKey = contributor ? `${location.arn}#contributor/${contributor.id}` : location.arn;
  const id = envelope.id ?? derivedId(dedupKey, status, metadataText(stateObject, 'timestamp') ?? envelope.timeText);

  return {
    schemaVersion: SCHEMA_VERSION,
    id,
    dedupKey,
    cloud: 'aws',
    provider: CLOUDWATCH_SOURCE,
    kind,
    status,
    previousStatus: transition.previousStatus,
    severity: CLOUDWATCH_DEFAULT_SEVERITY,
    sourceSeverity: null,
    name,
    summary: oneLine(transition.summary),
    description: alarmDescription(description, state.reason),
    account: location.account,
    region: location.region,
    resources: delivery.resources,
    labels: {
      ...metricLabels(configuration, configPath),
      ...(contributor ? { ...contributor.attributes, contributorId: contributor.id } : {}),
    },
    annotations: {
      ...present({
        reason: state.reason,
        description,
        alarmRule,
        actionsSuppressedBy: optionalString(stateObject, 'actionsSuppressedBy', statePath),
        actionsSuppressedReason: optionalString(stateObject, 'actionsSuppressedReason', statePath),
      }),
      ...transition.annotations,
    },
    alerts: [],
    startsAt: status === 'firing' ? observedAt : status === 'resolved' && transition.previousStatus === 'firing' ? transition.previousAt : null,
    endsAt: status === 'resolved' ? observedAt : null,
    observedAt,
    actor: null,
    comment: null,
    solution: null,
    muted: readMute(detail, path, observedAt),
    links: consoleLinks(location, name),
    source: { id, type: envelope.type, source: envelope.source, bus: envelope.bus, time: envelope.time, timeText: envelope.timeText },
  };
}

/** An EventBridge event from aws.cloudwatch. */
export function normalizeCloudWatchEnvelope(envelope: Envelope): Alert {
  if (envelope.source !== CLOUDWATCH_SOURCE) {
    throw new UnsupportedEventError(`source ${JSON.stringify(envelope.source)}`, `source "${CLOUDWATCH_SOURCE}"`);
  }
  if (!isDetailType(envelope.type)) throw new UnsupportedEventError(envelope.type, CLOUDWATCH_DETAIL_TYPES.join(' | '));
  const event = envelope.attributes;
  if (envelope.payload === undefined) fail('detail', 'is missing');
  return normalizeAlarmDocument(envelope, {
    kind: KIND_OF[envelope.type],
    resources: readResources(event),
    account: optionalString(event, 'account', ''),
    accountPath: 'account',
    region: optionalString(event, 'region', ''),
    regionPath: 'region',
  });
}

/** A Lambda alarm action: always a state change of the alarm `alarmArn` names. */
export function normalizeAlarmActionEnvelope(envelope: Envelope): Alert {
  const event = envelope.attributes;
  if (envelope.source !== '' && envelope.source !== CLOUDWATCH_SOURCE) {
    throw new UnsupportedEventError(`source ${JSON.stringify(envelope.source)}`, `source "${CLOUDWATCH_SOURCE}"`);
  }
  if (envelope.payload === undefined) fail('alarmData', 'is missing');
  const alarmArn = optionalString(event, 'alarmArn', '');
  return normalizeAlarmDocument(envelope, {
    kind: 'state-change',
    resources: alarmArn === null ? [] : [alarmArn],
    account: optionalString(event, 'accountId', ''),
    accountPath: 'accountId',
    region: optionalString(event, 'region', ''),
    regionPath: 'region',
  });
}

/** An EventBridge CloudWatch alarm event, as EventBridge delivers it. */
export function normalizeCloudWatchEvent(raw: unknown): Alert {
  return normalizeCloudWatchEnvelope(unwrapEventBridge(raw));
}

/** A Lambda alarm action, as CloudWatch invokes the function with it. */
export function normalizeAlarmAction(raw: unknown): Alert {
  return normalizeAlarmActionEnvelope(unwrapAlarmAction(raw));
}
