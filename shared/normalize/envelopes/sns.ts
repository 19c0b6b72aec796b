// An SNS notification, in the three shapes it reaches a function or a file:
// - as Lambda receives it: `{"Records": [{"EventSource": "aws:sns", "Sns": {...}}]}` (one
//   record per invocation; splitSnsRecords splits a longer list);
// - the notification itself (one record's `Sns`, or the body of an HTTP(S) subscription:
//   `Type`, `MessageId`, `TopicArn`, `Timestamp`, `Message`);
// - the bare message, a CloudWatch alarm notification (`AlarmName`, `NewStateValue`, ...).
// The message is the payload; keys are read whatever their case (some relays lower-case them).
import { UnsupportedEventError } from '../../model/errors';
import { fail, metadataText, object, toUtc, withKeys, type RawObject } from '../fields';
import type { Envelope } from './types';

/** An SNS message holding a classic CloudWatch alarm notification. */
export const SNS_ALARM_NOTIFICATION = 'CloudWatch Alarm SNS Notification';
export const SNS_SOURCE = 'aws.sns';

const NOTIFICATION_KEYS = ['Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp'] as const;

function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function records(raw: RawObject): unknown[] | null {
  const value = withKeys(raw, ['Records']).Records;
  return Array.isArray(value) ? value : null;
}

function recordNotification(value: unknown): RawObject | null {
  if (!isObject(value)) return null;
  const sns = withKeys(value, ['Sns']).Sns;
  return isObject(sns) ? sns : null;
}

function isNotification(raw: RawObject): boolean {
  const keyed = withKeys(raw, NOTIFICATION_KEYS);
  return typeof keyed.Message === 'string' && (typeof keyed.Type === 'string' || typeof keyed.MessageId === 'string');
}

/** A classic CloudWatch alarm notification: the message SNS carries for an alarm action. */
export function isAlarmMessage(value: unknown): value is RawObject {
  if (!isObject(value)) return false;
  const keyed = withKeys(value, ['AlarmName', 'NewStateValue']);
  return keyed.AlarmName !== undefined && keyed.NewStateValue !== undefined;
}

export function isSnsDelivery(raw: RawObject): boolean {
  const list = records(raw);
  if (list !== null) return list.length > 0 && list.every((record) => recordNotification(record) !== null);
  return recordNotification(raw) !== null || isNotification(raw) || isAlarmMessage(raw);
}

/** The records of a Lambda SNS event of more than one record, each a delivery of its own. */
export function splitSnsRecords(raw: unknown): unknown[] | null {
  if (!isObject(raw)) return null;
  const list = records(raw);
  return list !== null && list.length > 1 && list.every((record) => recordNotification(record) !== null) ? list : null;
}

function parseMessage(text: string, path: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fail(path, 'is not JSON, so not a CloudWatch alarm notification');
  }
}

export function unwrapSns(raw: unknown): Envelope {
  const event = object(raw, '');
  let notification: RawObject | null = null;
  let path = '';
  const list = records(event);
  if (list !== null) {
    if (list.length !== 1) fail('Records', `holds ${list.length} records; one delivery holds one`);
    notification = recordNotification(list[0]) ?? fail('Records[0].Sns', 'is missing');
    path = 'Records[0].Sns';
  } else if (recordNotification(event) !== null) {
    notification = recordNotification(event);
    path = 'Sns';
  } else if (isNotification(event)) {
    notification = event;
  }

  if (notification === null) {
    // The bare message: no id, no time, no topic.
    if (!isAlarmMessage(event)) fail('(event)', 'not an SNS notification nor a CloudWatch alarm message');
    return envelope(event, null, '', event);
  }
  const keyed = withKeys(notification, NOTIFICATION_KEYS);
  const messagePath = path ? `${path}.Message` : 'Message';
  const message = typeof keyed.Message === 'string' ? parseMessage(keyed.Message, messagePath) : fail(messagePath, 'is missing');
  if (!isAlarmMessage(message)) {
    throw new UnsupportedEventError(`an SNS message that is no CloudWatch alarm notification (${messagePath})`, SNS_ALARM_NOTIFICATION);
  }
  return envelope(message, keyed, messagePath, event);
}

function envelope(message: RawObject, notification: RawObject | null, payloadPath: string, raw: RawObject): Envelope {
  const timeText = notification ? metadataText(notification, 'Timestamp') : null;
  return {
    format: 'sns',
    type: SNS_ALARM_NOTIFICATION,
    id: notification ? metadataText(notification, 'MessageId') : null,
    time: timeText === null ? null : toUtc(timeText),
    timeText,
    source: SNS_SOURCE,
    bus: notification ? metadataText(notification, 'TopicArn') : null,
    payloadPath,
    payload: message,
    attributes: raw,
  };
}
