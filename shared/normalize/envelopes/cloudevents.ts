// A CloudEvent (1.0, structured mode), as Alibaba EventBridge delivers it: `type` is the
// event type, `data` the payload. Alibaba adds extension attributes (`aliyunpublishtime`,
// `aliyuneventbusname`, `aliyunaccountid`, `aliyunregionid`) and writes odd publish times
// (`2020-11-19T21:04:42.179PRC`): read when readable, kept as text either way.
import { metadataText, object, requiredString, toUtc } from '../fields';
import type { Envelope } from './types';

export function isCloudEvent(raw: Record<string, unknown>): boolean {
  return typeof raw.specversion === 'string' && typeof raw.type === 'string';
}

export function unwrapCloudEvent(raw: unknown): Envelope {
  const event = object(raw, '');
  const type = requiredString(event, 'type', '');
  const timeText = metadataText(event, 'aliyunpublishtime') ?? metadataText(event, 'time');
  return {
    format: 'cloudevents',
    type,
    id: requiredString(event, 'id', ''),
    time: timeText === null ? null : toUtc(timeText),
    timeText,
    source: requiredString(event, 'source', ''),
    bus: metadataText(event, 'aliyuneventbusname'),
    payloadPath: 'data',
    payload: event.data,
    attributes: event,
  };
}
