// Which normalizer takes which event type. The keys are the event types a handler is
// bound to: EventBridge `detail-type` for CloudWatch, CloudEvents `type` for ARMS.
import type { Alert } from '../model/alert';
import { InvalidEventError, UnsupportedEventError } from '../model/errors';
import { normalizeCloudWatchEvent, CLOUDWATCH_SOURCE } from './cloudwatch';
import { normalizeArmsEvent } from './arms';

export type Normalizer = (raw: unknown) => Alert;

export interface EventTypeInfo {
  cloud: 'aws' | 'alibaba';
  normalize: Normalizer;
}

export const EVENT_TYPES = {
  'CloudWatch Alarm State Change': { cloud: 'aws', normalize: normalizeCloudWatchEvent },
  'CloudWatch Alarm Contributor State Change': { cloud: 'aws', normalize: normalizeCloudWatchEvent },
  'CloudWatch Alarm Configuration Change': { cloud: 'aws', normalize: normalizeCloudWatchEvent },
  'aliyun:arms:alarm:create': { cloud: 'alibaba', normalize: normalizeArmsEvent },
  'aliyun:arms:alarm:claim': { cloud: 'alibaba', normalize: normalizeArmsEvent },
  'aliyun:arms:alarm:comment': { cloud: 'alibaba', normalize: normalizeArmsEvent },
  'aliyun:arms:alarm:close': { cloud: 'alibaba', normalize: normalizeArmsEvent },
} as const satisfies Record<string, EventTypeInfo>;

export type EventType = keyof typeof EVENT_TYPES;

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_TYPES, value);
}

/**
 * The event type of a raw event: `detail-type` of an EventBridge event from aws.cloudwatch,
 * `type` of a CloudEvent. Refuses what is neither, naming the field.
 */
export function eventTypeOf(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidEventError('(event)', `expected a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw}`);
  }
  const event = raw as Record<string, unknown>;
  if (typeof event['detail-type'] === 'string') {
    if (event.source !== CLOUDWATCH_SOURCE) {
      throw new UnsupportedEventError(`source ${JSON.stringify(event.source)}`, `source "${CLOUDWATCH_SOURCE}"`);
    }
    return event['detail-type'];
  }
  if (typeof event.type === 'string' && typeof event.specversion === 'string') return event.type;
  throw new InvalidEventError('(event)', 'neither an EventBridge event (detail-type) nor a CloudEvent (specversion, type)');
}

/** Normalizes one raw event; with `expected`, refuses any other event type. */
export function normalizeEvent(raw: unknown, expected?: EventType): Alert {
  const type = eventTypeOf(raw);
  if (expected !== undefined && type !== expected) throw new UnsupportedEventError(type, expected);
  if (!isEventType(type)) throw new UnsupportedEventError(type, Object.keys(EVENT_TYPES).join(' | '));
  return EVENT_TYPES[type].normalize(raw);
}
