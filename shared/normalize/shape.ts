// Bounds on the shape of a delivery, checked before anything recurses into it without a
// bound (the normalizers, the logger's JSON.stringify): no input, however deep, overflows
// the stack (this check recurses no deeper than the bound). The runtime checks every
// delivery; the SNS envelope checks the message it parses.
import { InvalidEventError } from '../model/errors';

/** Real alarm events nest about 8 levels deep; an FC batch adds one. */
export const MAX_EVENT_DEPTH = 64;
/** Values (objects, arrays, scalars) in one delivery. */
export const MAX_EVENT_VALUES = 1_000_000;

/** Refuses a value nested deeper than MAX_EVENT_DEPTH or holding more than MAX_EVENT_VALUES values. */
export function checkEventShape(value: unknown, path = '(event)'): void {
  if (typeof value !== 'object' || value === null) return;
  // The walk recurses, but never deeper than MAX_EVENT_DEPTH: it stops there with the refusal.
  const values = 1 + childValues(value, 2, path);
  if (values > MAX_EVENT_VALUES) tooMany(path);
}

/** The values inside an object or array at `depth`, every level below included. */
function childValues(current: object, depth: number, path: string): number {
  let seen = 0;
  // An object's own enumerable values, as for...in with an own-key check would visit them,
  // read in one call (about 40% less time than the for...in walk).
  const children: unknown[] = Array.isArray(current) ? current : Object.values(current);
  for (let i = 0; i < children.length; i += 1) seen += valuesOf(children[i], depth, path);
  if (seen > MAX_EVENT_VALUES) tooMany(path);
  return seen;
}

/** 1 for a scalar; for an object or array at `depth`, 1 and what it holds. */
function valuesOf(child: unknown, depth: number, path: string): number {
  if (typeof child !== 'object' || child === null) return 1;
  if (depth > MAX_EVENT_DEPTH) throw new InvalidEventError(path, `nested deeper than ${String(MAX_EVENT_DEPTH)} levels`);
  return 1 + childValues(child, depth + 1, path);
}

function tooMany(path: string): never {
  throw new InvalidEventError(path, `holds more than ${String(MAX_EVENT_VALUES)} values`);
}
