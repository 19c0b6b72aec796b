// Alertmanager's time intervals (its timeinterval package, re-implemented): parsing the
// fields of router.yaml's `timeIntervals` with the same rules and error cases, and deciding
// whether an instant falls inside one, read in the interval's time zone.
import type { z } from 'zod';
import type { timeIntervalSchema } from './schema';
import type { IntRange, TimeInterval } from './types';

export type TimeIntervalFile = z.output<typeof timeIntervalSchema>;

/** A field of a time interval that is not valid; `field` is the key inside the interval (`weekdays[1]`). */
export class IntervalError extends Error {
  override name = 'IntervalError';
  constructor(
    readonly field: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const TIME = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

/** Parses one interval of router.yaml; throws IntervalError naming the field and the problem. */
export function compileTimeInterval(file: TimeIntervalFile): TimeInterval {
  const interval: TimeInterval = {};
  if (file.times) {
    interval.times = file.times.map((range, i) => {
      const start = minutes(range.startTime, ['times', i, 'startTime']);
      const end = minutes(range.endTime, ['times', i, 'endTime']);
      if (start >= end) throw new IntervalError(['times', i], `startTime ${range.startTime} must be before endTime ${range.endTime}`);
      return [start, end] as const;
    });
  }
  if (file.weekdays) interval.weekdays = ranges(file.weekdays, 'weekdays', weekday, checkWeekdays);
  if (file.daysOfMonth) interval.daysOfMonth = ranges(file.daysOfMonth, 'daysOfMonth', integer, checkDaysOfMonth);
  if (file.months) interval.months = ranges(file.months, 'months', month, ordered('month'));
  if (file.years) interval.years = ranges(file.years, 'years', integer, ordered('year'));
  if (file.location !== undefined) {
    if (!isTimeZone(file.location)) {
      throw new IntervalError(['location'], `unknown time zone ${JSON.stringify(file.location)}; use an IANA name like Europe/Berlin, Asia/Shanghai or UTC`);
    }
    interval.location = file.location;
  }
  return interval;
}

function minutes(text: string, at: (string | number)[]): number {
  if (!TIME.test(text)) throw new IntervalError(at, `${JSON.stringify(text)} is not a time of day: expected HH:MM from 00:00 to 24:00`);
  const [hours, mins] = text.split(':').map(Number) as [number, number];
  return hours * 60 + mins;
}

function ranges(
  items: (string | number)[],
  key: string,
  member: (text: string) => number | undefined,
  check: (range: IntRange, text: string) => string | undefined,
): IntRange[] {
  return items.map((item, i) => {
    const text = String(item).toLowerCase();
    // A leading minus is a negative day, not a range separator: Alertmanager splits on ':'.
    const parts = text.split(':');
    if (parts.length > 2) throw new IntervalError([key, i], `cannot read the range ${JSON.stringify(item)}: expected VALUE or BEGIN:END`);
    const values = parts.map((part) => member(part.trim()));
    if (values.some((value) => value === undefined)) {
      throw new IntervalError([key, i], `${JSON.stringify(item)} is not a valid ${key} entry`);
    }
    const range = [values[0] as number, (values[1] ?? values[0]) as number] as const;
    const problem = check(range, String(item));
    if (problem) throw new IntervalError([key, i], problem);
    return range;
  });
}

function integer(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text) ? Number(text) : undefined;
}

function weekday(text: string): number | undefined {
  const index = WEEKDAYS.indexOf(text);
  return index < 0 ? undefined : index;
}

function month(text: string): number | undefined {
  const index = MONTHS.indexOf(text);
  if (index >= 0) return index + 1;
  const number = integer(text);
  return number !== undefined && number >= 1 && number <= 12 ? number : undefined;
}

function checkWeekdays([begin, end]: IntRange): string | undefined {
  return begin > end ? `start day ${WEEKDAYS[begin]} is after end day ${WEEKDAYS[end]} (weeks run sunday to saturday)` : undefined;
}

function ordered(what: string) {
  return ([begin, end]: IntRange, text: string) => (begin > end ? `end ${what} is before start ${what} in ${JSON.stringify(text)}` : undefined);
}

// Alertmanager's checks: 0 and beyond ±31 are out of range, a negative start needs a
// negative end, and a range that is empty even in a 28-day month is refused.
function checkDaysOfMonth([begin, end]: IntRange): string | undefined {
  for (const day of [begin, end]) {
    if (day === 0 || day < -31 || day > 31) return `${day} is not a valid day of the month: 1..31, or -31..-1 counting from the end`;
  }
  if (begin < 0 && end > 0) return 'end day must be negative if start day is negative';
  const checkBegin = begin < 0 ? 28 + begin : begin;
  const checkEnd = end < 0 ? 28 + end : end;
  return checkBegin > checkEnd ? `end day ${end} is always before start day ${begin}` : undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(location: string): Intl.DateTimeFormat {
  let formatter = formatters.get(location);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: location,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'long',
    });
    formatters.set(location, formatter);
  }
  return formatter;
}

export function isTimeZone(location: string): boolean {
  try {
    formatterFor(location);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minuteOfDay: number;
}

function wallClock(at: Date, location: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(location).formatToParts(at)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS.indexOf((parts.weekday ?? '').toLowerCase()),
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const within = (value: number, ranges: readonly IntRange[]) => ranges.some(([begin, end]) => value >= begin && value <= end);

/** Whether `at` falls inside the interval: every field it sets holds, read in its location. */
export function containsTime(interval: TimeInterval, at: Date): boolean {
  const t = wallClock(at, interval.location ?? 'UTC');
  if (interval.times && !interval.times.some(([start, end]) => t.minuteOfDay >= start && t.minuteOfDay < end)) return false;
  if (interval.daysOfMonth && !interval.daysOfMonth.some((range) => inDaysOfMonth(range, t))) return false;
  if (interval.months && !within(t.month, interval.months)) return false;
  if (interval.weekdays && !within(t.weekday, interval.weekdays)) return false;
  if (interval.years && !within(t.year, interval.years)) return false;
  return true;
}

function inDaysOfMonth([rangeBegin, rangeEnd]: IntRange, t: WallClock): boolean {
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = new Date(Date.UTC(t.year, t.month, 0)).getUTCDate();
  const begin = rangeBegin < 0 ? daysInMonth + rangeBegin + 1 : rangeBegin;
  const end = rangeEnd < 0 ? daysInMonth + rangeEnd + 1 : rangeEnd;
  // A range starting after the end of a short month does not spill into the next one.
  if (begin > daysInMonth) return false;
  return t.day >= Math.max(begin, -daysInMonth) && t.day <= Math.min(end, daysInMonth);
}

/** The names among `names` whose intervals hold at `at`. */
export function intervalsHolding(names: readonly string[], intervals: Readonly<Record<string, TimeInterval[]>>, at: Date): string[] {
  return names.filter((name) => (intervals[name] ?? []).some((interval) => containsTime(interval, at)));
}
