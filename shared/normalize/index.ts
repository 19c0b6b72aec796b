// Which normalizer takes which event type. The keys are the event types a handler is bound
// to: EventBridge `detail-type` for CloudWatch, CloudEvents `type` for ARMS, and the
// delivery path for a classic SNS alarm notification and a Lambda alarm action. Each type
// string is written once, in the module of its source (or envelope); a new source or delivery
// path is an envelope or a normalizer, one line here, its handler and its IaC.
import type { Alert } from '../model/alert';
import { UnsupportedEventError } from '../model/errors';
import { normalizeCloudWatchEnvelope, normalizeAlarmActionEnvelope, CLOUDWATCH_EVENT_TYPES } from './cloudwatch';
import { normalizeCloudWatchSnsEnvelope } from './cloudwatch-sns';
import { normalizeArmsEnvelope, ARMS_EVENT_TYPE } from './arms';
import { unwrap, LAMBDA_ALARM_ACTION, SNS_ALARM_NOTIFICATION, type Envelope } from './envelopes';
import { checkEventShape } from './shape';

export type Normalizer = (envelope: Envelope) => Alert;

export interface EventTypeInfo {
  cloud: 'aws' | 'alibaba';
  normalize: Normalizer;
}

export const EVENT_TYPES = {
  [CLOUDWATCH_EVENT_TYPES.stateChange]: { cloud: 'aws', normalize: normalizeCloudWatchEnvelope },
  [CLOUDWATCH_EVENT_TYPES.contributorStateChange]: { cloud: 'aws', normalize: normalizeCloudWatchEnvelope },
  [CLOUDWATCH_EVENT_TYPES.configurationChange]: { cloud: 'aws', normalize: normalizeCloudWatchEnvelope },
  [SNS_ALARM_NOTIFICATION]: { cloud: 'aws', normalize: normalizeCloudWatchSnsEnvelope },
  [LAMBDA_ALARM_ACTION]: { cloud: 'aws', normalize: normalizeAlarmActionEnvelope },
  [ARMS_EVENT_TYPE.create]: { cloud: 'alibaba', normalize: normalizeArmsEnvelope },
  [ARMS_EVENT_TYPE.claim]: { cloud: 'alibaba', normalize: normalizeArmsEnvelope },
  [ARMS_EVENT_TYPE.comment]: { cloud: 'alibaba', normalize: normalizeArmsEnvelope },
  [ARMS_EVENT_TYPE.close]: { cloud: 'alibaba', normalize: normalizeArmsEnvelope },
} as const satisfies Record<string, EventTypeInfo>;

export type EventType = keyof typeof EVENT_TYPES;

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_TYPES, value);
}

/** The event type of a raw event, from its envelope. Refuses what is no envelope, naming the problem. */
export function eventTypeOf(raw: unknown): string {
  return unwrap(raw).type;
}

/** Normalizes one raw event; with `expected`, refuses any other event type. */
export function normalizeEvent(raw: unknown, expected?: EventType): Alert {
  const envelope = unwrap(raw);
  const { type } = envelope;
  if (expected !== undefined && type !== expected) throw new UnsupportedEventError(type, expected);
  if (!isEventType(type)) throw new UnsupportedEventError(type, Object.keys(EVENT_TYPES).join(' | '));
  return EVENT_TYPES[type].normalize(envelope);
}

/**
 * The shape check (depth and size limits) then normalizeEvent: the alert of one raw delivery,
 * or a RouterError naming the problem. Nothing else is thrown, whatever the input (the fuzz
 * test in test/runtime holds it to that). The handlers and the command line both take this.
 */
export function intakeAlert(raw: unknown, expected?: EventType): Alert {
  checkEventShape(raw);
  return normalizeEvent(raw, expected);
}

export { splitDeliveries, LAMBDA_ALARM_ACTION, SNS_ALARM_NOTIFICATION } from './envelopes';
export { CLOUDWATCH_EVENT_TYPES } from './cloudwatch';
export { ARMS_EVENT_TYPE } from './arms';
