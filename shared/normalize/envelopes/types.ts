// What every envelope gives the normalizers: a delivery unwrapped into its event type, id,
// time and payload. Envelope metadata never refuses an alert: an unreadable time is null
// (and kept as sent in timeText); only what decides the event type or identity is required.
import type { RawObject } from '../fields';

export type EnvelopeFormat = 'eventbridge' | 'cloudevents' | 'sns' | 'alarm-action';

export interface Envelope {
  format: EnvelopeFormat;
  /** The event type a handler is bound to (EventBridge detail-type, CloudEvents type, ...). */
  type: string;
  /** The upstream id of this delivery; null for a path that has none (Lambda alarm actions). */
  id: string | null;
  /** The envelope time as RFC 3339 UTC, or null when missing or unreadable. */
  time: string | null;
  /** The envelope time exactly as sent, or null. */
  timeText: string | null;
  /** EventBridge / CloudEvents source; `aws.sns` for an SNS notification. */
  source: string;
  /** The bus or topic it came through, or null. */
  bus: string | null;
  /** Where in the raw event the payload sits, for the paths in refusals (`detail`, `data`). */
  payloadPath: string;
  payload: unknown;
  /** The envelope object itself, for the attributes a normalizer reads beside the payload. */
  attributes: RawObject;
}
