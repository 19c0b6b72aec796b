// Alibaba Cloud ARMS Alert Management events (CloudEvents 1.0 via EventBridge) -> one alert.
//
// ARMS publishes one event per lifecycle action of an alert: create, claim, comment, close
// (`aliyun:arms:alarm:<action>`). `data` carries who acted (owner, handler, operator), the
// comment or solution and an epoch-ms timestamp; `data.data` is an Alertmanager webhook
// payload (status, alerts[], commonLabels, commonAnnotations, groupLabels, externalURL) plus
// ARMS fields: level (P1..P4), dispatchRuleName, startTime/endTime.
//
// Mapping (docs/normalize-arms.md has the full table):
// - status comes from the event type, never from data.data.status: a claim or comment of a
//   resolved alert is still an acknowledgement or a note. data.data.status is only checked.
// - previousStatus is null: ARMS does not say what the alert was before the action.
// - severity: level P1..P4, else commonLabels.severity, else ARMS_DEFAULT_SEVERITY.
// - startTime/endTime are China local time (UTC+8) without a zone, or epoch milliseconds;
//   alerts[].startsAt/endsAt are RFC 3339 UTC (nanosecond fractions; Go's zero time means
//   "not set"). Without startTime the alert starts when its earliest member did (as
//   Alertmanager); a close without endTime ends when its last member did.
// - times are metadata: an unreadable one is null, never a refusal.
// - dedupKey comes from `subject`, the console URL of the alert: the same for all four
//   lifecycle events of one alert and unique to it.
// What decides identity, status or routing is refused with InvalidEventError naming the field
// when malformed; nothing is guessed.
import type { Alert, AlertMember, Severity, Status } from '../model/alert';
import { SCHEMA_VERSION } from '../model/alert';
import { UnsupportedEventError } from '../model/errors';
import { unwrapCloudEvent } from './envelopes/cloudevents';
import type { Envelope } from './envelopes/types';
import {
  type RawObject,
  fail,
  flexibleTime,
  object,
  oneLine,
  oneOf,
  optionalArray,
  optionalString,
  requiredObject,
  requiredString,
  stringMap,
  toUtc,
} from './fields';

type StringMap = Record<string, string>;

/** The CloudEvents `type` of each ARMS lifecycle event. */
export const ARMS_EVENT_TYPE = {
  create: 'aliyun:arms:alarm:create',
  claim: 'aliyun:arms:alarm:claim',
  comment: 'aliyun:arms:alarm:comment',
  close: 'aliyun:arms:alarm:close',
} as const;

/** The alert status each type means. */
const TYPE_STATUS = {
  [ARMS_EVENT_TYPE.create]: 'firing',
  [ARMS_EVENT_TYPE.claim]: 'acknowledged',
  [ARMS_EVENT_TYPE.comment]: 'commented',
  [ARMS_EVENT_TYPE.close]: 'resolved',
} as const satisfies Record<string, Status>;

export type ArmsEventType = keyof typeof TYPE_STATUS;

export const ARMS_EVENT_TYPES = Object.keys(TYPE_STATUS) as readonly ArmsEventType[];

/**
 * The severity of an event whose level and severity label are both missing or unknown.
 * router.yaml severity rules can match `sourceSeverity` (the raw level) to override it.
 */
export const ARMS_DEFAULT_SEVERITY: Severity = 'error';

/** ARMS alert levels: P1 is the most urgent, P4 the least. */
const LEVEL_SEVERITY: Readonly<Record<string, Severity>> = {
  P1: 'critical',
  P2: 'error',
  P3: 'warning',
  P4: 'info',
};

/** The Prometheus-style `severity` label, the fallback when the level says nothing. */
const LABEL_SEVERITY: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  page: 'critical',
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
};

/** Alertmanager statuses of a group and of its members. */
const GROUP_STATUS = { firing: 'firing', resolved: 'resolved' } as const;

/** Common labels that name the resource an alert is about, in the order they are listed. */
export const ARMS_RESOURCE_LABELS = ['resourceId', 'instanceId', 'clusterId', 'appId'] as const;

/** ARMS startTime/endTime are China Standard Time (UTC+8) without a zone. */
const ARMS_LOCAL_OFFSET_MINUTES = 8 * 60;

/** Go's zero time.Time: Alertmanager's endsAt of a member that has not ended. */
const GO_ZERO_TIME = /^0001-01-01T00:00:00(?:\.0+)?(?:Z|[+-]00:?00)$/i;

function isArmsEventType(type: string): type is ArmsEventType {
  return Object.hasOwn(TYPE_STATUS, type);
}

/** The first value that is a non-blank string. */
function firstText(...values: (string | null | undefined)[]): string | null {
  for (const value of values) {
    if (value !== undefined && value !== null && value.trim() !== '') return value;
  }
  return null;
}

/** A table entry by a key from the event: own keys only, so `constructor` finds nothing. */
function lookup<T>(table: Readonly<Record<string, T>>, key: string | null | undefined): T | undefined {
  return key !== null && key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

function severityOf(level: string | null, severityLabel: string | undefined): Severity {
  return (
    lookup(LEVEL_SEVERITY, level?.trim().toUpperCase()) ??
    lookup(LABEL_SEVERITY, severityLabel?.trim().toLowerCase()) ??
    ARMS_DEFAULT_SEVERITY
  );
}

/** A member timestamp: RFC 3339 with a zone; missing, unreadable and Go's zero time give null. */
function memberTime(member: RawObject, key: string): string | null {
  const value = member[key];
  if (typeof value !== 'string' || GO_ZERO_TIME.test(value.trim())) return null;
  return toUtc(value);
}

/** An ARMS time: China local time (UTC+8, no zone) or epoch milliseconds; else null. */
function armsTime(parent: RawObject, key: string): string | null {
  return flexibleTime(parent[key], ARMS_LOCAL_OFFSET_MINUTES);
}

/** The earliest (or latest) of the times; null when none is known. All are toUtc output: text order is time order. */
function earliest(times: Array<string | null>): string | null {
  const known = times.filter((time): time is string => time !== null).sort();
  return known[0] ?? null;
}

function latest(times: Array<string | null>): string | null {
  const known = times.filter((time): time is string => time !== null).sort();
  return known[known.length - 1] ?? null;
}

function memberOf(raw: unknown, path: string): AlertMember {
  const member = object(raw, path);
  const fingerprint = requiredString(member, 'fingerprint', path);
  const status = oneOf(requiredString(member, 'status', path), GROUP_STATUS, `${path}.status`);
  return {
    fingerprint,
    status,
    labels: stringMap(member, 'labels', path),
    annotations: stringMap(member, 'annotations', path),
    startsAt: memberTime(member, 'startsAt'),
    endsAt: memberTime(member, 'endsAt'),
  };
}

/** The human text of one member: its message, else its description or summary. */
function memberText(member: AlertMember): string | null {
  const { message, description, summary } = member.annotations;
  return firstText(message, description, summary);
}

function descriptionOf(
  members: AlertMember[],
  fallback: string,
  comment: string | null,
  solution: string | null,
): string {
  const messages = [...new Set(members.map(memberText).filter((text): text is string => text !== null))];
  const lines = messages.length > 0 ? messages : [fallback];
  if (comment !== null) lines.push(`Comment: ${comment}`);
  if (solution !== null) lines.push(`Solution: ${solution}`);
  return lines.join('\n');
}

function nameOf(commonLabels: StringMap, groupLabels: StringMap, members: AlertMember[]): string {
  const name = firstText(commonLabels.alertname, groupLabels.alertname, members[0]?.labels.alertname);
  if (name === null) {
    fail('data.data.commonLabels.alertname', 'is missing (and neither groupLabels nor alerts[0].labels has one)');
  }
  return name;
}

function resourcesOf(commonLabels: StringMap): string[] {
  const ids = ARMS_RESOURCE_LABELS.map((key) => firstText(commonLabels[key])).filter(
    (id): id is string => id !== null,
  );
  return [...new Set(ids)];
}

/** The common annotations, then the dispatch rule and the receiver when the event names them. */
function withRouting(commonAnnotations: StringMap, dispatchRule: string | null, receiver: string | null): StringMap {
  const annotations = { ...commonAnnotations };
  if (dispatchRule !== null) annotations.dispatchRule = dispatchRule;
  if (receiver !== null) annotations.receiver = receiver;
  return annotations;
}

function linksOf(subject: string, externalURL: string | null): Alert['links'] {
  const links = [{ title: 'ARMS console', url: subject }];
  if (externalURL !== null && externalURL !== subject) links.push({ title: 'ARMS alert details', url: externalURL });
  return links;
}

/** One ARMS CloudEvent, unwrapped (not a batch: the runtime splits FC batches first). */
export function normalizeArmsEnvelope(envelope: Envelope): Alert {
  const { type, id, source } = envelope;
  if (!isArmsEventType(type)) throw new UnsupportedEventError(type, ARMS_EVENT_TYPES.join(' | '));
  if (id === null) fail('id', 'is missing');
  const event = envelope.attributes;
  const subject = requiredString(event, 'subject', '');

  if (envelope.payload === undefined) fail('data', 'is missing');
  const data = object(envelope.payload, 'data');
  const group = requiredObject(data, 'data', 'data');
  oneOf(requiredString(group, 'status', 'data.data'), GROUP_STATUS, 'data.data.status');
  const members = optionalArray(group, 'alerts', 'data.data').map((member, i) =>
    memberOf(member, `data.data.alerts[${i}]`),
  );
  const commonLabels = stringMap(group, 'commonLabels', 'data.data');
  const commonAnnotations = stringMap(group, 'commonAnnotations', 'data.data');
  const groupLabels = stringMap(group, 'groupLabels', 'data.data');
  const level = optionalString(group, 'level', 'data.data');
  const dispatchRule = firstText(optionalString(group, 'dispatchRuleName', 'data.data'));
  const receiver = firstText(optionalString(group, 'receiver', 'data.data'));
  const externalURL = firstText(optionalString(group, 'externalURL', 'data.data'));

  const comment = optionalString(data, 'comment', 'data');
  const solution = optionalString(data, 'solution', 'data');
  const name = nameOf(commonLabels, groupLabels, members);
  const headline = firstText(commonAnnotations.message, commonAnnotations.summary) ?? name;
  const status = TYPE_STATUS[type];
  const ended = members.length > 0 && members.every((member) => member.status === 'resolved');

  return {
    schemaVersion: SCHEMA_VERSION,
    id,
    dedupKey: `alibaba.arms:${subject}`,
    cloud: 'alibaba',
    provider: 'alibaba.arms',
    kind: 'lifecycle',
    status,
    previousStatus: null,
    severity: severityOf(level, commonLabels.severity),
    sourceSeverity: level,
    name,
    summary: oneLine(headline, 1024),
    description: descriptionOf(members, headline, comment, solution),
    account: optionalString(event, 'aliyunaccountid', ''),
    region: firstText(commonLabels.regionId, optionalString(event, 'aliyunregionid', '')),
    resources: resourcesOf(commonLabels),
    labels: commonLabels,
    annotations: withRouting(commonAnnotations, dispatchRule, receiver),
    alerts: members,
    startsAt: armsTime(group, 'startTime') ?? earliest(members.map((member) => member.startsAt)),
    endsAt:
      armsTime(group, 'endTime') ??
      (status === 'resolved' && ended ? latest(members.map((member) => member.endsAt)) : null),
    observedAt: armsTime(data, 'timestamp') ?? envelope.time,
    actor: {
      owner: optionalString(data, 'owner', 'data'),
      handler: optionalString(data, 'handler', 'data'),
      operator: optionalString(data, 'operator', 'data'),
    },
    comment,
    solution,
    muted: null,
    links: linksOf(subject, externalURL),
    source: { id, type, source, bus: envelope.bus, time: envelope.time, timeText: envelope.timeText },
  };
}

/** One ARMS CloudEvent as EventBridge delivers it. */
export function normalizeArmsEvent(raw: unknown): Alert {
  return normalizeArmsEnvelope(unwrapCloudEvent(raw));
}
