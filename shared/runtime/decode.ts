// decode: Lambda hands the handler an object; FC 3.0 hands it a Buffer of JSON holding one
// CloudEvent, or an array of them when batching is on. Both paths accept every shape. A
// Lambda SNS event of several records is split into one delivery per record.
//
// Size is checked before parsing; depth (shared/normalize/shape.ts, per delivery, in the
// pipeline) before anything recurses into a delivery: no input, however deep or long,
// overflows the stack. V8's JSON.parse does not recurse.
import { InvalidEventError } from '../model/errors';
import { splitDeliveries } from '../normalize';

/** Above the largest payload either platform delivers (Lambda: 6 MB synchronous, 1 MB asynchronous). */
export const MAX_EVENT_BYTES = 8 * 1024 * 1024;

export interface Decoded {
  /** The raw deliveries of the invocation, in order. */
  events: unknown[];
  /** Whether they came as several (an FC batch, a multi-record SNS event): the result is an array then. */
  batch: boolean;
}

function parse(text: string): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EVENT_BYTES) throw new InvalidEventError('(event)', `${bytes} bytes, above the limit of ${MAX_EVENT_BYTES}`);
  // V8's JSON.parse does not recurse: any depth parses; checkEventShape then bounds it.
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidEventError('(event)', `not valid JSON: ${(error as Error).message}`);
  }
}

export function decodeEvents(event: unknown): Decoded {
  let value = event;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    if (value.byteLength > MAX_EVENT_BYTES) {
      throw new InvalidEventError('(event)', `${value.byteLength} bytes, above the limit of ${MAX_EVENT_BYTES}`);
    }
    // A byte order mark is no part of the JSON.
    value = Buffer.from(value).toString('utf8').replace(/^\uFEFF/, '');
  }
  if (typeof value === 'string') value = parse(value);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InvalidEventError('(event)', 'empty batch');
    return { events: value.flatMap(splitDeliveries), batch: true };
  }
  const events = splitDeliveries(value);
  return { events, batch: events.length > 1 };
}
