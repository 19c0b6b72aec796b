// An EventBridge event: `detail-type` is the event type, `detail` the payload.
import { metadataText, object, requiredString, toUtc } from '../fields';
import type { Envelope } from './types';

export function isEventBridgeEvent(raw: Record<string, unknown>): boolean {
  return typeof raw['detail-type'] === 'string';
}

export function unwrapEventBridge(raw: unknown): Envelope {
  const event = object(raw, '');
  const type = requiredString(event, 'detail-type', '');
  const source = requiredString(event, 'source', '');
  const timeText = metadataText(event, 'time');
  return {
    format: 'eventbridge',
    type,
    id: requiredString(event, 'id', ''),
    time: timeText === null ? null : toUtc(timeText),
    timeText,
    source,
    bus: null,
    payloadPath: 'detail',
    payload: event.detail,
    attributes: event,
  };
}
