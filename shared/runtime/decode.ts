// decode: Lambda hands the handler an object; FC 3.0 hands it a Buffer of JSON holding one
// CloudEvent, or an array of them when batching is on. Both paths accept every shape. A
// Lambda SNS event of several records is split into one delivery per record.
//
// Size is checked before parsing, depth (checkEventShape, per delivery) before anything
// recurses into a delivery (the normalizers, the logger's JSON.stringify): no input, however
// deep or long, overflows the stack.
import { InvalidEventError } from '../model/errors';
import { splitDeliveries } from '../normalize';

/** Above the largest payload either platform delivers (Lambda: 6 MB synchronous, 1 MB asynchronous). */
export const MAX_EVENT_BYTES = 8 * 1024 * 1024;
/** Real alarm events nest about 8 levels deep; an FC batch adds one. */
export const MAX_EVENT_DEPTH = 64;
/** Values (objects, arrays, scalars) in one invocation event. */
export const MAX_EVENT_VALUES = 1_000_000;

export interface Decoded {
  /** The raw deliveries of the invocation, in order. */
  events: unknown[];
  /** Whether they came as several (an FC batch, a multi-record SNS event): the result is an array then. */
  batch: boolean;
}

/**
 * Refuses a delivery nested deeper than MAX_EVENT_DEPTH or holding too many values, without
 * recursion. The pipeline runs it on each delivery before anything recurses into it, so a
 * hostile member of a batch is refused alone.
 */
export function checkEventShape(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let seen = 0;
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (++seen > MAX_EVENT_VALUES) throw new InvalidEventError('(event)', `holds more than ${MAX_EVENT_VALUES} values`);
    if (typeof current !== 'object' || current === null) continue;
    if (depth > MAX_EVENT_DEPTH) throw new InvalidEventError('(event)', `nested deeper than ${MAX_EVENT_DEPTH} levels`);
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
      else seen++;
    }
  }
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
    value = Buffer.from(value).toString('utf8');
  }
  if (typeof value === 'string') value = parse(value);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new InvalidEventError('(event)', 'empty batch');
    return { events: value.flatMap(splitDeliveries), batch: true };
  }
  const events = splitDeliveries(value);
  return { events, batch: events.length > 1 };
}
