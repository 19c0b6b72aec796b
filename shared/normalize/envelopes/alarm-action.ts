// A Lambda alarm action: CloudWatch invoking a function directly as the action of an alarm.
// `alarmData` is the payload (the shape of an EventBridge alarm event's `detail`); the event
// has no id and no detail-type. Its times were copied into public fixtures as
// `2023-08-04T12: 56: 46.138+0000`: fields.toUtc reads those.
import { metadataText, object, toUtc } from '../fields';
import type { Envelope } from './types';

export const LAMBDA_ALARM_ACTION = 'CloudWatch Alarm Lambda Action';

export function isAlarmAction(raw: Record<string, unknown>): boolean {
  return Object.hasOwn(raw, 'alarmData') && !Object.hasOwn(raw, 'detail-type');
}

export function unwrapAlarmAction(raw: unknown): Envelope {
  const event = object(raw, '');
  const timeText = metadataText(event, 'time');
  return {
    format: 'alarm-action',
    type: LAMBDA_ALARM_ACTION,
    id: null,
    time: timeText === null ? null : toUtc(timeText),
    timeText,
    source: metadataText(event, 'source') ?? '',
    bus: null,
    payloadPath: 'alarmData',
    payload: event.alarmData,
    attributes: event,
  };
}
