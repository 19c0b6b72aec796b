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
  for (const k in source) {
    if (!Object.hasOwn(source, k)) continue;
    const v = source[k];
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

// Times are metadata: an unreadable one is unknown (null), never a reason to refuse an alert,
// and never guessed. Accepted: RFC 3339 / ISO 8601 with a zone (`Z`, `+0000`, `+08:00`, any
// number of fraction digits), the zone names Alibaba writes (`...179PRC`,
// `...965Asia/Shanghai`), spaces copied after the colons (`12: 56: 46.138+0000`) and a leap
// second (`23:59:60`, read as the last millisecond of its minute). A result outside the years
// 0000-9999 is unknown too: RFC 3339 cannot write it.
const RFC3339ISH =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z|z|[+-]\d{2}(?::?\d{2})?)|([A-Za-z][A-Za-z_/]*))$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?$/;

/** Zone names seen in real events, as minutes east of UTC. */
const ZONE_OFFSETS: Readonly<Record<string, number>> = {
  UTC: 0,
  GMT: 0,
  PRC: 480,
  'ASIA/SHANGHAI': 480,
  'ASIA/CHONGQING': 480,
  'ASIA/HONG_KONG': 480,
};

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: what RFC 3339 can write. */
const EARLIEST_MS = -62_167_219_200_000;
const LATEST_MS = 253_402_300_799_999;

function squeeze(value: string): string {
  return value.trim().replace(/:\s+/g, ':');
}

function offsetOf(zone: string | undefined, name: string | undefined): number | null {
  if (name !== undefined) {
    const key = name.toUpperCase();
    return Object.hasOwn(ZONE_OFFSETS, key) ? (ZONE_OFFSETS[key] ?? null) : null;
  }
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

/**
 * A timestamp with a zone as RFC 3339 UTC with millisecond precision, or null when it cannot
 * be read or falls outside the years 0000-9999.
 */
export function toUtc(value: string): string | null {
  const utc = alreadyUtc(value);
  return utc !== undefined ? utc : readTime(value);
}

/** toUtc by the pattern, whatever the shape: what alreadyUtc must agree with. */
export function readTime(value: string): string | null {
  // Most times arrive well-formed: the squeeze (trim, spaces after colons) only on a miss.
  const m = RFC3339ISH.exec(value) ?? RFC3339ISH.exec(squeeze(value));
  if (!m) return null;
  const offset = offsetOf(m[8], m[9]);
  return offset === null ? null : fromParts(m, offset);
}

/** The digit at `i` as a number, or -1. */
function digitAt(text: string, i: number): number {
  const code = text.charCodeAt(i) - 48;
  return code >= 0 && code <= 9 ? code : -1;
}

/** The two-digit number at `i`, or -1. */
function twoDigitsAt(text: string, i: number): number {
  const tens = digitAt(text, i);
  const units = digitAt(text, i + 1);
  return tens < 0 || units < 0 ? -1 : tens * 10 + units;
}

/**
 * toUtc of the shape most times arrive in, `YYYY-MM-DDTHH:MM:SS[.digits]` in UTC (`Z`,
 * `+0000`, `+00:00`), read by character codes (no match array, no number parsing): the
 * answer is the text itself, its fraction cut or padded to milliseconds. Undefined for any
 * other shape, which readTime reads.
 */
function alreadyUtc(value: string): string | null | undefined {
  const end = value.length;
  if (end < 20 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84) return undefined;
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return undefined;
  const century = twoDigitsAt(value, 0);
  const yearOfCentury = twoDigitsAt(value, 2);
  const month = twoDigitsAt(value, 5);
  const day = twoDigitsAt(value, 8);
  const hours = twoDigitsAt(value, 11);
  const minutes = twoDigitsAt(value, 14);
  const seconds = twoDigitsAt(value, 17);
  if (century < 0 || yearOfCentury < 0 || month < 0 || day < 0 || hours < 0 || minutes < 0 || seconds < 0) return undefined;
  const year = century * 100 + yearOfCentury;
  // The fraction: a dot and digits, up to the zone.
  let zone = 19;
  if (value.charCodeAt(19) === 46) {
    zone = 20;
    while (zone < end && digitAt(value, zone) >= 0) zone += 1;
    if (zone === 20) return undefined;
  }
  const zoneLength = end - zone;
  const utcZone =
    (zoneLength === 1 && value.charCodeAt(zone) === 90) ||
    (zoneLength === 5 && value.endsWith('+0000')) ||
    (zoneLength === 6 && value.endsWith('+00:00'));
  // A leap second and every other zone take the long way.
  if (!utcZone || seconds === 60) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hours > 23 || minutes > 59 || seconds > 59) return null;
  const fraction = zone === 19 ? '' : value.slice(20, zone);
  const ms = fraction.length >= 3 ? fraction.slice(0, 3) : (fraction + '000').slice(0, 3);
  return `${value.slice(0, 19)}.${ms}Z`;
}

/** Like toUtc for an optional string field: missing, null, empty or unreadable give null. */
export function optionalUtc(parent: RawObject, key: string, path: string): string | null {
  const value = optionalString(parent, key, path);
  return value === null ? null : toUtc(value);
}

/**
 * A zone-less local time at a fixed UTC offset (ARMS startTime/endTime are China time, UTC+8:
 * `2022-06-07 17:22:01` is 09:22:01Z). A value that carries a zone is honoured.
 */
export function localToUtc(value: string, offsetMinutes: number): string | null {
  const m = LOCAL.exec(value) ?? LOCAL.exec(squeeze(value));
  return m ? fromParts(m, offsetMinutes) : toUtc(value);
}

/** Days in month `month` (1-12) of the proleptic Gregorian year `year`, as Date counts them. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** 400 Gregorian years, in milliseconds: the calendar repeats after them. */
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

// Plain arithmetic on the matched digits, no Date object: times are read several times per
// event on the warm path.
function fromParts(m: RegExpExecArray, offsetMinutes: number): string | null {
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  const fraction = m[7] ?? '';
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60) return null;
  const msText = s === 60 ? '999' : fraction.length >= 3 ? fraction.slice(0, 3) : (fraction + '000').slice(0, 3);
  // Already UTC, no leap second: the answer is the digits as written.
  if (offsetMinutes === 0 && s !== 60) return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${msText}Z`;
  // A leap second is the last millisecond of its minute: the date stays the one written.
  // Date.UTC reads years 0-99 as 1900-1999: shift them by one Gregorian cycle and back.
  const early = y < 100;
  const utc = Date.UTC(early ? y + 400 : y, mo - 1, d, h, mi, Math.min(s, 59), Number(msText)) - (early ? GREGORIAN_CYCLE_MS : 0);
  return fromEpochMs(utc - offsetMinutes * 60_000);
}

/** Epoch milliseconds to RFC 3339 UTC; null outside the years 0000-9999 or not finite. */
export function fromEpochMs(value: number): string | null {
  if (!Number.isFinite(value) || value < EARLIEST_MS || value > LATEST_MS) return null;
  return isoOfEpochMs(Math.trunc(value));
}

const DAY_MS = 86_400_000;
/** 0-99 as two digits. */
function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * What new Date(ms).toISOString() writes for a whole number of milliseconds in the years
 * 0000-9999, by arithmetic (the civil date of a day number, as in H. Hinnant's
 * chrono-compatible date algorithms): no Date object, a third of its cost.
 */
function isoOfEpochMs(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Days since 0000-03-01, in 400-year eras (a year counted from March ends on the leap day).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  const yearText = year >= 1000 ? String(year) : String(year).padStart(4, '0');
  const msText = millis >= 100 ? String(millis) : millis >= 10 ? `0${millis}` : `00${millis}`;
  return `${yearText}-${twoDigits(month)}-${twoDigits(day)}T${twoDigits(hours)}:${twoDigits(minutes)}:${twoDigits(seconds)}.${msText}Z`;
}

/**
 * A time that may come as epoch milliseconds (a number, or a string of digits) or as text:
 * text is read as a local time at `offsetMinutes` when it has no zone. Null when unreadable.
 */
export function flexibleTime(value: unknown, offsetMinutes: number): string | null {
  if (typeof value === 'number') return fromEpochMs(value);
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^-?\d{1,16}$/.test(text)) return fromEpochMs(Number(text));
  return localToUtc(text, offsetMinutes);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Text with every lone UTF-16 surrogate replaced by U+FFFD, so that it can be URI-encoded. */
export function wellFormed(text: string): string {
  // Most text has no surrogate at all: one test, no replace.
  if (!SURROGATE.test(text)) return text;
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

const MORE_THAN_A_SPACE = /[^\S ]| {2}/;

/** One human line: the first line of the text, at most `max` characters. */
export function oneLine(text: string, max = 1024): string {
  // Most texts have no whitespace but single spaces: skip the replace then.
  const line = (MORE_THAN_A_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text).trim();
  if (line.length <= max) return line;
  return line.slice(0, max - 1) + '…';
}

/**
 * The object with the given keys found whatever their case (some relays lower-case keys:
 * `messageattributes`, `statistic`): an exact key wins, else the first key equal to it
 * ignoring case. Other keys are kept as they are.
 */
export function withKeys(source: RawObject, keys: readonly string[]): RawObject {
  // The usual case, every key missing or exact, costs no copy and no map of the keys.
  let out: RawObject | undefined;
  for (const key of keys) {
    if (Object.hasOwn(source, key)) continue;
    const found = keyIgnoringCase(source, key);
    if (found !== undefined) (out ??= { ...source })[key] = source[found];
  }
  return out ?? source;
}

/** The first own key of `source` equal to `key` ignoring case (only keys of its length are lower-cased). */
function keyIgnoringCase(source: RawObject, key: string): string | undefined {
  let lower: string | undefined;
  for (const candidate in source) {
    if (candidate.length !== key.length || !Object.hasOwn(source, candidate)) continue;
    lower ??= key.toLowerCase();
    if (candidate.toLowerCase() === lower) return candidate;
  }
  return undefined;
}

/** Envelope metadata as text: a string (empty gives null) or a number as written; else null. */
export function metadataText(parent: RawObject, key: string): string | null {
  const value = parent[key];
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
