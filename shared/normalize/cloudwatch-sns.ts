// Classic CloudWatch alarm notifications (the JSON message an alarm's SNS action publishes)
// to the same alert as the EventBridge event of the same state change: kind state-change,
// dedupKey the alarm ARN (AlarmArn, or rebuilt from AWSAccountId, the region code of the
// Region display name and AlarmName). docs/normalize-cloudwatch-sns.md maps every field.
// Keys are read whatever their case: some relays lower-case them.
import { SCHEMA_VERSION, type Alert } from '../model/alert';
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
import type { Envelope } from './envelopes/types';
import {
  fail,
  metadataText,
  object,
  oneLine,
  oneOf,
  optionalArray,
  optionalString,
  optionalUtc,
  requiredString,
  withKeys,
  type RawObject,
} from './fields';

const MESSAGE_KEYS = [
  'AlarmName',
  'AlarmDescription',
  'AWSAccountId',
  'NewStateValue',
  'NewStateReason',
  'StateChangeTime',
  'Region',
  'AlarmArn',
  'OldStateValue',
  'Trigger',
  'AlarmRule',
  'ActionExecutedAfterMuteWindow',
] as const;
const TRIGGER_KEYS = ['MetricName', 'Namespace', 'Dimensions', 'Metrics'] as const;
const METRIC_KEYS = ['MetricStat', 'Metric', 'MetricName', 'Namespace', 'Dimensions'] as const;

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** `[{"name": "InstanceId", "value": "i-1"}]` as a map; scalars kept as strings. */
function dimensions(parent: RawObject, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  optionalArray(parent, 'Dimensions', path).forEach((entry, i) => {
    const at = `${join(path, 'Dimensions')}[${i}]`;
    const dimension = withKeys(object(entry, at), ['name', 'value']);
    const name = requiredString(dimension, 'name', at);
    const value = dimension.value;
    if (value === null || value === undefined) return;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
    else fail(`${at}.value`, `expected a string, got ${Array.isArray(value) ? 'array' : typeof value}`);
  });
  return out;
}

interface Metric {
  dimensions: Record<string, string>;
  namespace: string | null;
  name: string | null;
}

function readMetric(metric: RawObject, path: string): Metric {
  return {
    dimensions: dimensions(metric, path),
    namespace: optionalString(metric, 'Namespace', path),
    name: optionalString(metric, 'MetricName', path),
  };
}

/** Trigger.MetricName/Dimensions for a single-metric alarm, Trigger.Metrics[].MetricStat.Metric for metric math. */
function triggerLabels(message: RawObject, path: string): Record<string, string> {
  const raw = message.Trigger;
  if (raw === undefined || raw === null) return {};
  const at = join(path, 'Trigger');
  const trigger = withKeys(object(raw, at), TRIGGER_KEYS);
  const metrics: Metric[] = [];
  const list = optionalArray(trigger, 'Metrics', at);
  if (list.length === 0) {
    if (trigger.MetricName !== undefined || trigger.Dimensions !== undefined) metrics.push(readMetric(trigger, at));
  } else {
    list.forEach((entry, i) => {
      const entryPath = `${at}.Metrics[${i}]`;
      const stat = withKeys(object(entry, entryPath), METRIC_KEYS).MetricStat;
      if (stat === undefined || stat === null) return;
      const statPath = `${entryPath}.MetricStat`;
      const metric = withKeys(object(stat, statPath), METRIC_KEYS).Metric;
      if (metric === undefined || metric === null) fail(`${statPath}.Metric`, 'is missing');
      const metricPath = `${statPath}.Metric`;
      metrics.push(readMetric(withKeys(object(metric, metricPath), METRIC_KEYS), metricPath));
    });
  }
  const labels = mergeDimensions(metrics.map((metric) => metric.dimensions));
  const [only] = metrics;
  if (metrics.length === 1 && only) Object.assign(labels, present({ namespace: only.namespace, metricName: only.name }));
  return labels;
}

export function normalizeCloudWatchSnsEnvelope(envelope: Envelope): Alert {
  const path = envelope.payloadPath;
  const message = withKeys(object(envelope.payload, path || '(event)'), MESSAGE_KEYS);
  const name = requiredString(message, 'AlarmName', path);
  const alarmArn = optionalString(message, 'AlarmArn', path);
  const location = locateAlarm({
    arns: alarmArn === null ? [] : [alarmArn],
    region: optionalString(message, 'Region', path),
    regionPath: join(path, 'Region'),
    account: optionalString(message, 'AWSAccountId', path),
    accountPath: join(path, 'AWSAccountId'),
    name,
  });

  const stateValue = requiredString(message, 'NewStateValue', path);
  const status = oneOf(stateValue, STATE_STATUS, join(path, 'NewStateValue'));
  const oldValue = optionalString(message, 'OldStateValue', path);
  const previousStatus = oldValue === null ? null : oneOf(oldValue, STATE_STATUS, join(path, 'OldStateValue'));
  const reason = optionalString(message, 'NewStateReason', path);
  const description = optionalString(message, 'AlarmDescription', path);
  const observedAt = optionalUtc(message, 'StateChangeTime', path) ?? envelope.time;
  const dedupKey = location.arn;
  const id = envelope.id ?? derivedId(dedupKey, status, metadataText(message, 'StateChangeTime'));
  const afterMute = message.ActionExecutedAfterMuteWindow;

  return {
    schemaVersion: SCHEMA_VERSION,
    id,
    dedupKey,
    cloud: 'aws',
    provider: CLOUDWATCH_SOURCE,
    kind: 'state-change',
    status,
    previousStatus,
    severity: CLOUDWATCH_DEFAULT_SEVERITY,
    sourceSeverity: null,
    name,
    summary: oneLine(`${name} is ${stateValue}${reason ? `: ${reason}` : ''}`),
    description: alarmDescription(description, reason),
    account: location.account,
    region: location.region,
    resources: [location.arn],
    labels: triggerLabels(message, path),
    annotations: present({
      reason,
      description,
      alarmRule: optionalString(message, 'AlarmRule', path),
      actionExecutedAfterMuteWindow: typeof afterMute === 'boolean' ? String(afterMute) : metadataText(message, 'ActionExecutedAfterMuteWindow'),
    }),
    alerts: [],
    // The message does not say when a resolved alarm's firing began.
    startsAt: status === 'firing' ? observedAt : null,
    endsAt: status === 'resolved' ? observedAt : null,
    observedAt,
    actor: null,
    comment: null,
    solution: null,
    muted: null,
    links: consoleLinks(location, name),
    source: { id, type: envelope.type, source: envelope.source, bus: envelope.bus, time: envelope.time, timeText: envelope.timeText },
  };
}
