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
  let values: number;
  try {
    values = 1 + childValues(value, 2, path, !enumerableInherited());
  } catch (error) {
    // The walk keeps no path (the events that pass are the many); a refused one is walked again for it.
    if (error instanceof TooDeep) throw new InvalidEventError(tooDeepAt(value, path), `nested deeper than ${String(MAX_EVENT_DEPTH)} levels`);
    throw error;
  }
  if (values > MAX_EVENT_VALUES) tooMany(path);
}

class TooDeep extends Error {}

/** The path of the first value nested deeper than MAX_EVENT_DEPTH (`data[0][0]...`, cut at 200 characters: its first steps say where, the rest repeats). */
function tooDeepAt(root: object, path: string): string {
  const walk = (value: unknown, at: string, depth: number): string | undefined => {
    if (typeof value !== 'object' || value === null) return undefined;
    if (depth > MAX_EVENT_DEPTH) return at;
    for (const [key, child] of Object.entries(value)) {
      const found = walk(child, Array.isArray(value) ? `${at}[${key}]` : `${at}.${key}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  const found = (walk(root, path === '(event)' ? '' : path, 1) ?? path).replace(/^\./, '') || path;
  // Its first levels say where it went deep; the rest is the same step again and again.
  return found.length > 200 ? `${found.slice(0, 200)}…` : found;
}

/** Whether Object.prototype has an enumerable property: for...in would then visit it in every plain object. */
function enumerableInherited(): boolean {
  for (const _key in Object.prototype) return true;
  return false;
}

/** The values inside an object or array at `depth`, every level below included. */
function childValues(current: object, depth: number, path: string, plainIsOwn: boolean): number {
  let seen = 0;
  if (Array.isArray(current)) {
    const list = current as unknown[];
    for (let i = 0; i < list.length; i += 1) seen += valuesOf(list[i], depth, path, plainIsOwn);
  } else {
    const object = current as Record<string, unknown>;
    // A plain object (what JSON.parse makes) inherits nothing enumerable when Object.prototype
    // has nothing enumerable: for...in visits its own keys only, no check needed.
    if (plainIsOwn && Object.getPrototypeOf(object) === Object.prototype) {
      for (const key in object) seen += valuesOf(object[key], depth, path, plainIsOwn);
    } else {
      for (const key in object) if (Object.hasOwn(object, key)) seen += valuesOf(object[key], depth, path, plainIsOwn);
    }
  }
  if (seen > MAX_EVENT_VALUES) tooMany(path);
  return seen;
}

/** 1 for a scalar; for an object or array at `depth`, 1 and what it holds. */
function valuesOf(child: unknown, depth: number, path: string, plainIsOwn: boolean): number {
  if (typeof child !== 'object' || child === null) return 1;
  if (depth > MAX_EVENT_DEPTH) throw new TooDeep();
  return 1 + childValues(child, depth + 1, path, plainIsOwn);
}

function tooMany(path: string): never {
  throw new InvalidEventError(path, `holds more than ${String(MAX_EVENT_VALUES)} values`);
}
