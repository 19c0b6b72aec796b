// Which envelope a delivery comes in, told apart by the keys only it has. Each envelope
// module owns its shape; adding a delivery path is one module here and one line below.
import { fail, type RawObject } from '../fields';
import { isAlarmAction, unwrapAlarmAction } from './alarm-action';
import { isCloudEvent, unwrapCloudEvent } from './cloudevents';
import { isEventBridgeEvent, unwrapEventBridge } from './eventbridge';
import { isSnsDelivery, splitSnsRecords, unwrapSns } from './sns';
import type { Envelope } from './types';

export type { Envelope, EnvelopeFormat } from './types';
export { LAMBDA_ALARM_ACTION } from './alarm-action';
export { SNS_ALARM_NOTIFICATION, SNS_SOURCE } from './sns';

const ENVELOPES: ReadonlyArray<{ is: (raw: RawObject) => boolean; unwrap: (raw: unknown) => Envelope }> = [
  { is: isEventBridgeEvent, unwrap: unwrapEventBridge },
  { is: isCloudEvent, unwrap: unwrapCloudEvent },
  { is: isAlarmAction, unwrap: unwrapAlarmAction },
  { is: isSnsDelivery, unwrap: unwrapSns },
];

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** Unwraps one delivery. Refuses, naming the problem, what is no envelope this router reads. */
export function unwrap(raw: unknown): Envelope {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('(event)', `expected a JSON object, got ${describe(raw)}`);
  }
  const event = raw as RawObject;
  const envelope = ENVELOPES.find((candidate) => candidate.is(event));
  if (envelope === undefined) {
    fail(
      '(event)',
      'neither an EventBridge event (detail-type), a CloudEvent (specversion, type), an SNS notification ' +
        '(Records[].Sns, Message, or a CloudWatch alarm message) nor a Lambda alarm action (alarmData)',
    );
  }
  return envelope.unwrap(event);
}

/** The deliveries one invocation event holds: the records of a multi-record SNS event, else itself. */
export function splitDeliveries(raw: unknown): unknown[] {
  return splitSnsRecords(raw) ?? [raw];
}
