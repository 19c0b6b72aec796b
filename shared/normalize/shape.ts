// Bounds on the shape of a delivery, checked without recursion before anything recurses into
// it (the normalizers, the logger's JSON.stringify): no input, however deep, overflows the
// stack. The runtime checks every delivery; the SNS envelope checks the message it parses.
import { InvalidEventError } from '../model/errors';

/** Real alarm events nest about 8 levels deep; an FC batch adds one. */
export const MAX_EVENT_DEPTH = 64;
/** Values (objects, arrays, scalars) in one delivery. */
export const MAX_EVENT_VALUES = 1_000_000;

/** Refuses a value nested deeper than MAX_EVENT_DEPTH or holding more than MAX_EVENT_VALUES values. */
export function checkEventShape(value: unknown, path = '(event)'): void {
  // Two parallel stacks (objects and their depths): no tuple per object on the warm path.
  const objects: unknown[] = [value];
  const depths: number[] = [1];
  let seen = 0;
  while (objects.length > 0) {
    const current = objects.pop();
    const depth = depths.pop() as number;
    if (++seen > MAX_EVENT_VALUES) throw new InvalidEventError(path, `holds more than ${String(MAX_EVENT_VALUES)} values`);
    if (typeof current !== 'object' || current === null) continue;
    if (depth > MAX_EVENT_DEPTH) throw new InvalidEventError(path, `nested deeper than ${String(MAX_EVENT_DEPTH)} levels`);
    for (const child of Array.isArray(current) ? (current as unknown[]) : Object.values(current)) {
      if (typeof child === 'object' && child !== null) {
        objects.push(child);
        depths.push(depth + 1);
      } else seen++;
    }
  }
}
