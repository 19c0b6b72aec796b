// decode: Lambda hands the handler an object; FC 3.0 hands it a Buffer of JSON holding one
// CloudEvent, or an array of them when batching is on. Both paths accept every shape.
import { InvalidEventError } from '../model/errors';

export interface Decoded {
  /** The raw events of the invocation, in order. */
  events: unknown[];
  /** Whether they came as an array (an FC batch), so the result is an array too. */
  batch: boolean;
}

export function decodeEvents(event: unknown): Decoded {
  let value = event;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (error) {
      throw new InvalidEventError('(event)', `not valid JSON: ${(error as Error).message}`);
    }
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InvalidEventError('(event)', 'empty batch');
    return { events: value, batch: true };
  }
  return { events: [value], batch: false };
}
