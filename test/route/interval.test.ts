// Time intervals with Alertmanager's semantics (its configuration docs and timeinterval
// rules): every field set must hold, ranges are inclusive, times are [start, end), negative
// days count from the end of the month, and everything is read in the interval's location.
import { IntervalError, compileTimeInterval, containsTime, intervalsHolding, type TimeIntervalFile } from '../../shared/route/interval';

const at = (iso: string) => new Date(iso);
const holds = (file: TimeIntervalFile, iso: string) => containsTime(compileTimeInterval(file), at(iso));

describe('containsTime', () => {
  // The business-hours example of Alertmanager's documentation.
  const businessHours: TimeIntervalFile = { times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'] };

  it.each([
    ['2026-12-01T09:00:00Z', true], // Tuesday, start is inclusive
    ['2026-12-01T16:59:59Z', true],
    ['2026-12-01T17:00:00Z', false], // end is exclusive
    ['2026-12-01T08:59:00Z', false],
    ['2026-12-05T12:00:00Z', false], // Saturday
    ['2026-12-06T12:00:00Z', false], // Sunday
    ['2026-12-07T12:00:00Z', true], // Monday
  ])('business hours at %s: %s', (iso, expected) => {
    expect(holds(businessHours, iso)).toBe(expected);
  });

  it('reads the fields in the location, across a day boundary', () => {
    // 2026-12-04 (Friday) 23:30 UTC is Saturday 07:30 in Shanghai.
    const shanghai: TimeIntervalFile = { ...businessHours, location: 'Asia/Shanghai' };
    expect(holds(shanghai, '2026-12-04T23:30:00Z')).toBe(false);
    expect(holds(businessHours, '2026-12-04T12:30:00Z')).toBe(true);
    // Monday 09:30 in Shanghai is Monday 01:30 UTC.
    expect(holds(shanghai, '2026-12-07T01:30:00Z')).toBe(true);
  });

  it('follows daylight saving time in the location', () => {
    const mornings: TimeIntervalFile = { times: [{ startTime: '09:00', endTime: '10:00' }], location: 'Europe/Berlin' };
    expect(holds(mornings, '2026-07-01T07:30:00Z')).toBe(true); // CEST, UTC+2
    expect(holds(mornings, '2026-12-01T07:30:00Z')).toBe(false); // CET, UTC+1: 08:30
    expect(holds(mornings, '2026-12-01T08:30:00Z')).toBe(true);
  });

  it('takes 24:00 as the end of the day', () => {
    expect(holds({ times: [{ startTime: '22:00', endTime: '24:00' }] }, '2026-12-01T23:59:59Z')).toBe(true);
    expect(holds({ times: [{ startTime: '22:00', endTime: '24:00' }] }, '2026-12-02T00:00:00Z')).toBe(false);
  });

  it('holds when any range of a field holds', () => {
    const nights: TimeIntervalFile = { times: [{ startTime: '00:00', endTime: '06:00' }, { startTime: '22:00', endTime: '24:00' }] };
    expect(holds(nights, '2026-12-01T03:00:00Z')).toBe(true);
    expect(holds(nights, '2026-12-01T23:00:00Z')).toBe(true);
    expect(holds(nights, '2026-12-01T12:00:00Z')).toBe(false);
  });

  it.each([
    // The last three days of the month, whatever its length.
    [['-3:-1'], '2026-02-26T12:00:00Z', true],
    [['-3:-1'], '2026-02-25T12:00:00Z', false],
    [['-3:-1'], '2026-01-29T12:00:00Z', true],
    [['-3:-1'], '2026-01-28T12:00:00Z', false],
    [['-1'], '2028-02-29T00:00:00Z', true], // leap year
    [['1:5'], '2026-12-05T23:59:00Z', true],
    [['1:5'], '2026-12-06T00:00:00Z', false],
    // From the 7th to the second-to-last day.
    [['7:-2'], '2026-04-29T12:00:00Z', true],
    [['7:-2'], '2026-04-30T12:00:00Z', false],
    // Day 31 does not exist in April: the range does not spill into May.
    [['31'], '2026-04-30T12:00:00Z', false],
    [['31'], '2026-05-01T12:00:00Z', false],
    [['31'], '2026-05-31T12:00:00Z', true],
    [[-1], '2026-12-31T12:00:00Z', true],
  ])('daysOfMonth %j at %s: %s', (daysOfMonth, iso, expected) => {
    expect(holds({ daysOfMonth }, iso)).toBe(expected);
  });

  it.each([
    [{ months: ['january:march'] }, '2026-03-31T23:00:00Z', true],
    [{ months: ['january:march'] }, '2026-04-01T00:00:00Z', false],
    [{ months: ['May', 'december'] }, '2026-05-10T00:00:00Z', true],
    [{ months: ['10:12'] }, '2026-11-10T00:00:00Z', true],
    [{ years: ['2026:2027'] }, '2027-12-31T23:59:00Z', true],
    [{ years: [2026] }, '2028-01-01T00:00:00Z', false],
    [{ weekdays: ['Saturday', 'sunday'] }, '2026-12-05T10:00:00Z', true],
    [{ weekdays: ['saturday', 'sunday'] }, '2026-12-04T10:00:00Z', false],
    // An interval with no fields always holds.
    [{}, '2026-12-04T10:00:00Z', true],
    // Every field must hold.
    [{ months: ['december'], weekdays: ['friday'] }, '2026-12-04T10:00:00Z', true],
    [{ months: ['december'], weekdays: ['monday'] }, '2026-12-04T10:00:00Z', false],
  ] as [TimeIntervalFile, string, boolean][])('%j at %s: %s', (file, iso, expected) => {
    expect(holds(file, iso)).toBe(expected);
  });

  it('names the intervals that hold: a name holds when any of its intervals does', () => {
    const intervals = {
      weekends: [compileTimeInterval({ weekdays: ['saturday', 'sunday'] })],
      nights: [compileTimeInterval({ times: [{ startTime: '00:00', endTime: '06:00' }] }), compileTimeInterval({ times: [{ startTime: '22:00', endTime: '24:00' }] })],
    };
    expect(intervalsHolding(['weekends', 'nights'], intervals, at('2026-12-05T03:00:00Z'))).toEqual(['weekends', 'nights']);
    expect(intervalsHolding(['weekends', 'nights'], intervals, at('2026-12-04T23:00:00Z'))).toEqual(['nights']);
    expect(intervalsHolding(['weekends', 'nights'], intervals, at('2026-12-04T12:00:00Z'))).toEqual([]);
  });
});

describe('compileTimeInterval refuses what Alertmanager refuses', () => {
  it.each([
    [{ times: [{ startTime: '17:00', endTime: '09:00' }] }, ['times', 0], /startTime 17:00 must be before endTime 09:00/],
    [{ times: [{ startTime: '09:00', endTime: '09:00' }] }, ['times', 0], /must be before/],
    [{ times: [{ startTime: '9:00', endTime: '10:00' }] }, ['times', 0, 'startTime'], /"9:00" is not a time of day/],
    [{ times: [{ startTime: '00:00', endTime: '24:01' }] }, ['times', 0, 'endTime'], /not a time of day/],
    [{ weekdays: ['friday:monday'] }, ['weekdays', 0], /start day friday is after end day monday/],
    // Weeks run Sunday to Saturday: a weekend is two entries, not a range.
    [{ weekdays: ['saturday:sunday'] }, ['weekdays', 0], /start day saturday is after end day sunday/],
    [{ weekdays: ['funday'] }, ['weekdays', 0], /"funday" is not a valid weekdays entry/],
    [{ weekdays: ['1'] }, ['weekdays', 0], /not a valid weekdays entry/],
    [{ daysOfMonth: ['0'] }, ['daysOfMonth', 0], /0 is not a valid day of the month/],
    [{ daysOfMonth: ['32'] }, ['daysOfMonth', 0], /32 is not a valid day of the month/],
    [{ daysOfMonth: ['-1:5'] }, ['daysOfMonth', 0], /end day must be negative if start day is negative/],
    [{ daysOfMonth: ['10:-25'] }, ['daysOfMonth', 0], /end day -25 is always before start day 10/],
    [{ daysOfMonth: ['1:2:3'] }, ['daysOfMonth', 0], /expected VALUE or BEGIN:END/],
    [{ months: ['june:may'] }, ['months', 0], /end month is before start month/],
    [{ months: ['13'] }, ['months', 0], /not a valid months entry/],
    [{ years: ['2027:2026'] }, ['years', 0], /end year is before start year/],
    [{ location: 'Mars/Olympus_Mons' }, ['location'], /unknown time zone "Mars\/Olympus_Mons"/],
  ] as [TimeIntervalFile, (string | number)[], RegExp][])('%j', (file, field, problem) => {
    let caught: unknown;
    try {
      compileTimeInterval(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IntervalError);
    expect((caught as IntervalError).field).toEqual(field);
    expect((caught as IntervalError).message).toMatch(problem);
  });
});
