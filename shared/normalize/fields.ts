// Typed readers over raw events. Each takes the path of the value inside the raw event so
// that a refusal names the field: `invalid event: detail.state.value: expected a string, got number`.
import { InvalidEventError } from '../model/errors';

export type RawObject = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function fail(path: string, problem: string): never {
  throw new InvalidEventError(path || '(event)', problem);
}

/** A required JSON object (not null, not an array). */
export function object(value: unknown, path: string): RawObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path, `expected an object, got ${describe(value)}`);
  }
  return value as RawObject;
}

/** An optional object: missing or null gives undefined; any other non-object is refused. */
export function optionalObject(parent: RawObject, key: string, path: string): RawObject | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  return object(value, join(path, key));
}

export function requiredObject(parent: RawObject, key: string, path: string): RawObject {
  const value = parent[key];
  if (value === undefined) fail(join(path, key), 'is missing');
  return object(value, join(path, key));
}

/** A required non-empty string. */
export function requiredString(parent: RawObject, key: string, path: string): string {
  const value = parent[key];
  const at = join(path, key);
  if (value === undefined) fail(at, 'is missing');
  if (typeof value !== 'string') fail(at, `expected a string, got ${describe(value)}`);
  if (value.trim() === '') fail(at, 'is empty');
  return value;
}

/** An optional string: missing, null and empty give null; another type is refused. */
export function optionalString(parent: RawObject, key: string, path: string): string | null {
  const value = parent[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(join(path, key), `expected a string, got ${describe(value)}`);
  return value === '' ? null : value;
}

/** An optional array: missing or null gives []; another type is refused. */
export function optionalArray(parent: RawObject, key: string, path: string): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(join(path, key), `expected an array, got ${describe(value)}`);
  return value;
}

/** An optional number (epoch milliseconds and the like). */
export function optionalNumber(parent: RawObject, key: string, path: string): number | null {
  const value = parent[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(join(path, key), `expected a number, got ${describe(value)}`);
  }
  return value;
}

/**
 * A label/annotation map. Scalars are kept as strings (real events carry numbers and
 * booleans in labels); nested objects and arrays are refused. Missing or null gives {}.
 */
export function stringMap(parent: RawObject, key: string, path: string): Record<string, string> {
  const value = parent[key];
  if (value === undefined || value === null) return {};
  const at = join(path, key);
  const source = object(value, at);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else fail(join(at, k), `expected a string, got ${describe(v)}`);
  }
  return out;
}

/** Picks one of the allowed values, refusing anything else: an unknown value is never guessed. */
export function oneOf<T extends string>(value: string, allowed: Readonly<Record<string, T>>, path: string): T {
  if (!Object.hasOwn(allowed, value)) {
    fail(path, `unknown value ${JSON.stringify(value)} (expected one of ${Object.keys(allowed).join(', ')})`);
  }
  return allowed[value] as T;
}

// 2019-10-02T17:04:40Z, 2019-10-01T13:56:40.985+0000, 2022-06-07T09:22:01.645000000Z, +08:00 ...
const RFC3339ISH =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses an ISO 8601 / RFC 3339 timestamp with a zone (`Z`, `+0000`, `+08:00`, any number of
 * fraction digits) into RFC 3339 UTC with millisecond precision.
 */
export function toUtc(value: string, path: string): string {
  const m = RFC3339ISH.exec(value.trim());
  if (!m) fail(path, `expected an RFC 3339 timestamp with a zone, got ${JSON.stringify(value)}`);
  const [, y, mo, d, h, mi, s, frac = '', zone] = m as unknown as string[];
  const ms = Number((frac + '000').slice(0, 3));
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  }
  return fromParts(path, value, +y!, +mo!, +d!, +h!, +mi!, +s!, ms, offsetMinutes);
}

/** Like toUtc for an optional field: missing, null or empty give null. */
export function optionalUtc(parent: RawObject, key: string, path: string): string | null {
  const value = optionalString(parent, key, path);
  return value === null ? null : toUtc(value, join(path, key));
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/**
 * Parses a zone-less local time at a fixed UTC offset (ARMS startTime/endTime are China
 * time, UTC+8: `2022-06-07 17:22:01` is 09:22:01Z). A value that carries a zone is honoured.
 */
export function localToUtc(value: string, offsetMinutes: number, path: string): string {
  const m = LOCAL.exec(value.trim());
  if (!m) return toUtc(value, path);
  const [, y, mo, d, h, mi, s, frac = ''] = m as unknown as string[];
  const ms = Number((frac + '000').slice(0, 3));
  return fromParts(path, value, +y!, +mo!, +d!, +h!, +mi!, +s!, ms, offsetMinutes);
}

function fromParts(
  path: string,
  raw: string,
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  offsetMinutes: number,
): string {
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const check = new Date(0);
  check.setUTCFullYear(y, mo - 1, d);
  check.setUTCHours(h, mi, s, ms);
  const utc = check.getTime();
  if (
    Number.isNaN(utc) ||
    check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d ||
    h > 23 ||
    mi > 59 ||
    s > 60
  ) {
    fail(path, `not a valid date: ${JSON.stringify(raw)}`);
  }
  return new Date(utc - offsetMinutes * 60_000).toISOString();
}

/** Epoch milliseconds to RFC 3339 UTC. */
export function fromEpochMs(value: number): string {
  return new Date(value).toISOString();
}

/** One human line: the first line of the text, at most `max` characters. */
export function oneLine(text: string, max = 1024): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  return line.slice(0, max - 1) + '…';
}
